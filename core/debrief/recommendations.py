"""The recommendation after an interviewer-led session: computed from the scorecard, or overridden.

The computation is a ladder (settings.debrief.thresholds, per template): the first rung whose
minimums all hold wins, and the template's last (weakest) recommendation applies when none does.
A person may override it with a justification. Every record is kept — the latest one stands — and
each one sets its effects in motion (follow-up tasks, the pipeline status) in the same transaction.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from core import audit
from core.config import Threshold
from core.content.templates import InterviewTemplate
from core.debrief.recommendation_effects import apply_recommendation
from core.debrief.scorecards import DebriefContext, Scorecard, build_scorecard, load_context
from core.debrief.settings import OVERALL
from core.errors import InvalidInput
from core.logs import session_context
from core.models import AuditEntry, FollowUpTask, Job, OutgoingEvent, RecommendationRecord
from core.outgoing_webhooks import deliveries
from core.outgoing_webhooks.event_payloads import recommendation_data
from core.permissions.access import authorize
from core.permissions.actor import Actor
from core.permissions.policy import SessionAction
from core.unit_of_work import UnitOfWork
from core.workspace import Workspace

MARGIN_SCALE = 1.0  # a score this far (or further) from every deciding boundary counts as clear of it
OVERRIDE_CONFIDENCE = 1.0  # an override is a person's decision, not an estimate
MAX_JUSTIFICATION_CHARS = 2000
AUDITED = ("recommendation_computed", "recommendation_overridden", "follow_ups_created", "pipeline_moved")


@dataclass(frozen=True)
class ComputedRecommendation:
    key: str
    label: str
    confidence: float  # 0 – 1, see compute_recommendation
    basis: dict[str, Any]  # scores, thresholds, reasons (sentences), fractions and margin; stored as JSON

    @property
    def reasons(self) -> list[str]:
        return list(self.basis.get("reasons", []))


def compute_recommendation(
    template: InterviewTemplate,
    scores: Mapping[str, float | None],
    thresholds: Sequence[Threshold],
    *,
    scored_fraction: float,
    goal_fraction: float,
) -> ComputedRecommendation:
    """The first threshold rung whose minimums all hold, else the template's last recommendation.

    confidence = scored × (0.5 + 0.5 × goals) × (0.5 + 0.5 × min(margin, 1) / 1), where scored is
    the share of competencies scored, goals the share of goals covered, and margin the smallest
    change of one score that would change the result: how far the winning rung's scores sit above
    its minimums, and how far each stronger rung that was missed is from being met. A result on the
    line keeps half its confidence; with no measurable boundary the margin factor is 0.5 as well.
    """
    names = {OVERALL: "Overall", **{g.key: g.title for g in template.score_groups}}
    label_of = {r.key: r.label for r in template.recommendations}
    reasons: list[str] = []
    distances: list[float] = []
    chosen: str | None = None
    known = {name: float(score) for name, score in scores.items() if score is not None}
    for rung in thresholds:
        unmet = {name: m for name, m in rung.minimums.items() if name not in known or known[name] < m}
        target = label_of.get(rung.key, rung.key)
        if not unmet:
            chosen = rung.key
            for name, minimum in rung.minimums.items():
                distances.append(known[name] - minimum)
                reasons.append(f"{names.get(name, name)} {known[name]:.2f} meets the {target} minimum of {minimum:g}.")
            break
        for name, minimum in unmet.items():
            title = names.get(name, name)
            if name in known:
                reasons.append(f"{title} {known[name]:.2f} is below the {target} minimum of {minimum:g}.")
            else:
                reasons.append(f"{title} is not scored yet; {target} needs at least {minimum:g}.")
        if all(name in known for name in unmet):  # how far this stronger rung is from being met
            distances.append(max(m - known[name] for name, m in unmet.items()))
    if chosen is None:
        chosen = template.recommendations[-1].key
        reasons.append(f"No threshold was met, so the weakest recommendation, {label_of[chosen]}, applies.")
    margin = min(distances) if distances else None
    scored = _fraction(scored_fraction)
    goals = _fraction(goal_fraction)
    margin_factor = 0.5 + 0.5 * min(margin, MARGIN_SCALE) / MARGIN_SCALE if margin is not None else 0.5
    confidence = round(scored * (0.5 + 0.5 * goals) * margin_factor, 2)
    reasons.append(f"{scored:.0%} of the competencies are scored and {goals:.0%} of the goals were covered.")
    basis = {
        "scores": {name: round(known[name], 2) if name in known else None for name in scores},
        "thresholds": [{"key": t.key, "minimums": dict(t.minimums)} for t in thresholds],
        "reasons": reasons,
        "scored_fraction": round(scored, 3),
        "goal_fraction": round(goals, 3),
        "margin": round(margin, 2) if margin is not None else None,
    }
    return ComputedRecommendation(key=chosen, label=label_of[chosen], confidence=confidence, basis=basis)


# --- services ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RecommendationView:
    current: RecommendationRecord | None  # the latest record: the one that stands
    label: str  # of the current one ("" when there is none)
    description: str
    history: list[RecommendationRecord]  # newest first
    computed: ComputedRecommendation | None  # what the scorecard suggests now; None while nothing is scored
    choices: list[tuple[str, str]]  # (key, label) of the template's recommendations, strongest first
    tasks: list[FollowUpTask] = field(default_factory=list)
    audit: list[AuditEntry] = field(default_factory=list)  # recommendation-related entries, newest first

    def label_of(self, key: str) -> str:
        return dict(self.choices).get(key, key)


def recommend(ws: Workspace, session_id: str, *, actor: Actor) -> RecommendationRecord:
    """Compute the recommendation from the scorecard, store it and set its effects in motion."""
    with session_context(session_id), ws.uow_factory() as uow:
        ctx = load_context(uow, ws, session_id)
        authorize(uow, ws.settings, actor, SessionAction.EDIT, ctx.session)
        computed = _compute(ws, ctx)
        if computed is None:
            raise InvalidInput("Nothing is scored yet: score at least one competency, then compute the recommendation.")
        record = uow.recommendations.add(
            RecommendationRecord(
                session_id=session_id,
                key=computed.key,
                confidence=computed.confidence,
                source="computed",
                actor=actor.name,
                basis=computed.basis,
                created_at=ws.clock(),
            )
        )
        detail = {"key": computed.key, "confidence": computed.confidence, "scores": computed.basis["scores"]}
        audit.record(uow, "recommendation_computed", actor=actor.name, session_id=session_id, detail=detail)
        hooks = _apply(ws, uow, ctx, record, actor)
        uow.commit()
    deliveries.wake(ws, hooks)
    return record


def override_recommendation(
    ws: Workspace, session_id: str, *, key: str, justification: str, actor: Actor
) -> RecommendationRecord:
    """Replace the standing recommendation with a person's choice; the justification is required."""
    text = justification.strip()
    if not text:
        raise InvalidInput("An override needs a justification: say why the recommendation should be different.")
    if len(text) > MAX_JUSTIFICATION_CHARS:
        raise InvalidInput(f"Keep the justification under {MAX_JUSTIFICATION_CHARS} characters (it has {len(text)}).")
    with session_context(session_id), ws.uow_factory() as uow:
        ctx = load_context(uow, ws, session_id)
        authorize(uow, ws.settings, actor, SessionAction.EDIT, ctx.session)
        ctx.template.recommendation(key)  # NotFound naming the template's recommendations
        history = uow.recommendations.in_session(session_id)
        previous = history[-1].key if history else None
        computed = _compute(ws, ctx)
        record = uow.recommendations.add(
            RecommendationRecord(
                session_id=session_id,
                key=key,
                confidence=OVERRIDE_CONFIDENCE,
                source="override",
                actor=actor.name,
                justification=text,
                basis={
                    "from": previous,
                    "computed": computed.key if computed else None,
                    "scores": computed.basis["scores"] if computed else {},
                },
                created_at=ws.clock(),
            )
        )
        detail = {"from": previous, "to": key, "justification": text}
        audit.record(uow, "recommendation_overridden", actor=actor.name, session_id=session_id, detail=detail)
        hooks = _apply(ws, uow, ctx, record, actor)
        uow.commit()
    deliveries.wake(ws, hooks)
    return record


def recommendation_view(ws: Workspace, session_id: str, *, actor: Actor) -> RecommendationView:
    with ws.uow_factory() as uow:
        ctx = load_context(uow, ws, session_id)
        authorize(uow, ws.settings, actor, SessionAction.VIEW, ctx.session)
        history = uow.recommendations.in_session(session_id)
        tasks = uow.follow_ups.in_session(session_id)
        entries = [a for a in uow.audit.latest(session_id=session_id, limit=500) if a.action in AUDITED]
    current = history[-1] if history else None
    choice = ctx.template.recommendation(current.key) if current else None
    return RecommendationView(
        current=current,
        label=choice.label if choice else "",
        description=choice.description if choice else "",
        history=history[::-1],
        computed=_compute(ws, ctx),
        choices=[(r.key, r.label) for r in ctx.template.recommendations],
        tasks=tasks,
        audit=entries[::-1],
    )


def _compute(ws: Workspace, ctx: DebriefContext) -> ComputedRecommendation | None:
    """From the final scores alone (suggestions play no part); None while nothing is scored."""
    card: Scorecard = build_scorecard(ctx, {}, ws.settings.debrief.score_weights)
    if card.scored == 0:
        return None
    return compute_recommendation(
        ctx.template,
        card.score_names(),
        ws.settings.debrief.thresholds.get(ctx.template.id, []),
        scored_fraction=card.scored_fraction,
        goal_fraction=ctx.goal_fraction,
    )


def _apply(
    ws: Workspace, uow: UnitOfWork, ctx: DebriefContext, record: RecommendationRecord, actor: Actor
) -> list[Job]:
    """The record's effects, in its transaction: follow-up tasks, the pipeline, and the recommendation.made
    webhook (its jobs are returned, for deliveries.wake after the commit)."""
    apply_recommendation(
        uow,
        session=ctx.session,
        template=ctx.template,
        key=record.key,
        actor=actor.name,
        today=ws.clock().date(),
        owners=ws.settings.debrief.follow_up_owners,
    )
    label = ctx.template.recommendation(record.key).label
    data = partial(recommendation_data, uow, ctx.session, record, label=label)
    return deliveries.emit(uow, ws, OutgoingEvent.RECOMMENDATION_MADE, data, actor=actor, session_id=ctx.session.id)


def _fraction(value: float) -> float:
    return min(1.0, max(0.0, float(value)))
