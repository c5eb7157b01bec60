"""Fakes of the interviewer-led session repositories: cockpit state, live notes, scorecards,
recommendations, follow-up tasks and pipeline changes."""

from __future__ import annotations

import copy
from types import MappingProxyType

from core.models import FollowUpTask, LiveNote, LiveSession, PipelineChange, RecommendationRecord, ScorecardEntry
from tests.fakes.base import Mirror, sorted_by

_SESSION = MappingProxyType({"session_id": "sessions"})


class FakeLiveSessionRepository(Mirror[LiveSession, str]):
    """Keyed by its session: a session has at most one cockpit."""

    model = LiveSession
    table = "live_sessions"
    noun = "live session"
    key = "session_id"
    json_columns = ("stage_log", "goal_marks", "facts")
    references = _SESSION

    def for_session(self, session_id: str) -> LiveSession | None:
        row = self._rows.get(session_id)
        return copy.deepcopy(row) if row is not None else None


class FakeLiveNoteRepository(Mirror[LiveNote, int]):
    model = LiveNote
    table = "notes"
    noun = "note"
    autoincrement = True
    json_columns = ("fields",)
    references = _SESSION

    def delete(self, note_id: int) -> None:
        """Deleting a note that is gone already does nothing, like DELETE … WHERE id = ?."""
        self._rows.pop(note_id, None)

    def in_session(self, session_id: str, *, include_drafts: bool = False) -> list[LiveNote]:
        """In session-time order (then creation order)."""
        found = [n for n in self._where(session_id=session_id) if include_drafts or not n.draft]
        return copy.deepcopy(sorted_by(found, "at_seconds", "id"))

    def draft_for(self, session_id: str, author: str) -> LiveNote | None:
        """The newest draft of that author."""
        drafts = sorted_by(self._where(session_id=session_id, author=author, draft=True), "id", reverse=True)
        return copy.deepcopy(drafts[0]) if drafts else None


class FakeScorecardRepository(Mirror[ScorecardEntry, int]):
    model = ScorecardEntry
    table = "scorecards"
    noun = "scorecard entry"
    autoincrement = True
    references = _SESSION

    def in_session(self, session_id: str) -> list[ScorecardEntry]:
        """Oldest first: the last entry per competency is its final score."""
        return copy.deepcopy(sorted_by(self._where(session_id=session_id), "created_at", "id"))


class FakeRecommendationRepository(Mirror[RecommendationRecord, int]):
    model = RecommendationRecord
    table = "recommendations"
    noun = "recommendation"
    autoincrement = True
    json_columns = ("basis",)
    references = _SESSION

    def in_session(self, session_id: str) -> list[RecommendationRecord]:
        """Oldest first: the last one stands."""
        return copy.deepcopy(sorted_by(self._where(session_id=session_id), "created_at", "id"))


class FakeFollowUpRepository(Mirror[FollowUpTask, str]):
    model = FollowUpTask
    table = "follow_ups"
    noun = "follow-up task"
    references = _SESSION

    def in_session(self, session_id: str) -> list[FollowUpTask]:
        """Soonest due first."""
        return copy.deepcopy(sorted_by(self._where(session_id=session_id), "due_on", "created_at", "id"))

    def open_tasks(self, *, limit: int = 200) -> list[FollowUpTask]:
        return copy.deepcopy(sorted_by(self._where(status="open"), "due_on", "id")[: max(limit, 0)])


class FakePipelineRepository(Mirror[PipelineChange, int]):
    model = PipelineChange
    table = "pipeline"
    noun = "pipeline change"
    autoincrement = True
    references = MappingProxyType({"candidate_id": "candidates", "session_id": "sessions"})

    def history(self, candidate_id: str) -> list[PipelineChange]:
        """Oldest first: the last change is where the person stands."""
        return copy.deepcopy(sorted_by(self._where(candidate_id=candidate_id), "created_at", "id"))
