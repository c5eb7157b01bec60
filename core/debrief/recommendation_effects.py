"""What a recommendation sets in motion: follow-up tasks and the person's pipeline status.

Called inside the transaction that records the recommendation, so the recommendation, its tasks and
the pipeline move are stored together or not at all. A new recommendation replaces the earlier one's
open tasks (they become "cancelled"); tasks a person added by hand, and finished ones, stay.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from core import audit
from core.content.templates import InterviewTemplate
from core.debrief.email_templates import session_context
from core.debrief.follow_ups import cancel_recommended, plan_follow_ups, resolve_owners
from core.debrief.pipeline import move_with_recommendation
from core.models import FollowUpTask, PipelineChange, Session
from core.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class RecommendationEffects:
    tasks: list[FollowUpTask] = field(default_factory=list)  # created now
    pipeline: PipelineChange | None = None  # None: no candidate, no status, or already there
    cancelled: int = 0  # open tasks of an earlier recommendation that this one replaced


def apply_recommendation(
    uow: UnitOfWork,
    *,
    session: Session,
    template: InterviewTemplate,
    key: str,
    actor: str,
    today: date,
    owners: Mapping[str, str],
) -> RecommendationEffects:
    """Cancel the earlier recommendation's open tasks, create this one's, move the pipeline; never commits.

    `owners` names who owns a role's tasks when no team member holds it (settings.debrief.follow_up_owners).
    Raises NotFound for an unknown key and ContentError for a bad merge tag in a task title.
    """
    recommendation = template.recommendation(key)
    context = session_context(
        uow, session, template=template, recommendation_key=key, recommendation_label=recommendation.label
    )
    planned = plan_follow_ups(
        recommendation.follow_ups,
        session=session,
        context=context,
        owners_by_role=resolve_owners(uow, session, fallback=owners, actor=actor),
        today=today,
        recommendation=key,
    )  # planned before anything changes: a bad title leaves the earlier tasks alone
    cancelled = cancel_recommended(uow, session.id)
    tasks = [uow.follow_ups.add(task) for task in planned]
    audit.record(
        uow,
        "follow_ups_created",
        actor=actor,
        session_id=session.id,
        detail={
            "recommendation": key,
            "tasks": [{"id": t.id, "title": t.title, "owner": t.owner, "due_on": t.due_on.isoformat()} for t in tasks],
            "cancelled": [t.id for t in cancelled],
        },
    )
    pipeline = None
    if recommendation.pipeline_status:
        pipeline = move_with_recommendation(
            uow,
            session=session,
            status=recommendation.pipeline_status,
            actor=actor,
            reason=f"Recommendation: {recommendation.label}",
        )
    return RecommendationEffects(tasks=tasks, pipeline=pipeline, cancelled=len(cancelled))
