"""POST /webhooks/calcom end to end: our Starlette route served by a real uvicorn on loopback, on SQLite
and PostgreSQL, fed with deliveries the fake Cal.com builds and signs exactly as Cal.com does.

The route answers before it applies an event (a BackgroundTask), so every delivery helper waits until
no stored event is left in status "received" before a test looks at the database.
"""

from __future__ import annotations

import contextlib
import json
import logging
import socket
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, create_engine, text
from starlette.applications import Starlette

from core.config import Settings
from core.job_queue import LedgerOnly
from core.models import Booking, BookingStatus, Session, SessionStatus, WebhookEvent
from core.scheduling.calcom import webhooks as calcom_webhooks
from core.workspace import Workspace
from entry.bootstrap import build_workspace
from entry.webhook_routes import PATH, calcom_webhook_route
from storage.database import make_engine
from storage.files import LocalFileStore
from storage.unit_of_work import make_uow_factory
from tests.calcom_fake import (
    BOOKINGS_VERSION,
    NO_SECRET,
    CalcomServer,
    WebhookDelivery,
    compact_json,
    post_webhook,
    sign,
)
from tests.job_worker import WorkerThreads
from tests.loopback import LoopbackServer

SECRET = "whsec_route-test-3f9a1c7e55d2b8a4"  # distinctive, so a leak into a log line is easy to spot
START = datetime(2030, 6, 4, 10, tzinfo=UTC)  # a Tuesday inside the fake host's working hours
SYSTEM_DESIGN = 101  # the fake's Cal Video event type
NEEDS_CONFIRMATION = 103


# -- the receiver: our route on a real server ---------------------------------------------------


class Receiver:
    """calcom_webhook_route in a Starlette app on uvicorn (127.0.0.1, free port), in a thread.

    One server per module; each test points it at its own Workspace and secret.
    """

    def __init__(self) -> None:
        self.ws: Workspace | None = None
        self.secret: str | None = SECRET
        app = Starlette(routes=[calcom_webhook_route(self._workspace, secrets=self._secrets)])
        self._loopback = LoopbackServer(app, name="webhook receiver")
        self.port = self._loopback.port
        self.url = f"http://127.0.0.1:{self.port}{PATH}"
        self.http = httpx.Client(timeout=10)

    def _workspace(self) -> Workspace:
        assert self.ws is not None, "no workspace set for this test"
        return self.ws

    def _secrets(self) -> dict[str, object]:
        return {"CALCOM_WEBHOOK_SECRET": self.secret} if self.secret else {}

    def start(self) -> Receiver:
        self._loopback.start()
        return self

    def stop(self) -> None:
        self.http.close()
        self._loopback.stop()

    def deliver(self, body: bytes, *, secret: str | None = SECRET, signature: str | None = None) -> WebhookDelivery:
        """POST as Cal.com does (signed with `secret`, or `signature` as given), then wait for processing."""
        delivery = post_webhook(self.url, body, secret=secret, signature=signature, client=self.http)
        self.settle()
        return delivery

    def settle(self, timeout: float = 10.0) -> None:
        """Wait until the background tasks have applied every stored event."""
        assert self.ws is not None
        deadline = time.monotonic() + timeout
        while True:
            with self.ws.uow_factory() as uow:
                if not uow.webhook_events.waiting(limit=1):
                    return
            assert time.monotonic() < deadline, "a stored webhook event was never processed"
            time.sleep(0.01)


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    server = Receiver().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def worker(receiver: Receiver) -> Iterator[WorkerThreads]:
    """The job worker that applies what the receiver stored, in each test's workspace."""
    with WorkerThreads(receiver._workspace) as threads:
        yield threads


@pytest.fixture(scope="module")
def fake() -> Iterator[CalcomServer]:
    with CalcomServer() as server:
        yield server


@pytest.fixture(scope="module")
def content(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    """A workspace whose problem bank and rubrics every test reuses: loading them is most of a build."""
    return build_workspace(Settings(runtime_dir=tmp_path_factory.mktemp("content")))


@pytest.fixture
def make_ws(
    database_url: str, tmp_path: Path, content: Workspace, worker: WorkerThreads
) -> Iterator[Callable[..., Workspace]]:
    """Workspaces on this test's database (migrated already), with a fixed clock and these scheduling settings."""
    engines: list[Engine] = []

    def make(**scheduling: Any) -> Workspace:
        settings = Settings(database_url=database_url, runtime_dir=tmp_path / "runtime", scheduling=scheduling)
        engines.append(make_engine(settings.effective_database_url))
        now = datetime.now(UTC).replace(microsecond=0)
        return replace(
            content,
            settings=settings,
            uow_factory=make_uow_factory(engines[-1]),
            files=LocalFileStore(settings.runtime_path),
            clock=lambda: now,  # exact stamps to compare; close to createdAt, so nothing is "late"
            job_queue=worker.queue,
        )

    yield make
    for engine in engines:
        engine.dispose()


@pytest.fixture
def ws(
    make_ws: Callable[..., Workspace], receiver: Receiver, fake: CalcomServer, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Workspace]:
    monkeypatch.delenv("CALCOM_WEBHOOK_SECRET", raising=False)  # only the secret the test gives counts
    fake.reset()
    workspace = make_ws()
    receiver.ws, receiver.secret = workspace, SECRET
    try:
        yield workspace
    finally:
        receiver.settle()
        receiver.ws = None


# -- helpers ------------------------------------------------------------------------------------


def no_worker(ws: Workspace) -> Workspace:
    """The workspace with no job transport: what receive stores waits for process_waiting (or a sweep)."""
    return replace(ws, job_queue=LedgerOnly())


def events(ws: Workspace) -> list[WebhookEvent]:
    """Every stored delivery, oldest first."""
    with ws.uow_factory() as uow:
        return sorted(uow.webhook_events.latest(limit=1000), key=lambda e: e.id or 0)


def statuses(ws: Workspace) -> list[str]:
    return [e.status for e in events(ws)]


def bookings(ws: Workspace) -> list[tuple[Booking, Session]]:
    with ws.uow_factory() as uow:
        return [(b, uow.sessions.get(b.session_id)) for b in uow.bookings.all()]


def session_count(ws: Workspace) -> int:
    with ws.uow_factory() as uow:
        return uow.sessions.count()


def only_booking(ws: Workspace) -> tuple[Booking, Session]:
    found = bookings(ws)
    assert len(found) == 1 and session_count(ws) == 1, found
    return found[0]


def fake_api(fake: CalcomServer, path: str, body: dict[str, Any]) -> dict[str, Any]:
    """A host action on the fake Cal.com (cancel, reschedule) through its HTTP API."""
    headers = {"Authorization": f"Bearer {fake.api_key}", "cal-api-version": BOOKINGS_VERSION}
    response = httpx.post(f"{fake.base_url}{path}", json=body, headers=headers, timeout=5)
    assert response.is_success, response.text
    return response.json()["data"]


def seeded(fake: CalcomServer, *, event_type_id: int = SYSTEM_DESIGN, start: datetime = START) -> str:
    return fake.seed_booking(
        event_type_id=event_type_id, start=start, attendee_name="Ada Lovelace", attendee_email="ada@example.com"
    ).uid


# -- accepted deliveries --------------------------------------------------------------------------


def test_booking_created_makes_a_scheduled_session_with_its_meeting_link(
    ws: Workspace, receiver: Receiver, fake: CalcomServer
) -> None:
    uid = seeded(fake)
    delivery = receiver.deliver(fake.webhook_body_for("BOOKING_CREATED", uid))

    assert delivery.status_code == 200
    assert json.loads(delivery.response_text) == {"ok": True, "message": "Received.", "duplicate": False}
    booking, session = only_booking(ws)
    video = fake.booking(uid).video_call_url
    assert video and video.startswith("https://app.cal.com/video/")
    assert (booking.external_uid, booking.source, booking.status) == (uid, "calcom", BookingStatus.CONFIRMED)
    assert (booking.meeting_url, booking.meeting_provider) == (video, "cal_video")
    assert (booking.start_at, booking.end_at) == (START, START + timedelta(hours=1))
    assert (booking.ical_uid, booking.ical_sequence, booking.previous_uids) == (f"{uid}@Cal.com", 0, [])
    assert (booking.attendee_name, booking.attendee_email) == ("Ada Lovelace", "ada@example.com")
    assert (session.status, session.duration_minutes, session.kind) == (SessionStatus.SCHEDULED, 60, "system_design")
    with ws.uow_factory() as uow:
        candidate = uow.candidates.get(session.candidate_id or "")
    assert (candidate.name, candidate.email) == ("Ada Lovelace", "ada@example.com")
    [event] = events(ws)
    assert (event.status, event.trigger, event.booking_uid, event.session_id) == (
        "processed",
        "BOOKING_CREATED",
        uid,
        session.id,
    )
    assert event.outcome == "New confirmed session for Ada Lovelace."
    assert event.processed_at == ws.clock()


def test_ping_is_answered_and_recorded(ws: Workspace, receiver: Receiver, fake: CalcomServer) -> None:
    delivery = receiver.deliver(fake.webhook_body_for("PING"))
    assert delivery.status_code == 200
    [event] = events(ws)
    assert (event.status, event.trigger, event.outcome) == (
        "processed",
        "PING",
        "Ping from Cal.com: the webhook is set up.",
    )
    assert session_count(ws) == 0


# -- refused deliveries -------------------------------------------------------------------------


def refusals(ws: Workspace) -> list[tuple[int, str, int]]:
    """(HTTP status, reason, count) of every counted refusal, oldest first."""
    return [(r.status_code, r.reason, r.count) for r in reversed(calcom_webhooks.recent_refusals(ws))]


def _refused(ws: Workspace, delivery: WebhookDelivery, status_code: int, outcome: str) -> None:
    """Refused before the signature checked out: counted, never stored as an event."""
    assert delivery.status_code == status_code
    assert json.loads(delivery.response_text)["ok"] is False
    assert events(ws) == []
    reason = outcome.removeprefix(f"{status_code}: ")
    assert refusals(ws) == [(status_code, reason, 1)]
    assert session_count(ws) == 0


def test_a_forged_signature_is_refused_and_changes_nothing(
    ws: Workspace, receiver: Receiver, fake: CalcomServer
) -> None:
    body = fake.webhook_body_for("BOOKING_CREATED", seeded(fake))
    # wrong key
    _refused(ws, receiver.deliver(body, secret="whsec_someone-else"), 401, "401: Refused: signature does not match.")
    # right key, body changed after signing
    tampered = body.replace(b'"ACCEPTED"', b'"CANCELLED"')
    assert tampered != body
    forged = receiver.deliver(tampered, signature=sign(SECRET, body))
    assert forged.status_code == 401
    assert events(ws) == [] and session_count(ws) == 0
    assert refusals(ws) == [(401, "Refused: signature does not match.", 2)]


def test_a_missing_signature_is_refused(ws: Workspace, receiver: Receiver, fake: CalcomServer) -> None:
    body = fake.webhook_body_for("PING")
    response = receiver.http.post(receiver.url, content=body, headers={"Content-Type": "application/json"})
    receiver.settle()
    _refused(
        ws,
        WebhookDelivery(receiver.url, body, {}, response.status_code, response.text),
        401,
        "401: Refused: missing signature.",
    )


def test_no_secret_provided_is_refused(ws: Workspace, receiver: Receiver, fake: CalcomServer) -> None:
    delivery = receiver.deliver(fake.webhook_body_for("PING"), secret=None)
    assert delivery.headers["X-Cal-Signature-256"] == NO_SECRET
    _refused(ws, delivery, 401, "401: Refused: signature does not match.")


def test_without_a_secret_of_our_own_every_delivery_is_refused(
    ws: Workspace, receiver: Receiver, fake: CalcomServer
) -> None:
    receiver.secret = None
    delivery = receiver.deliver(fake.webhook_body_for("PING"))
    _refused(ws, delivery, 503, "503: No webhook secret is configured (CALCOM_WEBHOOK_SECRET).")


def test_malformed_json_is_refused_logged_and_kept(
    ws: Workspace, receiver: Receiver, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    delivery = receiver.deliver(b'{"triggerEvent":"BOOKING_CREATED","payload":{', secret=SECRET)
    assert delivery.status_code == 400
    [event] = events(ws)
    assert event.status == "rejected" and event.outcome.startswith("400: Malformed body: ")
    assert session_count(ws) == 0
    refused = [r for r in caplog.records if r.getMessage() == "webhook refused"]
    assert [(r.levelname, r.status_code) for r in refused] == [("WARNING", 400)]  # type: ignore[attr-defined]
    assert refused[0].reason.startswith("Malformed body: ")  # type: ignore[attr-defined]


def test_a_body_without_trigger_event_is_refused(ws: Workspace, receiver: Receiver) -> None:
    body = compact_json({"createdAt": "2030-06-01T00:00:00.000Z", "payload": {"uid": "abc"}})
    delivery = receiver.deliver(body)
    assert delivery.status_code == 400
    [event] = events(ws)  # signed, so kept one by one (without the body), not merely counted
    assert (event.status, event.outcome, event.payload, event.trigger, event.dedupe_key) == (
        "rejected",
        "400: Malformed body: triggerEvent is missing",
        None,
        None,
        None,
    )
    assert refusals(ws) == [] and session_count(ws) == 0


def _raw_post(port: int, head: list[str], body_part: bytes) -> tuple[int, bytes]:
    """Send the headers and only part of a body, then read the answer: a server that waited for the whole
    body would time out here instead of answering."""
    request = "\r\n".join([f"POST {PATH} HTTP/1.1", f"Host: 127.0.0.1:{port}", *head, "", ""]).encode()
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(request + body_part)
        answer = b""
        while b"\r\n\r\n" not in answer:
            chunk = sock.recv(65536)
            assert chunk, answer
            answer += chunk
        header, _, rest = answer.partition(b"\r\n\r\n")
        length = int(
            next(line.split(b":")[1] for line in header.split(b"\r\n") if line.lower().startswith(b"content-length"))
        )
        while len(rest) < length:
            chunk = sock.recv(65536)
            assert chunk
            rest += chunk
    return int(header.split(b" ")[1]), rest


@pytest.mark.parametrize("framing", ["content-length", "chunked"])
def test_an_oversized_body_is_refused_without_reading_it_all(
    make_ws: Callable[..., Workspace], receiver: Receiver, ws: Workspace, framing: str
) -> None:
    small = replace(make_ws(webhook_max_bytes=1024), clock=ws.clock)
    receiver.ws = small
    head = ["Content-Type: application/json", f"X-Cal-Signature-256: {'0' * 64}"]
    if framing == "content-length":
        head.append("Content-Length: 10000000")
        status, body = _raw_post(receiver.port, head, b"x" * 100)
        size = 10_000_000
    else:
        head.append("Transfer-Encoding: chunked")
        chunk = b"x" * 700
        status, body = _raw_post(receiver.port, head, (b"%x\r\n" % len(chunk) + chunk + b"\r\n") * 2)  # no last chunk
        size = 1400
    assert status == 413
    assert json.loads(body) == {
        "ok": False,
        "message": f"Body of {size} bytes or more is over the 1024-byte limit.",
        "duplicate": False,
    }
    assert events(small) == []
    assert refusals(small) == [(413, "Body over the size limit.", 1)]
    assert session_count(small) == 0


# -- duplicates ---------------------------------------------------------------------------------


def test_a_replayed_body_is_a_duplicate_applied_once(ws: Workspace, receiver: Receiver, fake: CalcomServer) -> None:
    body = fake.webhook_body_for("BOOKING_CREATED", seeded(fake))
    first = receiver.deliver(body)
    again = receiver.deliver(body)
    assert (first.status_code, json.loads(first.response_text)["duplicate"]) == (200, False)
    assert (again.status_code, json.loads(again.response_text)) == (
        200,
        {"ok": True, "message": "Duplicate delivery; already received.", "duplicate": True},
    )
    original, copy = events(ws)
    assert (original.status, copy.status) == ("processed", "duplicate")
    assert copy.outcome == f"Same event as #{original.id}; not applied again."
    assert copy.dedupe_key is None and copy.body_sha256 == original.body_sha256
    only_booking(ws)


def test_the_same_event_serialised_differently_is_a_duplicate(
    ws: Workspace, receiver: Receiver, fake: CalcomServer
) -> None:
    body = fake.webhook_body_for("BOOKING_CREATED", seeded(fake))
    parsed = json.loads(body)
    reordered = {
        "payload": dict(reversed(parsed["payload"].items())),
        "createdAt": parsed["createdAt"],
        "triggerEvent": parsed["triggerEvent"],
    }
    assert list(reordered["payload"]) != list(parsed["payload"])
    again = json.dumps(reordered, indent=2, sort_keys=False).encode()
    assert again != body and json.loads(again) == parsed
    receiver.deliver(body)
    assert json.loads(receiver.deliver(again).response_text)["duplicate"] is True
    assert statuses(ws) == ["processed", "duplicate"]
    assert events(ws)[0].body_sha256 != events(ws)[1].body_sha256
    only_booking(ws)


def test_the_same_event_from_eight_threads_is_processed_once(
    ws: Workspace, receiver: Receiver, fake: CalcomServer
) -> None:
    body = fake.webhook_body_for("BOOKING_CREATED", seeded(fake))
    barrier = threading.Barrier(8)
    answers: list[dict[str, Any]] = []
    errors: list[BaseException] = []

    def send() -> None:
        try:
            with httpx.Client(timeout=30) as client:
                barrier.wait(timeout=10)
                delivery = post_webhook(receiver.url, body, secret=SECRET, client=client)
            assert delivery.status_code == 200, delivery.response_text
            answers.append(json.loads(delivery.response_text))
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=send) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    receiver.settle()
    assert errors == []
    assert sorted(a["duplicate"] for a in answers) == [False] + [True] * 7
    assert sorted(statuses(ws)) == ["duplicate"] * 7 + ["processed"]
    only_booking(ws)


def test_deliveries_stored_together_each_get_their_own_answer(ws: Workspace, fake: CalcomServer) -> None:
    first, second, earlier = (
        fake.webhook_body_for("BOOKING_CREATED", seeded(fake, start=START + timedelta(hours=h))) for h in (0, 1, 2)
    )
    before = calcom_webhooks.receive(ws, earlier, calcom_webhooks.signature_for(SECRET, earlier), secret=SECRET)
    malformed = b'{"triggerEvent": "BOOKING_CREATED", "payload": ['

    def signed(body: bytes) -> calcom_webhooks.Delivery:
        return calcom_webhooks.Delivery(body, calcom_webhooks.signature_for(SECRET, body))

    batch = [
        signed(first),
        signed(first),  # a re-delivery in the same batch
        signed(earlier),  # a re-delivery of one stored before
        calcom_webhooks.Delivery(second, "0" * 64),  # forged
        signed(malformed),
        signed(second),
    ]
    answers = calcom_webhooks.receive_many(ws, batch, secret=SECRET)

    assert all(isinstance(a, calcom_webhooks.Receipt) for a in answers)
    receipts = [a for a in answers if isinstance(a, calcom_webhooks.Receipt)]
    assert [(r.status_code, r.duplicate) for r in receipts] == [
        (200, False), (200, True), (200, True), (401, False), (400, False), (200, False),
    ]  # fmt: skip
    stored = {e.id: e for e in events(ws)}
    assert stored[receipts[1].event_id].outcome == f"Same event as #{receipts[0].event_id}; not applied again."
    assert stored[receipts[2].event_id].outcome == f"Same event as #{before.event_id}; not applied again."
    assert stored[receipts[4].event_id].status == "rejected"
    with ws.uow_factory() as uow:  # one job for each event stored for the first time, none for the rest
        jobs = {r.event_id: uow.jobs.by_key(calcom_webhooks.job_key(r.event_id or 0)) for r in receipts if r.event_id}
    assert {i for i, job in jobs.items() if job is not None} == {receipts[0].event_id, receipts[5].event_id}


def test_a_delivery_the_database_refuses_does_not_take_its_batch_with_it(
    ws: Workspace, fake: CalcomServer, backend: str
) -> None:
    good = fake.webhook_body_for("BOOKING_CREATED", seeded(fake))
    odd = json.dumps({"triggerEvent": "BOOKING_" + "X" * 100, "createdAt": "2030-01-01T00:00:00Z", "payload": {}})
    deliveries = [
        calcom_webhooks.Delivery(body, calcom_webhooks.signature_for(SECRET, body)) for body in (good, odd.encode())
    ]
    answers = calcom_webhooks.receive_many(ws, deliveries, secret=SECRET)

    assert isinstance(answers[0], calcom_webhooks.Receipt) and answers[0].status_code == 200
    if backend == "postgres":  # a trigger longer than its column: PostgreSQL refuses the row, SQLite keeps it
        assert isinstance(answers[1], Exception)
    assert [e.booking_uid for e in events(ws) if e.status == "received"][:1] == [json.loads(good)["payload"]["uid"]]


# -- order and history ----------------------------------------------------------------------------


def test_a_cancellation_that_overtakes_the_creation_wins(ws: Workspace, receiver: Receiver, fake: CalcomServer) -> None:
    uid = seeded(fake)
    created = fake.webhook_body_for("BOOKING_CREATED", uid)
    fake_api(fake, f"/bookings/{uid}/cancel", {"cancellationReason": "The role was filled."})
    cancelled = fake.webhook_body_for("BOOKING_CANCELLED", uid)

    receiver.deliver(cancelled)
    receiver.deliver(created)

    booking, session = only_booking(ws)
    assert (booking.status, booking.ical_sequence, booking.cancellation_reason) == (
        BookingStatus.CANCELLED,
        1,
        "The role was filled.",
    )
    assert (session.status, session.ended_at) == (SessionStatus.CANCELLED, ws.clock())
    first, late = events(ws)
    assert (first.status, first.outcome) == ("processed", "New cancelled session for Ada Lovelace.")
    assert (late.status, late.outcome) == (
        "ignored",
        "Ignored as out of date: revision 0 is older than the stored revision 1.",
    )


def _reschedule_chain(fake: CalcomServer) -> tuple[list[str], list[bytes]]:
    """Cal.com's deliveries for: booked as A, moved (new uid B), moved again (uid C), captured as sent."""
    a = seeded(fake)
    bodies = [fake.webhook_body_for("BOOKING_CREATED", a)]
    b = fake_api(fake, f"/bookings/{a}/reschedule", {"start": "2030-06-05T11:00:00Z"})["uid"]
    bodies.append(fake.webhook_body_for("BOOKING_RESCHEDULED", b))
    c = fake_api(fake, f"/bookings/{b}/reschedule", {"start": "2030-06-06T14:00:00Z"})["uid"]
    bodies.append(fake.webhook_body_for("BOOKING_RESCHEDULED", c))
    return [a, b, c], bodies


@pytest.mark.parametrize(
    ("order", "outcomes"),
    [
        ((0, 1, 2), ["processed", "processed", "processed"]),
        ((2, 1, 0), ["processed", "ignored", "ignored"]),
        ((1, 0, 2), ["processed", "ignored", "processed"]),
        ((2, 0, 1), ["processed", "ignored", "ignored"]),
    ],
    ids=["in-order", "reversed", "b-a-c", "c-a-b"],
)
def test_a_reschedule_chain_ends_in_the_same_state_whatever_the_order(
    ws: Workspace, receiver: Receiver, fake: CalcomServer, order: tuple[int, int, int], outcomes: list[str]
) -> None:
    (a, b, c), bodies = _reschedule_chain(fake)
    assert [json.loads(bodies[i])["payload"].get("rescheduleUid") for i in range(3)] == [None, a, b]
    for index in order:
        assert receiver.deliver(bodies[index]).status_code == 200

    booking, session = only_booking(ws)
    assert (booking.external_uid, booking.previous_uids) == (c, [a, b])
    assert (booking.start_at, booking.end_at) == (
        datetime(2030, 6, 6, 14, tzinfo=UTC),
        datetime(2030, 6, 6, 15, tzinfo=UTC),
    )
    assert (booking.ical_uid, booking.ical_sequence, booking.status) == (f"{a}@Cal.com", 2, BookingStatus.CONFIRMED)
    assert booking.meeting_url == fake.booking(c).video_call_url
    assert (session.status, session.duration_minutes) == (SessionStatus.SCHEDULED, 60)
    assert statuses(ws) == outcomes


def test_requested_then_created_goes_from_pending_to_confirmed(
    ws: Workspace, receiver: Receiver, fake: CalcomServer
) -> None:
    uid = seeded(fake, event_type_id=NEEDS_CONFIRMATION)
    receiver.deliver(fake.webhook_body_for("BOOKING_REQUESTED", uid))
    booking, session = only_booking(ws)
    assert (booking.status, session.status) == (BookingStatus.PENDING, SessionStatus.SCHEDULED)

    fake.confirm(uid)
    receiver.deliver(fake.webhook_body_for("BOOKING_CREATED", uid))
    booking, session = only_booking(ws)
    assert (booking.external_uid, booking.status, session.status) == (
        uid,
        BookingStatus.CONFIRMED,
        SessionStatus.SCHEDULED,
    )
    assert statuses(ws) == ["processed", "processed"]
    assert events(ws)[1].outcome == "Session updated: pending → confirmed."


@pytest.mark.parametrize("flat", [True, False], ids=["flat", "wrapped"])
def test_meeting_started_makes_the_session_active_once(
    ws: Workspace, receiver: Receiver, flat: bool, fake: CalcomServer
) -> None:
    uid = seeded(fake)
    receiver.deliver(fake.webhook_body_for("BOOKING_CREATED", uid))
    started = fake.webhook_body_for("MEETING_STARTED", uid, flat=flat)
    assert ("payload" in json.loads(started)) is not flat

    receiver.deliver(started)
    booking, session = only_booking(ws)
    assert (session.status, session.started_at, booking.meeting_started_at) == (
        SessionStatus.ACTIVE,
        ws.clock(),
        ws.clock(),
    )
    assert events(ws)[1].outcome == "Meeting started; the session is active."

    # delivered again, in the other shape: the same event, not applied twice
    other = fake.webhook_body_for("MEETING_STARTED", uid, flat=not flat)
    assert json.loads(receiver.deliver(other).response_text)["duplicate"] is True
    assert statuses(ws) == ["processed", "processed", "duplicate"]
    assert only_booking(ws)[1].status is SessionStatus.ACTIVE


def test_meeting_ended_is_recorded(ws: Workspace, receiver: Receiver, fake: CalcomServer) -> None:
    uid = seeded(fake)
    for trigger in ("BOOKING_CREATED", "MEETING_STARTED", "MEETING_ENDED"):
        receiver.deliver(fake.webhook_body_for(trigger, uid))
    booking, session = only_booking(ws)
    assert booking.meeting_ended_at == ws.clock()
    assert session.status is SessionStatus.ACTIVE  # the interviewer ends it, with the evaluation
    assert events(ws)[2].outcome == "Meeting ended; the interviewer ends the session when their notes are done."


def test_an_event_stored_before_a_restart_is_applied_once_by_process_waiting(ws: Workspace, fake: CalcomServer) -> None:
    ws = no_worker(ws)
    body = fake.webhook_body_for("BOOKING_CREATED", seeded(fake))
    receipt = calcom_webhooks.receive(ws, body, sign(SECRET, body), secret=SECRET)  # answered, then "crashed"
    assert (receipt.status_code, receipt.duplicate) == (200, False)
    assert statuses(ws) == ["received"] and session_count(ws) == 0

    assert calcom_webhooks.process_waiting(ws) == 1
    assert calcom_webhooks.process_waiting(ws) == 0
    assert statuses(ws) == ["processed"]
    only_booking(ws)
    assert calcom_webhooks.process(ws, receipt.event_id or 0).status == "processed"  # a late second worker: no-op
    only_booking(ws)


def test_the_secret_never_reaches_logs_responses_or_storage(
    ws: Workspace, receiver: Receiver, caplog: pytest.LogCaptureFixture, fake: CalcomServer
) -> None:
    caplog.set_level(logging.DEBUG)
    body = fake.webhook_body_for("BOOKING_CREATED", seeded(fake))
    deliveries = [
        receiver.deliver(body),
        receiver.deliver(body),
        receiver.deliver(body, secret="whsec_wrong"),
        receiver.deliver(b"not json"),
        receiver.deliver(body, secret=None),
    ]
    assert [d.status_code for d in deliveries] == [200, 200, 401, 400, 401]
    assert caplog.records, "the receiver logs what it does"
    assert SECRET not in caplog.text
    for record in caplog.records:
        assert SECRET not in repr(record.__dict__)
    for delivery in deliveries:
        assert SECRET not in delivery.response_text
    stored = repr([(e.outcome, e.payload) for e in events(ws)])
    assert SECRET not in stored


# -- hardening (issue 15, items 2-4) --------------------------------------------------------------


def test_events_that_break_processing_fail_with_a_reason_and_later_events_are_applied(
    ws: Workspace, fake: CalcomServer, backend: str
) -> None:
    """Item 2: each of these once raised outside the handled errors, stayed "received" and stopped
    process_waiting, so the valid event queued after them was never applied."""
    ws = no_worker(ws)
    for infinite in (b"Infinity", b"-Infinity", b"NaN", b"1e400"):  # refused at the door: PostgreSQL cannot store it
        body = fake.webhook_body_for("BOOKING_CREATED", seeded(fake)).replace(
            b'"iCalSequence":0', b'"iCalSequence":' + infinite
        )
        assert infinite in body
        assert calcom_webhooks.receive(ws, body, sign(SECRET, body), secret=SECRET).status_code == 400
    assert statuses(ws) == ["rejected"] * 4
    bad: dict[str, dict[str, Any]] = {
        "iCalSequence of 10^30": {"iCalSequence": 10**30},
        "start in year 1": {"startTime": "0001-01-01T00:00:00+05:00"},
        "event type id of 10^30": {"eventTypeId": 10**30},
        "name longer than the column": {
            "attendees": [{"name": "N" * 5000, "email": "long.name@example.com", "timeZone": "UTC"}]
        },
    }
    received: dict[str, int] = {}
    for label, extra in bad.items():
        body = fake.webhook_body_for("BOOKING_CREATED", seeded(fake), extra=extra)
        receipt = calcom_webhooks.receive(ws, body, sign(SECRET, body), secret=SECRET)
        assert receipt.status_code == 200, label
        received[label] = receipt.event_id or 0
    good_uid = seeded(fake, start=START + timedelta(days=1))
    good = fake.webhook_body_for("BOOKING_CREATED", good_uid)
    good_id = calcom_webhooks.receive(ws, good, sign(SECRET, good), secret=SECRET).event_id or 0

    assert calcom_webhooks.process_waiting(ws) == 5
    assert calcom_webhooks.process_waiting(ws) == 0  # nothing left "received"
    with ws.uow_factory() as uow:
        outcomes = {label: uow.webhook_events.get(event_id) for label, event_id in received.items()}
        applied = uow.webhook_events.get(good_id)
    for label, event in outcomes.items():
        if label == "event type id of 10^30" or (label == "name longer than the column" and backend == "sqlite"):
            assert event.status == "processed"  # an unknown event type; SQLite does not enforce VARCHAR lengths
            continue
        assert event.status == "failed", (label, event.outcome)
        assert event.outcome.startswith("Could not apply: ") and len(event.outcome) > len("Could not apply: ")
        assert "\n" not in event.outcome and "long.name@example.com" not in event.outcome
        assert event.processed_at == ws.clock()
    assert applied.status == "processed"
    assert good_uid in {booking.external_uid for booking, _ in bookings(ws)}


def _locking_workspace(ws: Workspace, database_url: str, backend: str, clock: list[datetime]) -> Workspace:
    """The same database through an engine that gives up on a lock at once (instead of after 15 s)."""
    if backend == "sqlite":
        engine = create_engine(database_url, connect_args={"timeout": 0.05, "check_same_thread": False})
    else:
        engine = create_engine(database_url, connect_args={"options": "-c lock_timeout=100"})
    return replace(ws, uow_factory=make_uow_factory(engine), clock=lambda: clock[0], job_queue=LedgerOnly())


@contextlib.contextmanager
def _locked(database_url: str, backend: str) -> Iterator[None]:
    """Another writer holding the lock the booking needs: SQLite's write lock, PostgreSQL's on bookings."""
    if backend == "sqlite":
        holder = sqlite3.connect(database_url.removeprefix("sqlite:///"), isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            holder.rollback()
            holder.close()
        return
    engine = create_engine(database_url)
    try:
        with engine.begin() as connection:
            connection.execute(text("LOCK TABLE bookings IN ACCESS EXCLUSIVE MODE"))
            yield
    finally:
        engine.dispose()


def test_a_locked_database_is_retried_with_backoff_and_the_event_applied_once_it_is_free(
    ws: Workspace, fake: CalcomServer, database_url: str, backend: str
) -> None:
    """Item 2: a transient failure is not the event's fault; it is tried again later, at most 3 times."""
    clock = [ws.clock()]
    locking = _locking_workspace(ws, database_url, backend, clock)
    body = fake.webhook_body_for("BOOKING_CREATED", seeded(fake))
    event_id = calcom_webhooks.receive(locking, body, sign(SECRET, body), secret=SECRET).event_id or 0
    other = fake.webhook_body_for("BOOKING_CREATED", seeded(fake, start=START + timedelta(days=2)))
    other_id = calcom_webhooks.receive(locking, other, sign(SECRET, other), secret=SECRET).event_id or 0

    def stored(which: int) -> WebhookEvent:
        with locking.uow_factory() as uow:
            return uow.webhook_events.get(which)

    with _locked(database_url, backend):
        assert calcom_webhooks.process_waiting(locking) == 2  # neither raises nor loops
    if backend == "sqlite":
        # the whole file was locked: not even "retry" could be written, so both simply wait
        assert [stored(event_id).status, stored(other_id).status] == ["received", "received"]
    else:
        first = stored(event_id)
        assert (first.status, first.attempts, first.next_attempt_at) == ("retry", 1, clock[0] + timedelta(seconds=30))
        assert "will retry" in first.outcome
        assert calcom_webhooks.process_waiting(locking) == 0  # not due yet
        with _locked(database_url, backend):
            clock[0] += timedelta(seconds=30)
            assert calcom_webhooks.process_waiting(locking) == 2
            assert stored(event_id).next_attempt_at == clock[0] + timedelta(seconds=60)  # backoff doubles
            clock[0] += timedelta(seconds=60)
            calcom_webhooks.process(locking, other_id)  # the third try of this one
        gave_up = stored(other_id)
        assert (gave_up.status, gave_up.attempts) == ("failed", 3)
        assert gave_up.outcome == "Could not apply: the database was locked or unreachable 3 times."
    assert calcom_webhooks.process_waiting(locking) >= 1
    assert stored(event_id).status == "processed"
    assert len(bookings(ws)) == (2 if backend == "sqlite" else 1)


@pytest.mark.parametrize("depth", [600, 100_000])
def test_a_signed_body_nested_too_deep_is_answered_400_and_recorded(
    ws: Workspace, receiver: Receiver, depth: int
) -> None:
    """Item 3: it used to raise RecursionError (500) and leave no trace."""
    body = b'{"triggerEvent":"PING","payload":{"deep":' + b"[" * depth + b"]" * depth + b"}}"
    delivery = receiver.deliver(body)
    assert delivery.status_code == 400
    assert json.loads(delivery.response_text)["ok"] is False
    [event] = events(ws)
    assert event.status == "rejected" and event.payload is None
    assert event.outcome == f"400: Malformed body: the JSON is nested more than {calcom_webhooks.MAX_DEPTH} levels deep"


def test_a_flood_of_unsigned_and_forged_requests_is_counted_and_real_deliveries_stay_visible(
    ws: Workspace, receiver: Receiver, fake: CalcomServer
) -> None:
    """Item 4: each refusal used to add a row, so 500 of them pushed real deliveries out of the log's 500."""
    real = fake.webhook_body_for("BOOKING_CREATED", seeded(fake))
    assert receiver.deliver(real).status_code == 200

    def attack(n: int) -> int:
        headers = {"Content-Type": "application/json"}
        if n % 2:
            headers[calcom_webhooks.SIGNATURE_HEADER] = sign("whsec_forger", real)
        return receiver.http.post(receiver.url, content=real, headers=headers).status_code

    with ThreadPoolExecutor(8) as pool:
        assert set(pool.map(attack, range(600))) == {401}
    receiver.settle()

    visible = calcom_webhooks.recent_events(ws, limit=500)
    assert [(e.status, e.trigger) for e in visible] == [("processed", "BOOKING_CREATED")]
    assert sorted(refusals(ws)) == [
        (401, "Refused: missing signature.", 300),
        (401, "Refused: signature does not match.", 300),
    ]
    assert calcom_webhooks.refusal_total(ws) == 600


def test_refusal_counts_start_a_row_per_hour_and_old_hours_are_pruned(ws: Workspace) -> None:
    """Item 4: the refusal table stays bounded: one row per reason and hour, kept REFUSALS_KEPT."""
    clock = [ws.clock()]
    moving = replace(ws, clock=lambda: clock[0])
    for _ in range(3):
        calcom_webhooks.receive(moving, b"{}", None, secret=SECRET)
    clock[0] += timedelta(hours=1)
    calcom_webhooks.receive(moving, b"{}", None, secret=SECRET)
    assert [r.count for r in calcom_webhooks.recent_refusals(moving)] == [1, 3]
    clock[0] += calcom_webhooks.REFUSALS_KEPT + timedelta(hours=1)
    calcom_webhooks.receive(moving, b"{}", "0" * 64, secret=SECRET)
    assert refusals(moving) == [(401, "Refused: signature does not match.", 1)]
    assert events(moving) == []
