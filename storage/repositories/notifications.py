"""The email outbox: every message as written, with its status, tries and last error."""

from __future__ import annotations

from typing import ClassVar

from sqlalchemy import func, select

from core.models import Channel, OutboxMessage, OutboxStatus
from storage.repositories.base import EnumFields, SqlRepository
from storage.tables import OutboxMessageRow


class SqlOutboxRepository(SqlRepository[OutboxMessage, OutboxMessageRow]):
    model = OutboxMessage
    row_type = OutboxMessageRow
    missing = "No email #{} in the outbox."
    enums: ClassVar[EnumFields] = {"status": OutboxStatus, "channel": Channel}

    def add(self, message: OutboxMessage) -> OutboxMessage:
        return self._add(message)

    def get(self, message_id: int) -> OutboxMessage:
        return self._get(message_id)

    def update(self, message: OutboxMessage) -> OutboxMessage:
        return self._update(message, message.id)

    def latest(self, *, limit: int = 100, statuses: list[OutboxStatus] | None = None) -> list[OutboxMessage]:
        query = select(OutboxMessageRow)
        if statuses:
            query = query.where(OutboxMessageRow.status.in_([s.value for s in statuses]))
        return self._many(query.order_by(OutboxMessageRow.created_at.desc(), OutboxMessageRow.id.desc()).limit(limit))

    def waiting(self, *, limit: int = 100) -> list[OutboxMessage]:
        query = select(OutboxMessageRow).where(OutboxMessageRow.status == OutboxStatus.WAITING.value)
        return self._many(query.order_by(OutboxMessageRow.id).limit(limit))

    def in_session(self, session_id: str) -> list[OutboxMessage]:
        return self._in_session(session_id, OutboxMessageRow.id)

    def for_booking(self, booking_id: str, *, kind: str | None = None) -> list[OutboxMessage]:
        query = select(OutboxMessageRow).where(OutboxMessageRow.booking_id == booking_id)
        if kind is not None:
            query = query.where(OutboxMessageRow.kind == kind)
        return self._many(query.order_by(OutboxMessageRow.id))

    def counts(self) -> dict[str, int]:
        rows = self._session.execute(select(OutboxMessageRow.status, func.count()).group_by(OutboxMessageRow.status))
        return {status: count for status, count in rows}
