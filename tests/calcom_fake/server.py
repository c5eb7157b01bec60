"""A loopback fake of Cal.com API v2 (event types, slots, bookings) and of Cal.com's webhook sender.

The fake is a small Starlette app served by uvicorn on 127.0.0.1 (a free port) in a background
thread, like tests/llm_fakes. It follows ../shared/reference/calcom-api.md §6, including where that
corrects Cal.com's docs:

- auth: `Authorization: Bearer <api_key>`; another key gives 401 "CustomThrottlerGuard - Invalid API
  Key"; listing bookings needs a key, the other routes work without one (public booking);
- versions: each route answers only to its `cal-api-version` (event types 2024-06-14, slots
  2024-09-04, bookings 2024-08-13); a missing or wrong one gives a 404 envelope, so a client that
  forgets the header fails loudly;
- envelopes `{"status":"success","data":…}` and `{"status":"error","timestamp","path","error":{code,
  message,details}}` with NestJS exception class names; create/reschedule 201, cancel 200, GET 200;
- slots: hourly (event-length) slots inside `Availability` (09:00–17:00 UTC on weekdays by default),
  minus booked ones and the past, keyed by date in `timeZone`, rendered luxon-style (`.000Z`,
  `.000+02:00`); empty dates are left out; unknown query parameters give 400;
- bookings: create → accepted (pending when the event type requires confirmation); cancel → cancelled,
  reason required from the host, iCalSequence + 1, twice → 400; reschedule → a NEW uid (same iCalUID,
  sequence + 1), the old one cancelled with rescheduledToUid; slot taken / past / too soon → 400;
  metadata limits → 400; the list filters and pages with take/skip; `bookingFieldsResponses` (an object
  of strings, else 400) is stored and echoed beside name/email/guests, a reschedule keeps it, and its
  `notes` (the "Additional notes" field) is the booking's `description` and the webhooks'
  `additionalNotes`/`description`;
- rate limiting per key: `limit` requests per `window` seconds, then blocked `block` seconds (defaults
  120/60/60), `X-RateLimit-{Limit,Remaining,Reset}-Default` on every response (Reset: seconds from now),
  `Retry-After` on 429 only when `retry_after=True`.

Test hooks: `delay_next`, `fail_next`, `drop_next`, `hide_next_list`, `block_key`; `requests` records
every request with credential headers redacted; `reset()` between tests of a shared server.

Webhooks: `sign`, `webhook_body` and `post_webhook` are plain functions; `CalcomServer.webhook_body_for`
and `CalcomServer.emit_webhook` build and send the 2021-10-20 payload of a stored booking.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import math
import re
import secrets
import threading
import time
from collections import deque
from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from http import HTTPStatus
from typing import Any, Protocol, Self
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from tests.loopback import LoopbackServer

REDACTED = "<redacted>"
CREDENTIAL_HEADERS = frozenset({"authorization", "x-cal-secret-key", "cookie"})
EVENT_TYPES_VERSION = "2024-06-14"
SLOTS_VERSION = "2024-09-04"
BOOKINGS_VERSION = "2024-08-13"
WEBHOOK_VERSION = "2021-10-20"
NO_SECRET = "no-secret-provided"
DEFAULT_API_KEY = "cal_test_fake_0123456789abcdef"

SLOT_TAKEN = "User either already has booking at this time or is not available"
IN_THE_PAST = "Attempting to book a meeting in the past."
TOO_SOON = (
    "The event type can't be booked at the \"start\" time provided. This could be because it's too soon "
    "(violating the minimum booking notice) or too far in the future (outside the event's scheduling window). "
    'Try fetching available slots first using the GET /v2/slots endpoint and then make a booking with "start" '
    "time set to one of the returned slots."
)
ALREADY_CANCELLED = "This booking has already been cancelled."
REASON_REQUIRED = "Cancellation reason is required when you are the host"
INVALID_KEY = "CustomThrottlerGuard - Invalid API Key"
TOO_MANY = "CustomThrottlerGuard - Too many requests. Please try again later."
NO_AUTH = "No authentication method provided. Either pass an API key as 'Bearer' header or OAuth client credentials."

METADATA_MAX_KEYS = 50
METADATA_MAX_KEY_LENGTH = 40
METADATA_MAX_VALUE_LENGTH = 500
MEETING_TRIGGERS = frozenset({"MEETING_STARTED", "MEETING_ENDED"})
_WEBHOOK_STATUS = {
    "BOOKING_CREATED": "ACCEPTED",
    "BOOKING_RESCHEDULED": "ACCEPTED",
    "BOOKING_PAID": "ACCEPTED",
    "BOOKING_PAYMENT_INITIATED": "ACCEPTED",
    "BOOKING_REQUESTED": "PENDING",
    "BOOKING_CANCELLED": "CANCELLED",
    "BOOKING_REJECTED": "REJECTED",
}
_SLOT_PARAMS = frozenset(
    {
        "start",
        "end",
        "eventTypeId",
        "eventTypeSlug",
        "username",
        "usernames",
        "teamSlug",
        "organizationSlug",
        "timeZone",
        "duration",
        "format",
        "bookingUidToReschedule",
    }
)
_BEARER = re.compile(r"^\s*Bearer\s+(.+?)\s*$", re.IGNORECASE)
_STANDARD_FIELDS = frozenset({"name", "email", "guests"})  # Cal.com fills these from attendee and guests
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_UTC_NAMES = frozenset({"UTC", "Etc/UTC", "Etc/Universal", "Universal", "Zulu", "Etc/Zulu"})
_ALL_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]
_Result = tuple[int, Any]  # a route's HTTP status and JSON body


# -- configuration -----------------------------------------------------------------------------


@dataclass(frozen=True)
class FakeEventType:
    """An event type of the fake's one host. `integration` is its default location (None: no location)."""

    id: int
    slug: str
    title: str
    length_minutes: int = 60
    requires_confirmation: bool = False
    minimum_notice_minutes: int = 0
    integration: str | None = "cal-video"


@dataclass(frozen=True)
class FakeHost:
    id: int = 7
    name: str = "Riley Recruiter"
    email: str = "riley@example.com"
    username: str = "riley"
    time_zone: str = "UTC"


@dataclass(frozen=True)
class Availability:
    """When the host can be booked: slots of the event's length from `start_hour` to `end_hour`, UTC."""

    weekdays: frozenset[int] = frozenset(range(5))  # 0 = Monday
    start_hour: int = 9
    end_hour: int = 17


DEFAULT_EVENT_TYPES: tuple[FakeEventType, ...] = (
    FakeEventType(101, "system-design-interview", "System design interview", 60),
    FakeEventType(102, "intro-call", "Intro call", 30, integration="google-meet"),
    FakeEventType(103, "panel-interview", "Panel interview", 60, requires_confirmation=True),
)


# -- state -------------------------------------------------------------------------------------


@dataclass
class FakeBooking:
    """One stored booking; the API output and the webhook payloads are rendered from it."""

    id: int
    uid: str
    event_type: FakeEventType
    start: datetime
    end: datetime
    status: str  # accepted | pending | cancelled | rejected
    attendee_name: str
    attendee_email: str
    attendee_time_zone: str
    guests: list[str]
    metadata: dict[str, str]
    location: str | None
    video_call_url: str | None
    ical_uid: str
    ical_sequence: int = 0
    cancellation_reason: str | None = None
    cancelled_by: str | None = None
    rejection_reason: str | None = None
    rescheduled_from_uid: str | None = None
    rescheduled_to_uid: str | None = None
    rescheduling_reason: str | None = None
    rescheduled_by: str | None = None
    created_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    updated_at: datetime | None = None
    booking_fields: dict[str, str] = field(default_factory=dict)  # bookingFieldsResponses besides name/email/guests

    @property
    def notes(self) -> str:
        """The standard "Additional notes" field (`bookingFieldsResponses.notes`); "" when not given."""
        return self.booking_fields.get("notes", "")

    @property
    def blocks_time(self) -> bool:
        return self.status in ("accepted", "pending")

    @property
    def minutes(self) -> int:
        return int((self.end - self.start).total_seconds() // 60)


@dataclass
class RecordedRequest:
    """One request as it arrived; `status` is set when it is answered (0: the connection was dropped)."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # lower-case names; credential values replaced by "<redacted>"
    body: Any  # parsed JSON (None for an empty body)
    at: float = 0.0  # time.monotonic() on arrival
    status: int | None = None

    @property
    def version(self) -> str | None:
        return self.headers.get("cal-api-version")


@dataclass
class _Quota:
    hits: int = 0
    expires_at: float = 0.0
    blocked_until: float = 0.0


@dataclass(frozen=True)
class _Hook:
    kind: str  # "fail" | "drop" | "delay"
    status: int = 0
    seconds: float = 0.0
    after_processing: bool = False


class _ApiError(Exception):
    """Raised by a route: becomes the error envelope."""

    def __init__(self, status: int, message: str, *, code: str | None = None, details: Any = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code or _exception_name(status)
        self.details = details


class _Dropped(Exception):
    """Raised inside a response body so uvicorn closes the connection mid-response."""


class _QuietDrops(logging.Filter):
    """uvicorn logs an app exception as an error; a dropped connection here is on purpose."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.exc_info and isinstance(record.exc_info[1], _Dropped))


# -- the server --------------------------------------------------------------------------------


class CalcomServer:
    """A fake Cal.com on http://127.0.0.1:PORT; `base_url` (…/v2) is what a client is given.

    Settings (attributes, read on every request, restored by `reset()`): `api_key`, `limit`, `window`,
    `block` (rate limiting, seconds), `retry_after` (send Retry-After on 429), `whole_seconds`
    (round Reset/Retry-After up to whole seconds like Cal.com; False keeps fractions so sub-second
    windows test fast), `max_take` (page size cap of the list), `duplicate_conflict` (a create at the
    exact start of a live booking answers 409 CONFLICT, Cal.com's unique-key race, instead of 400).
    `now` gives the fake's current time (for "past" and the slots).
    """

    def __init__(
        self,
        api_key: str = DEFAULT_API_KEY,
        *,
        event_types: Iterable[FakeEventType] = DEFAULT_EVENT_TYPES,
        host: FakeHost | None = None,
        availability: Availability | None = None,
        limit: int = 120,
        window: float = 60.0,
        block: float = 60.0,
        retry_after: bool = False,
        whole_seconds: bool = True,
        max_take: int = 250,
        duplicate_conflict: bool = False,
        now: Callable[[], datetime] | None = None,
    ) -> None:
        self.event_types = {event_type.id: event_type for event_type in event_types}
        self.host = host or FakeHost()
        self.availability = availability or Availability()
        self.now = now or (lambda: datetime.now(UTC))
        self._settings = {
            "api_key": api_key,
            "limit": limit,
            "window": window,
            "block": block,
            "retry_after": retry_after,
            "whole_seconds": whole_seconds,
            "max_take": max_take,
            "duplicate_conflict": duplicate_conflict,
        }
        self.api_key = api_key
        self.limit = limit
        self.window = window
        self.block = block
        self.retry_after = retry_after
        self.whole_seconds = whole_seconds
        self.max_take = max_take
        self.duplicate_conflict = duplicate_conflict
        self.bookings: dict[str, FakeBooking] = {}
        self.requests: list[RecordedRequest] = []
        self._hooks: deque[_Hook] = deque()
        self._hide_lists = 0
        self._quotas: dict[str, _Quota] = {}
        self._lock = threading.RLock()
        self._next_id = 1000
        self._loopback: LoopbackServer | None = None
        self.url = ""

    @property
    def base_url(self) -> str:
        return f"{self.url}/v2"

    # -- test hooks --------------------------------------------------------------------------

    def reset(self) -> None:
        """Forget bookings, requests, hooks and rate-limit counters; restore the constructor's settings."""
        with self._lock:
            for name, value in self._settings.items():
                setattr(self, name, value)
            self.bookings.clear()
            self.requests.clear()
            self._hooks.clear()
            self._hide_lists = 0
            self._quotas.clear()

    def delay_next(self, seconds: float) -> Self:
        """The next API request is processed at once but answered `seconds` later (a client timeout
        whose booking was still made)."""
        self._hooks.append(_Hook("delay", seconds=seconds))
        return self

    def fail_next(self, status: int = 503, times: int = 1, *, after_processing: bool = False) -> Self:
        """The next `times` API requests get `status` (5xx). With `after_processing` each is carried out
        first (the booking exists, only the answer is lost)."""
        self._hooks.extend(_Hook("fail", status=status, after_processing=after_processing) for _ in range(times))
        return self

    def drop_next(self, *, after_processing: bool = False) -> Self:
        """The next API request has its connection closed mid-response (optionally after it took effect)."""
        self._hooks.append(_Hook("drop", after_processing=after_processing))
        return self

    def hide_next_list(self, times: int = 1) -> Self:
        """The next `times` booking lists leave out the newest booking, as a lagging replica would."""
        self._hide_lists += times
        return self

    def block_key(self, seconds: float, api_key: str | None = None) -> Self:
        """Block a key for `seconds` now, as if another process had spent its budget."""
        with self._lock:
            quota = self._quotas.setdefault(_tracker(api_key or self.api_key), _Quota())
            quota.blocked_until = quota.expires_at = time.monotonic() + seconds
        return self

    @property
    def pending_hooks(self) -> int:
        return len(self._hooks)

    def paths(self) -> list[str]:
        return [f"{r.method} {r.path}" for r in self.requests]

    def statuses(self) -> list[int | None]:
        """The status each recorded request got, in order (0: connection dropped, None: not answered yet)."""
        return [r.status for r in self.requests]

    def count(self, method: str, path: str) -> int:
        return sum(1 for r in self.requests if r.method == method and r.path == path)

    # -- direct access to the state (no HTTP) ------------------------------------------------

    def booking(self, uid: str) -> FakeBooking:
        with self._lock:
            return self.bookings[uid]

    def live_bookings(self) -> list[FakeBooking]:
        """Accepted and pending bookings, by start time."""
        with self._lock:
            return sorted((b for b in self.bookings.values() if b.blocks_time), key=lambda b: (b.start, b.id))

    def seed_booking(
        self,
        *,
        event_type_id: int,
        start: datetime,
        attendee_name: str = "Ada Lovelace",
        attendee_email: str = "ada@example.com",
        attendee_time_zone: str = "UTC",
        guests: Iterable[str] = (),
        metadata: Mapping[str, str] | None = None,
        status: str | None = None,
        notes: str | None = None,
    ) -> FakeBooking:
        """Store a booking without the API's checks (for list, pagination and webhook tests)."""
        with self._lock:
            event_type = self.event_types[event_type_id]
            booking = self._new_booking(
                event_type,
                start.astimezone(UTC),
                event_type.length_minutes,
                name=attendee_name,
                email=attendee_email,
                time_zone=attendee_time_zone,
                guests=list(guests),
                metadata=dict(metadata or {}),
                location=None,
                booking_fields={"notes": notes} if notes else None,
            )
            if status is not None:
                booking.status = status
            return booking

    def confirm(self, uid: str) -> FakeBooking:
        """The host accepts a pending booking (Cal.com then sends BOOKING_CREATED for the same uid)."""
        with self._lock:
            booking = self.bookings[uid]
            booking.status = "accepted"
            booking.updated_at = self.now()
            return booking

    def reject(self, uid: str, reason: str | None = None) -> FakeBooking:
        with self._lock:
            booking = self.bookings[uid]
            booking.status = "rejected"
            booking.rejection_reason = reason
            booking.updated_at = self.now()
            return booking

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> Self:
        uvicorn_errors = logging.getLogger("uvicorn.error")
        if not any(isinstance(f, _QuietDrops) for f in uvicorn_errors.filters):
            uvicorn_errors.addFilter(_QuietDrops())
        self._loopback = LoopbackServer(self.app(), name="fake Cal.com server").start()
        self.url = self._loopback.url
        return self

    def stop(self) -> None:
        if self._loopback is not None:
            self._loopback.stop()
        self._loopback = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/{path:path}", self._handle, methods=_ALL_METHODS)])

    # -- request pipeline: record → throttle → auth → route/version → hooks → handler --------

    async def _handle(self, request: Request) -> Response:
        raw = await request.body()
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = raw.decode(errors="replace")
        headers = {
            name.lower(): (REDACTED if name.lower() in CREDENTIAL_HEADERS else value)
            for name, value in request.headers.items()
        }
        path = request.url.path
        query = dict(request.query_params)
        record = RecordedRequest(request.method, path, query, headers, body, at=time.monotonic())
        self.requests.append(record)
        response = await self._respond(request, path, query, body)
        record.status = 0 if getattr(response, "dropped", False) else response.status_code
        return response

    async def _respond(self, request: Request, path: str, query: dict[str, str], body: Any) -> Response:
        shown_path = path + (f"?{request.url.query}" if request.url.query else "")

        token = _bearer(request.headers.get("authorization"))
        key_ok = token is not None and token == self.api_key
        with self._lock:
            allowed, rate_headers = self._throttle(_tracker(token if key_ok else None, request))
        extra = {**rate_headers, "x-request-id": request.headers.get("x-request-id", "unknown-request-id")}
        if not allowed:
            if self.retry_after:
                extra["retry-after"] = rate_headers["x-ratelimit-reset-default"]
            return _error_response(429, TOO_MANY, shown_path, extra, code="ThrottlerException", details=TOO_MANY)
        if token is not None and not key_ok:
            return _error_response(401, INVALID_KEY, shown_path, extra)

        handler = self._route(request.method, path)
        # A missing or other cal-api-version reaches Cal.com's older controllers, which lack these routes.
        if handler is None or request.headers.get("cal-api-version") != handler[1]:
            return _error_response(404, f"Cannot {request.method} {path}", shown_path, extra)
        action, _version, params = handler

        hook = self._hooks.popleft() if self._hooks else None
        if hook is not None and not hook.after_processing:
            if hook.kind == "fail":
                return _server_error(hook.status, shown_path, extra)
            if hook.kind == "drop":
                return _dropped(extra)

        try:
            with self._lock:
                status, payload = action(request.method, params, query, body, authenticated=key_ok)
            response: Response = JSONResponse(payload, status_code=status, headers=extra)
        except _ApiError as exc:
            response = _error_response(exc.status, exc.message, shown_path, extra, code=exc.code, details=exc.details)

        if hook is not None:
            if hook.kind == "fail":
                return _server_error(hook.status, shown_path, extra)
            if hook.kind == "drop":
                return _dropped(extra)
            if hook.kind == "delay":
                await asyncio.sleep(hook.seconds)
        return response

    def _route(self, method: str, path: str) -> tuple[Callable[..., _Result], str, list[str]] | None:
        parts = [part for part in path.split("/") if part]
        if not parts or parts[0] != "v2":
            return None
        parts = parts[1:]
        if parts == ["event-types"] and method == "GET":
            return self._event_types, EVENT_TYPES_VERSION, []
        if parts == ["slots"] and method == "GET":
            return self._slots, SLOTS_VERSION, []
        if parts == ["bookings"] and method in ("GET", "POST"):
            return (self._list if method == "GET" else self._create), BOOKINGS_VERSION, []
        if len(parts) == 2 and parts[0] == "bookings" and method == "GET":
            return self._get, BOOKINGS_VERSION, [parts[1]]
        if len(parts) == 3 and parts[0] == "bookings" and method == "POST" and parts[2] in ("cancel", "reschedule"):
            return (self._cancel if parts[2] == "cancel" else self._reschedule), BOOKINGS_VERSION, [parts[1]]
        return None

    def _throttle(self, tracker: str) -> tuple[bool, dict[str, str]]:
        """Cal.com's CustomThrottlerGuard: count per window, block once over, three headers always."""
        now = time.monotonic()
        quota = self._quotas.setdefault(tracker, _Quota())
        if quota.blocked_until > now:
            return False, self._rate_headers(0, quota.blocked_until - now)
        if quota.expires_at <= now:
            quota.hits, quota.expires_at = 0, now + self.window
        quota.hits += 1
        if quota.hits > self.limit:
            quota.blocked_until = quota.expires_at = now + self.block
            return False, self._rate_headers(0, self.block)
        return True, self._rate_headers(self.limit - quota.hits, quota.expires_at - now)

    def _rate_headers(self, remaining: int, reset: float) -> dict[str, str]:
        if self.whole_seconds:
            shown = str(max(1, math.ceil(reset)))
        else:
            shown = f"{max(math.ceil(reset * 1000), 1) / 1000:.3f}".rstrip("0").rstrip(".")  # rounded up, never early
        return {
            "x-ratelimit-limit-default": str(self.limit),
            "x-ratelimit-remaining-default": str(max(0, remaining)),
            "x-ratelimit-reset-default": shown,
        }

    # -- routes (called with the lock held; return (status, JSON)) ---------------------------

    def _event_types(
        self, method: str, params: list[str], query: dict[str, str], body: Any, *, authenticated: bool
    ) -> _Result:
        username = query.get("username")
        if not authenticated and username != self.host.username:
            return 200, _success([])
        return 200, _success([self._event_type_output(et) for et in self.event_types.values()])

    def _slots(
        self, method: str, params: list[str], query: dict[str, str], body: Any, *, authenticated: bool
    ) -> _Result:
        unknown = [name for name in query if name not in _SLOT_PARAMS]
        if unknown:
            raise _ApiError(400, ",".join(f"{n} property is wrong,property {n} should not exist " for n in unknown))
        start = _parse_query_time(query.get("start"), "start", end_of_day=False)
        end = _parse_query_time(query.get("end"), "end", end_of_day=True)
        event_type = self._event_type_from(query)
        zone_name = query.get("timeZone") or "UTC"
        zone = _zone(zone_name)
        slot_format = query.get("format", "time")
        if slot_format not in ("time", "range"):
            raise _validation("format", "format must be one of the following values: time, range")
        minutes = _positive_int(query.get("duration"), "duration") or event_type.length_minutes
        ignore = query.get("bookingUidToReschedule")
        days: dict[str, list[dict[str, str]]] = {}
        for slot_start in self._free_starts(event_type, minutes, start, end, ignore_uid=ignore):
            local = slot_start.astimezone(zone)
            item = {"start": _luxon(local, zone_name)}
            if slot_format == "range":
                item["end"] = _luxon((slot_start + timedelta(minutes=minutes)).astimezone(zone), zone_name)
            days.setdefault(local.date().isoformat(), []).append(item)
        return 200, _success(days)

    def _create(
        self, method: str, params: list[str], query: dict[str, str], body: Any, *, authenticated: bool
    ) -> _Result:
        if not isinstance(body, dict):
            raise _validation("body", "the request body must be a JSON object")
        start = _parse_body_time(body.get("start"))
        event_type = self._event_type_from(body)
        attendee = body.get("attendee")
        if not isinstance(attendee, dict):
            raise _validation("attendee", "attendee must be an object")
        name, email, time_zone = attendee.get("name"), attendee.get("email"), attendee.get("timeZone")
        if not isinstance(name, str) or not name.strip():
            raise _validation("attendee.name", "name must be a string")
        if not isinstance(email, str) or not _EMAIL.match(email):
            raise _validation("attendee.email", "email must be an email")
        if not isinstance(time_zone, str) or not _valid_zone(time_zone):
            raise _validation("attendee.timeZone", "timeZone must be a valid IANA time zone")
        guests = body.get("guests") or []
        if not isinstance(guests, list) or not all(isinstance(g, str) and _EMAIL.match(g) for g in guests):
            raise _validation("guests", "each value in guests must be an email")
        metadata = _check_metadata(body.get("metadata"))
        booking_fields = _check_booking_fields(body.get("bookingFieldsResponses"))
        minutes = _positive_int(body.get("lengthInMinutes"), "lengthInMinutes") or event_type.length_minutes
        self._check_bookable(event_type, start, minutes, ignore_uid=None)
        booking = self._new_booking(
            event_type,
            start,
            minutes,
            name=name.strip(),
            email=email.strip(),
            time_zone=time_zone,
            guests=list(guests),
            metadata=metadata,
            location=body.get("location"),
            booking_fields=booking_fields,
        )
        return 201, _success(self._booking_output(booking))

    def _get(self, method: str, params: list[str], query: dict[str, str], body: Any, *, authenticated: bool) -> _Result:
        return 200, _success(self._booking_output(self._find(params[0])))

    def _cancel(
        self, method: str, params: list[str], query: dict[str, str], body: Any, *, authenticated: bool
    ) -> _Result:
        booking = self._find(params[0])
        body = body if isinstance(body, dict) else {}
        if booking.status in ("cancelled", "rejected"):
            raise _ApiError(400, ALREADY_CANCELLED)
        reason = body.get("cancellationReason")
        if authenticated and not (isinstance(reason, str) and reason.strip()):
            raise _ApiError(400, REASON_REQUIRED)
        booking.status = "cancelled"
        booking.cancellation_reason = reason if isinstance(reason, str) and reason.strip() else None
        booking.cancelled_by = self.host.email if authenticated else booking.attendee_email
        booking.ical_sequence += 1
        booking.updated_at = self.now()
        return 200, _success(self._booking_output(booking))

    def _reschedule(
        self, method: str, params: list[str], query: dict[str, str], body: Any, *, authenticated: bool
    ) -> _Result:
        old = self._find(params[0])
        if not isinstance(body, dict):
            raise _validation("body", "the request body must be a JSON object")
        start = _parse_body_time(body.get("start"))
        if old.status in ("cancelled", "rejected"):
            raise _ApiError(
                400,
                f"Can't reschedule booking with uid={old.uid} because it has been cancelled. "
                "Please provide uid of a booking that is not cancelled.",
            )
        minutes = old.minutes
        self._check_bookable(old.event_type, start, minutes, ignore_uid=old.uid)
        rescheduled_by = body.get("rescheduledBy") if isinstance(body.get("rescheduledBy"), str) else None
        new = self._new_booking(
            old.event_type,
            start,
            minutes,
            name=old.attendee_name,
            email=old.attendee_email,
            time_zone=old.attendee_time_zone,
            guests=list(old.guests),
            metadata=dict(old.metadata),
            location=old.location,
            ical_uid=old.ical_uid,
            booking_fields=dict(old.booking_fields),  # Cal.com reuses the booking's responses
        )
        new.ical_sequence = old.ical_sequence + 1
        new.rescheduled_from_uid = old.uid
        new.rescheduling_reason = (
            body.get("reschedulingReason") if isinstance(body.get("reschedulingReason"), str) else None
        )
        new.rescheduled_by = rescheduled_by
        if old.event_type.requires_confirmation and rescheduled_by != self.host.email:
            new.status = "pending"
        else:
            new.status = "accepted"
        old.status = "cancelled"
        old.rescheduled_to_uid = new.uid
        old.updated_at = self.now()
        return 201, _success(self._booking_output(new))

    def _list(
        self, method: str, params: list[str], query: dict[str, str], body: Any, *, authenticated: bool
    ) -> _Result:
        if not authenticated:
            raise _ApiError(401, NO_AUTH)
        items = list(self.bookings.values())
        statuses = {s.strip().lower() for s in query.get("status", "").split(",") if s.strip()}
        if statuses:
            items = [b for b in items if b.status in statuses]
        if email := query.get("attendeeEmail"):
            items = [b for b in items if b.attendee_email.casefold() == email.strip().casefold()]
        ids = query.get("eventTypeIds") or query.get("eventTypeId")
        if ids:
            wanted = {_positive_int(part, "eventTypeId") for part in ids.split(",")}
            items = [b for b in items if b.event_type.id in wanted]
        if after := query.get("afterStart"):
            after_start = _parse_query_time(after, "afterStart", end_of_day=False)
            items = [b for b in items if b.start >= after_start]
        if before := query.get("beforeEnd"):
            before_end = _parse_query_time(before, "beforeEnd", end_of_day=True)
            items = [b for b in items if b.end <= before_end]
        if self._hide_lists and self.bookings:
            self._hide_lists -= 1
            newest = max(self.bookings.values(), key=lambda b: b.id)
            items = [b for b in items if b.uid != newest.uid]
        items.sort(key=lambda b: (b.start, b.id), reverse=query.get("sortStart") == "desc")
        take = min(_positive_int(query.get("take"), "take") or 100, self.max_take)
        skip = _non_negative_int(query.get("skip"), "skip")
        page = items[skip : skip + take]
        total = len(items)
        pagination = {
            "totalItems": total,
            "remainingItems": max(0, total - skip - len(page)),
            "returnedItems": len(page),
            "itemsPerPage": take,
            "currentPage": skip // take + 1,
            "totalPages": max(1, math.ceil(total / take)),
            "hasNextPage": skip + len(page) < total,
            "hasPreviousPage": skip > 0,
        }
        return 200, {"status": "success", "data": [self._booking_output(b) for b in page], "pagination": pagination}

    # -- booking rules -----------------------------------------------------------------------

    def _event_type_from(self, source: Mapping[str, Any]) -> FakeEventType:
        raw_id = source.get("eventTypeId")
        if raw_id is None:
            slug, username = source.get("eventTypeSlug"), source.get("username")
            for event_type in self.event_types.values():
                if slug == event_type.slug and username == self.host.username:
                    return event_type
            raise _ApiError(
                400,
                "Either eventTypeId or eventTypeSlug + username or eventTypeSlug + teamSlug must be provided",
            )
        event_type_id = _positive_int(raw_id, "eventTypeId")
        if event_type_id not in self.event_types:
            raise _ApiError(404, f"Event type with id {event_type_id} not found.")
        return self.event_types[event_type_id]

    def _free_starts(
        self, event_type: FakeEventType, minutes: int, start: datetime, end: datetime, *, ignore_uid: str | None
    ) -> list[datetime]:
        earliest = self.now() + timedelta(minutes=event_type.minimum_notice_minutes)
        starts: list[datetime] = []
        day = start.date()
        while day <= end.date():
            for slot_start in self._day_starts(day, minutes):
                if (
                    start <= slot_start <= end
                    and slot_start >= earliest
                    and not self._taken(slot_start, minutes, ignore_uid)
                ):
                    starts.append(slot_start)
            day += timedelta(days=1)
        return starts

    def _day_starts(self, day: date, minutes: int) -> list[datetime]:
        if day.weekday() not in self.availability.weekdays:
            return []
        opens = datetime(day.year, day.month, day.day, self.availability.start_hour, tzinfo=UTC)
        closes = datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(hours=self.availability.end_hour)
        starts = []
        slot = opens
        while slot + timedelta(minutes=minutes) <= closes:
            starts.append(slot)
            slot += timedelta(minutes=minutes)
        return starts

    def _taken(self, start: datetime, minutes: int, ignore_uid: str | None) -> FakeBooking | None:
        end = start + timedelta(minutes=minutes)
        for booking in self.bookings.values():
            if booking.uid != ignore_uid and booking.blocks_time and booking.start < end and start < booking.end:
                return booking
        return None

    def _check_bookable(
        self, event_type: FakeEventType, start: datetime, minutes: int, *, ignore_uid: str | None
    ) -> None:
        now = self.now()
        if start < now:
            raise _ApiError(400, IN_THE_PAST)
        if start < now + timedelta(minutes=event_type.minimum_notice_minutes):
            raise _ApiError(400, TOO_SOON)
        clash = self._taken(start, minutes, ignore_uid)
        if clash is not None:
            if self.duplicate_conflict and clash.start == start:
                raise _ApiError(
                    409, "Invalid Input: Trying to create a record that already exists.", code="CONFLICT", details=None
                )
            raise _ApiError(400, SLOT_TAKEN)
        if start not in self._day_starts(start.date(), minutes):
            raise _ApiError(400, SLOT_TAKEN)

    def _new_booking(
        self,
        event_type: FakeEventType,
        start: datetime,
        minutes: int,
        *,
        name: str,
        email: str,
        time_zone: str,
        guests: list[str],
        metadata: dict[str, str],
        location: Any,
        ical_uid: str | None = None,
        booking_fields: dict[str, str] | None = None,
    ) -> FakeBooking:
        self._next_id += 1
        uid = _new_uid()
        stored_location, video_url = self._resolve_location(location, event_type, uid)
        booking = FakeBooking(
            id=self._next_id,
            uid=uid,
            event_type=event_type,
            start=start,
            end=start + timedelta(minutes=minutes),
            status="pending" if event_type.requires_confirmation else "accepted",
            attendee_name=name,
            attendee_email=email,
            attendee_time_zone=time_zone,
            guests=guests,
            metadata=metadata,
            location=stored_location,
            video_call_url=video_url,
            ical_uid=ical_uid or f"{uid}@Cal.com",
            created_at=self.now(),
            booking_fields=dict(booking_fields or {}),
        )
        self.bookings[uid] = booking
        return booking

    def _resolve_location(self, raw: Any, event_type: FakeEventType, uid: str) -> tuple[str | None, str | None]:
        """(stored location, metadata.videoCallUrl) as Cal.com keeps them; an integration gets a join URL."""
        if raw is None:
            if event_type.integration is None:
                return None, None
            raw = {"type": "integration", "integration": event_type.integration}
        if isinstance(raw, str):
            if raw.startswith("integrations:"):
                return raw, _video_url(raw, uid)
            return raw, None
        if not isinstance(raw, dict) or not isinstance(raw.get("type"), str):
            raise _validation("location", "location must be a string or an object with a type")
        kind = raw["type"]
        if kind == "integration":
            internal = _INTEGRATIONS.get(str(raw.get("integration")), f"integrations:{raw.get('integration')}")
            return internal, _video_url(internal, uid)
        for key in ("link", "address", "phone", "location"):
            if isinstance(raw.get(key), str):
                return raw[key], None
        if kind in ("link", "address", "phone", "organizersDefaultApp"):
            return None, None
        raise _validation("location", f"location type {kind} is not supported")

    def _find(self, uid: str) -> FakeBooking:
        booking = self.bookings.get(uid)
        if booking is None:
            raise _ApiError(404, f"Booking with uid={uid} was not found in the database")
        return booking

    # -- rendering ---------------------------------------------------------------------------

    def _event_type_output(self, event_type: FakeEventType) -> dict[str, Any]:
        return {
            "id": event_type.id,
            "ownerId": self.host.id,
            "lengthInMinutes": event_type.length_minutes,
            "title": event_type.title,
            "slug": event_type.slug,
            "description": "",
            "locations": [{"type": "integration", "integration": event_type.integration}]
            if event_type.integration
            else [],
            "bookingFields": [],
            "disableGuests": False,
            "slotInterval": None,
            "minimumBookingNotice": event_type.minimum_notice_minutes,
            "beforeEventBuffer": 0,
            "afterEventBuffer": 0,
            "recurrence": None,
            "metadata": {},
            "price": 0,
            "currency": "usd",
            "requiresConfirmation": event_type.requires_confirmation,
            "seatsPerTimeSlot": None,
            "hidden": False,
            "users": [{"id": self.host.id, "name": self.host.name, "username": self.host.username}],
        }

    def _booking_output(self, booking: FakeBooking) -> dict[str, Any]:
        """BookingOutput_2024_08_13; the reasons and reschedule links are left out when empty, as Cal.com does."""
        location = booking.video_call_url or booking.location
        output: dict[str, Any] = {
            "id": booking.id,
            "uid": booking.uid,
            "title": self._title(booking),
            "description": booking.notes,  # the booking row's description holds the additional notes
            "hosts": [
                {
                    "id": self.host.id,
                    "name": self.host.name,
                    "email": self.host.email,
                    "displayEmail": self.host.email,
                    "username": self.host.username,
                    "timeZone": self.host.time_zone,
                }
            ],
            "status": booking.status,
            "start": _js_iso(booking.start),
            "end": _js_iso(booking.end),
            "duration": booking.minutes,
            "eventTypeId": booking.event_type.id,
            "eventType": {"id": booking.event_type.id, "slug": booking.event_type.slug},
            "meetingUrl": location,
            "location": location,
            "absentHost": False,
            "createdAt": _js_iso(booking.created_at),
            "updatedAt": _js_iso(booking.updated_at or booking.created_at),
            "metadata": dict(booking.metadata),
            "icsUid": booking.ical_uid,
            "attendees": [
                {
                    "name": booking.attendee_name,
                    "email": booking.attendee_email,
                    "displayEmail": booking.attendee_email,
                    "timeZone": booking.attendee_time_zone,
                    "language": "en",
                    "absent": False,
                }
            ],
            "guests": list(booking.guests),
            "bookingFieldsResponses": {
                "name": booking.attendee_name,
                "email": booking.attendee_email,
                "guests": list(booking.guests),
                **booking.booking_fields,
            },
        }
        optional = {
            "cancellationReason": booking.cancellation_reason,
            "cancelledByEmail": booking.cancelled_by,
            "reschedulingReason": booking.rescheduling_reason,
            "rescheduledByEmail": booking.rescheduled_by,
            "rescheduledFromUid": booking.rescheduled_from_uid,
            "rescheduledToUid": booking.rescheduled_to_uid,
        }
        output.update({key: value for key, value in optional.items() if value})
        return output

    def _title(self, booking: FakeBooking) -> str:
        return f"{booking.event_type.title} between {self.host.name} and {booking.attendee_name}"

    # -- webhooks ----------------------------------------------------------------------------

    def webhook_payload(self, trigger: str, booking_uid: str | None = None) -> dict[str, Any]:
        """The `payload` object Cal.com (webhook version 2021-10-20) sends for a stored booking.

        BOOKING_RESCHEDULED takes the new booking's uid (the old one's works too: its successor is
        used); `payload.uid` is the new uid and `rescheduleUid` the old. PING needs no booking.
        MEETING_* give the flat booking columns (see `webhook_body_for`).
        """
        with self._lock:
            if trigger == "PING":
                return self._ping_payload()
            if booking_uid is None:
                raise ValueError(f"{trigger} needs a booking uid")
            booking = self.bookings[booking_uid]
            if trigger == "BOOKING_RESCHEDULED" and booking.rescheduled_to_uid:
                booking = self.bookings[booking.rescheduled_to_uid]
            if trigger in MEETING_TRIGGERS:
                return self._meeting_columns(booking)
            return self._booking_payload(trigger, booking)

    def webhook_body_for(
        self,
        trigger: str,
        booking_uid: str | None = None,
        *,
        created_at: datetime | str | None = None,
        extra: Mapping[str, Any] | None = None,
        flat: bool | None = None,
    ) -> bytes:
        """The exact bytes Cal.com would POST. `extra` is merged into the payload (e.g. a changed status);
        `flat` (default: only for MEETING_*) gives the legacy shape with no `payload` wrapper."""
        payload = {**self.webhook_payload(trigger, booking_uid), **(extra or {})}
        if flat is None:
            flat = trigger in MEETING_TRIGGERS
        if flat and trigger in MEETING_TRIGGERS:
            return compact_json({"triggerEvent": trigger, **payload})
        return webhook_body(trigger, payload, created_at=created_at, flat=flat)

    def emit_webhook(
        self,
        url: str,
        trigger: str,
        booking_uid: str | None,
        secret: str | None,
        *,
        created_at: datetime | str | None = None,
        extra: Mapping[str, Any] | None = None,
        flat: bool | None = None,
        client: Poster | None = None,
    ) -> WebhookDelivery:
        """POST the webhook for a stored booking to `url`, signed with `secret`, as Cal.com does.

        `client` may be any httpx.Client, or a Starlette TestClient (`url` may then be a path). The
        payload reflects the booking's state now: emit right after the change it announces.
        """
        body = self.webhook_body_for(trigger, booking_uid, created_at=created_at, extra=extra, flat=flat)
        return post_webhook(url, body, secret=secret, client=client)

    def _organizer(self, at: datetime) -> dict[str, Any]:
        return {
            "id": self.host.id,
            "name": self.host.name,
            "email": self.host.email,
            "username": self.host.username,
            "timeZone": self.host.time_zone,
            "language": {"locale": "en"},
            "timeFormat": "h:mma",
            "utcOffset": _utc_offset_minutes(self.host.time_zone, at),
        }

    def _webhook_attendees(self, booking: FakeBooking) -> list[dict[str, Any]]:
        people = [(booking.attendee_name, booking.attendee_email, booking.attendee_time_zone)]
        people += [("", guest, booking.attendee_time_zone) for guest in booking.guests]
        attendees = []
        for name, email, zone in people:
            first, _, last = name.partition(" ")
            attendees.append(
                {
                    "email": email,
                    "name": name,
                    "firstName": first,
                    "lastName": last,
                    "timeZone": zone,
                    "language": {"locale": "en"},
                    "utcOffset": _utc_offset_minutes(zone, booking.start),
                }
            )
        return attendees

    def _booking_payload(self, trigger: str, booking: FakeBooking) -> dict[str, Any]:
        event_type = booking.event_type
        status = _WEBHOOK_STATUS.get(trigger, booking.status.upper())
        cancelled = trigger == "BOOKING_CANCELLED"
        responses = {
            key: {"label": "additional_notes" if key == "notes" else key, "value": value, "isHidden": False}
            for key, value in booking.booking_fields.items()
        }
        payload: dict[str, Any] = {
            "bookerUrl": "https://app.cal.com",
            "type": event_type.slug,
            "title": self._title(booking),
            "description": booking.notes,  # evt.description (the event type's, "" here) || evt.additionalNotes
            "additionalNotes": booking.notes,
            "customInputs": {},
            # Cancellations carry dayjs().format() times (+00:00); the other triggers Z.
            "startTime": _offset_iso(booking.start) if cancelled else _z_iso(booking.start),
            "endTime": _offset_iso(booking.end) if cancelled else _z_iso(booking.end),
            "organizer": self._organizer(booking.start),
            "attendees": self._webhook_attendees(booking),
            "responses": {
                "name": {"label": "your_name", "value": booking.attendee_name, "isHidden": False},
                "email": {"label": "email_address", "value": booking.attendee_email, "isHidden": False},
                "location": {
                    "label": "location",
                    "value": {"optionValue": "", "value": booking.location or ""},
                    "isHidden": False,
                },
                "guests": {"label": "additional_guests", "value": list(booking.guests), "isHidden": False},
                **responses,
            },
            "userFieldsResponses": {key: value for key, value in responses.items() if key != "notes"},
            "location": booking.location,
            "destinationCalendar": None,
            "hideCalendarNotes": False,
            "requiresConfirmation": event_type.requires_confirmation,
            "eventTypeId": event_type.id,
            "uid": booking.uid,
            "bookingId": booking.id,
            "iCalUID": booking.ical_uid,
            "iCalSequence": booking.ical_sequence,
            "eventTitle": event_type.title,
            "eventDescription": "",
            "price": 0,
            "currency": "usd",
            "length": booking.minutes,
            "status": status,
        }
        if not cancelled and booking.video_call_url:
            payload["metadata"] = {"videoCallUrl": booking.video_call_url}
            if booking.location == "integrations:daily":
                room = booking.uid[:12]
                payload["videoCallData"] = {
                    "type": "daily_video",
                    "id": room,
                    "password": "redacted_token",
                    "url": f"https://cal-fake.daily.co/{room}",
                }
        if cancelled:
            payload.update(
                cancellationReason=booking.cancellation_reason,
                cancelledBy=booking.cancelled_by or self.host.email,
                requestReschedule=False,
            )
        if trigger == "BOOKING_REJECTED":
            payload["rejectionReason"] = booking.rejection_reason
        if trigger == "BOOKING_RESCHEDULED" and booking.rescheduled_from_uid:
            old = self.bookings[booking.rescheduled_from_uid]
            payload.update(
                rescheduleId=old.id,
                rescheduleUid=old.uid,
                rescheduleStartTime=_z_iso(old.start),
                rescheduleEndTime=_z_iso(old.end),
                rescheduledBy=booking.rescheduled_by or self.host.email,
            )
        return payload

    def _meeting_columns(self, booking: FakeBooking) -> dict[str, Any]:
        """The booking row as the legacy scheduled MEETING_* triggers send it (no `payload` wrapper)."""
        return {
            "id": booking.id,
            "uid": booking.uid,
            "userId": self.host.id,
            "eventTypeId": booking.event_type.id,
            "title": self._title(booking),
            "description": booking.notes,
            "startTime": _js_iso(booking.start),
            "endTime": _js_iso(booking.end),
            "location": booking.location,
            "status": booking.status.upper(),
            "metadata": {"videoCallUrl": booking.video_call_url} if booking.video_call_url else {},
            "iCalUID": booking.ical_uid,
            "iCalSequence": booking.ical_sequence,
            "createdAt": _js_iso(booking.created_at),
            "updatedAt": _js_iso(booking.updated_at) if booking.updated_at else None,
            "rescheduled": bool(booking.rescheduled_to_uid),
            "fromReschedule": booking.rescheduled_from_uid,
            "user": {
                "id": self.host.id,
                "name": self.host.name,
                "email": self.host.email,
                "username": self.host.username,
                "timeZone": self.host.time_zone,
            },
            "attendees": [
                {"id": index + 1, "email": a["email"], "name": a["name"], "timeZone": a["timeZone"], "locale": "en"}
                for index, a in enumerate(self._webhook_attendees(booking))
            ],
        }

    def _ping_payload(self) -> dict[str, Any]:
        now = self.now().replace(microsecond=0)
        return {
            "type": "Test",
            "title": "Test trigger event",
            "startTime": _js_iso(now),
            "endTime": _js_iso(now + timedelta(minutes=15)),
            "organizer": {"name": "Cal", "email": "no-reply@cal.com", "timeZone": "Europe/London"},
            "attendees": [{"name": "Attendee", "email": "attendee@example.com", "timeZone": "Europe/London"}],
        }


# -- webhook emitter (plain functions, usable without a server) --------------------------------


class Poster(Protocol):
    """What `post_webhook` needs of a client: an httpx.Client, or Starlette's TestClient for an in-process app."""

    def post(self, url: str, *, content: bytes, headers: dict[str, str], follow_redirects: bool) -> Any: ...


@dataclass(frozen=True)
class WebhookDelivery:
    """One POST as sent and answered: resend `body` with `post_webhook` to test duplicates."""

    url: str
    body: bytes
    headers: dict[str, str]
    status_code: int
    response_text: str

    @property
    def ok(self) -> bool:
        return 200 <= self.status_code < 300

    def json(self) -> Any:
        return json.loads(self.body)


def compact_json(obj: Any) -> bytes:
    """JSON as JavaScript's JSON.stringify writes it: no spaces, non-ASCII as raw UTF-8."""
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def sign(secret: str, body: bytes) -> str:
    """X-Cal-Signature-256: lower-case hex HMAC-SHA256 of the raw body, keyed with the secret (no prefix)."""
    return hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def webhook_body(
    trigger: str,
    payload: Mapping[str, Any],
    created_at: datetime | str | None = None,
    *,
    flat: bool = False,
) -> bytes:
    """The body bytes Cal.com signs: `{"triggerEvent","createdAt","payload"}` compact JSON.

    `created_at` defaults to now (a datetime is written as `2024-01-01T00:00:00.000Z`; a string is used
    as is, for stale or odd values). `flat=True` gives `{"triggerEvent", **payload}` (MEETING_* legacy).
    """
    if flat:
        return compact_json({"triggerEvent": trigger, **payload})
    if created_at is None:
        created_at = datetime.now(UTC)
    stamp = _js_iso(created_at) if isinstance(created_at, datetime) else created_at
    return compact_json({"triggerEvent": trigger, "createdAt": stamp, "payload": dict(payload)})


def post_webhook(
    url: str,
    body: bytes,
    *,
    secret: str | None,
    signature: str | None = None,
    version: str = WEBHOOK_VERSION,
    content_type: str = "application/json",
    client: Poster | None = None,
    timeout: float = 5.0,
) -> WebhookDelivery:
    """POST these exact bytes as Cal.com's sender does (no redirects followed).

    The signature is `sign(secret, body)`, or "no-secret-provided" without a secret; `signature`
    overrides it (a wrong or malformed signature test).
    """
    headers = {
        "Content-Type": content_type,
        "X-Cal-Signature-256": signature if signature is not None else (sign(secret, body) if secret else NO_SECRET),
        "X-Cal-Webhook-Version": version,
    }
    if client is not None:
        response = client.post(url, content=body, headers=headers, follow_redirects=False)
    else:
        with httpx.Client(timeout=timeout, follow_redirects=False) as own:
            response = own.post(url, content=body, headers=headers)
    return WebhookDelivery(url, body, headers, response.status_code, response.text)


# -- helpers -----------------------------------------------------------------------------------

_INTEGRATIONS = {
    "cal-video": "integrations:daily",
    "google-meet": "integrations:google:meet",
    "zoom": "integrations:zoom",
    "office365-video": "integrations:office365_video",
    "whereby-video": "integrations:whereby_video",
    "jitsi": "integrations:jitsi",
    "webex-video": "integrations:webex_video",
}


def _video_url(internal: str, uid: str) -> str | None:
    """The join link Cal.com puts in metadata.videoCallUrl for an integration (None: no link)."""
    token = hashlib.sha256(uid.encode()).hexdigest()
    letters = "".join(chr(ord("a") + int(c, 16) % 26) for c in token[:10])
    if internal == "integrations:daily":
        return f"https://app.cal.com/video/{uid}"
    if internal == "integrations:google:meet":
        return f"https://meet.google.com/{letters[:3]}-{letters[3:7]}-{letters[7:10]}"
    if internal == "integrations:zoom":
        return f"https://us02web.zoom.us/j/{int(token[:9], 16) % 10**11:011d}?pwd={token[10:20]}"
    if internal == "integrations:office365_video":
        return f"https://teams.microsoft.com/l/meetup-join/19%3ameeting_{token[:24]}%40thread.v2/0"
    return None


def _tracker(key: str | None, request: Request | None = None) -> str:
    """Who a request counts against: the key's hash, else the caller's address (Cal.com's tracker)."""
    if key:
        return "api_key_" + hashlib.sha256(key.removeprefix("cal_live_").removeprefix("cal_").encode()).hexdigest()
    host = request.client.host if request is not None and request.client is not None else "unknown"
    return "ip_" + hashlib.sha256(host.encode()).hexdigest()


def _bearer(value: str | None) -> str | None:
    if not value:
        return None
    match = _BEARER.match(value)
    return match.group(1) if match else value.strip() or None


def _new_uid() -> str:
    return secrets.token_urlsafe(16).replace("-", "x").replace("_", "y")[:22]


def _exception_name(status: int) -> str:
    return {
        400: "BadRequestException",
        401: "UnauthorizedException",
        403: "ForbiddenException",
        404: "NotFoundException",
        409: "ConflictException",
        429: "ThrottlerException",
        500: "InternalServerErrorException",
    }.get(status, "HttpException")


def _success(data: Any) -> dict[str, Any]:
    return {"status": "success", "data": data}


def _error_response(
    status: int,
    message: str,
    path: str,
    headers: Mapping[str, str],
    *,
    code: str | None = None,
    details: Any = None,
) -> Response:
    """The HttpExceptionFilter envelope; `details` defaults to NestJS's getResponse() of a string exception."""
    if details is None:
        details = {"message": message, "error": HTTPStatus(status).phrase, "statusCode": status}
    body = {
        "status": "error",
        "timestamp": _js_iso(datetime.now(UTC)),
        "path": path,
        "error": {"code": code or _exception_name(status), "message": message, "details": details},
    }
    return JSONResponse(body, status_code=status, headers=dict(headers))


def _server_error(status: int, path: str, headers: Mapping[str, str]) -> Response:
    """A 500 in Cal.com's envelope; 502/503/504 as the HTML page a gateway sends."""
    if status == 500:
        return _error_response(500, "Internal server error", path, headers)
    phrase = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Error"
    page = f"<html><head><title>{status} {phrase}</title></head><body><h1>{status} {phrase}</h1></body></html>"
    return Response(page, status_code=status, media_type="text/html", headers=dict(headers))


def _dropped(headers: Mapping[str, str]) -> Response:
    async def broken() -> AsyncIterator[bytes]:
        yield b'{"status":"success","data":{"id":'
        raise _Dropped

    response = StreamingResponse(broken(), media_type="application/json", headers=dict(headers))
    response.dropped = True  # type: ignore[attr-defined]  # read by the request record
    return response


def _validation(prop: str, message: str) -> _ApiError:
    """The global ValidationPipe's 400: message "Bad Request Exception", constraints in details.errors."""
    details = {"errors": [{"property": prop, "constraints": {"isValid": message}}]}
    return _ApiError(400, "Bad Request Exception", details=details)


def _check_metadata(value: Any) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise _validation("metadata", "metadata must be an object")
    if len(value) > METADATA_MAX_KEYS:
        raise _validation("metadata", f"Metadata can have at most {METADATA_MAX_KEYS} keys")
    for key, item in value.items():
        if len(key) > METADATA_MAX_KEY_LENGTH:
            raise _validation(
                "metadata", f"Metadata key {key[:10]}… is longer than {METADATA_MAX_KEY_LENGTH} characters"
            )
        if not isinstance(item, str):
            raise _validation("metadata", f"Metadata value of {key} must be a string")
        if len(item) > METADATA_MAX_VALUE_LENGTH:
            raise _validation(
                "metadata", f"Metadata value of {key} is longer than {METADATA_MAX_VALUE_LENGTH} characters"
            )
    return dict(value)


def _check_booking_fields(value: Any) -> dict[str, str]:
    """bookingFieldsResponses: answers keyed by booking-field slug; name/email/guests come from attendee/guests."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise _validation("bookingFieldsResponses", "bookingFieldsResponses must be an object")
    fields = {key: item for key, item in value.items() if key not in _STANDARD_FIELDS}
    for key, item in fields.items():
        if not isinstance(item, str):
            raise _validation("bookingFieldsResponses", f"bookingFieldsResponses.{key} must be a string")
    return fields


def _positive_int(value: Any, name: str) -> int | None:
    if value is None or value == "":
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise _validation(name, f"{name} must be an integer number") from None
    if number < 1 or isinstance(value, bool):
        raise _validation(name, f"{name} must not be less than 1")
    return number


def _non_negative_int(value: Any, name: str) -> int:
    if value is None or value == "":
        return 0
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise _validation(name, f"{name} must be an integer number") from None
    if number < 0:
        raise _validation(name, f"{name} must not be less than 0")
    return number


def _parse_iso(value: str) -> datetime:
    parsed = datetime.fromisoformat(value)
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _parse_query_time(value: str | None, name: str, *, end_of_day: bool) -> datetime:
    """A slots/list bound: a date alone is 00:00:00 (start) or 23:59:59 (end) of that day, UTC."""
    if not value:
        raise _validation(name, f"{name} must be a valid ISO 8601 date string")
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            clock = (23, 59, 59) if end_of_day else (0, 0, 0)
            return datetime(day.year, day.month, day.day, *clock, tzinfo=UTC)
        return _parse_iso(value)
    except ValueError:
        raise _validation(name, f"{name} must be a valid ISO 8601 date string") from None


def _parse_body_time(value: Any) -> datetime:
    if not isinstance(value, str):
        raise _validation("start", "start must be a valid ISO 8601 date string")
    try:
        return _parse_iso(value)
    except ValueError:
        raise _validation("start", "start must be a valid ISO 8601 date string") from None


def _valid_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def _zone(name: str) -> ZoneInfo:
    if not _valid_zone(name):
        raise _validation("timeZone", f"timeZone {name} is not a valid IANA time zone")
    return ZoneInfo(name)


def _utc_offset_minutes(zone: str, at: datetime) -> int:
    offset = at.astimezone(ZoneInfo(zone)).utcoffset() if _valid_zone(zone) else None
    return int(offset.total_seconds() // 60) if offset is not None else 0


def _js_iso(value: datetime) -> str:
    """JavaScript's Date.toISOString(): UTC, milliseconds, Z."""
    return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _z_iso(value: datetime) -> str:
    """UTC without milliseconds, as Cal.com's webhook examples write startTime."""
    return value.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _offset_iso(value: datetime) -> str:
    """dayjs().format(): seconds and a +00:00 offset."""
    return value.astimezone(UTC).isoformat(timespec="seconds")


def _luxon(value: datetime, zone_name: str) -> str:
    """luxon's toISO(): milliseconds, `Z` in UTC, otherwise `±HH:MM`."""
    text = value.isoformat(timespec="milliseconds")
    if zone_name in _UTC_NAMES:
        return text.replace("+00:00", "Z")
    return text


__all__ = [
    "BOOKINGS_VERSION",
    "DEFAULT_API_KEY",
    "DEFAULT_EVENT_TYPES",
    "EVENT_TYPES_VERSION",
    "MEETING_TRIGGERS",
    "NO_SECRET",
    "SLOTS_VERSION",
    "WEBHOOK_VERSION",
    "Availability",
    "CalcomServer",
    "FakeBooking",
    "FakeEventType",
    "FakeHost",
    "RecordedRequest",
    "WebhookDelivery",
    "compact_json",
    "post_webhook",
    "sign",
    "webhook_body",
]
