"""The session state machine: which status may follow which, and the clock bookkeeping.

scheduled → ready → active ⇄ paused → completed, and cancelled from any open state.
Kept apart from services so the rules are one small table that tests can read; `change_status` is
the one transaction that moves a stored session and audits it, shared by the interview and live services.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from core import audit
from core.errors import IllegalTransition
from core.logs import session_context
from core.models import Session, SessionStatus
from core.permissions.access import authorize
from core.permissions.actor import Actor
from core.permissions.policy import SessionAction

if TYPE_CHECKING:
    from core.unit_of_work import UnitOfWork
    from core.workspace import Workspace

S = SessionStatus

ALLOWED: dict[SessionStatus, frozenset[SessionStatus]] = {
    S.SCHEDULED: frozenset({S.READY, S.CANCELLED}),
    S.READY: frozenset({S.ACTIVE, S.CANCELLED}),
    S.ACTIVE: frozenset({S.PAUSED, S.COMPLETED, S.CANCELLED}),
    S.PAUSED: frozenset({S.ACTIVE, S.COMPLETED, S.CANCELLED}),
    S.COMPLETED: frozenset(),
    S.CANCELLED: frozenset(),
}

_VERBS = {
    S.READY: "make ready",
    S.ACTIVE: "start",
    S.PAUSED: "pause",
    S.COMPLETED: "end",
    S.CANCELLED: "cancel",
}


def can_transition(current: SessionStatus, target: SessionStatus) -> bool:
    return target in ALLOWED[current]


def transition(session: Session, target: SessionStatus, now: datetime) -> None:
    """Move the session to `target`, keeping started/paused/ended times consistent."""
    if not can_transition(session.status, target):
        raise IllegalTransition(
            f"Cannot {_VERBS.get(target, target.value)} an interview that is {session.status.value}."
        )
    if session.status is S.PAUSED and session.paused_at is not None:
        pause = now - session.paused_at
        session.paused_seconds += pause.total_seconds()
        if session.stage_started_at is not None:  # the stage's time budget stands still too
            session.stage_started_at += pause
        session.paused_at = None
    if target is S.ACTIVE and session.started_at is None:
        session.started_at = now
        session.stage_started_at = now
    elif target is S.PAUSED:
        session.paused_at = now
    elif target in (S.COMPLETED, S.CANCELLED):
        session.ended_at = now
    session.status = target
    session.updated_at = now


def change_status(
    ws: Workspace,
    session_id: str,
    target: SessionStatus,
    action: str,
    *,
    actor: Actor,
    logger: logging.Logger | None = None,
    check: Callable[[UnitOfWork, str], object] | None = None,
) -> None:
    """Load the session, move it to `target`, save it and audit `action`, in one transaction.

    `check` runs once the session is loaded and before it moves (the live services pass "is this session
    interviewer-led?"); `logger` also logs the audited action, under the calling service's name.
    """
    with session_context(session_id), ws.uow_factory() as uow:
        session = uow.sessions.get(session_id)
        authorize(uow, ws.settings, actor, SessionAction.EDIT, session)
        if check is not None:
            check(uow, session_id)
        transition(session, target, ws.clock())
        uow.sessions.update(session)
        audit.record(uow, action, actor=actor.name, session_id=session_id, logger=logger)
        uow.commit()
