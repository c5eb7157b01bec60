"""The debrief after an interviewer-led session: scorecard entries, recommendations, follow-up tasks
and candidates' pipeline changes. Each dataclass mirrors its row column for column."""

from __future__ import annotations

from sqlalchemy import select

from core.models import FollowUpTask, PipelineChange, RecommendationRecord, ScorecardEntry
from storage.repositories.base import SqlRepository
from storage.tables import FollowUpTaskRow, PipelineChangeRow, RecommendationRow, ScorecardEntryRow


class SqlScorecardRepository(SqlRepository[ScorecardEntry, ScorecardEntryRow]):
    model = ScorecardEntry
    row_type = ScorecardEntryRow

    def add(self, entry: ScorecardEntry) -> ScorecardEntry:
        return self._add(entry)

    def in_session(self, session_id: str) -> list[ScorecardEntry]:
        """Oldest first: the last entry per competency is its final score."""
        return self._in_session(session_id, ScorecardEntryRow.created_at, ScorecardEntryRow.id)


class SqlRecommendationRepository(SqlRepository[RecommendationRecord, RecommendationRow]):
    model = RecommendationRecord
    row_type = RecommendationRow

    def add(self, record: RecommendationRecord) -> RecommendationRecord:
        return self._add(record)

    def in_session(self, session_id: str) -> list[RecommendationRecord]:
        """Oldest first: the last one stands."""
        return self._in_session(session_id, RecommendationRow.created_at, RecommendationRow.id)


class SqlFollowUpRepository(SqlRepository[FollowUpTask, FollowUpTaskRow]):
    model = FollowUpTask
    row_type = FollowUpTaskRow
    missing = "No follow-up task {}."

    def add(self, task: FollowUpTask) -> FollowUpTask:
        return self._add(task)

    def get(self, task_id: str) -> FollowUpTask:
        return self._get(task_id)

    def update(self, task: FollowUpTask) -> FollowUpTask:
        return self._update(task, task.id)

    def in_session(self, session_id: str) -> list[FollowUpTask]:
        """Soonest due first."""
        return self._in_session(session_id, FollowUpTaskRow.due_on, FollowUpTaskRow.created_at, FollowUpTaskRow.id)

    def open_tasks(self, *, limit: int = 200) -> list[FollowUpTask]:
        return self._many(
            select(FollowUpTaskRow)
            .where(FollowUpTaskRow.status == "open")
            .order_by(FollowUpTaskRow.due_on, FollowUpTaskRow.id)
            .limit(limit)
        )


class SqlPipelineRepository(SqlRepository[PipelineChange, PipelineChangeRow]):
    model = PipelineChange
    row_type = PipelineChangeRow

    def add(self, change: PipelineChange) -> PipelineChange:
        return self._add(change)

    def history(self, candidate_id: str) -> list[PipelineChange]:
        """Oldest first: the last change is where the person stands."""
        return self._many(
            select(PipelineChangeRow)
            .where(PipelineChangeRow.candidate_id == candidate_id)
            .order_by(PipelineChangeRow.created_at, PipelineChangeRow.id)
        )
