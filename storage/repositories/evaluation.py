"""Evaluations (one per session, with their competency scores and plan) and reviewers' score overrides."""

from __future__ import annotations

import copy
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, update

from core.errors import NotFound
from core.models import CompetencyScore, Evaluation, EvaluationRelease, Evidence, PlanStep, ScoreOverride
from storage.repositories.base import SqlRepository, now, utc
from storage.tables import EvaluationRow, ScoreOverrideRow, SessionRow


def _competency_from_json(data: dict[str, Any]) -> CompetencyScore:
    return CompetencyScore(
        key=data["key"],
        name=data["name"],
        score=data["score"],
        confidence=data["confidence"],
        rationale=data.get("rationale", ""),
        evidence=[Evidence(**item) for item in data.get("evidence", [])],
    )


class SqlEvaluationRepository(SqlRepository[Evaluation, EvaluationRow]):
    """Competencies and the plan are JSON columns, so rows are mapped by hand rather than mirrored."""

    model = Evaluation
    row_type = EvaluationRow

    def add(self, evaluation: Evaluation) -> Evaluation:
        """One evaluation per session: a second one violates a unique constraint (IntegrityError).

        Its overall score is copied onto the session's row too, where History sorts and filters by it.
        """
        stored = self._add(evaluation)
        self._session.execute(
            update(SessionRow).where(SessionRow.id == evaluation.session_id).values(overall_score=stored.overall_score)
        )
        return stored

    def for_session(self, session_id: str) -> Evaluation | None:
        return self._first(select(EvaluationRow).where(EvaluationRow.session_id == session_id))

    def release(self, session_id: str, *, approved_at: datetime, approved_by: str) -> EvaluationRelease:
        """Marks the session's evaluation approved; NotFound when it has none."""
        row = self._evaluation_row(session_id)
        row.approved_at, row.approved_by = approved_at, approved_by
        self._session.flush()
        return EvaluationRelease(session_id, row.id, approved_at.astimezone(UTC), approved_by)

    def withdraw_release(self, session_id: str) -> None:
        row = self._evaluation_row(session_id)
        row.approved_at, row.approved_by = None, None
        self._session.flush()

    def release_of(self, session_id: str) -> EvaluationRelease | None:
        """The approval of the session's evaluation; None when it has none (or no evaluation)."""
        row = self._row_for(session_id)
        if row is None or row.approved_at is None or row.approved_by is None:
            return None
        return EvaluationRelease(session_id, row.id, row.approved_at.astimezone(UTC), row.approved_by)

    def _row_for(self, session_id: str) -> EvaluationRow | None:
        return self._session.scalars(select(EvaluationRow).where(EvaluationRow.session_id == session_id)).first()

    def _evaluation_row(self, session_id: str) -> EvaluationRow:
        row = self._row_for(session_id)
        if row is None:
            raise NotFound(f"The interview {session_id} has no evaluation.")
        return row

    def _to_row(self, item: Evaluation) -> EvaluationRow:
        return EvaluationRow(
            session_id=item.session_id,
            overall_score=item.overall_score,
            competencies=[asdict(competency) for competency in item.competencies],
            went_well=list(item.went_well),
            went_okay=list(item.went_okay),
            needs_improvement=list(item.needs_improvement),
            improvement_plan=[asdict(step) for step in item.improvement_plan],
            communication=copy.deepcopy(item.communication),
            notes=list(item.notes),
            rubric_id=item.rubric_id,
            rubric_version=item.rubric_version,
            engine=item.engine,
            model=item.model,
            prompt_version=item.prompt_version,
            created_at=item.created_at or now(),
            approved_at=None,  # a new evaluation waits for its own approval
            approved_by=None,
        )

    def _to_item(self, row: EvaluationRow) -> Evaluation:
        return Evaluation(
            session_id=row.session_id,
            overall_score=row.overall_score,
            competencies=[_competency_from_json(item) for item in row.competencies],
            went_well=list(row.went_well),
            went_okay=list(row.went_okay),
            needs_improvement=list(row.needs_improvement),
            improvement_plan=[PlanStep(**item) for item in row.improvement_plan],
            communication=copy.deepcopy(row.communication),
            rubric_id=row.rubric_id,
            rubric_version=row.rubric_version,
            engine=row.engine,
            model=row.model,
            prompt_version=row.prompt_version,
            notes=list(row.notes),
            id=row.id,
            created_at=utc(row.created_at),
        )


class SqlScoreOverrideRepository(SqlRepository[ScoreOverride, ScoreOverrideRow]):
    """Append-only: the latest override of a competency is in force, earlier ones stay as history."""

    model = ScoreOverride
    row_type = ScoreOverrideRow
    ignores_given_id = True

    def add(self, override: ScoreOverride) -> ScoreOverride:
        return self._add(override)

    def in_session(self, session_id: str) -> list[ScoreOverride]:
        """Oldest first."""
        return self._in_session(session_id, ScoreOverrideRow.created_at, ScoreOverrideRow.id)

    def all(self) -> list[ScoreOverride]:
        """Oldest first, across sessions: reviewers make them by hand, so there are never very many."""
        return self._many(select(ScoreOverrideRow).order_by(ScoreOverrideRow.created_at, ScoreOverrideRow.id))
