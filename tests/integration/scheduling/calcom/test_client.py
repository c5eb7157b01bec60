"""CalcomClient over real HTTP against the loopback fake Cal.com (tests/calcom_fake).

Waits are kept short: the client backs off 10 ms, the fake's rate limits use sub-second windows
with fractional Reset values, and the timeout tests use a 0.4 s timeout.
"""

from __future__ import annotations

import json
import logging
import socket
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.testclient import TestClient

from core.errors import WorkspaceError
from core.scheduling.calcom.client import (
    BOOKINGS_VERSION,
    EVENT_TYPES_VERSION,
    SLOTS_VERSION,
    CalBooking,
    CalcomAuthError,
    CalcomClient,
    CalcomError,
    CalcomNotFound,
    CalcomRateLimited,
    CalcomRequestError,
    CalcomSlotUnavailable,
    CalcomUnavailable,
    CalEventType,
    CalSlot,
)
from core.scheduling.calcom.rate_limit import SlidingWindowLimiter
from tests.calcom_fake import (
    NO_SECRET,
    CalcomServer,
    WebhookDelivery,
    compact_json,
    post_webhook,
    sign,
    webhook_body,
)

KEY = "cal_test_SECRET_k3y_0123456789abcdef"
WRONG_KEY = "cal_test_WRONG_k3y_fedcba9876543210"
MONDAY = datetime(2050, 9, 5, tzinfo=UTC)  # a Monday far enough ahead never to be "in the past"
TEN = MONDAY.replace(hour=10)
SHORT_TIMEOUT = 0.4  # seconds: long enough for a loaded machine, short enough to keep the tests quick
SLOW = 2 * SHORT_TIMEOUT  # a delayed answer that always times out
JANE = {"attendee_name": "Jane Doe", "attendee_email": "jane@example.com", "attendee_time_zone": "Europe/Rome"}

Connect = Callable[..., CalcomClient]


@pytest.fixture(autouse=True)
def keys_never_logged(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    caplog.set_level(logging.DEBUG)
    yield
    for key in (KEY, WRONG_KEY):
        assert key not in caplog.text


@pytest.fixture(scope="module")
def shared_server() -> Iterator[CalcomServer]:
    with CalcomServer(KEY) as fake:
        yield fake


@pytest.fixture
def server(shared_server: CalcomServer) -> CalcomServer:
    shared_server.reset()
    return shared_server


@pytest.fixture
def connect(server: CalcomServer) -> Iterator[Connect]:
    made: list[CalcomClient] = []

    def connect(api_key: str = KEY, **options: Any) -> CalcomClient:
        options = {"base_url": server.base_url, "timeout": 2.0, "backoff_seconds": 0.01, **options}
        client = CalcomClient(api_key, **options)
        made.append(client)
        return client

    yield connect
    for client in made:
        client.close()


@pytest.fixture
def client(connect: Connect) -> CalcomClient:
    return connect()


def book(client: CalcomClient, start: datetime = TEN, event_type_id: int = 101, **extra: Any) -> CalBooking:
    return client.create_booking(event_type_id=event_type_id, start=start, **{**JANE, **extra})


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/v2"


# -- every method, with the right version header -----------------------------------------------


def test_event_types_come_with_length_and_the_event_types_version(server: CalcomServer, client: CalcomClient) -> None:
    types = client.event_types()
    assert types[0] == CalEventType(101, "system-design-interview", "System design interview", 60)
    assert [t.length_minutes for t in types] == [60, 30, 60]
    request = server.requests[-1]
    assert (request.method, request.path, request.version) == ("GET", "/v2/event-types", EVENT_TYPES_VERSION)
    assert request.headers["authorization"] == "<redacted>"


def test_slots_are_asked_as_utc_ranges_and_come_back_aware_in_the_zone(
    server: CalcomServer, client: CalcomClient
) -> None:
    book(client, start=MONDAY.replace(hour=9))
    rome = ZoneInfo("Europe/Rome")
    friday_noon_rome = datetime(2050, 9, 9, 12, tzinfo=rome)
    next_monday_noon = MONDAY.replace(hour=12) + timedelta(days=7)
    slots = client.slots(event_type_id=101, start=friday_noon_rome, end=next_monday_noon, time_zone="Europe/Rome")

    request = server.requests[-1]
    assert request.version == SLOTS_VERSION
    assert request.query == {
        "eventTypeId": "101",
        "start": "2050-09-09T10:00:00.000Z",
        "end": "2050-09-12T12:00:00.000Z",
        "timeZone": "Europe/Rome",
        "format": "range",
    }
    starts = [slot.start.astimezone(UTC) for slot in slots]
    friday = [datetime(2050, 9, 9, hour, tzinfo=UTC) for hour in range(10, 17)]
    monday = [datetime(2050, 9, 12, hour, tzinfo=UTC) for hour in range(9, 13)]
    assert starts == friday + monday  # the weekend has no slots; sorted across dates
    assert all(slot.start.tzinfo == rome and slot.end - slot.start == timedelta(hours=1) for slot in slots)
    assert slots[0] == CalSlot(datetime(2050, 9, 9, 12, tzinfo=rome), datetime(2050, 9, 9, 13, tzinfo=rome))

    taken = client.slots(event_type_id=101, start=MONDAY, end=MONDAY.replace(hour=23))
    assert MONDAY.replace(hour=9) not in [slot.start for slot in taken]  # booked above
    assert len(taken) == 7


def test_slots_honour_a_duration(client: CalcomClient) -> None:
    slots = client.slots(event_type_id=102, start=TEN, end=TEN.replace(hour=12), duration_minutes=45)
    assert [(s.start.hour, s.start.minute, s.end.hour, s.end.minute) for s in slots][:2] == [
        (10, 30, 11, 15),  # 45-minute steps from 09:00; the first at or after 10:00
        (11, 15, 12, 0),
    ]


def test_create_booking_sends_the_booking_and_parses_the_answer(server: CalcomServer, client: CalcomClient) -> None:
    booking = book(
        client,
        guests=["sam@example.com"],
        metadata={"candidateId": "c_42", "sessionId": "s_7"},
    )
    request = server.requests[-1]
    assert request.version == BOOKINGS_VERSION
    assert request.body == {
        "start": "2050-09-05T10:00:00.000Z",
        "eventTypeId": 101,
        "attendee": {"name": "Jane Doe", "email": "jane@example.com", "timeZone": "Europe/Rome"},
        "guests": ["sam@example.com"],
        "metadata": {"candidateId": "c_42", "sessionId": "s_7"},
    }
    assert server.statuses() == [201]
    assert booking.status == "accepted"
    assert (booking.start, booking.end) == (TEN, TEN + timedelta(hours=1))
    assert booking.event_type_id == 101
    assert booking.attendees == (("Jane Doe", "jane@example.com"),)
    assert booking.guests == ("sam@example.com",)
    assert booking.metadata == {"candidateId": "c_42", "sessionId": "s_7"}
    assert booking.meeting_url == f"https://app.cal.com/video/{booking.uid}"
    assert booking.ical_uid == server.booking(booking.uid).ical_uid
    assert booking.id is not None and booking.rescheduled_from_uid is None and booking.cancellation_reason is None


def test_notes_go_in_the_booking_fields_and_come_back(server: CalcomServer, client: CalcomClient) -> None:
    notes = "Recording notice. If you agree when the interview starts, it records:\n- Your voice"
    booking = book(client, notes=notes)
    assert server.requests[-1].body["bookingFieldsResponses"] == {"notes": notes}
    stored = server.booking(booking.uid)
    assert stored.notes == notes
    assert booking.notes == notes and client.get_booking(booking.uid).notes == notes
    with httpx.Client(base_url=server.base_url, headers={"cal-api-version": BOOKINGS_VERSION}) as raw:
        output = raw.get(f"/bookings/{booking.uid}").json()["data"]  # the wire shape
    assert output["bookingFieldsResponses"] == {
        "name": "Jane Doe",
        "email": "jane@example.com",
        "guests": [],
        "notes": notes,
    }
    assert output["description"] == notes

    payload = server.webhook_payload("BOOKING_CREATED", booking.uid)  # what Cal.com's emails and webhooks carry
    assert (payload["additionalNotes"], payload["description"]) == (notes, notes)
    assert payload["responses"]["notes"] == {"label": "additional_notes", "value": notes, "isHidden": False}
    assert payload["userFieldsResponses"] == {}
    assert server.webhook_payload("MEETING_STARTED", booking.uid)["description"] == notes

    moved = client.reschedule_booking(booking.uid, start=TEN.replace(hour=12))
    assert "bookingFieldsResponses" not in server.requests[-1].body  # a reschedule keeps the responses
    assert moved.notes == notes and server.booking(moved.uid).notes == notes


def test_without_notes_nothing_is_sent_and_the_notes_stay_empty(server: CalcomServer, client: CalcomClient) -> None:
    booking = book(client, notes="")
    assert "bookingFieldsResponses" not in server.requests[-1].body
    assert booking.notes is None and server.booking(booking.uid).notes == ""
    payload = server.webhook_payload("BOOKING_CREATED", booking.uid)
    assert (payload["additionalNotes"], payload["description"]) == ("", "")
    assert "notes" not in payload["responses"]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ("Please be on time", "bookingFieldsResponses must be an object"),
        ({"notes": ["a", "b"]}, "bookingFieldsResponses.notes must be a string"),
    ],
)
def test_the_fake_refuses_booking_fields_of_the_wrong_shape(server: CalcomServer, fields: Any, message: str) -> None:
    body = {
        "start": "2050-09-05T10:00:00.000Z",
        "eventTypeId": 101,
        "attendee": {"name": "Jane Doe", "email": "jane@example.com", "timeZone": "Europe/Rome"},
        "bookingFieldsResponses": fields,
    }
    with httpx.Client(base_url=server.base_url, headers={"cal-api-version": BOOKINGS_VERSION}) as raw:
        answer = raw.post("/bookings", json=body)
    assert answer.status_code == 400
    error = answer.json()["error"]
    assert error["message"] == "Bad Request Exception"
    assert error["details"]["errors"] == [{"property": "bookingFieldsResponses", "constraints": {"isValid": message}}]
    assert server.live_bookings() == []


def test_a_location_that_is_not_a_link_gives_no_meeting_url(client: CalcomClient) -> None:
    booking = book(client, location={"type": "address", "address": "1 Main St"})
    assert booking.meeting_url is None
    linked = book(client, start=TEN.replace(hour=11), location="https://meet.google.com/abc-defg-hij")
    assert linked.meeting_url == "https://meet.google.com/abc-defg-hij"


def test_an_event_type_that_needs_confirmation_books_as_pending(client: CalcomClient) -> None:
    assert book(client, event_type_id=103).status == "pending"


def test_get_booking_returns_its_current_state(server: CalcomServer, client: CalcomClient) -> None:
    made = book(client)
    assert client.get_booking(made.uid) == made
    assert server.requests[-1].path == f"/v2/bookings/{made.uid}"
    assert server.requests[-1].version == BOOKINGS_VERSION


def test_cancel_sends_the_reason_and_bumps_the_sequence(server: CalcomServer, client: CalcomClient) -> None:
    made = book(client)
    cancelled = client.cancel_booking(made.uid, reason="Candidate withdrew")
    assert server.requests[-1].body == {"cancellationReason": "Candidate withdrew"}
    assert server.statuses()[-1] == 200
    assert cancelled.status == "cancelled"
    assert cancelled.cancellation_reason == "Candidate withdrew"
    assert server.booking(made.uid).ical_sequence == 1


def test_cancelling_twice_is_a_clear_error(server: CalcomServer, client: CalcomClient) -> None:
    made = book(client)
    client.cancel_booking(made.uid, reason="Candidate withdrew")
    with pytest.raises(CalcomRequestError) as caught:
        client.cancel_booking(made.uid, reason="Again")
    assert caught.value.status == 400
    assert str(caught.value) == (
        f"Cal.com refused to cancel booking {made.uid} (HTTP 400): This booking has already been cancelled."
    )
    assert server.count("POST", f"/v2/bookings/{made.uid}/cancel") == 2  # a 400 is not retried


def test_cancel_without_a_reason_is_refused_before_sending(server: CalcomServer, client: CalcomClient) -> None:
    with pytest.raises(ValueError, match="reason"):
        client.cancel_booking("abc", reason="  ")
    assert server.requests == []


def test_reschedule_chain_keeps_the_ical_uid_and_cancels_the_old_uid(
    server: CalcomServer, client: CalcomClient
) -> None:
    first = book(client)
    second = client.reschedule_booking(
        first.uid, start=TEN.replace(hour=14), reason="Interviewer ill", rescheduled_by="riley@example.com"
    )
    assert server.requests[-1].body == {
        "start": "2050-09-05T14:00:00.000Z",
        "reschedulingReason": "Interviewer ill",
        "rescheduledBy": "riley@example.com",
    }
    assert server.statuses()[-1] == 201
    assert second.uid != first.uid
    assert second.status == "accepted"
    assert second.start == TEN.replace(hour=14)
    assert second.rescheduled_from_uid == first.uid
    assert second.ical_uid == first.ical_uid
    assert second.metadata == first.metadata and second.attendees == first.attendees

    old = client.get_booking(first.uid)
    assert old.status == "cancelled"
    assert old.rescheduled_to_uid == second.uid

    third = client.reschedule_booking(second.uid, start=TEN.replace(hour=15))
    assert third.ical_uid == first.ical_uid
    assert [server.booking(uid).ical_sequence for uid in (first.uid, second.uid, third.uid)] == [0, 1, 2]
    assert [b.uid for b in server.live_bookings()] == [third.uid]


def test_list_bookings_follows_the_pages(server: CalcomServer, client: CalcomClient) -> None:
    server.max_take = 2
    for hour in range(9, 14):
        server.seed_booking(event_type_id=101, start=MONDAY.replace(hour=hour), attendee_email="jane@example.com")
    server.seed_booking(event_type_id=101, start=MONDAY.replace(hour=15), attendee_email="other@example.com")

    listed = client.list_bookings(attendee_email="jane@example.com")
    assert [b.start.hour for b in listed] == [9, 10, 11, 12, 13]
    lists = [r for r in server.requests if r.path == "/v2/bookings"]
    assert [r.query["skip"] for r in lists] == ["0", "2", "4"]
    assert all(r.version == BOOKINGS_VERSION and r.query["attendeeEmail"] == "jane@example.com" for r in lists)


def test_list_bookings_filters(server: CalcomServer, client: CalcomClient) -> None:
    for hour in (9, 10, 11):
        server.seed_booking(event_type_id=101, start=MONDAY.replace(hour=hour))
    server.seed_booking(event_type_id=102, start=MONDAY.replace(hour=12))
    server.seed_booking(event_type_id=101, start=MONDAY.replace(hour=13), status="cancelled")

    assert len(client.list_bookings(event_type_id=101)) == 4
    assert len(client.list_bookings(event_type_id=101, status="accepted")) == 3
    assert len(client.list_bookings(status=["accepted", "cancelled"])) == 5
    window = client.list_bookings(after_start=MONDAY.replace(hour=10), before_end=MONDAY.replace(hour=12))
    assert [b.start.hour for b in window] == [10, 11]
    assert server.requests[-1].query["afterStart"] == "2050-09-05T10:00:00.000Z"


def test_times_must_be_timezone_aware(server: CalcomServer, client: CalcomClient) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        client.slots(event_type_id=101, start=datetime(2050, 9, 5), end=datetime(2050, 9, 6))
    with pytest.raises(ValueError, match="timezone-aware"):
        client.create_booking(event_type_id=101, start=datetime(2050, 9, 5, 10), **JANE)
    assert server.requests == []


# -- the fake checks what a forgetful client would get wrong ------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "version"),
    [
        ("GET", "/event-types", EVENT_TYPES_VERSION),
        ("GET", "/slots?eventTypeId=101&start=2050-09-05&end=2050-09-05", SLOTS_VERSION),
        ("GET", "/bookings", BOOKINGS_VERSION),
    ],
)
def test_the_fake_needs_the_right_version_header(server: CalcomServer, method: str, path: str, version: str) -> None:
    with httpx.Client(base_url=server.base_url, headers={"Authorization": f"Bearer {KEY}"}) as raw:
        assert raw.request(method, path, headers={"cal-api-version": version}).status_code == 200
        missing = raw.request(method, path)
        wrong = raw.request(method, path, headers={"cal-api-version": "2024-04-15"})
    for answer in (missing, wrong):
        assert answer.status_code == 404
        assert answer.json()["status"] == "error"
        assert answer.json()["error"]["code"] == "NotFoundException"


def test_the_fake_refuses_unknown_slot_parameters(server: CalcomServer) -> None:
    with httpx.Client(base_url=server.base_url, headers={"cal-api-version": SLOTS_VERSION}) as raw:
        answer = raw.get(
            "/slots", params={"eventTypeId": 101, "start": "2050-09-05", "end": "2050-09-05", "slotFormat": "range"}
        )
    assert answer.status_code == 400
    assert "slotFormat should not exist" in answer.json()["error"]["message"]


# -- errors -------------------------------------------------------------------------------------


def test_a_wrong_key_is_refused_without_retrying_and_without_naming_the_key(
    server: CalcomServer, connect: Connect
) -> None:
    client = connect(WRONG_KEY)
    with pytest.raises(CalcomAuthError) as caught:
        client.event_types()
    message = str(caught.value)
    assert message.startswith("Cal.com refused the API key (HTTP 401: CustomThrottlerGuard - Invalid API Key)")
    assert WRONG_KEY not in message and KEY not in message and WRONG_KEY not in repr(client)
    assert isinstance(caught.value, WorkspaceError)
    assert server.statuses() == [401]


def test_no_key_at_all_is_an_error_that_says_what_to_do() -> None:
    with pytest.raises(CalcomAuthError, match=r"No Cal\.com API key is set"):
        CalcomClient("  ")


def test_an_unknown_booking_is_not_found(server: CalcomServer, client: CalcomClient) -> None:
    with pytest.raises(CalcomNotFound) as caught:
        client.get_booking("doesnotexist")
    assert str(caught.value) == (
        "Cal.com could not find booking doesnotexist: Booking with uid=doesnotexist was not found in the database. "
        "It may have been deleted, or the id may be wrong."
    )
    assert caught.value.code == "NotFoundException"
    assert server.statuses() == [404]


def test_an_unknown_event_type_is_not_found(client: CalcomClient) -> None:
    with pytest.raises(CalcomNotFound, match="Event type with id 999 not found"):
        book(client, event_type_id=999)


def test_a_taken_slot_is_unavailable(server: CalcomServer, client: CalcomClient) -> None:
    book(client)
    with pytest.raises(CalcomSlotUnavailable) as caught:
        book(client, attendee_email="someone@example.com")
    assert str(caught.value) == (
        "That time can't be booked on Cal.com: User either already has booking at this time or is not available. "
        "Pick another free time."
    )
    assert server.statuses() == [201, 400, 200]  # not retried; the look-up found no booking of this attendee
    assert server.requests[-1].query["attendeeEmail"] == "someone@example.com"


def test_a_time_in_the_past_is_unavailable(client: CalcomClient) -> None:
    last_monday = datetime.now(UTC).replace(hour=10, minute=0, second=0, microsecond=0) - timedelta(days=7)
    with pytest.raises(CalcomSlotUnavailable, match="Attempting to book a meeting in the past"):
        book(client, start=last_monday)


def test_metadata_over_cal_com_limits_is_refused_with_the_reason(client: CalcomClient) -> None:
    with pytest.raises(CalcomRequestError) as caught:
        book(client, metadata={"note": "x" * 501})
    assert "Metadata value of note is longer than 500 characters" in str(caught.value)
    assert caught.value.status == 400


# -- retries ------------------------------------------------------------------------------------


def test_5xx_is_retried_until_it_succeeds(server: CalcomServer, client: CalcomClient) -> None:
    server.fail_next(503, times=2)
    assert len(client.event_types()) == 3
    assert server.statuses() == [503, 503, 200]


def test_after_max_attempts_of_5xx_cal_com_is_unavailable(server: CalcomServer, connect: Connect) -> None:
    client = connect(max_attempts=3)
    server.fail_next(500, times=3)
    with pytest.raises(CalcomUnavailable) as caught:
        client.event_types()
    assert str(caught.value) == (
        "Cal.com had a problem on its side (HTTP 500, 3 attempts) when asked to list your event types: "
        "Internal server error. Try again in a few minutes."
    )
    assert server.statuses() == [500, 500, 500]


def test_a_dropped_connection_is_retried(server: CalcomServer, client: CalcomClient) -> None:
    server.drop_next()
    assert len(client.event_types()) == 3
    assert server.statuses() == [0, 200]


def test_an_unreachable_server_is_unavailable_after_the_attempts(connect: Connect) -> None:
    client = connect(base_url=closed_port_url(), max_attempts=2)
    with pytest.raises(CalcomUnavailable, match=r"Could not reach Cal.com at 127.0.0.1 to list your event types"):
        client.event_types()


def test_a_timeout_is_retried_and_a_slow_read_gives_up(server: CalcomServer, connect: Connect) -> None:
    client = connect(timeout=SHORT_TIMEOUT, max_attempts=2)
    server.delay_next(SLOW)
    assert len(client.event_types()) == 3

    server.delay_next(SLOW).delay_next(SLOW)
    with pytest.raises(CalcomUnavailable, match=r"did not answer in time \(0.4 s, 2 attempts\)"):
        client.event_types()


# -- never two bookings -------------------------------------------------------------------------


def test_a_create_that_timed_out_is_found_instead_of_booked_twice(server: CalcomServer, connect: Connect) -> None:
    client = connect(timeout=SHORT_TIMEOUT)
    server.delay_next(SLOW)  # the fake books at once and answers too late
    booking = book(client)
    assert [b.uid for b in server.live_bookings()] == [booking.uid]
    assert server.count("POST", "/v2/bookings") == 1  # found by the look-up, not sent again
    lookup = server.requests[-1]
    assert lookup.query["attendeeEmail"] == "jane@example.com" and lookup.query["eventTypeId"] == "101"


def test_a_retry_refused_as_already_booked_is_reconciled(server: CalcomServer, client: CalcomClient) -> None:
    server.fail_next(502, after_processing=True)  # booked, but the answer is lost
    server.hide_next_list()  # and the first look-up misses it (a lagging replica)
    booking = book(client)
    assert [b.uid for b in server.live_bookings()] == [booking.uid]
    assert [r.status for r in server.requests if r.method == "POST"] == [502, 400]


def test_a_retry_refused_with_409_conflict_is_reconciled(server: CalcomServer, client: CalcomClient) -> None:
    server.duplicate_conflict = True
    server.drop_next(after_processing=True)
    server.hide_next_list()
    booking = book(client)
    assert [b.uid for b in server.live_bookings()] == [booking.uid]
    assert [r.status for r in server.requests if r.method == "POST"] == [0, 409]


def test_a_create_that_never_arrived_is_booked_on_retry(server: CalcomServer, client: CalcomClient) -> None:
    server.fail_next(503)  # refused before booking
    booking = book(client)
    assert [b.uid for b in server.live_bookings()] == [booking.uid]
    assert server.statuses() == [503, 200, 201]  # the look-up found nothing, so the create went again


def test_booking_the_same_attendee_at_the_same_time_again_returns_the_booking(
    server: CalcomServer, client: CalcomClient
) -> None:
    first = book(client)
    again = book(client)
    assert again == first
    assert [b.uid for b in server.live_bookings()] == [first.uid]
    assert [r.status for r in server.requests if r.method == "POST"] == [201, 400]


def test_a_conflict_with_someone_else_stays_an_error(server: CalcomServer, client: CalcomClient) -> None:
    server.duplicate_conflict = True
    book(client, attendee_email="first@example.com")
    with pytest.raises(CalcomSlotUnavailable, match="just booked by someone else"):
        book(client)


def test_a_cancel_whose_answer_was_lost_is_not_an_error(server: CalcomServer, client: CalcomClient) -> None:
    made = book(client)
    server.drop_next(after_processing=True)
    cancelled = client.cancel_booking(made.uid, reason="Candidate withdrew")
    assert cancelled.status == "cancelled"
    assert server.count("POST", f"/v2/bookings/{made.uid}/cancel") == 1


def test_a_reschedule_whose_answer_was_lost_makes_one_new_booking(server: CalcomServer, client: CalcomClient) -> None:
    made = book(client)
    server.fail_next(504, after_processing=True)
    moved = client.reschedule_booking(made.uid, start=TEN.replace(hour=13))
    assert moved.rescheduled_from_uid == made.uid
    assert moved.start == TEN.replace(hour=13)
    assert [b.uid for b in server.live_bookings()] == [moved.uid]
    assert server.count("POST", f"/v2/bookings/{made.uid}/reschedule") == 1


# -- rate limits --------------------------------------------------------------------------------


def test_429_waits_the_reset_seconds_then_succeeds(server: CalcomServer, client: CalcomClient) -> None:
    server.whole_seconds = False
    server.block_key(0.4)
    started = time.monotonic()
    assert len(client.event_types()) == 3
    assert time.monotonic() - started >= 0.35  # the 10 ms backoff alone would not wait this long
    assert server.statuses() == [429, 200]


def test_429_honours_retry_after(server: CalcomServer, client: CalcomClient) -> None:
    server.whole_seconds = False
    server.retry_after = True
    server.block_key(0.3)
    started = time.monotonic()
    assert len(client.event_types()) == 3
    assert time.monotonic() - started >= 0.25
    assert server.statuses() == [429, 200]


def test_429_on_every_attempt_is_rate_limited_with_the_wait(server: CalcomServer, connect: Connect) -> None:
    client = connect(max_attempts=1)
    server.block_key(30)
    with pytest.raises(CalcomRateLimited) as caught:
        client.event_types()
    assert caught.value.retry_after == 30
    assert str(caught.value) == (
        "Cal.com is limiting how often this workspace may call it (HTTP 429 on 1 attempt). Try again in 30 seconds."
    )
    assert server.statuses() == [429]


def test_a_spent_budget_pauses_the_client_instead_of_getting_blocked(
    server: CalcomServer, client: CalcomClient
) -> None:
    server.limit, server.window, server.block, server.whole_seconds = 2, 0.4, 1, False
    started = time.monotonic()
    for _ in range(3):
        client.event_types()
    assert server.statuses() == [200, 200, 200]  # a third request in the window would block the key 30 s
    assert time.monotonic() - started >= 0.3


class FakeClock:
    """The limiter's clock: it moves only when the limiter sleeps, so the test never waits."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_the_client_limiter_keeps_n_plus_one_requests_under_n_per_window(
    server: CalcomServer, connect: Connect
) -> None:
    clock = FakeClock()
    client = connect(limiter=SlidingWindowLimiter(3, 60.0, clock=clock, sleep=clock.sleep))
    sent_at = []
    for _ in range(4):
        client.event_types()
        sent_at.append(clock.now)
    assert server.statuses() == [200] * 4
    assert sent_at == [0.0, 0.0, 0.0, 60.0]  # the fourth waited a full minute (of fake time)


def test_the_default_limiter_follows_requests_per_minute(connect: Connect) -> None:
    limiter = connect(requests_per_minute=7).limiter
    assert (limiter.limit, limiter.window) == (7, 60.0)


# -- logs ---------------------------------------------------------------------------------------


def test_logs_say_method_path_status_attempt_and_never_the_key(
    server: CalcomServer, connect: Connect, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    client = connect(timeout=SHORT_TIMEOUT)
    book(client)
    server.fail_next(503)
    client.event_types()
    server.delay_next(SLOW)
    client.event_types()
    with pytest.raises(CalcomAuthError) as auth_error:
        connect(WRONG_KEY).event_types()
    with pytest.raises(CalcomNotFound) as not_found:
        client.get_booking("missing")

    ours = [r.getMessage() for r in caplog.records if r.name == "core.scheduling.calcom.client"]
    assert "Cal.com POST /v2/bookings -> 201" in ours[0] and "(attempt 1 of 3)" in ours[0]
    assert any("GET /v2/event-types -> 503" in line and "attempt 1 of 3" in line for line in ours)
    assert any("GET /v2/event-types timed out" in line for line in ours)
    assert any("-> 401" in line for line in ours)
    for text in [caplog.text, *(str(e.value) for e in (auth_error, not_found)), repr(client)]:
        assert KEY not in text and WRONG_KEY not in text
    for record in caplog.records:
        assert KEY not in record.getMessage() and WRONG_KEY not in record.getMessage()


def test_every_error_is_a_calcom_error_with_a_sentence(server: CalcomServer, client: CalcomClient) -> None:
    server.fail_next(500, times=3)
    with pytest.raises(CalcomError) as caught:
        client.event_types()
    assert str(caught.value)[0].isupper() and str(caught.value).endswith(".")


# -- the fake's webhook emitter -------------------------------------------------------------------


def test_sign_matches_the_reference_vector() -> None:
    body = (
        b'{"triggerEvent":"BOOKING_CREATED","createdAt":"2024-01-01T00:00:00.000Z",'
        b'"payload":{"uid":"abc","bookingId":1}}'
    )
    assert webhook_body("BOOKING_CREATED", {"uid": "abc", "bookingId": 1}, "2024-01-01T00:00:00.000Z") == body
    assert sign("my-secret", body) == "7014aa4ef41e39ec31a55aaf375b70c9b06d14fb9b566c86aba714b906972018"
    assert compact_json({"name": "Zoë"}) == '{"name":"Zoë"}'.encode()


class Receiver:
    """A webhook endpoint that keeps what it got, served through Starlette's TestClient."""

    def __init__(self) -> None:
        self.got: list[tuple[bytes, dict[str, str]]] = []

    async def receive(self, request: Request) -> Response:
        self.got.append((await request.body(), dict(request.headers)))
        return JSONResponse({"ok": True})


def test_emit_webhook_posts_a_signed_cal_com_delivery(server: CalcomServer, client: CalcomClient) -> None:
    receiver = Receiver()
    with TestClient(Starlette(routes=[Route("/webhooks/calcom", receiver.receive, methods=["POST"])])) as http:

        def emit(trigger: str, uid: str, secret: str | None = "whsec") -> WebhookDelivery:
            return server.emit_webhook("/webhooks/calcom", trigger, uid, secret, client=http)

        first = book(client)
        created = emit("BOOKING_CREATED", first.uid)
        moved = client.reschedule_booking(first.uid, start=TEN.replace(hour=12))
        rescheduled = emit("BOOKING_RESCHEDULED", moved.uid)
        started = emit("MEETING_STARTED", moved.uid, secret=None)
        cancelled = client.cancel_booking(moved.uid, reason="No longer needed")
        cancel = emit("BOOKING_CANCELLED", cancelled.uid)
        duplicate = post_webhook("/webhooks/calcom", created.body, secret="whsec", client=http)

    assert all(d.ok for d in (created, rescheduled, cancel, started, duplicate))
    body, headers = receiver.got[0]
    assert body == created.body and receiver.got[-1][0] == created.body
    assert headers["x-cal-signature-256"] == sign("whsec", body)
    assert headers["x-cal-webhook-version"] == "2021-10-20"
    assert headers["content-type"] == "application/json"
    payload = created.json()["payload"]
    assert created.json()["triggerEvent"] == "BOOKING_CREATED"
    assert (payload["uid"], payload["status"], payload["iCalSequence"]) == (first.uid, "ACCEPTED", 0)
    assert payload["iCalUID"] == first.ical_uid and payload["bookingId"] == first.id
    assert payload["metadata"]["videoCallUrl"] == first.meeting_url
    assert payload["attendees"][0]["email"] == "jane@example.com"
    assert payload["organizer"]["email"] == "riley@example.com"

    moved_payload = rescheduled.json()["payload"]
    assert (moved_payload["uid"], moved_payload["rescheduleUid"]) == (moved.uid, first.uid)
    assert moved_payload["iCalSequence"] == 1 and moved_payload["iCalUID"] == first.ical_uid
    assert moved_payload["rescheduleStartTime"] == "2050-09-05T10:00:00Z"

    cancel_payload = cancel.json()["payload"]
    assert cancel_payload["status"] == "CANCELLED"
    assert cancel_payload["cancellationReason"] == "No longer needed"
    assert cancel_payload["startTime"] == "2050-09-05T12:00:00+00:00"
    assert "videoCallData" not in cancel_payload and "metadata" not in cancel_payload

    flat = started.json()
    assert "payload" not in flat and flat["triggerEvent"] == "MEETING_STARTED" and flat["uid"] == moved.uid
    assert started.headers["X-Cal-Signature-256"] == NO_SECRET


def test_webhook_payloads_follow_the_booking_through_confirmation(server: CalcomServer) -> None:
    pending = server.seed_booking(event_type_id=103, start=TEN)
    requested = server.webhook_payload("BOOKING_REQUESTED", pending.uid)
    assert (requested["status"], requested["requiresConfirmation"]) == ("PENDING", True)
    server.confirm(pending.uid)
    confirmed = server.webhook_payload("BOOKING_CREATED", pending.uid)
    assert (confirmed["uid"], confirmed["status"]) == (pending.uid, "ACCEPTED")

    other = server.seed_booking(event_type_id=103, start=TEN.replace(hour=11), attendee_email="bo@example.com")
    server.reject(other.uid, "Panel is full")
    rejected = server.webhook_payload("BOOKING_REJECTED", other.uid)
    assert (rejected["status"], rejected["rejectionReason"]) == ("REJECTED", "Panel is full")

    ping = json.loads(server.webhook_body_for("PING", created_at="2024-01-01T00:00:00.000Z"))
    assert ping == {"triggerEvent": "PING", "createdAt": "2024-01-01T00:00:00.000Z", "payload": ping["payload"]}
    assert ping["payload"]["type"] == "Test"
