"""Approval before sharing: an AI evaluation reaches its candidate only after a reviewer releases it.

With `privacy.evaluation_approval` on (the default) the candidate's surfaces — the Candidate view and
the report it offers for download — show an evaluation once a reviewer has approved it; until then they
say it is being reviewed. Reviewers see everything at once on the Evaluation page, and the Review queue
lists what waits. With the setting off an evaluation is the candidate's as soon as it exists.

The approval is stored on the evaluation it was given for, which settles what happens afterwards:
- a new evaluation of the interview (a new row) starts unapproved and needs an approval of its own;
- a reviewer's score override after the release keeps it released: an override is itself a reviewer's
  audited act with a justification, and from then on the candidate sees the adjusted score beside the
  evaluator's original. A reviewer who wants to hold the evaluation back withdraws the release first.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from core import audit
from core.errors import AccessDenied, NotFound
from core.evaluation.report import EvaluationReport, load_report
from core.evaluation.reviews import effective_scores
from core.logs import session_context
from core.models import Evaluation, EvaluationRelease, Job, OutgoingEvent, ScoreOverride
from core.outgoing_webhooks import deliveries
from core.outgoing_webhooks.event_payloads import evaluation_data
from core.permissions.access import authorize
from core.permissions.actor import Actor
from core.permissions.policy import SessionAction
from core.unit_of_work import UnitOfWork
from core.workspace import Workspace

log = logging.getLogger(__name__)


class ReleaseStatus(StrEnum):
    NOT_EVALUATED = "not_evaluated"  # no evaluation yet (an interview still going, or led by a person)
    AWAITING = "awaiting"  # evaluated; a reviewer has not approved it yet
    RELEASED = "released"  # the candidate may see it


@dataclass(frozen=True)
class AwaitingApproval:
    """One row of the Review queue."""

    session_id: str
    problem_title: str
    candidate_name: str | None
    ended_at: datetime | None
    overall_score: float | None  # the score in force: a reviewer's overrides applied
    adjusted: bool  # a reviewer has overridden a score already


def approval_required(ws: Workspace) -> bool:
    return ws.settings.privacy.evaluation_approval


def release_status(ws: Workspace, session_id: str, *, actor: Actor) -> ReleaseStatus:
    """Where the session's evaluation stands for its candidate; NotFound for an unknown session.

    Asks VIEW, not VIEW_EVALUATION: the candidate learns that their own evaluation is being reviewed before
    they may read it (it reveals no score); anyone who may not see the session is refused as if it did not
    exist."""
    with ws.uow_factory() as uow:
        authorize(uow, ws.settings, actor, SessionAction.VIEW, uow.sessions.get(session_id))
        evaluation = uow.evaluations.for_session(session_id)
        release = uow.evaluations.release_of(session_id) if evaluation is not None else None
    if evaluation is None:
        return ReleaseStatus.NOT_EVALUATED
    if release is None and approval_required(ws):
        return ReleaseStatus.AWAITING
    return ReleaseStatus.RELEASED


def is_released(ws: Workspace, session_id: str, *, actor: Actor) -> bool:
    """True when the candidate may see the session's evaluation: approved, or approval is off.

    False while there is no evaluation at all: there is nothing to see yet. Refused like `release_status`.
    """
    return release_status(ws, session_id, actor=actor) is ReleaseStatus.RELEASED


def approve(ws: Workspace, session_id: str, *, actor: Actor) -> EvaluationRelease:
    """Release the session's evaluation to its candidate, with an audit entry, in one commit.

    Only a reviewer of the session's team (or an admin) may; refused when the interview has no evaluation.
    Approving an evaluation already approved changes nothing and hands back the first approval (two
    reviewers clicking at once).
    """
    who = actor.name
    with session_context(session_id), ws.uow_factory() as uow:
        authorize(uow, ws.settings, actor, SessionAction.REVIEW, uow.sessions.get(session_id))
        evaluation = uow.evaluations.for_session(session_id)
        if evaluation is None:
            raise NotFound("This interview has no evaluation to approve yet.")
        if (earlier := uow.evaluations.release_of(session_id)) is not None:
            return earlier
        release = uow.evaluations.release(session_id, approved_at=ws.clock(), approved_by=who)
        audit.record(
            uow,
            "evaluation_released",
            actor=who,
            session_id=session_id,
            detail={"evaluation_id": release.evaluation_id, "overall_score": evaluation.overall_score},
            logger=log,
        )
        hooks = announce_release(ws, uow, session_id, evaluation, released_at=release.approved_at, actor=actor)
        uow.commit()
    deliveries.wake(ws, hooks)
    return release


def announce_release(
    ws: Workspace, uow: UnitOfWork, session_id: str, evaluation: Evaluation, *, released_at: datetime, actor: Actor
) -> list[Job]:
    """The evaluation.released webhook, in the caller's transaction: the scores in force (a reviewer's overrides
    applied), as the candidate now sees them. Called by `approve`, and when an interview ends with approval off.
    Returns the jobs, for deliveries.wake after the commit."""

    def data() -> dict[str, Any]:
        session = uow.sessions.get(session_id)
        overrides = uow.score_overrides.in_session(session_id)
        scores = effective_scores(ws.rubric(session.rubric_id), evaluation, overrides)
        return evaluation_data(
            uow,
            session,
            evaluation,
            released_at=released_at,
            overall_score=scores.overall,
            scores={row.key: row.score for row in scores.competencies},
        )

    return deliveries.emit(uow, ws, OutgoingEvent.EVALUATION_RELEASED, data, actor=actor, session_id=session_id)


def withdraw(ws: Workspace, session_id: str, *, actor: Actor) -> None:
    """Take a release back (audited): the candidate's view says "being reviewed" again until a new approval."""
    who = actor.name
    with session_context(session_id), ws.uow_factory() as uow:
        authorize(uow, ws.settings, actor, SessionAction.REVIEW, uow.sessions.get(session_id))
        earlier = uow.evaluations.release_of(session_id)
        if earlier is None:
            return
        uow.evaluations.withdraw_release(session_id)
        audit.record(
            uow,
            "evaluation_release_withdrawn",
            actor=who,
            session_id=session_id,
            detail={"evaluation_id": earlier.evaluation_id, "approved_by": earlier.approved_by},
            logger=log,
        )
        uow.commit()


def awaiting_approval(ws: Workspace, *, limit: int = 200) -> list[AwaitingApproval]:
    """The Review queue: evaluations no reviewer has approved yet, the longest waiting first.

    Listed whether or not approval is on, so a reviewer can still see what was never looked at.
    """
    with ws.uow_factory() as uow:
        summaries = uow.sessions.awaiting_release(limit=limit)
        overrides: dict[str, list[ScoreOverride]] = {}
        for override in uow.score_overrides.all():  # reviewers make them by hand: never very many
            overrides.setdefault(override.session_id, []).append(override)
        adjusted: dict[str, float | None] = {}
        for summary in summaries:
            if summary.id in overrides and (evaluation := uow.evaluations.for_session(summary.id)) is not None:
                rubric = ws.rubric(uow.sessions.get(summary.id).rubric_id)
                adjusted[summary.id] = effective_scores(rubric, evaluation, overrides[summary.id]).overall
    return [
        AwaitingApproval(
            session_id=s.id,
            problem_title=s.problem_title,
            candidate_name=s.candidate_name,
            ended_at=s.ended_at,
            overall_score=adjusted.get(s.id, s.overall_score),
            adjusted=s.id in adjusted,
        )
        for s in summaries
    ]


def released_report(ws: Workspace, session_id: str, *, actor: Actor) -> EvaluationReport | None:
    """The report the candidate may see; None while it awaits a reviewer or does not exist yet."""
    try:
        report = load_report(ws, session_id, actor=actor)
    except (NotFound, AccessDenied):
        return None
    return report if report.released else None
