"""Cal.com API v2 over httpx: event types, free slots and bookings (create, get, cancel, reschedule, list).

Protocol notes (see ../shared/reference/calcom-api.md): every endpoint family needs its own
`cal-api-version` header (event types 2024-06-14, slots 2024-09-04, bookings 2024-08-13); without it
Cal.com silently routes to old controllers with other shapes. Slots are asked for with
`format=range`, so each comes with its end. A cancel always carries a reason (our key is the host's,
and Cal.com requires one from hosts). A reschedule makes a NEW booking uid; the iCal uid stays.

Reliability: timeouts, dropped connections and 5xx are retried with exponential backoff (tenacity),
`max_attempts` attempts in all; 4xx are not, except 429, which waits as Cal.com asks. A sliding-window
limiter keeps us under `requests_per_minute`, and pauses when Cal.com says the budget is spent
(Cal.com blocks a key for 60 s once it is over). Cal.com has no idempotency key, so a create, cancel
or reschedule whose answer was lost is checked against Cal.com's state before it is sent again,
and a retry refused as "already booked / already cancelled" is reconciled the same way: one booking,
never two.

The API key goes only into the Authorization header: never into logs, reprs or error messages.
"""

from __future__ import annotations

import email.utils
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Self
from urllib.parse import quote
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import httpx
from tenacity import RetryCallState, Retrying, retry_if_exception_type, stop_after_attempt, wait_exponential_jitter

from core.errors import WorkspaceError
from core.scheduling.calcom.rate_limit import SlidingWindowLimiter

log = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://api.cal.com/v2"
VERSION_HEADER = "cal-api-version"
EVENT_TYPES_VERSION = "2024-06-14"
SLOTS_VERSION = "2024-09-04"
BOOKINGS_VERSION = "2024-08-13"
RATE_LIMIT_WINDOW = 60.0  # seconds: Cal.com counts requests per key per minute
LIST_PAGE_SIZE = 100
_MAX_PAGES = 1000  # a guard against a server whose pagination never ends
_MAX_BACKOFF = 30.0
_MAX_DETAIL = 300
_EPOCH_THRESHOLD = 1_000_000_000  # a "reset" larger than this is a Unix time, not a number of seconds
_SLOT_PROBLEMS = (
    "already has booking",
    "not available",
    "can't be booked",
    "cannot be booked",
    "in the past",
    "minimum booking notice",
    "no_available_users_found",
)
_DONE_STATUSES = ("accepted", "pending")


# -- errors ------------------------------------------------------------------------------------


class CalcomError(WorkspaceError):
    """Base of Cal.com failures; str(exc) says what happened and what to do. `status` is the HTTP status."""

    def __init__(self, message: str, *, status: int | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code  # Cal.com's error code, e.g. "BadRequestException"


class CalcomAuthError(CalcomError):
    """401/403: the key is wrong, revoked, or lacks a permission."""


class CalcomNotFound(CalcomError):
    """404: no such booking or event type."""


class CalcomSlotUnavailable(CalcomError):
    """The start time cannot be booked: taken, in the past, too soon or outside the booking window."""


class CalcomRateLimited(CalcomError):
    """429 on every attempt; `retry_after` is the wait Cal.com asked for, in seconds, when it said."""

    def __init__(self, message: str, *, retry_after: float | None = None, status: int | None = 429) -> None:
        super().__init__(message, status=status, code="ThrottlerException")
        self.retry_after = retry_after


class CalcomUnavailable(CalcomError):
    """Cal.com could not be reached, timed out, or answered 5xx on every attempt."""


class CalcomRequestError(CalcomError):
    """Another 4xx: Cal.com refused the request; the message carries Cal.com's reason."""


# -- values ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CalEventType:
    id: int
    slug: str
    title: str
    length_minutes: int

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> CalEventType:
        return cls(
            id=int(data["id"]),
            slug=str(data.get("slug") or ""),
            title=str(data.get("title") or ""),
            length_minutes=int(data.get("lengthInMinutes") or data.get("length") or 0),
        )


@dataclass(frozen=True)
class CalSlot:
    start: datetime
    end: datetime


@dataclass(frozen=True)
class CalBooking:
    """A Cal.com booking as API v2 returns it. `status` is lower case: accepted, pending, cancelled, rejected.

    `ical_uid` stays the same across reschedules while `uid` changes; `meeting_url` is set only when
    Cal.com gives an http(s) join link (not an internal value such as "integrations:daily").
    """

    uid: str
    id: int | None
    status: str
    title: str
    start: datetime
    end: datetime
    event_type_id: int | None = None
    meeting_url: str | None = None
    attendees: tuple[tuple[str, str], ...] = ()  # (name, email)
    guests: tuple[str, ...] = ()
    ical_uid: str | None = None
    rescheduled_from_uid: str | None = None
    rescheduled_to_uid: str | None = None
    cancellation_reason: str | None = None
    metadata: dict[str, str] = field(default_factory=dict, hash=False)
    notes: str | None = None  # the "Additional notes" booking field, which Cal.com's emails show

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> CalBooking:
        """Parse one BookingOutput_2024_08_13; unknown keys are ignored, optional ones may be missing."""
        event_type = data.get("eventType") if isinstance(data.get("eventType"), Mapping) else {}
        event_type_id = data.get("eventTypeId", event_type.get("id") if event_type else None)
        attendees = tuple(
            (str(a.get("name") or ""), str(a.get("email") or ""))
            for a in data.get("attendees") or ()
            if isinstance(a, Mapping)
        )
        metadata = data.get("metadata")
        responses = data.get("bookingFieldsResponses")
        notes = responses.get("notes") if isinstance(responses, Mapping) else None
        return cls(
            uid=str(data["uid"]),
            id=_int_or_none(data.get("id")),
            status=str(data.get("status") or "").lower(),
            title=str(data.get("title") or ""),
            start=_parse_time(data["start"]),
            end=_parse_time(data["end"]),
            event_type_id=_int_or_none(event_type_id),
            meeting_url=_http_url(data.get("location")) or _http_url(data.get("meetingUrl")),
            attendees=attendees,
            guests=tuple(str(g) for g in data.get("guests") or ()),
            ical_uid=_str_or_none(data.get("icsUid") or data.get("iCalUID")),
            rescheduled_from_uid=_str_or_none(data.get("rescheduledFromUid")),
            rescheduled_to_uid=_str_or_none(data.get("rescheduledToUid")),
            cancellation_reason=_str_or_none(data.get("cancellationReason")),
            metadata={str(k): str(v) for k, v in metadata.items()} if isinstance(metadata, Mapping) else {},
            notes=notes if isinstance(notes, str) and notes else None,
        )


# -- the client --------------------------------------------------------------------------------


class _Retry(Exception):
    """A failed attempt worth another try. `error` is what the caller gets if none is left.

    `ambiguous`: the request may have reached Cal.com and taken effect (a lost answer), so a
    create/cancel/reschedule must check Cal.com's state before sending it again.
    """

    def __init__(self, error: CalcomError, *, ambiguous: bool, wait: float | None = None) -> None:
        super().__init__(str(error))
        self.error = error
        self.ambiguous = ambiguous
        self.wait = wait


_AlreadyDone = Callable[[], "dict[str, Any] | None"]


class CalcomClient:
    """A synchronous Cal.com API v2 client; thread-safe, close it (or use `with`) when done."""

    def __init__(
        self,
        api_key: str,
        *,
        base_url: str = DEFAULT_BASE_URL,
        timeout: float = 10.0,
        requests_per_minute: int = 120,
        max_attempts: int = 3,
        backoff_seconds: float = 0.5,
        transport: httpx.BaseTransport | None = None,
        limiter: SlidingWindowLimiter | None = None,
    ) -> None:
        key = (api_key or "").strip()
        if not key:
            raise CalcomAuthError(
                "No Cal.com API key is set. Create one in Cal.com (Settings → Developer → API keys) "
                "and add it to the workspace settings to book through Cal.com."
            )
        if max_attempts < 1:
            raise ValueError(f"max_attempts must be at least 1, not {max_attempts}")
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.max_attempts = max_attempts
        self.backoff_seconds = backoff_seconds
        # `limiter` lets tests (or several clients sharing one key) supply their own window.
        self.limiter = limiter or SlidingWindowLimiter(requests_per_minute, RATE_LIMIT_WINDOW)
        self._key = key
        self._path_prefix = httpx.URL(self.base_url).path.rstrip("/")  # "/v2", for the logs
        self._backoff = wait_exponential_jitter(
            multiplier=backoff_seconds, max=_MAX_BACKOFF, jitter=backoff_seconds / 4
        )
        self._http = httpx.Client(
            base_url=self.base_url,
            timeout=timeout,
            transport=transport,
            headers={"Authorization": f"Bearer {key}", "Accept": "application/json"},
        )

    def __repr__(self) -> str:
        return f"CalcomClient(base_url={self.base_url!r})"

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- event types and slots ---------------------------------------------------------------

    def event_types(self) -> list[CalEventType]:
        """The key owner's event types (the interview kinds people can book)."""
        envelope = self._call("GET", "/event-types", version=EVENT_TYPES_VERSION, action="list your event types")
        return [CalEventType.from_api(item) for item in _as_list(envelope.get("data"))]

    def slots(
        self,
        *,
        event_type_id: int,
        start: datetime,
        end: datetime,
        time_zone: str = "UTC",
        duration_minutes: int | None = None,
        rescheduling_uid: str | None = None,
    ) -> list[CalSlot]:
        """Free slots of an event type between `start` and `end`, in start order, rendered in `time_zone`.

        With `rescheduling_uid`, the times that booking holds count as free: it is the one being moved.
        """
        params: dict[str, str | int] = {
            "eventTypeId": event_type_id,
            "start": _utc_iso(start, "start"),
            "end": _utc_iso(end, "end"),
            "timeZone": time_zone,
            "format": "range",
        }
        if duration_minutes is not None:
            params["duration"] = duration_minutes
        if rescheduling_uid:
            params["bookingUidToReschedule"] = rescheduling_uid
        envelope = self._call(
            "GET",
            "/slots",
            version=SLOTS_VERSION,
            params=params,
            action=f"list free times of event type {event_type_id}",
        )
        data = envelope.get("data")
        if not isinstance(data, Mapping):
            raise _unreadable("free times", "the slots were not a map of dates")
        zone = _zone_or_none(time_zone)
        slots: list[CalSlot] = []
        length: int | None = duration_minutes
        for day in sorted(data):
            for item in _as_list(data[day]):
                raw_start = item.get("start") if isinstance(item, Mapping) else item
                if not isinstance(raw_start, str):
                    continue
                slot_start = _parse_time(raw_start)
                raw_end = item.get("end") if isinstance(item, Mapping) else None
                if isinstance(raw_end, str):
                    slot_end = _parse_time(raw_end)
                else:  # a server that ignored format=range: the slot lasts the event's length
                    if length is None:
                        length = self._length_of(event_type_id)
                    slot_end = slot_start + timedelta(minutes=length)
                if zone is not None:
                    slot_start, slot_end = slot_start.astimezone(zone), slot_end.astimezone(zone)
                slots.append(CalSlot(slot_start, slot_end))
        slots.sort(key=lambda slot: slot.start)
        return slots

    # -- bookings -----------------------------------------------------------------------------

    def create_booking(
        self,
        *,
        event_type_id: int,
        start: datetime,
        attendee_name: str,
        attendee_email: str,
        attendee_time_zone: str,
        guests: Sequence[str] = (),
        metadata: Mapping[str, str] | None = None,
        location: str | dict[str, Any] | None = None,
        notes: str | None = None,
    ) -> CalBooking:
        """Book `start` for the attendee; idempotent on (event type, attendee email, start).

        A retry after a lost answer, or a later call refused because the slot is taken, returns the
        attendee's existing booking at that time rather than a second booking or an error.

        `notes` fills the booking's standard "Additional notes" field (`bookingFieldsResponses.notes`),
        which Cal.com shows in its confirmation emails and sends back in webhooks as `additionalNotes`;
        a reschedule keeps it.
        """
        body: dict[str, Any] = {
            "start": _utc_iso(start, "start"),
            "eventTypeId": event_type_id,
            "attendee": {"name": attendee_name, "email": attendee_email, "timeZone": attendee_time_zone},
        }
        if guests:
            body["guests"] = list(guests)
        if metadata:
            body["metadata"] = dict(metadata)
        if location is not None:
            body["location"] = location
        if notes:
            body["bookingFieldsResponses"] = {"notes": notes}

        def already_done() -> dict[str, Any] | None:
            return self._find_booking(event_type_id=event_type_id, attendee_email=attendee_email, start=start)

        try:
            envelope = self._call(
                "POST",
                "/bookings",
                version=BOOKINGS_VERSION,
                body=body,
                action=f"book event type {event_type_id} at {_utc_iso(start, 'start')}",
                already_done=already_done,
                reconcile_refusals=True,  # "already has booking" may be this attendee's own, from an earlier call
            )
        except CalcomRequestError as exc:
            if exc.status == 409:  # Cal.com's unique booking key: someone holds this exact slot
                raise CalcomSlotUnavailable(
                    f"That time ({_utc_iso(start, 'start')}) was just booked by someone else on Cal.com. "
                    "Pick another free time.",
                    status=409,
                    code=exc.code,
                ) from exc
            raise
        return _booking_from(envelope, "the new booking")

    def get_booking(self, uid: str) -> CalBooking:
        """The booking's current state (after a reschedule, the old uid answers as cancelled)."""
        envelope = self._call(
            "GET",
            f"/bookings/{_quote(uid)}",
            version=BOOKINGS_VERSION,
            action=f"fetch booking {uid}",
            subject=f"booking {uid}",
        )
        return _booking_from(envelope, f"booking {uid}", uid=uid)

    def cancel_booking(self, uid: str, *, reason: str) -> CalBooking:
        """Cancel with a reason (Cal.com requires one from the host, whose key this is)."""
        if not reason or not reason.strip():
            raise ValueError("Cal.com needs a cancellation reason when the host cancels")

        def already_done() -> dict[str, Any] | None:
            current = self._booking_raw(uid)
            if str(current.get("status", "")).lower() == "cancelled" and not current.get("rescheduledToUid"):
                return current
            return None

        envelope = self._call(
            "POST",
            f"/bookings/{_quote(uid)}/cancel",
            version=BOOKINGS_VERSION,
            body={"cancellationReason": reason.strip()},
            action=f"cancel booking {uid}",
            subject=f"booking {uid}",
            already_done=already_done,
        )
        return _booking_from(envelope, f"booking {uid}", uid=uid)

    def reschedule_booking(
        self,
        uid: str,
        *,
        start: datetime,
        reason: str | None = None,
        rescheduled_by: str | None = None,
    ) -> CalBooking:
        """Move a booking; Cal.com answers with a NEW booking (new uid, same ical uid), the old one cancelled."""
        body: dict[str, Any] = {"start": _utc_iso(start, "start")}
        if reason:
            body["reschedulingReason"] = reason
        if rescheduled_by:
            body["rescheduledBy"] = rescheduled_by

        def already_done() -> dict[str, Any] | None:
            new_uid = self._booking_raw(uid).get("rescheduledToUid")
            if not new_uid:
                return None
            moved = self._booking_raw(str(new_uid))
            return moved if _same_time(moved.get("start"), start) else None

        envelope = self._call(
            "POST",
            f"/bookings/{_quote(uid)}/reschedule",
            version=BOOKINGS_VERSION,
            body=body,
            action=f"reschedule booking {uid} to {_utc_iso(start, 'start')}",
            subject=f"booking {uid}",
            already_done=already_done,
        )
        return _booking_from(envelope, "the rescheduled booking")

    def list_bookings(
        self,
        *,
        attendee_email: str | None = None,
        event_type_id: int | None = None,
        after_start: datetime | None = None,
        before_end: datetime | None = None,
        status: str | Sequence[str] | None = None,
    ) -> list[CalBooking]:
        """Every booking matching the filters, following Cal.com's pages (take/skip) to the end."""
        raw = self._list_raw(
            attendee_email=attendee_email,
            event_type_id=event_type_id,
            after_start=after_start,
            before_end=before_end,
            status=status,
        )
        return [CalBooking.from_api(item) for item in raw]

    # -- lookups behind reconciliation --------------------------------------------------------

    def _booking_raw(self, uid: str) -> dict[str, Any]:
        envelope = self._call(
            "GET",
            f"/bookings/{_quote(uid)}",
            version=BOOKINGS_VERSION,
            action=f"fetch booking {uid}",
            subject=f"booking {uid}",
        )
        return _one_booking(envelope.get("data"), uid=uid) or {}

    def _list_raw(
        self,
        *,
        attendee_email: str | None,
        event_type_id: int | None,
        after_start: datetime | None,
        before_end: datetime | None,
        status: str | Sequence[str] | None,
    ) -> list[dict[str, Any]]:
        params: dict[str, str | int] = {}
        if attendee_email:
            params["attendeeEmail"] = attendee_email
        if event_type_id is not None:
            params["eventTypeId"] = event_type_id
        if after_start is not None:
            params["afterStart"] = _utc_iso(after_start, "after_start")
        if before_end is not None:
            params["beforeEnd"] = _utc_iso(before_end, "before_end")
        if status:
            params["status"] = status if isinstance(status, str) else ",".join(status)
        items: list[dict[str, Any]] = []
        skip = 0
        for _ in range(_MAX_PAGES):
            envelope = self._call(
                "GET",
                "/bookings",
                version=BOOKINGS_VERSION,
                params={**params, "take": LIST_PAGE_SIZE, "skip": skip},
                action="list bookings",
            )
            page = [item for item in _as_list(envelope.get("data")) if isinstance(item, dict)]
            items.extend(page)
            pagination = envelope.get("pagination")
            has_next = pagination.get("hasNextPage") if isinstance(pagination, Mapping) else None
            if has_next is None:  # no pagination block: a full page may have more behind it
                has_next = len(page) >= LIST_PAGE_SIZE
            if not has_next or not page:
                break
            skip += len(page)  # what was served, not what was asked: the server may cap `take`
        return items

    def _find_booking(self, *, event_type_id: int, attendee_email: str, start: datetime) -> dict[str, Any] | None:
        """The live booking of this attendee at exactly `start`, if an earlier attempt made one."""
        candidates = self._list_raw(
            attendee_email=attendee_email,
            event_type_id=event_type_id,
            after_start=start - timedelta(minutes=1),
            before_end=start + timedelta(days=1),
            status=None,
        )
        wanted = attendee_email.strip().casefold()
        for item in candidates:
            emails = {str(a.get("email", "")).casefold() for a in item.get("attendees") or () if isinstance(a, dict)}
            if (
                _same_time(item.get("start"), start)
                and str(item.get("status", "")).lower() in _DONE_STATUSES
                and (not emails or wanted in emails)
            ):
                return item
        return None

    def _length_of(self, event_type_id: int) -> int:
        for event_type in self.event_types():
            if event_type.id == event_type_id and event_type.length_minutes > 0:
                return event_type.length_minutes
        raise _unreadable("free times", "slots came without end times and the event type's length is unknown")

    # -- one call, with retries ---------------------------------------------------------------

    def _call(
        self,
        method: str,
        path: str,
        *,
        version: str,
        action: str,
        subject: str | None = None,
        params: Mapping[str, str | int] | None = None,
        body: Mapping[str, Any] | None = None,
        already_done: _AlreadyDone | None = None,
        reconcile_refusals: bool = False,
    ) -> dict[str, Any]:
        """The envelope of a successful call, after retries.

        `already_done` looks up whether the change this call asks for exists already. It is asked
        before re-sending after an ambiguous failure (the answer was lost, the change may have been
        made), and when a retry is then refused with 400/409 (or any attempt, with
        `reconcile_refusals`); what it finds is answered as if this call had made it.
        """
        ambiguous = False
        retrying = Retrying(
            stop=stop_after_attempt(self.max_attempts),
            wait=self._wait,
            retry=retry_if_exception_type(_Retry),
            reraise=True,
        )
        try:
            for attempt in retrying:
                with attempt:
                    if ambiguous and already_done is not None and (found := self._settled(already_done, path)):
                        return found
                    try:
                        number = attempt.retry_state.attempt_number
                        return self._attempt(method, path, version, params, body, number, action, subject)
                    except _Retry as exc:
                        ambiguous = ambiguous or exc.ambiguous
                        raise
                    except CalcomError as exc:
                        refused = exc.status in (400, 409) and (ambiguous or reconcile_refusals)
                        if refused and already_done is not None and (found := self._settled(already_done, path)):
                            return found
                        raise
        except _Retry as exc:
            raise exc.error from exc.__cause__
        raise AssertionError("unreachable: tenacity either returns or re-raises")  # pragma: no cover

    def _settled(self, already_done: _AlreadyDone, path: str) -> dict[str, Any] | None:
        """An envelope for what `already_done` finds, or None."""
        found = already_done()
        if found is None:
            return None
        log.info("Cal.com %s%s: found the result already in place, not sending it again", self._path_prefix, path)
        return {"status": "success", "data": found}

    def _wait(self, retry_state: RetryCallState) -> float:
        """The pause before the next attempt: what Cal.com asked for, else exponential backoff."""
        outcome = retry_state.outcome
        exc = outcome.exception() if outcome is not None else None
        if isinstance(exc, _Retry) and exc.wait is not None:
            return exc.wait
        return float(self._backoff(retry_state))

    def _attempt(
        self,
        method: str,
        path: str,
        version: str,
        params: Mapping[str, str | int] | None,
        body: Mapping[str, Any] | None,
        number: int,
        action: str,
        subject: str | None,
    ) -> dict[str, Any]:
        self.limiter.acquire()
        shown = self._path_prefix + path  # the path only: the query may hold an attendee's email
        started = time.monotonic()
        tries = f"{number} attempt{'s' if number > 1 else ''}"
        try:
            response = self._http.request(method, path, params=params, json=body, headers={VERSION_HEADER: version})
        except httpx.TimeoutException as exc:
            log.warning(
                "Cal.com %s %s timed out after %.0f ms (attempt %d of %d)",
                method,
                shown,
                _ms_since(started),
                number,
                self.max_attempts,
            )
            error = CalcomUnavailable(
                f"Cal.com did not answer in time ({self.timeout:g} s, {tries}) when asked to {action}. "
                "Try again in a minute; if it keeps happening, check https://www.calstatus.com."
            )
            # A connect or pool timeout never reached Cal.com; a read or write timeout may have.
            raise _Retry(error, ambiguous=not isinstance(exc, httpx.ConnectTimeout | httpx.PoolTimeout)) from exc
        except (httpx.NetworkError, httpx.RemoteProtocolError) as exc:
            log.warning(
                "Cal.com %s %s failed: %s (attempt %d of %d, %.0f ms)",
                method,
                shown,
                type(exc).__name__,
                number,
                self.max_attempts,
                _ms_since(started),
            )
            error = CalcomUnavailable(
                f"Could not reach Cal.com at {httpx.URL(self.base_url).host} to {action} ({tries}: the "
                "connection failed or was dropped). Check the network connection and try again."
            )
            raise _Retry(error, ambiguous=not isinstance(exc, httpx.ConnectError)) from exc
        except httpx.HTTPError as exc:
            raise CalcomError(
                f"Could not send the request to {action} to Cal.com ({type(exc).__name__}). "
                "Check the Cal.com base URL in the settings."
            ) from exc

        status = response.status_code
        elapsed = _ms_since(started)
        self._note_rate_limit(response.headers)
        level = logging.DEBUG if status < 400 else logging.INFO if status < 429 else logging.WARNING
        log.log(
            level,
            "Cal.com %s %s -> %d in %.0f ms (attempt %d of %d)",
            method,
            shown,
            status,
            elapsed,
            number,
            self.max_attempts,
        )

        if status == 429:
            wait = _retry_after(response.headers)
            when = f"in {_seconds(wait)}" if wait is not None else "in a minute"
            limited = CalcomRateLimited(
                f"Cal.com is limiting how often this workspace may call it (HTTP 429 on {tries}). Try again {when}.",
                retry_after=wait,
            )
            raise _Retry(limited, ambiguous=False, wait=wait)
        if status >= 500:
            error = CalcomUnavailable(
                f"Cal.com had a problem on its side (HTTP {status}, {tries}) when asked to {action}"
                f"{_colon(self._detail(response))} Try again in a few minutes.",
                status=status,
                code=_error_code(response),
            )
            raise _Retry(error, ambiguous=True, wait=_retry_after_header(response.headers))
        if status >= 400:
            raise self._client_error(response, action, subject)
        envelope = _json(response)
        if not isinstance(envelope, dict) or "data" not in envelope:
            raise _unreadable(action, f"HTTP {status} without a data envelope")
        return envelope

    def _note_rate_limit(self, headers: httpx.Headers) -> None:
        """Cal.com says the key's budget is spent: hold every request until its window resets."""
        remaining = _number(headers.get("x-ratelimit-remaining-default"))
        if remaining is not None and remaining <= 0:
            reset = _reset_seconds(headers)
            self.limiter.pause(reset if reset is not None else RATE_LIMIT_WINDOW)

    def _client_error(self, response: httpx.Response, action: str, subject: str | None) -> CalcomError:
        status = response.status_code
        code = _error_code(response)
        detail = self._detail(response)
        if status in (401, 403):
            return CalcomAuthError(
                f"Cal.com refused the API key (HTTP {status}{_colon(detail, end='')}) when asked to {action}. "
                "Check the Cal.com API key in the workspace settings: it may be mistyped, revoked or expired, "
                "or lack the permission this needs.",
                status=status,
                code=code,
            )
        if status == 404:
            return CalcomNotFound(
                f"Cal.com could not find {subject or 'what was asked for'}{_colon(detail, end='')}. "
                "It may have been deleted, or the id may be wrong.",
                status=status,
                code=code,
            )
        if status == 400 and any(problem in detail.lower() for problem in _SLOT_PROBLEMS):
            return CalcomSlotUnavailable(
                f"That time can't be booked on Cal.com{_colon(detail, end='')}. Pick another free time.",
                status=status,
                code=code,
            )
        return CalcomRequestError(
            f"Cal.com refused to {action} (HTTP {status}){_colon(detail)}",
            status=status,
            code=code,
        )

    def _detail(self, response: httpx.Response) -> str:
        """Cal.com's own reason, short and without the key."""
        text = _error_text(response)
        text = " ".join(text.replace(self._key, "[redacted]").split())
        if len(text) > _MAX_DETAIL:
            text = text[: _MAX_DETAIL - 1].rstrip() + "…"
        return text


# -- helpers -----------------------------------------------------------------------------------


def _ms_since(started: float) -> float:
    return (time.monotonic() - started) * 1000


def _utc_iso(value: datetime, name: str) -> str:
    """UTC ISO 8601 with milliseconds and Z, as Cal.com expects its `start`/`end` values."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, not naive: {value!r}")
    return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _parse_time(value: object) -> datetime:
    if not isinstance(value, str):
        raise _unreadable("a time", f"{value!r} is not an ISO 8601 string")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise _unreadable("a time", f"{value!r} is not an ISO 8601 time") from None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def _same_time(value: object, expected: datetime) -> bool:
    try:
        return isinstance(value, str) and _parse_time(value) == expected
    except CalcomError:
        return False


def _zone_or_none(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def _quote(uid: str) -> str:
    return quote(uid, safe="")


def _int_or_none(value: object) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None  # what JSON holds besides numbers and strings cannot be a number
    try:
        return int(value)
    except ValueError:
        return None


def _str_or_none(value: object) -> str | None:
    return str(value) if value not in (None, "") else None


def _http_url(value: object) -> str | None:
    if isinstance(value, str) and value.strip().lower().startswith(("http://", "https://")):
        return value.strip()
    return None


def _as_list(value: object) -> list[Any]:
    return list(value) if isinstance(value, list) else []


def _one_booking(data: object, *, uid: str | None = None) -> dict[str, Any] | None:
    """`data` may be one booking or, for a recurring series, a list of them."""
    if isinstance(data, dict):
        return data
    items = [item for item in _as_list(data) if isinstance(item, dict)]
    for item in items:
        if uid is not None and item.get("uid") == uid:
            return item
    return items[0] if items else None


def _booking_from(envelope: Mapping[str, Any], what: str, *, uid: str | None = None) -> CalBooking:
    data = _one_booking(envelope.get("data"), uid=uid)
    if data is None:
        raise _unreadable(what, "no booking in the reply")
    try:
        return CalBooking.from_api(data)
    except (KeyError, TypeError, ValueError) as exc:
        raise _unreadable(what, f"missing or malformed {exc}") from None


def _unreadable(what: str, why: str) -> CalcomError:
    return CalcomError(
        f"Cal.com sent a reply this workspace could not read ({what}: {why}). "
        "Cal.com may have changed its API; try again later or report it."
    )


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _error_code(response: httpx.Response) -> str | None:
    envelope = _json(response)
    error = envelope.get("error") if isinstance(envelope, dict) else None
    code = error.get("code") if isinstance(error, dict) else None
    return str(code) if code else None


def _error_text(response: httpx.Response) -> str:
    """The message of Cal.com's error envelope; validation errors list their constraints."""
    envelope = _json(response)
    if not isinstance(envelope, dict):
        return ""  # an HTML page from a gateway says nothing a person can use
    error = envelope.get("error")
    if not isinstance(error, dict):
        message = envelope.get("message")
        return str(message) if isinstance(message, str) else ""
    message = str(error.get("message") or "")
    details = error.get("details")
    problems = _validation_problems(details)
    if problems and (not message or message == "Bad Request Exception"):
        return "; ".join(problems)
    return message


def _validation_problems(details: object) -> list[str]:
    """class-validator errors ({"errors": [{"property", "constraints": {...}}]}) as short phrases."""
    if not isinstance(details, dict):
        return []
    problems: list[str] = []
    for item in _as_list(details.get("errors")):
        if isinstance(item, dict) and isinstance(item.get("constraints"), dict):
            problems.extend(str(text) for text in item["constraints"].values())
        elif isinstance(item, str):
            problems.append(item)
    messages = details.get("message")
    if not problems and isinstance(messages, list):
        problems = [str(text) for text in messages]
    return problems


def _colon(detail: str, *, end: str = ".") -> str:
    """': detail.' when Cal.com said something, else just the sentence end."""
    if not detail:
        return end
    return f": {detail.rstrip('.')}{end}"


def _number(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        return float(value)
    except ValueError:
        return None


def _reset_seconds(headers: httpx.Headers) -> float | None:
    """X-RateLimit-Reset-Default is seconds from now in Cal.com's code; a Unix time is read too."""
    reset = _number(headers.get("x-ratelimit-reset-default"))
    if reset is None:
        return None
    if reset > _EPOCH_THRESHOLD:
        reset -= time.time()
    return max(0.0, reset)


def _retry_after_header(headers: httpx.Headers) -> float | None:
    value = headers.get("retry-after")
    if value is None:
        return None
    seconds = _number(value)
    if seconds is None:
        try:
            parsed = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=UTC)
        seconds = (parsed - datetime.now(UTC)).total_seconds()
    return max(0.0, seconds)


def _retry_after(headers: httpx.Headers) -> float | None:
    """How long a 429 asks us to wait: Retry-After if sent, else X-RateLimit-Reset-Default, else None."""
    after = _retry_after_header(headers)
    return after if after is not None else _reset_seconds(headers)


def _seconds(value: float) -> str:
    if value < 1:
        return "a second"
    whole = round(value)
    return f"{whole} seconds" if whole < 120 else f"{round(value / 60)} minutes"
