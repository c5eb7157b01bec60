"""Fakes of the scheduling repositories: team members, event types, bookings, interviewers, webhook events."""

from __future__ import annotations

import copy
import json
from collections import Counter
from datetime import datetime
from types import MappingProxyType

from core.errors import AlreadyExists
from core.models import (
    Booking,
    BookingStatus,
    EventType,
    MemberRole,
    SessionScope,
    SessionStatus,
    TeamMember,
    WebhookEvent,
    WebhookRefusal,
)
from tests.fakes.base import FakeIntegrityError, Mirror, Repo, sorted_by, visible_in


class FakeTeamMemberRepository(Mirror[TeamMember, str]):
    """Emails are unique as stored (the service lower-cases them); by_email ignores case."""

    model = TeamMember
    table = "team_members"
    noun = "team member"
    enums = MappingProxyType({"role": MemberRole})
    json_columns = ("working_hours",)
    unique = ("email",)

    def all(self, *, active_only: bool = True) -> list[TeamMember]:
        """By name."""
        members = [m for m in self._rows.values() if m.active or not active_only]
        return copy.deepcopy(sorted_by(members, "name", "id"))

    def by_email(self, email: str) -> TeamMember | None:
        wanted = email.strip().lower()
        found = [m for m in self._rows.values() if m.email.lower() == wanted]
        return copy.deepcopy(found[0]) if found else None


class FakeEventTypeRepository(Mirror[EventType, str]):
    model = EventType
    table = "event_types"
    noun = "event type"

    def all(self) -> list[EventType]:
        """By title."""
        return copy.deepcopy(sorted_by(self._rows.values(), "title", "id"))

    def by_calcom_id(self, calcom_event_type_id: int) -> EventType | None:
        return self._first(calcom_event_type_id=calcom_event_type_id)


class FakeBookingRepository(Mirror[Booking, str]):
    """One booking per session; external uids are unique; lists are earliest first."""

    model = Booking
    table = "bookings"
    noun = "booking"
    enums = MappingProxyType({"status": BookingStatus})
    json_columns = ("previous_uids", "guests")
    unique = ("session_id", "external_uid")
    references = MappingProxyType({"session_id": "sessions", "event_type_id": "event_types"})

    def for_session(self, session_id: str) -> Booking | None:
        return self._first(session_id=session_id)

    def by_external_uid(self, uid: str) -> Booking | None:
        return self._first(external_uid=uid)

    def by_ical_uid(self, ical_uid: str) -> Booking | None:
        return self._first(ical_uid=ical_uid)

    def between(
        self, start: datetime, end: datetime, *, include_cancelled: bool = False, scope: SessionScope | None = None
    ) -> list[Booking]:
        """Bookings overlapping [start, end), earliest first; `scope` narrows them to its sessions."""
        found = [
            b
            for b in self._scoped(scope)
            if b.start_at < end and b.end_at > start and (include_cancelled or b.status is not BookingStatus.CANCELLED)
        ]
        return copy.deepcopy(sorted_by(found, "start_at", "id"))

    def all(self, *, scope: SessionScope | None = None) -> list[Booking]:
        return copy.deepcopy(sorted_by(self._scoped(scope), "start_at", "id"))

    def with_session_status(self, *, scope: SessionScope | None = None) -> list[tuple[Booking, SessionStatus]]:
        return [(b, self._state.sessions[b.session_id].status) for b in self.all(scope=scope)]

    def _scoped(self, scope: SessionScope | None) -> list[Booking]:
        return [b for b in self._rows.values() if visible_in(self._state, b.session_id, scope)]

    def member_busy(
        self, member_ids: list[str], start: datetime, end: datetime
    ) -> list[tuple[str, datetime, datetime]]:
        """(member id, start, end) of the members' live bookings overlapping [start, end)."""
        busy = []
        for booking in self.between(start, end):
            for session_id, member_id in self._state.session_interviewers:
                if session_id == booking.session_id and member_id in member_ids:
                    busy.append((member_id, booking.start_at, booking.end_at))
        return busy


class FakeSessionInterviewerRepository(Repo):
    def set(self, session_id: str, member_ids: list[str]) -> None:
        """Replaces the session's interviewers (duplicates dropped)."""
        wanted = list(dict.fromkeys(member_ids))
        self._require("session_interviewers", {"session_id": "sessions"}, {"session_id": session_id})
        for member_id in wanted:
            self._require("session_interviewers", {"member_id": "team_members"}, {"member_id": member_id})
        rows = self._state.session_interviewers
        rows[:] = [row for row in rows if row[0] != session_id] + [(session_id, m) for m in wanted]

    def for_session(self, session_id: str) -> list[str]:
        """By member id: storage has no ORDER BY here and SQLite answers in primary-key order, not set()'s."""
        return sorted(member_id for owner, member_id in self._state.session_interviewers if owner == session_id)


class FakeWebhookEventRepository(Mirror[WebhookEvent, int]):
    model = WebhookEvent
    table = "webhook_events"
    noun = "webhook event"
    autoincrement = True
    json_columns = ("payload",)
    unique = ("dedupe_key",)

    def add(self, item: WebhookEvent) -> WebhookEvent:
        """Raises AlreadyExists when an event with the same dedupe_key is stored; the unit of work
        must then be left (it rolls back) and a new one used."""
        try:
            return super().add(item)
        except FakeIntegrityError as exc:
            raise AlreadyExists(f"Webhook event {item.dedupe_key} is already stored.") from exc

    def latest(self, *, limit: int = 200, statuses: list[str] | None = None) -> list[WebhookEvent]:
        """Newest first."""
        found = [e for e in self._rows.values() if not statuses or e.status in statuses]
        return copy.deepcopy(sorted_by(found, "received_at", "id", reverse=True)[: max(limit, 0)])

    def by_dedupe_key(self, key: str) -> WebhookEvent | None:
        return self._first(dedupe_key=key)

    def add_all(self, events: list[WebhookEvent]) -> list[WebhookEvent]:
        return [self.add(event) for event in events]

    def ids_by_dedupe_key(self, keys: list[str]) -> dict[str, int]:
        wanted = set(keys)
        return {e.dedupe_key: e.id for e in self._rows.values() if e.dedupe_key in wanted and e.id is not None}

    def waiting(
        self, *, limit: int = 100, due_by: datetime | None = None, received_before: datetime | None = None
    ) -> list[WebhookEvent]:
        """Accepted but not yet processed, and retries that are due; oldest first."""
        found = [
            e
            for e in self._rows.values()
            if (
                e.status == "received"
                and (received_before is None or (e.received_at is not None and e.received_at < received_before))
            )
            or (
                due_by is not None
                and e.status == "retry"
                and e.next_attempt_at is not None
                and e.next_attempt_at <= due_by
            )
        ]
        return copy.deepcopy(sorted_by(found, "received_at", "id")[: max(limit, 0)])

    def for_booking(self, uids: list[str]) -> list[WebhookEvent]:
        found = [e for e in self._rows.values() if e.booking_uid in uids]
        return copy.deepcopy(sorted_by(found, "received_at", "id"))

    def last_received_at(self) -> datetime | None:
        return max((e.received_at for e in self._rows.values() if e.received_at is not None), default=None)

    def counts(self) -> dict[str, int]:
        return dict(Counter(e.status for e in self._rows.values()))

    def concerning(self, *, email: str | None, session_ids: list[str], booking_uids: list[str]) -> list[WebhookEvent]:
        key = (email or "").strip().casefold()
        found = [
            e
            for e in self._rows.values()
            if (key and e.payload is not None and key in json.dumps(e.payload, ensure_ascii=False).casefold())
            or (e.session_id is not None and e.session_id in session_ids)
            or (e.booking_uid is not None and e.booking_uid in booking_uids)
        ]
        return copy.deepcopy(sorted_by(found, "received_at", "id"))

    def delete(self, event_id: int) -> None:
        self.get(event_id)
        del self._rows[event_id]

    def clear_payloads(self, *, received_before: datetime) -> int:
        blanked = 0
        for event in self._rows.values():
            if event.payload is not None and event.received_at is not None and event.received_at < received_before:
                event.payload = None
                blanked += 1
        return blanked


class FakeWebhookRefusalRepository(Mirror[WebhookRefusal, int]):
    model = WebhookRefusal
    table = "webhook_refusals"
    noun = "webhook refusal"
    autoincrement = True

    def count(self, refusal: WebhookRefusal) -> bool:
        key = (refusal.source, refusal.status_code, refusal.reason, refusal.hour)
        for row in self._rows.values():
            if (row.source, row.status_code, row.reason, row.hour) == key:
                row.count += refusal.count
                row.last_at = self._values(refusal)["last_at"]
                return False
        self.add(refusal)
        return True

    def latest(self, *, limit: int = 200) -> list[WebhookRefusal]:
        return copy.deepcopy(sorted_by(self._rows.values(), "last_at", "id", reverse=True)[: max(limit, 0)])

    def total(self) -> int:
        return sum(row.count for row in self._rows.values())

    def prune(self, *, before: datetime) -> int:
        old = [key for key, row in self._rows.items() if row.last_at < before]
        for key in old:
            del self._rows[key]
        return len(old)
