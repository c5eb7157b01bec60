"""Where a person stands: their pipeline status over time, moved by recommendations or by hand.

Statuses are keys: the templates' recommendations name them (activation, follow_up, offer_review, …),
plus the few every pipeline has (new, interviewing, withdrawn). History is append-only: a manual
override is a new change with a reason, never an edit of an old one.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from core import audit
from core.content.templates import TemplateLibrary
from core.errors import InvalidInput
from core.models import Candidate, PipelineChange, Session
from core.permissions.access import authorize, authorize_action
from core.permissions.actor import Actor
from core.permissions.policy import Action, SessionAction
from core.unit_of_work import UnitOfWork
from core.workspace import Workspace

FIRST = ("new", "interviewing")  # before any recommendation
LAST = ("withdrawn",)  # the person's own choice, possible at any point
_LABELS = {"follow_up": "Follow-up", "not_a_fit": "Not a fit", "offer_review": "Offer review"}
MAX_REASON_CHARS = 2000


def status_label(status: str) -> str:
    """'not_a_fit' -> 'Not a fit'."""
    return _LABELS.get(status) or status.replace("_", " ").capitalize()


def statuses(templates: TemplateLibrary) -> list[str]:
    """Every known status, in pipeline order: new, interviewing, the templates' statuses, withdrawn."""
    found = [*FIRST]
    for template in templates.all():
        for recommendation in template.recommendations:
            status = recommendation.pipeline_status
            if status and status not in found and status not in LAST:
                found.append(status)
    return found + [s for s in LAST if s not in found]


@dataclass(frozen=True)
class CandidatePipeline:
    """A session's candidate with their pipeline status and its history (oldest first)."""

    candidate: Candidate
    current: PipelineChange | None
    history: list[PipelineChange] = field(default_factory=list)


def history(ws: Workspace, candidate_id: str) -> list[PipelineChange]:
    """Oldest first."""
    with ws.uow_factory() as uow:
        uow.candidates.get(candidate_id)
        return uow.pipeline.history(candidate_id)


def current_status(ws: Workspace, candidate_id: str) -> PipelineChange | None:
    """The latest change; None while the person has never been moved."""
    changes = history(ws, candidate_id)
    return changes[-1] if changes else None


def for_session(ws: Workspace, session_id: str, *, actor: Actor) -> CandidatePipeline | None:
    """The pipeline of the session's candidate, for someone who may see the session; None when the session
    has no candidate."""
    with ws.uow_factory() as uow:
        session = uow.sessions.get(session_id)
        authorize(uow, ws.settings, actor, SessionAction.VIEW, session)
        if session.candidate_id is None:
            return None
        candidate = uow.candidates.get(session.candidate_id)
        changes = uow.pipeline.history(candidate.id)
    return CandidatePipeline(candidate, changes[-1] if changes else None, changes)


def set_status(
    ws: Workspace, candidate_id: str, *, status: str, reason: str, actor: Actor, session_id: str | None = None
) -> PipelineChange:
    """A manual override: any known status, with a reason saying why (it is audited)."""
    reason = reason.strip()
    known = statuses(ws.templates)
    if status not in known:
        raise InvalidInput(f"{status!r} is not a pipeline status; the statuses are {', '.join(known)}.")
    if not reason:
        raise InvalidInput("Say why the status changes: a manual move needs a reason.")
    if len(reason) > MAX_REASON_CHARS:
        raise InvalidInput(f"A reason can be at most {MAX_REASON_CHARS} characters (this one has {len(reason)}).")
    with ws.uow_factory() as uow:
        candidate = uow.candidates.get(candidate_id)
        if session_id is not None:
            authorize(uow, ws.settings, actor, SessionAction.EDIT, uow.sessions.get(session_id))
        else:
            authorize_action(ws.settings, actor, Action.RUN_LIVE)
        changes = uow.pipeline.history(candidate_id)
        previous = changes[-1].status if changes else None
        if previous == status:
            raise InvalidInput(f"{candidate.name} is already at {status_label(status)}.")
        change = uow.pipeline.add(
            PipelineChange(
                candidate_id=candidate_id,
                status=status,
                source="manual",
                actor=actor.name,
                reason=reason,
                session_id=session_id,
            )
        )
        detail = {"candidate": candidate_id, "from": previous, "to": status, "reason": reason}
        audit.record(uow, "pipeline_overridden", actor=actor.name, session_id=session_id, detail=detail)
        uow.commit()
    return change


def move_with_recommendation(
    uow: UnitOfWork, *, session: Session, status: str, actor: str, reason: str = ""
) -> PipelineChange | None:
    """Move the session's candidate to `status` (source "recommendation"); None when the session has no
    candidate or they are there already. Audited as "pipeline_moved"; the caller commits."""
    if session.candidate_id is None:
        return None
    changes = uow.pipeline.history(session.candidate_id)
    previous = changes[-1].status if changes else None
    if previous == status:
        return None
    change = uow.pipeline.add(
        PipelineChange(
            candidate_id=session.candidate_id,
            status=status,
            source="recommendation",
            actor=actor,
            reason=reason,
            session_id=session.id,
        )
    )
    detail = {"candidate": session.candidate_id, "from": previous, "to": status, "reason": reason}
    audit.record(uow, "pipeline_moved", actor=actor, session_id=session.id, detail=detail)
    return change
