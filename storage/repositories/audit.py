"""The audit log: who did what to which session, kept even after the session is deleted."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Text, cast, delete, func, or_, select

from core.models import ActivityQuery, AuditEntry
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

    def search(self, query: ActivityQuery, *, limit: int, offset: int = 0) -> list[AuditEntry]:
        """One page, newest first: the (actor|action, created_at) indexes serve the filters and the order."""
        statement = (
            select(AuditRow)
            .where(*_conditions(query))
            .order_by(AuditRow.created_at.desc(), AuditRow.id.desc())
            .limit(max(limit, 0))
            .offset(max(offset, 0))
        )
        return self._many(statement)

    def count(self, query: ActivityQuery) -> int:
        statement = select(func.count()).select_from(AuditRow).where(*_conditions(query))
        return int(self._session.scalar(statement) or 0)

    def delete_before(self, cutoff: datetime, *, limit: int) -> int:
        """The oldest `limit` entries before `cutoff`, by id (a subquery: neither database deletes with LIMIT)."""
        oldest = (
            select(AuditRow.id)
            .where(AuditRow.created_at < cutoff)
            .order_by(AuditRow.created_at, AuditRow.id)
            .limit(max(limit, 0))
        )
        ids = list(self._session.scalars(oldest))
        if not ids:
            return 0
        result = self._session.execute(
            delete(AuditRow).where(AuditRow.id.in_(ids)), execution_options={"synchronize_session": False}
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]  # DML results carry rowcount


def _conditions(query: ActivityQuery) -> list[ColumnElement[Any]]:
    found: list[ColumnElement[Any]] = []
    if query.actor is not None:
        found.append(AuditRow.actor == query.actor)
    if query.actions is not None:
        found.append(AuditRow.action.in_(query.actions))
    if query.other_than:
        found.append(AuditRow.action.not_in(query.other_than))
    if query.since is not None:
        found.append(AuditRow.created_at >= query.since)
    if query.until is not None:
        found.append(AuditRow.created_at < query.until)
    return found
