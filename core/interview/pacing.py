"""How an interview uses its planned time: each stage's share, and when it may wrap up.

A candidate who covers the topics fast has not used the interview: the time is there to go deeper, so
the deep dive lasts until the plan's wrap-up starts (85% of the planned minutes) and nothing ends the
interview before that unless the candidate asks to. A design stage covered in its first half goes
deeper in that stage before moving on.
"""

from __future__ import annotations

from datetime import datetime

from core.models import Session, Stage

STAGE_SHARES: dict[Stage, float] = {
    Stage.REQUIREMENTS: 0.15,
    Stage.ESTIMATION: 0.10,
    Stage.HIGH_LEVEL_DESIGN: 0.30,
    Stage.DEEP_DIVE: 0.30,
    Stage.WRAP_UP: 0.15,
}
"""Share of the interview each stage gets; a stage over its share moves on."""

WRAP_UP_SHARE = 1.0 - STAGE_SHARES[Stage.WRAP_UP]
"""Share of the planned time after which the interview may wrap up (0.85)."""

DESIGN_STAGES = (Stage.HIGH_LEVEL_DESIGN, Stage.DEEP_DIVE)
"""Stages where topics covered early are explored deeper instead of moving on."""


def stage_minutes(duration_minutes: int) -> dict[Stage, int]:
    """Whole minutes per stage that add up to the interview length (largest remainder first)."""
    exact = {stage: duration_minutes * share for stage, share in STAGE_SHARES.items()}
    minutes = {stage: int(value) for stage, value in exact.items()}
    by_remainder = sorted(exact, key=lambda st: -(exact[st] - minutes[st]))
    for stage in by_remainder[: duration_minutes - sum(minutes.values())]:
        minutes[stage] += 1
    return minutes


def share_used(session: Session, now: datetime) -> float | None:
    """How much of the planned time is spent (1.0: all of it); None for an interview with no planned length."""
    if session.duration_minutes <= 0:
        return None
    return session.elapsed_seconds(now) / (session.duration_minutes * 60)


def may_wrap_up(session: Session, now: datetime) -> bool:
    """Whether the plan's wrap-up has begun: the interview may move to its summary and close."""
    used = share_used(session, now)
    return used is None or used >= WRAP_UP_SHARE


def stage_budget_seconds(session: Session, stage: Stage) -> float:
    return STAGE_SHARES[stage] * session.duration_minutes * 60


def early_in_stage(session: Session, stage: Stage, stage_started: datetime | None, now: datetime) -> bool:
    """The stage has used less than half of its planned time (so covering it now is early)."""
    if stage_started is None or session.duration_minutes <= 0:
        return False
    return (now - stage_started).total_seconds() < stage_budget_seconds(session, stage) / 2


def stage_over_time(session: Session, stage: Stage, stage_started: datetime | None, now: datetime) -> bool:
    """The stage has spent its share. The deep dive runs until the plan's wrap-up instead: an early deep
    dive takes the time the earlier stages did not use."""
    if session.duration_minutes <= 0:
        return False
    if stage is Stage.DEEP_DIVE:
        return may_wrap_up(session, now)
    if stage_started is None:
        return False
    return (now - stage_started).total_seconds() > stage_budget_seconds(session, stage)
