"""Fake of the email outbox: the orders and filters of storage's, and its foreign keys."""

from __future__ import annotations

import copy
from types import MappingProxyType

from core.models import Channel, OutboxMessage, OutboxStatus
from tests.fakes.base import Mirror, sorted_by


class FakeOutboxRepository(Mirror[OutboxMessage, int]):
    model = OutboxMessage
    table = "outbox"
    noun = "email"
    autoincrement = True
    enums = MappingProxyType({"status": OutboxStatus, "channel": Channel})
    references = MappingProxyType({"session_id": "sessions", "booking_id": "bookings"})

    def latest(self, *, limit: int = 100, statuses: list[OutboxStatus] | None = None) -> list[OutboxMessage]:
        rows = [r for r in self._rows.values() if not statuses or r.status in statuses]
        return copy.deepcopy(sorted_by(rows, "created_at", "id", reverse=True)[: max(limit, 0)])

    def waiting(self, *, limit: int = 100) -> list[OutboxMessage]:
        rows = [r for r in self._rows.values() if r.status is OutboxStatus.WAITING]
        return copy.deepcopy(sorted_by(rows, "id")[: max(limit, 0)])

    def in_session(self, session_id: str) -> list[OutboxMessage]:
        return copy.deepcopy(sorted_by(self._where(session_id=session_id), "id"))

    def for_booking(self, booking_id: str, *, kind: str | None = None) -> list[OutboxMessage]:
        rows = [r for r in self._where(booking_id=booking_id) if kind is None or r.kind == kind]
        return copy.deepcopy(sorted_by(rows, "id"))

    def counts(self) -> dict[str, int]:
        found: dict[str, int] = {}
        for row in self._rows.values():
            found[row.status.value] = found.get(row.status.value, 0) + 1
        return found
