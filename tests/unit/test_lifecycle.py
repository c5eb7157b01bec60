from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from core.errors import IllegalTransition
from core.lifecycle import ALLOWED, can_transition, transition
from core.models import Session, SessionStatus

S = SessionStatus
T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


def make(status: SessionStatus = S.READY) -> Session:
    return Session(id="s1", problem_id="url_shortener", status=status)


def test_happy_path_ready_active_paused_active_completed() -> None:
    session = make()
    transition(session, S.ACTIVE, T0)
    assert session.started_at == T0 and session.stage_started_at == T0
    transition(session, S.PAUSED, T0 + timedelta(minutes=10))
    transition(session, S.ACTIVE, T0 + timedelta(minutes=15))
    transition(session, S.COMPLETED, T0 + timedelta(minutes=30))
    assert session.status is S.COMPLETED
    assert session.ended_at == T0 + timedelta(minutes=30)
    assert session.paused_seconds == 300
    assert session.elapsed_seconds(T0 + timedelta(hours=5)) == 25 * 60


def test_pause_stops_the_clock_and_shifts_the_stage_budget() -> None:
    session = make()
    transition(session, S.ACTIVE, T0)
    transition(session, S.PAUSED, T0 + timedelta(minutes=5))
    assert session.elapsed_seconds(T0 + timedelta(minutes=50)) == 300
    transition(session, S.ACTIVE, T0 + timedelta(minutes=20))
    assert session.stage_started_at == T0 + timedelta(minutes=15)
    assert session.elapsed_seconds(T0 + timedelta(minutes=21)) == 360


def test_ending_while_paused_counts_the_pause() -> None:
    session = make()
    transition(session, S.ACTIVE, T0)
    transition(session, S.PAUSED, T0 + timedelta(minutes=5))
    transition(session, S.COMPLETED, T0 + timedelta(minutes=9))
    assert session.paused_at is None
    assert session.elapsed_seconds(T0 + timedelta(days=1)) == 300


@pytest.mark.parametrize(
    ("start", "target"),
    [
        (S.READY, S.PAUSED),
        (S.READY, S.COMPLETED),
        (S.SCHEDULED, S.ACTIVE),
        (S.ACTIVE, S.READY),
        (S.ACTIVE, S.ACTIVE),
        (S.COMPLETED, S.ACTIVE),
        (S.COMPLETED, S.CANCELLED),
        (S.CANCELLED, S.ACTIVE),
        (S.PAUSED, S.PAUSED),
    ],
)
def test_illegal_transitions_are_refused_and_change_nothing(start: SessionStatus, target: SessionStatus) -> None:
    session = make(start)
    before = (session.status, session.started_at, session.ended_at, session.updated_at)
    with pytest.raises(IllegalTransition) as info:
        transition(session, target, T0)
    assert start.value in str(info.value)
    assert (session.status, session.started_at, session.ended_at, session.updated_at) == before


def test_ended_states_are_final_and_every_open_state_can_be_cancelled() -> None:
    assert ALLOWED[S.COMPLETED] == frozenset() and ALLOWED[S.CANCELLED] == frozenset()
    for status in (S.SCHEDULED, S.READY, S.ACTIVE, S.PAUSED):
        assert can_transition(status, S.CANCELLED)
