"""Scheduling: team members, event types, bookings, who interviews in which session, and every
webhook delivery received. Each dataclass mirrors its row column for column."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import ColumnElement, Select, Text, cast, delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError

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
from storage.repositories.base import EnumFields, SqlRepository, utc
from storage.repositories.history_statements import visible_in
from storage.tables import (
    BookingRow,
    EventTypeRow,
    SessionInterviewerRow,
    SessionRow,
    TeamMemberRow,
    WebhookEventRow,
    WebhookRefusalRow,
)


class SqlTeamMemberRepository(SqlRepository[TeamMember, TeamMemberRow]):
    model = TeamMember
    row_type = TeamMemberRow
    missing = "No team member {}."
    enums: ClassVar[EnumFields] = {"role": MemberRole}

    def add(self, member: TeamMember) -> TeamMember:
        return self._add(member)

    def get(self, member_id: str) -> TeamMember:
        return self._get(member_id)

    def update(self, member: TeamMember) -> TeamMember:
        return self._update(member, member.id)

    def all(self, *, active_only: bool = True) -> list[TeamMember]:
        query = select(TeamMemberRow).order_by(TeamMemberRow.name, TeamMemberRow.id)
        if active_only:
            query = query.where(TeamMemberRow.active.is_(True))
        return self._many(query)

    def by_email(self, email: str) -> TeamMember | None:
        return self._first(select(TeamMemberRow).where(func.lower(TeamMemberRow.email) == email.strip().lower()))


class SqlEventTypeRepository(SqlRepository[EventType, EventTypeRow]):
    model = EventType
    row_type = EventTypeRow
    missing = "No event type {}."

    def add(self, event_type: EventType) -> EventType:
        return self._add(event_type)

    def get(self, event_type_id: str) -> EventType:
        return self._get(event_type_id)

    def update(self, event_type: EventType) -> EventType:
        return self._update(event_type, event_type.id)

    def all(self) -> list[EventType]:
        return self._many(select(EventTypeRow).order_by(EventTypeRow.title, EventTypeRow.id))

    def by_calcom_id(self, calcom_event_type_id: int) -> EventType | None:
        return self._first(select(EventTypeRow).where(EventTypeRow.calcom_event_type_id == calcom_event_type_id))


class SqlBookingRepository(SqlRepository[Booking, BookingRow]):
    model = Booking
    row_type = BookingRow
    missing = "No booking {}."
    enums: ClassVar[EnumFields] = {"status": BookingStatus}

    def add(self, booking: Booking) -> Booking:
        return self._add(booking)

    def get(self, booking_id: str) -> Booking:
        return self._get(booking_id)

    def update(self, booking: Booking) -> Booking:
        return self._update(booking, booking.id)

    def for_session(self, session_id: str) -> Booking | None:
        return self._first(select(BookingRow).where(BookingRow.session_id == session_id))

    def by_external_uid(self, uid: str) -> Booking | None:
        return self._first(select(BookingRow).where(BookingRow.external_uid == uid))

    def by_ical_uid(self, ical_uid: str) -> Booking | None:
        return self._first(select(BookingRow).where(BookingRow.ical_uid == ical_uid))

    def between(
        self, start: datetime, end: datetime, *, include_cancelled: bool = False, scope: SessionScope | None = None
    ) -> list[Booking]:
        """Bookings overlapping [start, end), earliest first; `scope` narrows them to its sessions."""
        query = _scoped(select(BookingRow), scope).where(BookingRow.start_at < end, BookingRow.end_at > start)
        if not include_cancelled:
            query = query.where(BookingRow.status != BookingStatus.CANCELLED.value)
        return self._many(query.order_by(BookingRow.start_at, BookingRow.id))

    def all(self, *, scope: SessionScope | None = None) -> list[Booking]:
        return self._many(_scoped(select(BookingRow), scope).order_by(BookingRow.start_at, BookingRow.id))

    def with_session_status(self, *, scope: SessionScope | None = None) -> list[tuple[Booking, SessionStatus]]:
        """One SELECT joining each booking to its session, narrowed by `scope` in the same WHERE as History."""
        query = (
            select(BookingRow, SessionRow.status)
            .join(SessionRow, SessionRow.id == BookingRow.session_id)
            .order_by(BookingRow.start_at, BookingRow.id)
        )
        if scope is not None and not scope.everything:
            query = query.where(visible_in(scope))
        return [(self._to_item(row), SessionStatus(status)) for row, status in self._session.execute(query)]

    def member_busy(
        self, member_ids: list[str], start: datetime, end: datetime
    ) -> list[tuple[str, datetime, datetime]]:
        """(member id, start, end) of the members' live bookings overlapping [start, end)."""
        if not member_ids:
            return []
        rows = self._session.execute(
            select(SessionInterviewerRow.member_id, BookingRow.start_at, BookingRow.end_at)
            .join(BookingRow, BookingRow.session_id == SessionInterviewerRow.session_id)
            .where(
                SessionInterviewerRow.member_id.in_(member_ids),
                BookingRow.status != BookingStatus.CANCELLED.value,
                BookingRow.start_at < end,
                BookingRow.end_at > start,
            )
        )
        return [(member_id, begin, finish) for member_id, begin, finish in rows]


def _scoped(query: Select[BookingRow], scope: SessionScope | None) -> Select[BookingRow]:
    """Only the bookings of sessions `scope` lets the person see: History's WHERE over the booked session."""
    if scope is None or scope.everything:
        return query
    return query.join(SessionRow, SessionRow.id == BookingRow.session_id).where(visible_in(scope))


class SqlSessionInterviewerRepository(SqlRepository[str, SessionInterviewerRow]):
    """A session's interviewers as member ids: the rows are bare links, so there is no dataclass."""

    row_type = SessionInterviewerRow

    def set(self, session_id: str, member_ids: list[str]) -> None:
        """Replaces the session's interviewers; a member listed twice is stored once."""
        self._session.execute(delete(SessionInterviewerRow).where(SessionInterviewerRow.session_id == session_id))
        for member_id in dict.fromkeys(member_ids):
            self._session.add(SessionInterviewerRow(session_id=session_id, member_id=member_id))
        self._session.flush()

    def for_session(self, session_id: str) -> list[str]:
        rows = self._session.scalars(
            select(SessionInterviewerRow.member_id).where(SessionInterviewerRow.session_id == session_id)
        )
        return list(rows)


class SqlWebhookEventRepository(SqlRepository[WebhookEvent, WebhookEventRow]):
    model = WebhookEvent
    row_type = WebhookEventRow
    missing = "No webhook event {}."

    def add(self, event: WebhookEvent) -> WebhookEvent:
        """Raises AlreadyExists when an event with the same dedupe_key is stored; the unit of work
        must then be left (it rolls back) and a new one used."""
        try:
            return self._add(event)
        except IntegrityError as exc:
            raise AlreadyExists(f"Webhook event {event.dedupe_key} is already stored.") from exc

    def add_all(self, events: list[WebhookEvent]) -> list[WebhookEvent]:
        """One multi-row INSERT … RETURNING for the batch."""
        try:
            return self._add_many(events)
        except IntegrityError as exc:
            raise AlreadyExists("A webhook event of this batch is already stored.") from exc

    def get(self, event_id: int) -> WebhookEvent:
        return self._get(event_id)

    def update(self, event: WebhookEvent) -> WebhookEvent:
        return self._update(event, event.id)

    def latest(self, *, limit: int = 200, statuses: list[str] | None = None) -> list[WebhookEvent]:
        """Newest first."""
        query = select(WebhookEventRow).order_by(WebhookEventRow.received_at.desc(), WebhookEventRow.id.desc())
        if statuses:
            query = query.where(WebhookEventRow.status.in_(statuses))
        return self._many(query.limit(limit))

    def by_dedupe_key(self, key: str) -> WebhookEvent | None:
        return self._first(select(WebhookEventRow).where(WebhookEventRow.dedupe_key == key))

    def ids_by_dedupe_key(self, keys: list[str]) -> dict[str, int]:
        if not keys:
            return {}
        query = select(WebhookEventRow.dedupe_key, WebhookEventRow.id).where(WebhookEventRow.dedupe_key.in_(keys))
        return {key: event_id for key, event_id in self._session.execute(query) if key is not None}

    def waiting(
        self, *, limit: int = 100, due_by: datetime | None = None, received_before: datetime | None = None
    ) -> list[WebhookEvent]:
        """Accepted but not yet processed (e.g. the server stopped in between), and retries that are due;
        oldest first."""
        received = WebhookEventRow.status == "received"
        if received_before is not None:
            received = received & (WebhookEventRow.received_at < received_before)
        wanted = received
        if due_by is not None:
            wanted = or_(received, (WebhookEventRow.status == "retry") & (WebhookEventRow.next_attempt_at <= due_by))
        return self._many(
            select(WebhookEventRow).where(wanted).order_by(WebhookEventRow.received_at, WebhookEventRow.id).limit(limit)
        )

    def for_booking(self, uids: list[str]) -> list[WebhookEvent]:
        if not uids:
            return []
        return self._many(
            select(WebhookEventRow)
            .where(or_(*(WebhookEventRow.booking_uid == uid for uid in uids)))
            .order_by(WebhookEventRow.received_at, WebhookEventRow.id)
        )

    def last_received_at(self) -> datetime | None:
        newest = self._session.scalar(select(func.max(WebhookEventRow.received_at)))
        return utc(newest) if newest is not None else None

    def counts(self) -> dict[str, int]:
        rows = self._session.execute(select(WebhookEventRow.status, func.count()).group_by(WebhookEventRow.status))
        return {status: count for status, count in rows}

    def concerning(self, *, email: str | None, session_ids: list[str], booking_uids: list[str]) -> list[WebhookEvent]:
        """Events whose payload mentions `email` (any case), or that name one of the sessions or booking uids."""
        wanted: list[ColumnElement[bool]] = []
        if email and email.strip():
            # The payload is stored as JSON text: look for the email spelt as JSON spells it
            needle = json.dumps(email.strip().casefold())[1:-1]
            wanted.append(func.lower(cast(WebhookEventRow.payload, Text)).contains(needle, autoescape=True))
        if session_ids:
            wanted.append(WebhookEventRow.session_id.in_(session_ids))
        if booking_uids:
            wanted.append(WebhookEventRow.booking_uid.in_(booking_uids))
        if not wanted:
            return []
        return self._many(
            select(WebhookEventRow).where(or_(*wanted)).order_by(WebhookEventRow.received_at, WebhookEventRow.id)
        )

    def delete(self, event_id: int) -> None:
        self._session.delete(self._row(event_id))
        self._session.flush()

    def clear_payloads(self, *, received_before: datetime) -> int:
        """Blank the payload of events received before the cutoff; the row (status, outcome, dedupe key) stays."""
        has_payload = WebhookEventRow.payload.is_not(None) & (cast(WebhookEventRow.payload, Text) != "null")
        result: Any = self._session.execute(
            update(WebhookEventRow)
            .where(WebhookEventRow.received_at < received_before, has_payload)
            .values(payload=None),
            execution_options={"synchronize_session": False},
        )
        return int(result.rowcount or 0)


class SqlWebhookRefusalRepository(SqlRepository[WebhookRefusal, WebhookRefusalRow]):
    model = WebhookRefusal
    row_type = WebhookRefusalRow
    missing = "No webhook refusal {}."

    def count(self, refusal: WebhookRefusal) -> bool:
        """One UPDATE … SET count = count + n, so concurrent refusals are all counted."""
        result = self._session.execute(
            update(WebhookRefusalRow)
            .where(
                WebhookRefusalRow.source == refusal.source,
                WebhookRefusalRow.status_code == refusal.status_code,
                WebhookRefusalRow.reason == refusal.reason,
                WebhookRefusalRow.hour == refusal.hour,
            )
            .values(count=WebhookRefusalRow.count + refusal.count, last_at=refusal.last_at)
            .execution_options(synchronize_session=False)
        )
        if getattr(result, "rowcount", 0):
            return False
        try:
            self._add(refusal)
        except IntegrityError as exc:
            raise AlreadyExists(f"Refusals for {refusal.reason} in hour {refusal.hour} are already counted.") from exc
        return True

    def latest(self, *, limit: int = 200) -> list[WebhookRefusal]:
        return self._many(
            select(WebhookRefusalRow)
            .order_by(WebhookRefusalRow.last_at.desc(), WebhookRefusalRow.id.desc())
            .limit(limit)
        )

    def total(self) -> int:
        return int(self._session.scalar(select(func.coalesce(func.sum(WebhookRefusalRow.count), 0))) or 0)

    def prune(self, *, before: datetime) -> int:
        result = self._session.execute(
            delete(WebhookRefusalRow)
            .where(WebhookRefusalRow.last_at < before)
            .execution_options(synchronize_session=False)
        )
        return int(getattr(result, "rowcount", 0) or 0)
