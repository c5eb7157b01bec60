"""Interview services: what pages and the CLI call to run an interview.

Plain functions over a Workspace (its unit of work, content and clock). Each action is one
transaction; the candidate's message is committed before the interviewer is asked to reply,
so nothing typed is lost if the reply fails.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass

from core.errors import SessionClosed, WorkspaceError
from core.lifecycle import transition
from core.logs import session_context
from core.models import (
    AuditEntry,
    Candidate,
    Evaluation,
    Level,
    Message,
    Role,
    Session,
    SessionStatus,
    SessionSummary,
    Utterance,
)
from core.problems import Problem
from core.providers import make_evaluator, make_interviewer
from core.unit_of_work import UnitOfWork
from core.workspace import Workspace

log = logging.getLogger(__name__)

MAX_MESSAGE_CHARS = 8000


@dataclass
class InterviewView:
    """Everything a page shows about one interview, read in one transaction."""

    session: Session
    problem: Problem
    messages: list[Message]
    candidate: Candidate | None
    evaluation: Evaluation | None


def _audit(uow: UnitOfWork, session: Session, action: str, actor: str, **detail: object) -> None:
    uow.audit.add(AuditEntry(action=action, actor=actor, session_id=session.id, detail=dict(detail)))
    log.info(action, extra={"actor": actor, "detail": detail})  # nested: keys never clash with the record's


def create_interview(
    ws: Workspace,
    *,
    problem_id: str,
    candidate_id: str | None = None,
    level: Level = Level.MID,
    modes: list[str] | None = None,
    duration_minutes: int | None = None,
    provider: str = "offline",
    actor: str = "candidate",
) -> Session:
    problem = ws.problems.get(problem_id)
    now = ws.clock()
    session = Session(
        id=uuid.uuid4().hex,
        problem_id=problem.id,
        problem_title=problem.title,
        candidate_id=candidate_id,
        interviewer_provider=provider,
        level=level,
        modes=modes or ["chat"],
        status=SessionStatus.READY,
        duration_minutes=duration_minutes or ws.settings.interview_minutes,
        created_at=now,
        updated_at=now,
    )
    with session_context(session.id), ws.uow_factory() as uow:
        if candidate_id is not None:
            uow.candidates.get(candidate_id)  # NotFound for an unknown candidate
        uow.sessions.add(session)
        _audit(uow, session, "session_created", actor, problem_id=problem.id, level=level.value)
        uow.commit()
    return session


def start_interview(ws: Workspace, session_id: str, *, actor: str = "candidate") -> Message:
    """ready → active, and the interviewer's opening message."""
    with session_context(session_id), ws.uow_factory() as uow:
        session = uow.sessions.get(session_id)
        now = ws.clock()
        transition(session, SessionStatus.ACTIVE, now)
        interviewer = make_interviewer(
            session.interviewer_provider, ws.problems.get(session.problem_id), ws.rubric(session.rubric_id)
        )
        turn = interviewer.opening(session)
        session.stage = turn.stage
        opening = uow.messages.add(
            Message(session.id, Role.INTERVIEWER, turn.text, stage=turn.stage, meta=turn.meta, created_at=now)
        )
        uow.sessions.update(session)
        _audit(uow, session, "session_started", actor)
        uow.commit()
    return opening


def send_message(ws: Workspace, session_id: str, text: str, *, actor: str = "candidate") -> Message:
    """Store the candidate's message, then the interviewer's reply; returns the reply."""
    text = text.strip()
    if not text:
        raise WorkspaceError("Type an answer before sending.")
    if len(text) > MAX_MESSAGE_CHARS:
        raise WorkspaceError(f"That message is too long ({len(text)} characters; at most {MAX_MESSAGE_CHARS}).")
    with session_context(session_id), ws.uow_factory() as uow:
        session = uow.sessions.get(session_id)
        _require_active(session)
        stored = uow.messages.add(Message(session.id, Role.CANDIDATE, text, stage=session.stage, created_at=ws.clock()))
        _audit(uow, session, "message_sent", actor, seq=stored.seq, chars=len(text))
        uow.commit()
    return reply_to_candidate(ws, session_id)


def reply_to_candidate(ws: Workspace, session_id: str) -> Message:
    """Ask the interviewer for the next turn; also used to answer a message left unanswered
    by a crash or restart between storing it and replying."""
    with session_context(session_id), ws.uow_factory() as uow:
        session = uow.sessions.get(session_id)
        _require_active(session)
        history = uow.messages.list(session_id)
        now = ws.clock()
        interviewer = make_interviewer(
            session.interviewer_provider, ws.problems.get(session.problem_id), ws.rubric(session.rubric_id)
        )
        turn = interviewer.reply(session, history, now)
        reply = uow.messages.add(
            Message(session.id, Role.INTERVIEWER, turn.text, stage=turn.stage, meta=turn.meta, created_at=now)
        )
        if turn.stage is not session.stage:
            _audit(uow, session, "stage_changed", "interviewer", old=session.stage.value, new=turn.stage.value)
            session.stage = turn.stage
            session.stage_started_at = now
        session.updated_at = now
        uow.sessions.update(session)
        uow.commit()
    return reply


def needs_reply(messages: list[Message]) -> bool:
    return bool(messages) and messages[-1].role is Role.CANDIDATE


def pause_interview(ws: Workspace, session_id: str, *, actor: str = "candidate") -> None:
    _change_status(ws, session_id, SessionStatus.PAUSED, "session_paused", actor)


def resume_interview(ws: Workspace, session_id: str, *, actor: str = "candidate") -> None:
    _change_status(ws, session_id, SessionStatus.ACTIVE, "session_resumed", actor)


def cancel_interview(ws: Workspace, session_id: str, *, actor: str = "candidate") -> None:
    _change_status(ws, session_id, SessionStatus.CANCELLED, "session_cancelled", actor)


def end_interview(ws: Workspace, session_id: str, *, actor: str = "candidate") -> Evaluation:
    """Complete the session and store its evaluation and audit entry in one commit."""
    with session_context(session_id), ws.uow_factory() as uow:
        session = uow.sessions.get(session_id)
        transition(session, SessionStatus.COMPLETED, ws.clock())
        problem = ws.problems.get(session.problem_id)
        evaluator = make_evaluator(session.interviewer_provider, ws.rubric(session.rubric_id), problem)
        utterances = utterances_of(session, uow.messages.list(session_id))
        evaluation = uow.evaluations.add(evaluator.evaluate(session.id, utterances))
        uow.sessions.update(session)
        _audit(uow, session, "session_completed", actor, overall_score=evaluation.overall_score)
        uow.commit()
    return evaluation


def get_interview(ws: Workspace, session_id: str) -> InterviewView:
    with ws.uow_factory() as uow:
        session = uow.sessions.get(session_id)
        candidate = uow.candidates.get(session.candidate_id) if session.candidate_id else None
        return InterviewView(
            session=session,
            problem=ws.problems.get(session.problem_id),
            messages=uow.messages.list(session_id),
            candidate=candidate,
            evaluation=uow.evaluations.for_session(session_id),
        )


def list_history(
    ws: Workspace, *, limit: int = 50, offset: int = 0, statuses: list[SessionStatus] | None = None
) -> tuple[list[SessionSummary], int]:
    """One page of sessions, most recent first, and the total count for paging."""
    with ws.uow_factory() as uow:
        return (
            uow.sessions.list_summaries(limit=limit, offset=offset, statuses=statuses),
            uow.sessions.count(statuses=statuses),
        )


def open_sessions(ws: Workspace) -> list[SessionSummary]:
    """Interviews that can be resumed (after a reload, a closed tab or a server restart)."""
    summaries, _ = list_history(
        ws, limit=20, statuses=[SessionStatus.READY, SessionStatus.ACTIVE, SessionStatus.PAUSED]
    )
    return summaries


def utterances_of(session: Session, messages: list[Message]) -> list[Utterance]:
    """Chat messages as the evaluator reads them, timed from the interview start."""
    utterances = []
    for m in messages:
        if m.role is Role.SYSTEM:
            continue
        start = None
        if session.started_at and m.created_at:
            start = max(0.0, (m.created_at - session.started_at).total_seconds())
        utterances.append(Utterance(speaker=m.role.value, text=m.content, start=start, seq=m.seq))
    return utterances


def _require_active(session: Session) -> None:
    if session.status is SessionStatus.ACTIVE:
        return
    if session.status is SessionStatus.PAUSED:
        raise SessionClosed("The interview is paused: resume it to continue.")
    if session.status is SessionStatus.READY:
        raise SessionClosed("The interview has not started yet.")
    raise SessionClosed(f"This interview is {session.status.value} and accepts no new input.")


def _change_status(ws: Workspace, session_id: str, target: SessionStatus, action: str, actor: str) -> None:
    with session_context(session_id), ws.uow_factory() as uow:
        session = uow.sessions.get(session_id)
        transition(session, target, ws.clock())
        uow.sessions.update(session)
        _audit(uow, session, action, actor)
        uow.commit()
