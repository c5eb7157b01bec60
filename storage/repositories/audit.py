"""The audit log: who did what to which session, kept even after the session is deleted."""

from __future__ import annotations

from sqlalchemy import Text, cast, delete, or_, select

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

    def forget(self, *, session_ids: list[str], mentioning: str) -> int:
        """Delete the entries of these sessions and those whose detail mentions `mentioning` (an id)."""
        if not mentioning:
            raise ValueError("forget() needs the id the entries mention.")
        wanted = cast(AuditRow.detail, Text).contains(mentioning, autoescape=True)
        if session_ids:
            wanted = or_(wanted, AuditRow.session_id.in_(session_ids))
        result = self._session.execute(delete(AuditRow).where(wanted), execution_options={"synchronize_session": False})
        return int(result.rowcount or 0)  # type: ignore[attr-defined]  # DML results carry rowcount
