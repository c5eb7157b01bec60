"""Repositories for scheduling: team members, event types, bookings, interviewers, webhook events.

Each dataclass in core.models mirrors its table column for column, so rows convert by field name.
"""

from __future__ import annotations

import copy
from dataclasses import fields
from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import delete, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session as OrmSession

from core.errors import AlreadyExists, NotFound
from core.models import Booking, BookingStatus, EventType, MemberRole, TeamMember, WebhookEvent
from storage.tables import (
    BookingRow,
    EventTypeRow,
    SessionInterviewerRow,
    TeamMemberRow,
    WebhookEventRow,
    utcnow,
)

_ENUMS: dict[str, Any] = {"role": MemberRole, "status": BookingStatus}


class _Mirror:
    """Add, get and update for a dataclass whose fields are its row's columns."""

    model: ClassVar[type[Any]]
    row_type: ClassVar[type[Any]]
    noun: ClassVar[str]
    enums: ClassVar[tuple[str, ...]] = ()

    def __init__(self, session: OrmSession) -> None:
        self._session = session

    def add(self, item: Any) -> Any:
        row = self.row_type(**self._values(item))
        self._session.add(row)
        self._session.flush()
        return self._from_row(row)

    def get(self, item_id: Any) -> Any:
        row = self._session.get(self.row_type, item_id)
        if row is None:
            raise NotFound(f"No {self.noun} {item_id}.")
        return self._from_row(row)

    def update(self, item: Any) -> Any:
        row = self._session.get(self.row_type, item.id)
        if row is None:
            raise NotFound(f"No {self.noun} {item.id}.")
        for name, value in self._values(item).items():
            setattr(row, name, value)
        self._session.flush()
        return self._from_row(row)

    def _values(self, item: Any) -> dict[str, Any]:
        values = {f.name: copy.deepcopy(getattr(item, f.name)) for f in fields(self.model)}
        for stamp in ("created_at", "received_at"):
            if stamp in values and values[stamp] is None:
                values[stamp] = utcnow()
        if "updated_at" in values:
            values["updated_at"] = utcnow()
        if values.get("id") is None and "id" in values:
            values.pop("id")  # autoincrement
        for name in self.enums:
            values[name] = str(values[name])
        return values

    def _from_row(self, row: Any) -> Any:
        values = {f.name: copy.deepcopy(getattr(row, f.name)) for f in fields(self.model)}
        for name, value in values.items():
            if isinstance(value, datetime):  # rows written in this same session still hold the caller's zone
                values[name] = value.astimezone(UTC)
        for name in self.enums:
            values[name] = _ENUMS[name](values[name])
        return self.model(**values)


class SqlTeamMemberRepository(_Mirror):
    model = TeamMember
    row_type = TeamMemberRow
    noun = "team member"
    enums = ("role",)

    def list(self, *, active_only: bool = True) -> list[TeamMember]:
        query = select(TeamMemberRow).order_by(TeamMemberRow.name, TeamMemberRow.id)
        if active_only:
            query = query.where(TeamMemberRow.active.is_(True))
        return [self._from_row(row) for row in self._session.scalars(query)]

    def by_email(self, email: str) -> TeamMember | None:
        row = self._session.scalars(
            select(TeamMemberRow).where(func.lower(TeamMemberRow.email) == email.strip().lower())
        ).first()
        return self._from_row(row) if row is not None else None


class SqlEventTypeRepository(_Mirror):
    model = EventType
    row_type = EventTypeRow
    noun = "event type"

    def list(self) -> list[EventType]:
        rows = self._session.scalars(select(EventTypeRow).order_by(EventTypeRow.title, EventTypeRow.id))
        return [self._from_row(row) for row in rows]

    def by_calcom_id(self, calcom_event_type_id: int) -> EventType | None:
        row = self._session.scalars(
            select(EventTypeRow).where(EventTypeRow.calcom_event_type_id == calcom_event_type_id)
        ).first()
        return self._from_row(row) if row is not None else None


class SqlBookingRepository(_Mirror):
    model = Booking
    row_type = BookingRow
    noun = "booking"
    enums = ("status",)

    def for_session(self, session_id: str) -> Booking | None:
        row = self._session.scalars(select(BookingRow).where(BookingRow.session_id == session_id)).first()
        return self._from_row(row) if row is not None else None

    def by_external_uid(self, uid: str) -> Booking | None:
        row = self._session.scalars(select(BookingRow).where(BookingRow.external_uid == uid)).first()
        return self._from_row(row) if row is not None else None

    def by_ical_uid(self, ical_uid: str) -> Booking | None:
        row = self._session.scalars(select(BookingRow).where(BookingRow.ical_uid == ical_uid)).first()
        return self._from_row(row) if row is not None else None

    def between(self, start: datetime, end: datetime, *, include_cancelled: bool = False) -> list[Booking]:
        """Bookings overlapping [start, end), earliest first."""
        query = select(BookingRow).where(BookingRow.start_at < end, BookingRow.end_at > start)
        if not include_cancelled:
            query = query.where(BookingRow.status != BookingStatus.CANCELLED.value)
        rows = self._session.scalars(query.order_by(BookingRow.start_at, BookingRow.id))
        return [self._from_row(row) for row in rows]

    def all(self) -> list[Booking]:
        rows = self._session.scalars(select(BookingRow).order_by(BookingRow.start_at, BookingRow.id))
        return [self._from_row(row) for row in rows]

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


class SqlSessionInterviewerRepository:
    def __init__(self, session: OrmSession) -> None:
        self._session = session

    def set(self, session_id: str, member_ids: list[str]) -> None:
        self._session.execute(delete(SessionInterviewerRow).where(SessionInterviewerRow.session_id == session_id))
        for member_id in dict.fromkeys(member_ids):
            self._session.add(SessionInterviewerRow(session_id=session_id, member_id=member_id))
        self._session.flush()

    def for_session(self, session_id: str) -> list[str]:
        rows = self._session.scalars(
            select(SessionInterviewerRow.member_id).where(SessionInterviewerRow.session_id == session_id)
        )
        return list(rows)


class SqlWebhookEventRepository(_Mirror):
    model = WebhookEvent
    row_type = WebhookEventRow
    noun = "webhook event"

    def add(self, item: WebhookEvent) -> WebhookEvent:
        """Raises AlreadyExists when an event with the same dedupe_key is stored; the unit of work
        must then be left (it rolls back) and a new one used."""
        try:
            return super().add(item)
        except IntegrityError as exc:
            raise AlreadyExists(f"Webhook event {item.dedupe_key} is already stored.") from exc

    def list(self, *, limit: int = 200, statuses: list[str] | None = None) -> list[WebhookEvent]:
        """Newest first."""
        query = select(WebhookEventRow).order_by(WebhookEventRow.received_at.desc(), WebhookEventRow.id.desc())
        if statuses:
            query = query.where(WebhookEventRow.status.in_(statuses))
        return [self._from_row(row) for row in self._session.scalars(query.limit(limit))]

    def by_dedupe_key(self, key: str) -> WebhookEvent | None:
        row = self._session.scalars(select(WebhookEventRow).where(WebhookEventRow.dedupe_key == key)).first()
        return self._from_row(row) if row is not None else None

    def waiting(self, *, limit: int = 100) -> list[WebhookEvent]:
        """Accepted but not yet processed (e.g. the server stopped in between), oldest first."""
        query = (
            select(WebhookEventRow)
            .where(WebhookEventRow.status == "received")
            .order_by(WebhookEventRow.received_at, WebhookEventRow.id)
            .limit(limit)
        )
        return [self._from_row(row) for row in self._session.scalars(query)]

    def for_booking(self, uids: list[str]) -> list[WebhookEvent]:
        if not uids:
            return []
        query = (
            select(WebhookEventRow)
            .where(or_(*(WebhookEventRow.booking_uid == uid for uid in uids)))
            .order_by(WebhookEventRow.received_at, WebhookEventRow.id)
        )
        return [self._from_row(row) for row in self._session.scalars(query)]

    def counts(self) -> dict[str, int]:
        rows = self._session.execute(select(WebhookEventRow.status, func.count()).group_by(WebhookEventRow.status))
        return {status: count for status, count in rows}
