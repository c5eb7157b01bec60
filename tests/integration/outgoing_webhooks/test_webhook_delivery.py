"""Outgoing webhooks to a real receiver on loopback, on SQLite and PostgreSQL.

A booking made through the scheduling service writes the delivery and its job; the jobs run through the real
runner and the "deliver_webhook" handler one by one, with the workspace's clock moved by the test to when the
schedule says the next try is due, so retries are deterministic and nothing sleeps. The receiver
(tests/webhook_receiver.py) verifies every POST with `standardwebhooks.Webhook(secret).verify`.
"""

from __future__ import annotations

import base64
import json
import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from standardwebhooks import Webhook, WebhookVerificationError

from core.config import OutgoingWebhookSettings, SchedulingSettings, Settings
from core.errors import InvalidInput
from core.jobs import ledger, runner
from core.models import (
    DeliveryAttempt,
    DeliveryStatus,
    EventType,
    Job,
    JobStatus,
    OutgoingEvent,
    WebhookDelivery,
    WebhookSubscription,
)
from core.outgoing_webhooks import deliveries, subscriptions
from core.outgoing_webhooks.retry_schedule import most_tries
from core.scheduling.bookings import ScheduledInterview
from core.scheduling.team import add_member, save_event_type
from core.workspace import Workspace
from entry.bootstrap import build_workspace
from entry.job_handlers import HANDLERS
from tests.actors import ADMIN
from tests.clock import Clock
from tests.integration.booking_desk import book_grace
from tests.job_worker import WorkerThreads
from tests.smtp_server import free_port
from tests.webhook_receiver import WebhookReceiver

NOW = datetime(2030, 6, 4, 12, 15, tzinfo=UTC)
START = datetime(2030, 6, 4, 14, 0, tzinfo=UTC)


@dataclass
class Desk:
    """A workspace on this test's database with one interviewer and one interview kind."""

    ws: Workspace
    clock: Clock
    event_type: EventType

    def book(self, start: datetime = START) -> ScheduledInterview:
        return book_grace(self.ws, self.event_type, start)

    def subscribe(self, url: str, *events: OutgoingEvent) -> WebhookSubscription:
        chosen = [e.value for e in events] or [OutgoingEvent.BOOKING_CREATED.value]
        return subscriptions.subscribe(self.ws, url=url, events=chosen, description="The ATS", actor=ADMIN)

    def run_due_jobs(self) -> list[runner.Ran | None]:
        """Every queued job that is due now, once, as a worker would run it."""
        with self.ws.uow_factory() as uow:
            due = uow.jobs.due(now=self.clock(), sent_before=self.clock() + timedelta(days=1))
        return [runner.run(self.ws, job.id or 0, HANDLERS) for job in due]

    def run_until_settled(self, *, limit: int = 100) -> int:
        """Run the delivery's job, moving the clock to each next try, until it is delivered or failed; how many
        runs it took."""
        for runs in range(1, limit + 1):
            assert self.run_due_jobs(), "no job was due"
            [delivery] = self.deliveries()
            if delivery.status in (DeliveryStatus.DELIVERED, DeliveryStatus.FAILED):
                return runs
            assert delivery.next_attempt_at is not None and delivery.next_attempt_at > self.clock()
            self.clock.now = delivery.next_attempt_at
        raise AssertionError(f"not settled after {limit} runs")

    def deliveries(self) -> list[WebhookDelivery]:
        with self.ws.uow_factory() as uow:
            return list(reversed(uow.webhook_deliveries.latest()))

    def attempts(self, delivery: WebhookDelivery) -> list[DeliveryAttempt]:
        with self.ws.uow_factory() as uow:
            return uow.delivery_attempts.for_delivery(delivery.id or 0)

    def job_of(self, delivery: WebhookDelivery) -> Job:
        with self.ws.uow_factory() as uow:
            job = uow.jobs.by_key(deliveries.job_key(delivery.message_id, delivery.subscription_id))
        assert job is not None
        return job


def desk_for(database_url: str, runtime: Path, **webhook_settings: Any) -> Desk:
    settings = Settings(
        database_url=database_url,
        runtime_dir=runtime,
        scheduling=SchedulingSettings(minimum_notice_minutes=60),
        outgoing_webhooks=OutgoingWebhookSettings(**webhook_settings),
    )
    ws = build_workspace(settings, migrate=False)
    clock = Clock(NOW)
    ws.clock = clock
    add_member(ws, name="Ana Rossi", email="ana@example.com", timezone="Europe/Rome", actor=ADMIN)
    event_type = save_event_type(ws, EventType(id="", title="Pairing interview", length_minutes=30), actor=ADMIN)
    return Desk(ws, clock, event_type)


@pytest.fixture
def desk(database_url: str, tmp_path: Path) -> Desk:
    return desk_for(database_url, tmp_path / "runtime")


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    with WebhookReceiver() as server:
        yield server


def test_a_receiver_failing_three_times_gets_the_booking_on_the_fourth_try_with_four_attempts_logged(
    desk: Desk, receiver: WebhookReceiver
) -> None:
    subscription = desk.subscribe(receiver.url)
    receiver.trust(subscription.secret)
    receiver.fail_next(500, times=3)

    view = desk.book()
    [delivery] = desk.deliveries()
    assert (delivery.event, delivery.status, delivery.session_id) == (
        "booking.created",
        DeliveryStatus.QUEUED,
        view.session.id,
    )
    assert desk.job_of(delivery).status is JobStatus.QUEUED
    assert receiver.received() == []  # booking wrote it; only a worker sends

    assert desk.run_until_settled() == 4
    [delivery] = desk.deliveries()
    assert delivery.status is DeliveryStatus.DELIVERED and delivery.attempts == 4 and delivery.last_error == ""
    attempts = desk.attempts(delivery)
    assert [a.status_code for a in attempts] == [500, 500, 500, 204]
    # the schedule's waits: 5 s, then 10 s, then 20 s
    assert [a.attempted_at for a in attempts] == [NOW + timedelta(seconds=s) for s in (0, 5, 15, 35)]
    host = receiver.url.split("/")[2]
    assert [a.error for a in attempts] == [f"{host} answered 500 Internal Server Error."] * 3 + [""]
    assert all('"error":"temporarily unavailable"' in a.response_excerpt for a in attempts[:3])
    assert all(a.duration_ms >= 0 for a in attempts)
    job = desk.job_of(delivery)
    assert job.status is JobStatus.DONE and job.attempts == 4
    assert job.reason == f"Webhook delivery #{delivery.id} (booking.created) delivered: {host} answered 204."

    received = receiver.received()
    assert len(received) == 4 and all(r.verified for r in received)
    assert {r.webhook_id for r in received} == {delivery.message_id}  # receivers dedupe by it
    assert {r.body for r in received} == {delivery.body.encode()}
    payload = received[-1].payload
    assert (payload["type"], payload["timestamp"]) == ("booking.created", "2030-06-04T12:15:00Z")
    data = payload["data"]
    assert data["session"]["id"] == view.session.id and data["session"]["status"] == "scheduled"
    assert data["candidate"]["email"] == "grace@example.com" and data["candidate"]["name"] == "Grace Hopper"
    assert data["booking"]["id"] == view.booking.id and data["booking"]["start"] == "2030-06-04T14:00:00Z"
    assert data["booking"]["interviewers"] == [{"name": "Ana Rossi", "email": "ana@example.com"}]
    assert received[-1].headers["content-type"] == "application/json"
    with desk.ws.uow_factory() as uow:  # the activity log holds the outcome once, not each retry
        outcomes = [e for e in uow.audit.latest(session_id=view.session.id) if e.action.startswith("webhook_deliver")]
    assert [(e.action, e.detail["event"]) for e in outcomes] == [("webhook_delivered", "booking.created")]


def test_an_altered_or_forged_delivery_does_not_verify(desk: Desk, receiver: WebhookReceiver) -> None:
    subscription = desk.subscribe(receiver.url)
    receiver.trust(subscription.secret)
    desk.book()
    desk.run_until_settled()
    [genuine] = receiver.received()
    assert genuine.verified

    webhook = Webhook(subscription.secret)
    assert webhook.verify(genuine.body, genuine.headers)["type"] == "booking.created"
    altered = genuine.body.replace(b"grace@example.com", b"mallory@example.com")
    with pytest.raises(WebhookVerificationError, match="No matching signature"):
        webhook.verify(altered, genuine.headers)
    with pytest.raises(WebhookVerificationError, match="No matching signature"):  # another event's id
        webhook.verify(genuine.body, {**genuine.headers, "webhook-id": "msg_someone_else"})
    forger = Webhook(base64.b64encode(b"not the subscription's secret, 32").decode())
    forged = {**genuine.headers, "webhook-signature": forger.sign(genuine.webhook_id, NOW, genuine.body)}
    with pytest.raises(WebhookVerificationError):
        webhook.verify(genuine.body, forged)


def test_a_receiver_holding_another_secret_refuses_and_the_delivery_is_retried(
    desk: Desk, receiver: WebhookReceiver
) -> None:
    desk.subscribe(receiver.url)
    receiver.trust("whsec_" + base64.b64encode(b"x" * 32).decode())  # not this subscription's secret
    desk.book()
    desk.run_due_jobs()
    [refused] = receiver.received()
    assert not refused.verified and refused.refusal == "No matching signature found"
    [delivery] = desk.deliveries()
    [attempt] = desk.attempts(delivery)
    assert attempt.status_code == 401 and attempt.error.endswith("answered 401 Unauthorized.")
    assert "signature refused" in attempt.response_excerpt
    assert delivery.status is DeliveryStatus.RETRYING and delivery.next_attempt_at == NOW + timedelta(seconds=5)
    assert delivery.last_error.endswith("Trying again at 2030-06-04 12:15:05 UTC.")


def test_a_replay_sends_the_same_webhook_id_and_body_again(desk: Desk, receiver: WebhookReceiver) -> None:
    subscription = desk.subscribe(receiver.url)
    receiver.trust(subscription.secret)
    view = desk.book()
    desk.run_until_settled()
    [delivery] = desk.deliveries()
    assert delivery.status is DeliveryStatus.DELIVERED

    desk.clock.now = NOW + timedelta(hours=3)
    replayed = deliveries.replay(desk.ws, delivery.id or 0, actor=ADMIN)
    assert replayed.status is DeliveryStatus.QUEUED and replayed.last_error == "Replayed by admin."
    assert replayed.retry_until == desk.clock.now + timedelta(hours=24)  # a new retry window
    job = desk.job_of(delivery)
    assert (job.status, job.attempts, job.reason) == (JobStatus.QUEUED, 0, "Replayed by admin.")

    assert desk.run_until_settled() == 1
    first, again = receiver.received()
    assert again.verified and again.webhook_id == first.webhook_id == delivery.message_id
    assert again.body == first.body
    [delivery] = desk.deliveries()
    assert delivery.status is DeliveryStatus.DELIVERED and delivery.attempts == 2
    assert [a.attempted_at for a in desk.attempts(delivery)] == [NOW, NOW + timedelta(hours=3)]
    with desk.ws.uow_factory() as uow:
        replays = [e for e in uow.audit.latest(session_id=view.session.id) if e.action == "webhook_replayed"]
    assert [(e.actor, e.detail["delivery"]) for e in replays] == [("admin", delivery.id)]


def test_an_unreachable_receiver_is_tried_for_a_day_then_the_delivery_fails_with_the_reason(desk: Desk) -> None:
    port = free_port()  # nothing listens there
    desk.subscribe(f"http://127.0.0.1:{port}/hooks")
    desk.book()

    runs = desk.run_until_settled()
    tries = most_tries(desk.ws.settings.outgoing_webhooks)
    assert runs == tries == 34  # 5 s doubling to an hour, then hourly, the last one on the day's end
    [delivery] = desk.deliveries()
    attempts = desk.attempts(delivery)
    assert len(attempts) == tries and attempts[-1].attempted_at == NOW + timedelta(hours=24)
    assert all(
        a.status_code is None and a.error.startswith(f"Could not connect to 127.0.0.1:{port}: ") for a in attempts
    )
    assert delivery.status is DeliveryStatus.FAILED
    assert delivery.last_error.startswith(f"Gave up after 34 tries in 24 hours: Could not connect to 127.0.0.1:{port}")
    job = desk.job_of(delivery)
    assert job.status is JobStatus.FAILED and delivery.last_error in job.reason
    with desk.ws.uow_factory() as uow:
        assert [e.action for e in uow.audit.latest() if e.action.startswith("webhook_deliver")] == [
            "webhook_delivery_failed"
        ]


def test_a_receiver_slower_than_the_timeout_is_tried_again(database_url: str, tmp_path: Path) -> None:
    desk = desk_for(database_url, tmp_path / "runtime", timeout_seconds=0.3)
    with WebhookReceiver() as receiver:
        subscription = desk.subscribe(receiver.url)
        receiver.trust(subscription.secret)
        receiver.stall_next(1.5)
        desk.book()
        assert desk.run_until_settled() == 2
    [delivery] = desk.deliveries()
    slow, fine = desk.attempts(delivery)
    host = receiver.url.split("/")[2]
    assert (slow.status_code, slow.error) == (None, f"{host} did not answer within 0.3 s.")
    assert 250 <= slow.duration_ms < 1500
    assert (fine.status_code, fine.error, delivery.status) == (204, "", DeliveryStatus.DELIVERED)


def test_a_disabled_subscription_sends_nothing_until_enabled_and_replayed(
    desk: Desk, receiver: WebhookReceiver
) -> None:
    subscription = desk.subscribe(receiver.url)
    receiver.trust(subscription.secret)
    desk.book()  # queued while enabled…
    subscriptions.set_enabled(desk.ws, subscription.id, False, actor=ADMIN)  # …then disabled

    desk.run_due_jobs()
    assert receiver.received() == []
    [delivery] = desk.deliveries()
    assert delivery.status is DeliveryStatus.FAILED and "subscription is disabled" in delivery.last_error
    assert desk.job_of(delivery).status is JobStatus.FAILED
    with pytest.raises(InvalidInput, match="is disabled: enable it first"):
        deliveries.replay(desk.ws, delivery.id or 0, actor=ADMIN)
    desk.book(START + timedelta(days=1))  # booked while disabled: no delivery at all
    assert len(desk.deliveries()) == 1
    subscriptions.set_enabled(desk.ws, subscription.id, True, actor=ADMIN)
    deliveries.replay(desk.ws, delivery.id or 0, actor=ADMIN)
    desk.run_until_settled()
    [received] = receiver.received()
    assert received.verified and received.webhook_id == delivery.message_id


def test_a_failed_deliverys_job_retried_on_the_jobs_page_gets_a_new_retry_window(
    desk: Desk, receiver: WebhookReceiver
) -> None:
    subscription = desk.subscribe(receiver.url)
    receiver.trust(subscription.secret)
    desk.book()
    subscriptions.set_enabled(desk.ws, subscription.id, False, actor=ADMIN)
    desk.run_due_jobs()  # fails: disabled
    [delivery] = desk.deliveries()
    assert delivery.status is DeliveryStatus.FAILED and delivery.retry_until == NOW + timedelta(hours=24)

    subscriptions.set_enabled(desk.ws, subscription.id, True, actor=ADMIN)
    desk.clock.now = NOW + timedelta(days=3)  # long after the first window ended
    receiver.fail_next(502)
    ledger.retry(desk.ws, desk.job_of(delivery).id or 0, actor=ADMIN)
    assert desk.run_until_settled() == 2  # not given up at once: a new day to deliver it
    [delivery] = desk.deliveries()
    assert delivery.status is DeliveryStatus.DELIVERED
    assert delivery.retry_until == desk.clock.now - timedelta(seconds=5) + timedelta(hours=24)
    assert [a.status_code for a in desk.attempts(delivery)] == [502, 204]


def test_deleting_a_subscription_deletes_its_log_and_its_queued_job_sends_nothing(
    desk: Desk, receiver: WebhookReceiver
) -> None:
    subscription = desk.subscribe(receiver.url)
    receiver.trust(subscription.secret)
    receiver.fail_next(503)
    desk.book()
    desk.run_due_jobs()
    [delivery] = desk.deliveries()
    assert len(desk.attempts(delivery)) == 1

    subscriptions.unsubscribe(desk.ws, subscription.id, actor=ADMIN)
    assert desk.deliveries() == [] and desk.attempts(delivery) == []
    desk.clock.now = NOW + timedelta(minutes=1)
    [ran] = desk.run_due_jobs()
    assert ran is not None and ran.job.status is JobStatus.DONE and "is gone" in ran.job.reason
    assert len(receiver.received()) == 1


def test_each_subscription_gets_its_own_delivery_signed_with_its_own_secret(desk: Desk) -> None:
    with WebhookReceiver() as ats, WebhookReceiver() as crm:
        first = desk.subscribe(ats.url, OutgoingEvent.BOOKING_CREATED, OutgoingEvent.BOOKING_CANCELLED)
        second = desk.subscribe(crm.url, OutgoingEvent.BOOKING_CREATED)
        desk.subscribe(crm.url + "/other", OutgoingEvent.INTERVIEW_COMPLETED)  # not this event
        ats.trust(first.secret)
        crm.trust(second.secret)
        desk.book()
        assert len(desk.deliveries()) == 2
        desk.run_due_jobs()
        [to_ats], [to_crm] = ats.received(), crm.received()
    assert to_ats.verified and to_crm.verified and first.secret != second.secret
    assert to_ats.webhook_id == to_crm.webhook_id  # one event, one id, whoever receives it
    assert {d.subscription_id for d in desk.deliveries()} == {first.id, second.id}


def test_the_secret_and_the_receivers_token_stay_out_of_logs_audit_and_jobs(
    desk: Desk, receiver: WebhookReceiver, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    token = "rcv-token-5c1e9a"
    subscription = desk.subscribe(f"{receiver.url}?token={token}")
    receiver.trust(subscription.secret)
    receiver.fail_next(500)
    desk.book()
    desk.run_until_settled()
    [delivery] = desk.deliveries()
    deliveries.replay(desk.ws, delivery.id or 0, actor=ADMIN)
    desk.run_until_settled()
    subscriptions.set_enabled(desk.ws, subscription.id, False, actor=ADMIN)

    key = subscription.secret.removeprefix("whsec_")
    assert key not in caplog.text  # every logger at DEBUG: ours, httpx's and httpcore's, the receiver's
    ours = "\n".join(r.getMessage() + str(vars(r)) for r in caplog.records if r.name.startswith(("core.", "entry.")))
    with desk.ws.uow_factory() as uow:
        audit = json.dumps([(e.action, e.detail) for e in uow.audit.latest(limit=500)])
        jobs = json.dumps([(j.payload, j.reason) for j in uow.jobs.latest()])
    stored = [delivery.last_error, *[a.error for a in desk.attempts(delivery)]]
    # the receiver's token: httpx logs whole URLs at INFO (core/logs.py keeps httpx at WARNING in the workspace)
    for place, text in (("our log", ours), ("audit", audit), ("jobs", jobs), ("delivery", " ".join(stored))):
        assert key not in text and token not in text, place
    assert "webhook_subscribed" in audit and receiver.url.split("/")[2] in audit  # the host is named
    assert subscription.secret not in repr(subscription)
    assert all(s.secret == "" for s in subscriptions.listing(desk.ws, actor=ADMIN))


def test_a_real_worker_sends_what_a_booking_wrote(desk: Desk, receiver: WebhookReceiver) -> None:
    """The job queue (Huey's consumer, in threads) runs the handler: nobody calls the runner by hand."""
    desk.ws.clock = lambda: datetime.now(UTC)
    subscription = desk.subscribe(receiver.url)
    receiver.trust(subscription.secret)
    with WorkerThreads(lambda: desk.ws) as worker:
        desk.ws.job_queue = worker.queue
        desk.book()
        [delivery] = desk.deliveries()
        deadline = datetime.now(UTC) + timedelta(seconds=20)
        while desk.deliveries()[0].status is not DeliveryStatus.DELIVERED:
            assert datetime.now(UTC) < deadline, "the worker never delivered it"
            time.sleep(0.02)
    [received] = receiver.received()
    assert received.verified and received.webhook_id == delivery.message_id
