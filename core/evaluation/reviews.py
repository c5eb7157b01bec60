"""Reviewer overrides: a person adjusts a competency score, with a reason, on top of the evaluation.

The evaluation stays as the evaluator wrote it; overrides are stored beside it, append-only,
so the report can show the original score, the override in force, who made it and why, and
every earlier adjustment. The overall score is recomputed from the rubric weights, never typed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from core import audit
from core.content.rubrics import Rubric
from core.errors import NotFound, SessionClosed, WorkspaceError
from core.logs import session_context
from core.models import Evaluation, ScoreOverride
from core.permissions.access import authorize
from core.permissions.actor import Actor
from core.permissions.policy import SessionAction
from core.workspace import Workspace

MAX_JUSTIFICATION_CHARS = 2000


class InvalidOverride(WorkspaceError):
    """The override breaks a rule (score out of range, no justification…); the message says which."""


@dataclass(frozen=True)
class EffectiveScore:
    key: str
    name: str
    original: float | None  # what the evaluator gave (None: not scored)
    score: float | None  # what counts now: the latest override, else the original
    override: ScoreOverride | None  # the override in force, if any
    history: list[ScoreOverride] = field(default_factory=list)  # every override of it, oldest first

    @property
    def overridden(self) -> bool:
        return self.override is not None


@dataclass(frozen=True)
class EffectiveScores:
    competencies: list[EffectiveScore]
    original_overall: float | None
    overall: float | None  # recomputed from the effective scores with the rubric's weights

    @property
    def overridden(self) -> bool:
        return any(c.overridden for c in self.competencies)

    def get(self, key: str) -> EffectiveScore:
        return next(c for c in self.competencies if c.key == key)


def by_competency(overrides: list[ScoreOverride]) -> dict[str, list[ScoreOverride]]:
    """Pure: each competency's overrides, oldest first, so the last one of each list is the one in force."""
    by_key: dict[str, list[ScoreOverride]] = {}
    for o in sorted(overrides, key=lambda o: (o.created_at is None, o.created_at, o.id or 0)):
        by_key.setdefault(o.competency, []).append(o)
    return by_key


def effective_scores(rubric: Rubric, evaluation: Evaluation, overrides: list[ScoreOverride]) -> EffectiveScores:
    """Pure: the evaluation's scores with the latest override of each competency applied."""
    by_key = by_competency(overrides)
    rows = []
    for c in evaluation.competencies:
        history = by_key.get(c.key, [])
        latest = history[-1] if history else None
        rows.append(
            EffectiveScore(c.key, c.name, c.score, latest.new_score if latest else c.score, latest, list(history))
        )
    if not overrides:  # nothing adjusted: the evaluator's own overall stands
        return EffectiveScores(rows, evaluation.overall_score, evaluation.overall_score)
    overall = rubric.overall_if_scored({r.key: r.score for r in rows}) if _covers(rubric, rows) else None
    return EffectiveScores(rows, evaluation.overall_score, overall)


def session_scores(ws: Workspace, session_id: str, *, actor: Actor) -> EffectiveScores | None:
    """The effective scores of a completed interview; None while it has no evaluation.

    Scores are the evaluation's: refused (worded as not found) to whoever may not see it yet, e.g. the
    candidate before a reviewer released it."""
    with ws.uow_factory() as uow:
        session = uow.sessions.get(session_id)
        authorize(uow, ws.settings, actor, SessionAction.VIEW_EVALUATION, session)
        evaluation = uow.evaluations.for_session(session_id)
        overrides = uow.score_overrides.in_session(session_id)
    if evaluation is None:
        return None
    return effective_scores(ws.rubric(session.rubric_id), evaluation, overrides)


def list_overrides(ws: Workspace, session_id: str, *, actor: Actor) -> list[ScoreOverride]:
    """Every reviewer's adjustment in this session, oldest first; refused like `session_scores`."""
    with ws.uow_factory() as uow:
        authorize(uow, ws.settings, actor, SessionAction.VIEW_EVALUATION, uow.sessions.get(session_id))
        return uow.score_overrides.in_session(session_id)


def override_score(
    ws: Workspace, session_id: str, competency: str, score: float, justification: str, *, actor: Actor
) -> ScoreOverride:
    """Record a reviewer's score for one competency, with an audit entry, in one commit.

    Refused for an interview still going (its evaluation does not exist yet), for a competency
    the rubric does not have, for a score outside the rubric's levels, without a reason, and for anyone
    but a reviewer of the session's team or an admin.
    """
    reason = " ".join(justification.split())
    who = actor.name
    if not reason:
        raise InvalidOverride("Say why you are changing the score: a justification is required.")
    if len(reason) > MAX_JUSTIFICATION_CHARS:
        raise InvalidOverride(f"Keep the justification under {MAX_JUSTIFICATION_CHARS} characters.")
    with session_context(session_id), ws.uow_factory() as uow:
        session = uow.sessions.get(session_id)
        authorize(uow, ws.settings, actor, SessionAction.REVIEW, session)
        if session.is_open:
            raise SessionClosed(
                f"This interview is {session.status.value}: scores can be adjusted once it is completed."
            )
        evaluation = uow.evaluations.for_session(session_id)
        if evaluation is None:
            raise NotFound("This interview has no evaluation to adjust.")
        rubric = ws.rubric(session.rubric_id)
        original = next((c for c in evaluation.competencies if c.key == competency), None)
        if original is None or competency not in {c.key for c in rubric.competencies}:
            raise InvalidOverride(f"The rubric has no competency {competency!r}.")
        low, high = rubric.score_range(competency)
        if not isinstance(score, int | float) or not math.isfinite(score) or not low <= score <= high:
            raise InvalidOverride(f"A {original.name} score must be between {low:g} and {high:g}.")
        before = effective_scores(rubric, evaluation, uow.score_overrides.in_session(session_id)).get(competency).score
        stored = uow.score_overrides.add(
            ScoreOverride(
                session_id=session_id,
                competency=competency,
                original_score=original.score,
                new_score=round(float(score), 1),
                justification=reason,
                reviewer=who,
                created_at=ws.clock(),
            )
        )
        audit.record(
            uow,
            "score_overridden",
            actor=who,
            session_id=session_id,
            detail={
                "competency": competency,
                "original_score": original.score,
                "previous_score": before,
                "new_score": stored.new_score,
                "justification": reason,
            },
        )
        uow.commit()
    return stored


def _covers(rubric: Rubric, rows: list[EffectiveScore]) -> bool:
    """An evaluation made with another rubric version may lack a key; then no overall is recomputed."""
    keys = {r.key for r in rows}
    return all(c.key in keys for c in rubric.competencies)
