"""The audit log: who did what to which session, kept even after the session is deleted."""

from __future__ import annotations

from sqlalchemy import select

from core.models import AuditEntry
from storage.repositories.base import SqlRepository
from storage.tables import AuditRow


class SqlAuditRepository(SqlRepository[AuditEntry, AuditRow]):
    model = AuditEntry
    row_type = AuditRow
    ignores_given_id = True

    def add(self, entry: AuditEntry) -> AuditEntry:
        return self._add(entry)

    def latest(self, *, session_id: str | None = None, limit: int = 200) -> list[AuditEntry]:
        """The latest `limit` entries (optionally of one session), oldest first."""
        query = select(AuditRow).order_by(AuditRow.created_at.desc(), AuditRow.id.desc()).limit(limit)
        if session_id is not None:
            query = query.where(AuditRow.session_id == session_id)
        return self._many(query)[::-1]
