"""Repositories for interviewer-led sessions: cockpit state, live notes, scorecards, recommendations,
follow-up tasks and pipeline changes. Dataclasses mirror their rows column for column."""

from __future__ import annotations

from sqlalchemy import delete, select

from core.errors import NotFound
from core.models import (
    FollowUpTask,
    LiveNote,
    LiveSession,
    PipelineChange,
    RecommendationRecord,
    ScorecardEntry,
)
from storage.scheduling_repositories import _Mirror
from storage.tables import (
    FollowUpTaskRow,
    LiveNoteRow,
    LiveSessionRow,
    PipelineChangeRow,
    RecommendationRow,
    ScorecardEntryRow,
)


class SqlLiveSessionRepository(_Mirror):
    model = LiveSession
    row_type = LiveSessionRow
    noun = "live session"

    def for_session(self, session_id: str) -> LiveSession | None:
        row = self._session.get(LiveSessionRow, session_id)
        return self._from_row(row) if row is not None else None

    def update(self, live: LiveSession) -> LiveSession:
        row = self._session.get(LiveSessionRow, live.session_id)
        if row is None:
            raise NotFound(f"No live session {live.session_id}.")
        for name, value in self._values(live).items():
            setattr(row, name, value)
        self._session.flush()
        return self._from_row(row)


class SqlLiveNoteRepository(_Mirror):
    model = LiveNote
    row_type = LiveNoteRow
    noun = "note"

    def list(self, session_id: str, *, include_drafts: bool = False) -> list[LiveNote]:
        """In session-time order (then creation order)."""
        query = select(LiveNoteRow).where(LiveNoteRow.session_id == session_id)
        if not include_drafts:
            query = query.where(LiveNoteRow.draft.is_(False))
        rows = self._session.scalars(query.order_by(LiveNoteRow.at_seconds, LiveNoteRow.id))
        return [self._from_row(row) for row in rows]

    def draft_for(self, session_id: str, author: str) -> LiveNote | None:
        row = self._session.scalars(
            select(LiveNoteRow)
            .where(LiveNoteRow.session_id == session_id, LiveNoteRow.author == author, LiveNoteRow.draft.is_(True))
            .order_by(LiveNoteRow.id.desc())
        ).first()
        return self._from_row(row) if row is not None else None

    def delete(self, note_id: int) -> None:
        self._session.execute(delete(LiveNoteRow).where(LiveNoteRow.id == note_id))


class SqlScorecardRepository(_Mirror):
    model = ScorecardEntry
    row_type = ScorecardEntryRow
    noun = "scorecard entry"

    def list(self, session_id: str) -> list[ScorecardEntry]:
        """Oldest first: the last entry per competency is its final score."""
        rows = self._session.scalars(
            select(ScorecardEntryRow)
            .where(ScorecardEntryRow.session_id == session_id)
            .order_by(ScorecardEntryRow.created_at, ScorecardEntryRow.id)
        )
        return [self._from_row(row) for row in rows]


class SqlRecommendationRepository(_Mirror):
    model = RecommendationRecord
    row_type = RecommendationRow
    noun = "recommendation"

    def list(self, session_id: str) -> list[RecommendationRecord]:
        """Oldest first: the last one stands."""
        rows = self._session.scalars(
            select(RecommendationRow)
            .where(RecommendationRow.session_id == session_id)
            .order_by(RecommendationRow.created_at, RecommendationRow.id)
        )
        return [self._from_row(row) for row in rows]


class SqlFollowUpRepository(_Mirror):
    model = FollowUpTask
    row_type = FollowUpTaskRow
    noun = "follow-up task"

    def list(self, session_id: str) -> list[FollowUpTask]:
        """Soonest due first."""
        rows = self._session.scalars(
            select(FollowUpTaskRow)
            .where(FollowUpTaskRow.session_id == session_id)
            .order_by(FollowUpTaskRow.due_on, FollowUpTaskRow.created_at, FollowUpTaskRow.id)
        )
        return [self._from_row(row) for row in rows]

    def open_tasks(self, *, limit: int = 200) -> list[FollowUpTask]:
        rows = self._session.scalars(
            select(FollowUpTaskRow)
            .where(FollowUpTaskRow.status == "open")
            .order_by(FollowUpTaskRow.due_on, FollowUpTaskRow.id)
            .limit(limit)
        )
        return [self._from_row(row) for row in rows]


class SqlPipelineRepository(_Mirror):
    model = PipelineChange
    row_type = PipelineChangeRow
    noun = "pipeline change"

    def history(self, candidate_id: str) -> list[PipelineChange]:
        """Oldest first: the last change is where the person stands."""
        rows = self._session.scalars(
            select(PipelineChangeRow)
            .where(PipelineChangeRow.candidate_id == candidate_id)
            .order_by(PipelineChangeRow.created_at, PipelineChangeRow.id)
        )
        return [self._from_row(row) for row in rows]
