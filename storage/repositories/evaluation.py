"""Evaluations (one per session, with their competency scores and plan) and reviewers' score overrides."""

from __future__ import annotations

import copy
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, select, update

from core.errors import NotFound
from core.models import (
    CompetencyScore,
    EarlierEvaluation,
    Evaluation,
    EvaluationRelease,
    Evidence,
    PlanStep,
    ScoreOverride,
)
from storage.repositories.base import SqlRepository, now, utc
from storage.tables import EarlierEvaluationRow, EvaluationRow, ScoreOverrideRow, SessionRow

_REPORT_FIELDS = (
    "overall_score",
    "competencies",
    "went_well",
    "went_okay",
    "needs_improvement",
    "improvement_plan",
    "communication",
    "notes",
    "rubric_id",
    "rubric_version",
    "engine",
    "model",
    "prompt_version",
)


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

    def replace(self, evaluation: Evaluation, *, replaced_at: datetime, replaced_by: str) -> Evaluation:
        """The session's evaluation becomes `evaluation` (a new row, unapproved); the one it replaces is kept
        among the earlier ones, whole, with its approval. NotFound when the session has no evaluation."""
        old = self._evaluation_row(evaluation.session_id)
        report = {name: copy.deepcopy(getattr(old, name)) for name in _REPORT_FIELDS}
        report["created_at"] = old.created_at.astimezone(UTC).isoformat() if old.created_at else None
        self._session.add(
            EarlierEvaluationRow(
                session_id=old.session_id,
                evaluation_id=old.id,
                evaluation=report,
                approved_at=old.approved_at,
                approved_by=old.approved_by,
                replaced_at=replaced_at,
                replaced_by=replaced_by,
            )
        )
        self._session.execute(delete(EvaluationRow).where(EvaluationRow.id == old.id))
        self._session.flush()
        return self.add(evaluation)

    def earlier(self, session_id: str) -> list[EarlierEvaluation]:
        """The evaluations re-runs replaced, newest first."""
        rows = self._session.scalars(
            select(EarlierEvaluationRow)
            .where(EarlierEvaluationRow.session_id == session_id)
            .order_by(EarlierEvaluationRow.replaced_at.desc(), EarlierEvaluationRow.id.desc())
        )
        return [self._earlier(row) for row in rows]

    def _earlier(self, row: EarlierEvaluationRow) -> EarlierEvaluation:
        report = row.evaluation
        created = report.get("created_at")
        evaluation = Evaluation(
            session_id=row.session_id,
            overall_score=report["overall_score"],
            competencies=[_competency_from_json(item) for item in report["competencies"]],
            went_well=list(report["went_well"]),
            went_okay=list(report["went_okay"]),
            needs_improvement=list(report["needs_improvement"]),
            improvement_plan=[PlanStep(**item) for item in report["improvement_plan"]],
            communication=copy.deepcopy(report["communication"]),
            rubric_id=report["rubric_id"],
            rubric_version=report["rubric_version"],
            engine=report["engine"],
            model=report["model"],
            prompt_version=report["prompt_version"],
            notes=list(report["notes"]),
            id=row.evaluation_id,
            created_at=datetime.fromisoformat(created).astimezone(UTC) if created else None,
        )
        return EarlierEvaluation(
            session_id=row.session_id,
            evaluation=evaluation,
            replaced_at=row.replaced_at.astimezone(UTC),
            replaced_by=row.replaced_by,
            approved_at=utc(row.approved_at),
            approved_by=row.approved_by,
            id=row.id,
        )

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
