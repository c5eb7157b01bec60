"""Reminders before booked interviews on SQLite and PostgreSQL: written with the booking (local scheduler and
Cal.com's webhooks), their send jobs due at the reminder's time, withdrawn by a move or a cancellation, and sent
by the real worker path (Huey's consumer, the sweep, the runner, the send_email handler) to a real SMTP server
on loopback (aiosmtpd) once the workspace's clock has passed their time; read back as the recipient gets them.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

from core.config import NotificationSettings, SchedulingSettings, Settings, SmtpSettings
from core.jobs import ledger, runner
from core.models import EventType, Job, JobStatus, OutboxMessage, OutboxStatus
from core.notifications import outbox
from core.notifications.delivery import TOO_LATE
from core.scheduling.booking_reminders import REMINDER
from core.scheduling.bookings import (
    ScheduledInterview,
    cancel_booking,
    reschedule_booking,
)
from core.scheduling.calcom import webhooks as calcom_webhooks
from core.scheduling.team import add_member, save_event_type
from core.workspace import Workspace
from entry.bootstrap import build_workspace
from entry.job_handlers import HANDLERS
from tests.actors import ADMIN, SCHEDULER
from tests.calcom_fake.server import webhook_body
from tests.clock import Clock
from tests.integration.booking_desk import book_grace
from tests.job_worker import WorkerThreads
from tests.smtp_server import Received, SmtpServer

NOW = datetime(2030, 6, 3, 12, 0, tzinfo=UTC)  # a Monday
START = datetime(2030, 6, 4, 14, 0, tzinfo=UTC)  # 26 hours later: both reminders are still ahead
HOUR, DAY = timedelta(hours=1), timedelta(days=1)
MEET = "https://meet.google.com/abc-defg-hij"
WEBHOOK_SECRET = "whsec_reminder-test-6c1d"


@dataclass
class Desk:
    """A workspace on this test's database with one interviewer (in Rome) and one interview kind."""

    ws: Workspace
    clock: Clock
    event_type: EventType

    def book(self, start: datetime = START) -> ScheduledInterview:
        return book_grace(self.ws, self.event_type, start, candidate_timezone="America/New_York", meeting_url=MEET)

    def reminders(self, status: OutboxStatus | None = None) -> list[OutboxMessage]:
        with self.ws.uow_factory() as uow:
            found = [m for m in reversed(uow.outbox.latest()) if m.kind == REMINDER]
        return [m for m in found if status is None or m.status is status]

    def job(self, message: OutboxMessage) -> Job:
        with self.ws.uow_factory() as uow:
            job = uow.jobs.by_key(message.job_key)
        assert job is not None
        return job

    def jobs_finished(self, messages: list[OutboxMessage]) -> bool:
        """Whether the send jobs of these messages are done: the mail server's acceptance comes a moment before
        the job is marked done, and a sweep in between would count it as owed. No messages is not done: a list
        read before the jobs marked their messages sent is empty, and the wait would end while they still run."""
        with self.ws.uow_factory() as uow:
            jobs = [uow.jobs.by_key(m.job_key or outbox.job_key(m.id or 0)) for m in messages]
        return bool(jobs) and all(job is not None and job.status is JobStatus.DONE for job in jobs)

    def owed(self) -> list[tuple[str, str, str, int, str]]:
        """What a sweep would send now (kind, key, status, attempts, reason), read without sending: a sweep's
        count that is off says which job it found."""
        now = self.ws.clock()
        with self.ws.uow_factory() as uow:
            due = uow.jobs.due(now=now, sent_before=now - ledger.RESEND_AFTER)
        return [(j.kind, j.key, str(j.status), j.attempts, j.reason or "") for j in due]

    def run_due_jobs(self) -> list[runner.Ran | None]:
        """Every job the sweep would send now, run once each as a worker would."""
        with self.ws.uow_factory() as uow:
            due = uow.jobs.due(now=self.clock(), sent_before=self.clock() + DAY)
        return [runner.run(self.ws, job.id or 0, HANDLERS) for job in due]


def desk_for(database_url: str, runtime: Path, smtp: SmtpServer | None, clock: Clock) -> Desk:
    settings = Settings(
        database_url=database_url,
        runtime_dir=runtime,
        scheduling=SchedulingSettings(minimum_notice_minutes=0),
        notifications=NotificationSettings(
            sender="Interviews <interviews@example.org>",
            # room for a loaded machine: a reply timed out after the server took the message is retried, and the
            # retry falls due when the test moves its clock on (this test counts sends, not timeouts)
            smtp=SmtpSettings(host="127.0.0.1", port=smtp.port, tls="none", timeout_seconds=30)
            if smtp
            else SmtpSettings(),
        ),  # reminders: the shipped default, 24 hours and 1 hour before
    )
    ws = build_workspace(settings, migrate=False)
    ws.clock = clock
    with ws.uow_factory() as uow:
        kinds = uow.event_types.all()
    if kinds:
        return Desk(ws, clock, kinds[0])
    add_member(ws, name="Ana Rossi", email="ana@example.com", timezone="Europe/Rome", actor=ADMIN)
    return Desk(
        ws, clock, save_event_type(ws, EventType(id="", title="Pairing interview", length_minutes=30), actor=ADMIN)
    )


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    with SmtpServer() as server:
        yield server


@pytest.fixture
def desk(database_url: str, tmp_path: Path, smtp_server: SmtpServer) -> Desk:
    return desk_for(database_url, tmp_path / "runtime", smtp_server, Clock(NOW))


def to(message: OutboxMessage) -> str:
    return message.recipient.split("<")[-1].rstrip(">")


def reminders_received(server: SmtpServer) -> list[Received]:
    return [r for r in server.messages() if r.message["Subject"].startswith("Reminder:")]


def parts(message: EmailMessage) -> dict[str, Any]:
    return {part.get_content_type(): part for part in message.walk() if not part.is_multipart()}


def wait_for(condition: Any, what: str, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


def test_a_booking_stores_its_reminders_due_later_and_a_move_then_a_cancellation_withdraws_them(
    desk: Desk, smtp_server: SmtpServer
) -> None:
    view = desk.book()
    written = desk.reminders()
    assert sorted((to(m), m.send_after) for m in written) == sorted(
        (person, START - offset) for person in ("grace@example.com", "ana@example.com") for offset in (DAY, HOUR)
    )
    for message in written:
        job = desk.job(message)
        assert (job.status, job.run_after, job.sent_at, job.payload) == (
            JobStatus.QUEUED,
            message.send_after,
            None,
            {"message_id": message.id},
        )
        assert message.send_before == START and message.booking_id == view.booking.id
    assert {r.job.key for r in desk.run_due_jobs() if r} == {  # only the confirmations are due now
        f"send_email:{m.id}" for m in _notices(desk)
    }
    assert reminders_received(smtp_server) == []

    moved_to = START + timedelta(minutes=30)
    reschedule_booking(desk.ws, view.session.id, start=moved_to, actor=SCHEDULER)
    assert {m.id for m in desk.reminders(OutboxStatus.WITHDRAWN)} == {m.id for m in written}
    assert all(desk.job(m).status is JobStatus.DONE for m in written)
    fresh = desk.reminders(OutboxStatus.QUEUED)
    assert sorted({m.send_after for m in fresh}) == [moved_to - DAY, moved_to - HOUR] and len(fresh) == 4
    grace = next(m for m in fresh if to(m) == "grace@example.com" and m.send_after == moved_to - HOUR)
    assert grace.subject == "Reminder: your interview on Tuesday 4 June 2030 at 10:30"  # New York

    cancel_booking(desk.ws, view.session.id, reason="The role was filled.", actor=SCHEDULER)
    assert desk.reminders(OutboxStatus.QUEUED) == [] and len(desk.reminders(OutboxStatus.WITHDRAWN)) == 8
    assert {m.last_error for m in desk.reminders() if m.id in {f.id for f in fresh}} == {
        "Withdrawn: the interview was cancelled."
    }
    desk.clock.now = moved_to + HOUR  # every reminder's time has passed: nothing is owed
    desk.run_due_jobs()
    assert reminders_received(smtp_server) == []
    assert [r.message["Subject"].split(":")[0] for r in smtp_server.messages()].count("Your interview has moved") == 1


def _notices(desk: Desk) -> list[OutboxMessage]:
    with desk.ws.uow_factory() as uow:
        return [m for m in uow.outbox.latest() if m.kind != REMINDER]


def test_calcom_webhooks_write_move_and_withdraw_reminders_once_however_often_they_arrive(
    desk: Desk, smtp_server: SmtpServer
) -> None:
    payload = {
        "uid": "cal-booking-1",
        "title": "System design between Ana Rossi and Lin Wu",
        "startTime": "2030-06-05T09:00:00.000Z",
        "endTime": "2030-06-05T10:00:00.000Z",
        "status": "ACCEPTED",
        "iCalUID": "cal-booking-1@Cal.com",
        "iCalSequence": 0,
        "organizer": {"name": "Ana Rossi", "email": "ana@example.com", "timeZone": "Europe/Rome"},
        "attendees": [{"name": "Lin Wu", "email": "lin@example.com", "timeZone": "Asia/Shanghai"}],
        "metadata": {"videoCallUrl": MEET},
    }
    moved = {
        **payload,
        "uid": "cal-booking-2",
        "rescheduleUid": "cal-booking-1",
        "startTime": "2030-06-06T09:00:00.000Z",
        "endTime": "2030-06-06T10:00:00.000Z",
        "iCalSequence": 1,
    }
    cancelled = {**moved, "status": "CANCELLED", "iCalSequence": 2, "cancellationReason": "Lin took an offer."}

    def deliver(trigger: str, data: dict[str, Any], *, created_at: str) -> None:
        body = webhook_body(trigger, data, created_at=created_at)
        signature = calcom_webhooks.signature_for(WEBHOOK_SECRET, body)
        receipt = calcom_webhooks.receive(desk.ws, body, signature, secret=WEBHOOK_SECRET)
        assert receipt.status_code == 200
        desk.run_due_jobs()  # applies it (the reminders' jobs are not due yet)

    deliver("BOOKING_CREATED", payload, created_at="2030-06-03T11:59:00.000Z")
    deliver("BOOKING_CREATED", payload, created_at="2030-06-03T11:59:30.000Z")  # sent again, a new delivery
    first = datetime(2030, 6, 5, 9, 0, tzinfo=UTC)
    assert sorted((to(m), m.send_after, m.status) for m in desk.reminders()) == sorted(
        (person, first - offset, OutboxStatus.QUEUED)
        for person in ("lin@example.com", "ana@example.com")
        for offset in (DAY, HOUR)
    )
    lin = next(m for m in desk.reminders() if to(m) == "lin@example.com")
    assert lin.subject.endswith("at 17:00") and "(Asia/Shanghai)" in lin.text_body  # Shanghai time

    deliver("BOOKING_RESCHEDULED", moved, created_at="2030-06-03T12:00:00.000Z")
    second = datetime(2030, 6, 6, 9, 0, tzinfo=UTC)
    assert len(desk.reminders(OutboxStatus.WITHDRAWN)) == 4
    assert {m.send_after for m in desk.reminders(OutboxStatus.QUEUED)} == {second - DAY, second - HOUR}

    deliver("BOOKING_CANCELLED", cancelled, created_at="2030-06-03T12:00:30.000Z")
    assert desk.reminders(OutboxStatus.QUEUED) == [] and len(desk.reminders()) == 8
    desk.clock.now = second
    desk.run_due_jobs()
    assert reminders_received(smtp_server) == []


def test_the_worker_sends_each_reminder_once_when_its_time_has_come_in_the_recipients_zone(
    desk: Desk, smtp_server: SmtpServer
) -> None:
    with WorkerThreads(lambda: desk.ws) as worker:
        desk.ws.job_queue = worker.queue  # as the pages' workspace wakes the worker
        view = desk.book()
        wait_for(lambda: len(smtp_server.messages()) == 2, "the two confirmations")
        wait_for(lambda: desk.jobs_finished(_notices(desk)), "the confirmations' jobs to be done")
        assert reminders_received(smtp_server) == []  # their delayed messages wait on the broker

        desk.clock.now = START - DAY + timedelta(seconds=5)  # the day-before reminders are due
        owed = desk.owed()
        sent = worker.queue.sweep()  # what the worker's sweep does every jobs.sweep_seconds
        assert sent == 2, owed
        wait_for(lambda: len(reminders_received(smtp_server)) == 2, "the day-before reminders")
        wait_for(
            lambda: (
                len(desk.reminders(OutboxStatus.SENT)) == 2 and desk.jobs_finished(desk.reminders(OutboxStatus.SENT))
            ),
            "their jobs to be done",
        )

        day_before = {r.rcpt_tos[0]: r.message for r in reminders_received(smtp_server)}
        email = day_before["grace@example.com"]
        assert email["Subject"] == "Reminder: your interview on Tuesday 4 June 2030 at 10:00"  # New York
        assert email["To"] == "Grace Hopper <grace@example.com>"
        assert email["From"] == "Interviews <interviews@example.org>"
        found = parts(email)
        assert set(found) == {"text/plain", "text/html"}  # a reminder carries no invitation
        text = found["text/plain"].get_content().replace("\r\n", "\n")  # as it came over the wire
        assert text.startswith("Hi Grace,\n\nA reminder: your interview (Design a URL Shortener) with Ana Rossi")
        assert "starts in 24 hours, on Tuesday 4 June 2030 at 10:00 (America/New_York)" in text
        assert f"Join at: {MEET}" in text
        html = found["text/html"].get_content()
        assert "<p>Hi Grace,</p>" in html and "10:00 (America/New_York)" in html and f'<a href="{MEET}">' in html
        to_ana = day_before["ana@example.com"]
        assert to_ana["Subject"] == "Reminder: Grace Hopper's interview on Tuesday 4 June 2030 at 16:00"  # Rome

        # The same job woken again (a resent message, a second worker's sweep) sends nothing more
        for message in desk.reminders(OutboxStatus.SENT):
            worker.queue.send(desk.job(message).id or 0)
            worker.queue.send(desk.job(message).id or 0)
        assert worker.queue.sweep() == 0

        desk.clock.now = START - HOUR + timedelta(seconds=5)
        owed = desk.owed()
        assert worker.queue.sweep() == 2, owed
        wait_for(lambda: len(reminders_received(smtp_server)) == 4, "the hour-before reminders")
        time.sleep(0.3)  # room for a duplicate to arrive, were one sent
    assert len(reminders_received(smtp_server)) == 4
    assert sorted(r.rcpt_tos[0] for r in reminders_received(smtp_server)) == [
        "ana@example.com",
        "ana@example.com",
        "grace@example.com",
        "grace@example.com",
    ]
    hour_before = [r.message for r in reminders_received(smtp_server)[2:]]
    assert all("starts in 1 hour, on Tuesday 4 June 2030" in parts(m)["text/plain"].get_content() for m in hour_before)
    for message in desk.reminders():
        assert (message.status, message.attempts, message.booking_id) == (OutboxStatus.SENT, 1, view.booking.id)
        assert message.sent_at is not None and message.sent_at >= (message.send_after or NOW)
        assert desk.job(message).status is JobStatus.DONE


def test_a_reminder_that_can_only_go_once_its_interview_has_begun_is_withdrawn_not_sent(
    database_url: str, tmp_path: Path, smtp_server: SmtpServer
) -> None:
    clock = Clock(NOW)
    embedded = desk_for(database_url, tmp_path / "runtime", None, clock)  # no SMTP: they wait for it
    embedded.book()
    clock.now = START - HOUR + timedelta(seconds=1)
    embedded.run_due_jobs()
    assert {m.status for m in embedded.reminders()} == {OutboxStatus.WAITING}

    clock.now = START + timedelta(minutes=1)  # SMTP arrives once the interview is under way
    configured = desk_for(database_url, tmp_path / "runtime", smtp_server, clock)
    assert configured.run_due_jobs() == []
    assert outbox.release_waiting(configured.ws) == 2 + 4  # the confirmations and the reminders
    ran = [r for r in configured.run_due_jobs() if r]
    assert [r.job.status for r in ran] == [JobStatus.DONE] * 6
    late = [r.job.reason for r in ran if r.job.key.startswith("send_email:reminder:")]
    assert len(late) == 4 and all(
        reason.endswith("came due too late to be of use; withdrawn, not sent.") for reason in late
    )
    assert {(m.status, m.last_error, m.attempts) for m in configured.reminders()} == {
        (OutboxStatus.WITHDRAWN, TOO_LATE, 0)
    }
    assert reminders_received(smtp_server) == []
    assert len(smtp_server.messages()) == 2  # the confirmations that waited with them still go
