"""Interviewer-led sessions as they run: the cockpit's state (template, stage, ticks, facts) and
the notes taken live, drafts included. Each dataclass mirrors its row column for column."""

from __future__ import annotations

from sqlalchemy import delete, select

from core.models import LiveNote, LiveSession
from storage.repositories.base import SqlRepository
from storage.tables import LiveNoteRow, LiveSessionRow


class SqlLiveSessionRepository(SqlRepository[LiveSession, LiveSessionRow]):
    """Keyed by its session's id: one cockpit per session."""

    model = LiveSession
    row_type = LiveSessionRow
    missing = "No live session {}."

    def add(self, live: LiveSession) -> LiveSession:
        return self._add(live)

    def for_session(self, session_id: str) -> LiveSession | None:
        row = self._session.get(LiveSessionRow, session_id)
        return self._to_item(row) if row is not None else None

    def update(self, live: LiveSession) -> LiveSession:
        return self._update(live, live.session_id)


class SqlLiveNoteRepository(SqlRepository[LiveNote, LiveNoteRow]):
    model = LiveNote
    row_type = LiveNoteRow
    missing = "No note {}."

    def add(self, note: LiveNote) -> LiveNote:
        return self._add(note)

    def get(self, note_id: int) -> LiveNote:
        return self._get(note_id)

    def update(self, note: LiveNote) -> LiveNote:
        return self._update(note, note.id)

    def delete(self, note_id: int) -> None:
        self._session.execute(delete(LiveNoteRow).where(LiveNoteRow.id == note_id))

    def in_session(self, session_id: str, *, include_drafts: bool = False) -> list[LiveNote]:
        """In session-time order (then creation order)."""
        query = select(LiveNoteRow).where(LiveNoteRow.session_id == session_id)
        if not include_drafts:
            query = query.where(LiveNoteRow.draft.is_(False))
        return self._many(query.order_by(LiveNoteRow.at_seconds, LiveNoteRow.id))

    def draft_for(self, session_id: str, author: str) -> LiveNote | None:
        return self._first(
            select(LiveNoteRow)
            .where(LiveNoteRow.session_id == session_id, LiveNoteRow.author == author, LiveNoteRow.draft.is_(True))
            .order_by(LiveNoteRow.id.desc())
        )
