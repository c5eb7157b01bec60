"""Planned time: stage shares, the wrap-up gate at 85%, and a deep dive that runs to it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from core.interview.pacing import (
    WRAP_UP_SHARE,
    early_in_stage,
    may_wrap_up,
    share_used,
    stage_over_time,
)
from core.models import Session, SessionStatus, Stage

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def _session(minutes: int = 45) -> Session:
    return Session(id="s", problem_id="p", status=SessionStatus.ACTIVE, duration_minutes=minutes, started_at=T0)


def test_the_interview_may_wrap_up_only_from_85_percent_of_its_time() -> None:
    session = _session()
    assert WRAP_UP_SHARE == 0.85
    assert not may_wrap_up(session, T0 + timedelta(minutes=4))
    assert not may_wrap_up(session, T0 + timedelta(minutes=38))
    assert may_wrap_up(session, T0 + timedelta(minutes=38.25))
    assert share_used(session, T0 + timedelta(minutes=9)) == 0.2
    assert may_wrap_up(_session(0), T0) and share_used(_session(0), T0) is None  # no planned length: no gate


def test_the_deep_dive_lasts_until_the_plans_wrap_up_not_its_own_share() -> None:
    session = _session()
    started = T0 + timedelta(minutes=8)  # the earlier stages went fast
    assert not stage_over_time(session, Stage.DEEP_DIVE, started, T0 + timedelta(minutes=30))  # 22 min in the stage
    assert stage_over_time(session, Stage.DEEP_DIVE, started, T0 + timedelta(minutes=39))
    assert stage_over_time(session, Stage.REQUIREMENTS, T0, T0 + timedelta(minutes=7))  # 15% of 45 is 6.75


def test_a_stage_covered_in_its_first_half_is_covered_early() -> None:
    session = _session()
    started = T0 + timedelta(minutes=10)
    assert early_in_stage(session, Stage.HIGH_LEVEL_DESIGN, started, started + timedelta(minutes=6))
    assert not early_in_stage(session, Stage.HIGH_LEVEL_DESIGN, started, started + timedelta(minutes=7))
    assert not early_in_stage(session, Stage.HIGH_LEVEL_DESIGN, None, started)
