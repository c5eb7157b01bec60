"""Booking emails through a real SMTP server on loopback (aiosmtpd), on SQLite and PostgreSQL.

The jobs run through the real runner and the "send_email" handler, one by one, with the workspace's clock
moved by the test, so retries and their backoff are deterministic. Each message the server accepted is read
back: headers, the text and HTML parts, and the attached invitation (parsed with icalendar).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from icalendar import Calendar
from pydantic import SecretStr

from core.config import NotificationSettings, SchedulingSettings, Settings, SmtpSettings
from core.jobs import ledger, runner
from core.models import EventType, JobStatus, OutboxMessage, OutboxStatus
from core.notifications import outbox
from core.notifications.delivery import deliver
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
from tests.smtp_server import Certificate, SmtpServer, free_port

NOW = datetime(2030, 6, 4, 12, 15, tzinfo=UTC)  # a Tuesday
START = datetime(2030, 6, 4, 14, 0, tzinfo=UTC)
MEET = "https://meet.google.com/abc-defg-hij"
PASSWORD = "smtp-pw-7d1c5e0b9a"  # distinctive, so a leak into a log line or a message is easy to spot
WEBHOOK_SECRET = "whsec_email-test-2b7c"


@dataclass
class Desk:
    """A workspace on this test's database with one interviewer and one interview kind."""

    ws: Workspace
    clock: Clock
    event_type: EventType

    def book(self) -> ScheduledInterview:
        return book_grace(self.ws, self.event_type, START, candidate_timezone="America/New_York", meeting_url=MEET)

    def members(self) -> list[Any]:
        with self.ws.uow_factory() as uow:
            return uow.team_members.all()

    def emails(self) -> list[OutboxMessage]:
        with self.ws.uow_factory() as uow:
            return list(reversed(uow.outbox.latest()))

    def run_due_jobs(self) -> list[runner.Ran | None]:
        """Every queued job that is due, once, as a worker would run it."""
        with self.ws.uow_factory() as uow:
            due = uow.jobs.due(now=self.clock(), sent_before=self.clock() + timedelta(days=1))
        return [runner.run(self.ws, job.id or 0, HANDLERS) for job in due]


def settings_for(database_url: str, runtime: Path, smtp: SmtpSettings | None = None) -> Settings:
    return Settings(
        database_url=database_url,
        runtime_dir=runtime,
        scheduling=SchedulingSettings(minimum_notice_minutes=60),
        notifications=NotificationSettings(
            sender="Interviews <interviews@example.org>",
            smtp=smtp or SmtpSettings(),
            reminders=[],  # the notices alone here; test_reminders.py has the reminders
        ),
    )


def desk_for(settings: Settings, clock: Clock) -> Desk:
    ws = build_workspace(settings, migrate=False)
    ws.clock = clock
    with ws.uow_factory() as uow:
        kinds = uow.event_types.all()
    if kinds:
        return Desk(ws, clock, kinds[0])
    add_member(ws, name="Ana Rossi", email="ana@example.com", timezone="Europe/Rome", actor=ADMIN)
    event_type = save_event_type(ws, EventType(id="", title="Pairing interview", length_minutes=30), actor=ADMIN)
    return Desk(ws, clock, event_type)


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    with SmtpServer() as server:
        yield server


def plain_smtp(server: SmtpServer | None = None, *, port: int | None = None) -> SmtpSettings:
    return SmtpSettings(host="127.0.0.1", port=port or (server.port if server else 25), tls="none", timeout_seconds=5)


@pytest.fixture
def desk(database_url: str, tmp_path: Path, smtp_server: SmtpServer) -> Desk:
    return desk_for(settings_for(database_url, tmp_path / "runtime", plain_smtp(smtp_server)), Clock(NOW))


def parts(message: EmailMessage) -> dict[str, Any]:
    """content type -> part, for the leaves of a message."""
    return {part.get_content_type(): part for part in message.walk() if not part.is_multipart()}


def invitation_of(message: EmailMessage) -> tuple[Calendar, Calendar]:
    """The invitation as the calendar part and as the attached file, both parsed."""
    found = parts(message)
    calendar_part, attached = found["text/calendar"], found["application/ics"]
    return Calendar.from_ical(calendar_part.get_content()), Calendar.from_ical(attached.get_content())


def test_a_booking_confirmation_reaches_each_person_with_text_html_and_the_invitation(
    desk: Desk, smtp_server: SmtpServer
) -> None:
    view = desk.book()
    written = desk.emails()
    assert [(m.kind, m.recipient, m.status) for m in written] == [
        ("booking_confirmation", "Grace Hopper <grace@example.com>", OutboxStatus.QUEUED),
        ("booking_confirmation", "Ana Rossi <ana@example.com>", OutboxStatus.QUEUED),
    ]
    assert smtp_server.messages() == []  # booking wrote them; only a worker sends

    ran = desk.run_due_jobs()
    assert [r.job.status for r in ran if r] == [JobStatus.DONE, JobStatus.DONE]
    received = smtp_server.messages()
    assert sorted(r.rcpt_tos[0] for r in received) == ["ana@example.com", "grace@example.com"]
    to_grace = next(r for r in received if r.rcpt_tos == ["grace@example.com"])
    assert to_grace.mail_from == "interviews@example.org"
    email = to_grace.message
    assert email["From"] == "Interviews <interviews@example.org>"
    assert email["To"] == "Grace Hopper <grace@example.com>"
    assert email["Subject"] == "Your interview is booked: Tuesday 4 June 2030 at 10:00"  # New York time
    assert email["Message-ID"] == written[0].message_id and email["Date"]
    assert email.get_content_type() == "multipart/mixed"
    found = parts(email)
    assert set(found) == {"text/plain", "text/html", "text/calendar", "application/ics"}
    text = found["text/plain"].get_content()
    assert text.startswith("Hi Grace,") and "Tuesday 4 June 2030 at 10:00 (America/New_York)" in text
    assert f"Join at: {MEET}" in text and "Recording notice." in text
    html = found["text/html"].get_content()
    assert "<p>Hi Grace,</p>" in html and f'<a href="{MEET}">' in html
    assert found["text/calendar"].get_param("method") == "REQUEST"
    assert found["application/ics"].get_filename() == "pairing-interview-grace-hopper.ics"

    for calendar in invitation_of(email):
        assert calendar["METHOD"] == "REQUEST"
        [event] = calendar.walk("VEVENT")
        assert str(event["UID"]) == view.booking.ical_uid and event["SEQUENCE"] == 0
        assert event.decoded("DTSTART") == START and event.decoded("DTEND") == START + timedelta(minutes=30)
        assert str(event["LOCATION"]) == MEET
        assert sorted(str(a) for a in event["ATTENDEE"]) == ["mailto:ana@example.com", "mailto:grace@example.com"]

    to_ana = next(r for r in received if r.rcpt_tos == ["ana@example.com"]).message
    assert to_ana["Subject"] == "Interview booked: Grace Hopper, Tuesday 4 June 2030 at 16:00"  # Rome time
    assert [m.status for m in desk.emails()] == [OutboxStatus.SENT, OutboxStatus.SENT]
    assert all(m.attempts == 1 and m.sent_at == NOW and m.last_error == "" for m in desk.emails())
    with desk.ws.uow_factory() as uow:
        sent = [e for e in uow.audit.latest(session_id=view.session.id) if e.action == "email_sent"]
    assert len(sent) == 2


def test_a_reschedule_updates_and_a_cancellation_removes_the_calendar_entry_with_the_reason(
    desk: Desk, smtp_server: SmtpServer
) -> None:
    view = desk.book()
    reschedule_booking(desk.ws, view.session.id, start=START + timedelta(minutes=30), actor=SCHEDULER)
    cancel_booking(desk.ws, view.session.id, reason="The role was filled internally.", actor=SCHEDULER)
    desk.run_due_jobs()
    to_grace = [r.message for r in smtp_server.messages() if r.rcpt_tos == ["grace@example.com"]]
    by_kind = {m.kind: m for m in desk.emails() if m.recipient.endswith("<grace@example.com>")}
    assert len(to_grace) == 3 and set(by_kind) == {"booking_confirmation", "booking_update", "booking_cancellation"}
    moved = next(m for m in to_grace if m["Subject"].startswith("Your interview has moved"))
    cancelled = next(m for m in to_grace if m["Subject"].startswith("Your interview on"))

    for calendar in invitation_of(moved):
        [event] = calendar.walk("VEVENT")
        assert (calendar["METHOD"], event["SEQUENCE"], str(event["UID"])) == ("REQUEST", 1, view.booking.ical_uid)
        assert event.decoded("DTSTART") == START + timedelta(minutes=30)
    assert parts(moved)["text/calendar"].get_param("method") == "REQUEST"

    assert parts(cancelled)["text/calendar"].get_param("method") == "CANCEL"
    assert parts(cancelled)["application/ics"].get_filename().endswith("-cancelled.ics")
    for calendar in invitation_of(cancelled):
        [event] = calendar.walk("VEVENT")
        assert (calendar["METHOD"], event["SEQUENCE"], str(event["STATUS"])) == ("CANCEL", 2, "CANCELLED")
    text = parts(cancelled)["text/plain"].get_content()
    assert "is cancelled" in text and "Reason: The role was filled internally." in text


def test_an_smtp_failure_is_retried_then_shown_as_failed_and_a_retry_sends_it_once(
    database_url: str, tmp_path: Path
) -> None:
    port = free_port()  # nothing listens there yet: the mail server is down
    clock = Clock(NOW)
    desk = desk_for(settings_for(database_url, tmp_path / "runtime", plain_smtp(port=port)), clock)
    view = desk.book()  # the test follows the candidate's email; the interviewer's job is left alone
    grace = next(m for m in desk.emails() if "grace@" in m.recipient)

    def state() -> tuple[OutboxStatus, int, str]:
        with desk.ws.uow_factory() as uow:
            message = uow.outbox.get(grace.id or 0)
        return message.status, message.attempts, message.last_error

    def job_of_grace() -> Any:
        with desk.ws.uow_factory() as uow:
            return uow.jobs.by_key(outbox.job_key(grace.id or 0))

    def run_grace() -> runner.Ran | None:
        return runner.run(desk.ws, job_of_grace().id, HANDLERS)

    first = run_grace()
    assert first is not None and first.retry_in == desk.ws.settings.jobs.retry_seconds
    status, attempts, error = state()
    assert (status, attempts) == (OutboxStatus.QUEUED, 1)
    assert error == (
        f"Could not connect to the mail server at 127.0.0.1:{port}: the connection was refused. Trying again shortly."
    )
    assert "did not finish" in job_of_grace().reason

    with SmtpServer(port=port) as server:
        server.refuse_next("451 4.3.0 Mailbox busy, try again later")
        assert run_grace() is None  # not due yet: the backoff holds it
        clock.advance(first.retry_in or 0)
        second = run_grace()
        assert second is not None and second.retry_in == 2 * (first.retry_in or 0)
        status, attempts, error = state()
        assert (status, attempts) == (OutboxStatus.QUEUED, 2)
        assert "refused the recipient: 451 4.3.0 Mailbox busy, try again later." in error

        server.refuse_next("550 5.1.1 <grace@example.com>: no such mailbox")
        clock.advance(second.retry_in or 0)
        third = run_grace()
        assert third is not None and third.job.status is JobStatus.FAILED and third.retry_in is None
        status, attempts, error = state()
        assert (status, attempts) == (OutboxStatus.FAILED, 3)
        assert error == (
            f"The mail server at 127.0.0.1:{port} refused the recipient: "
            "550 5.1.1 <grace@example.com>: no such mailbox."
        )
        assert "grace@" not in third.job.reason  # the job's record outlives the message: no address in it
        assert third.job.reason == (
            f"Email #{grace.id} was not sent: The mail server at 127.0.0.1:{port} refused the recipient "
            "(permanent error 550)."
        )
        assert server.messages() == []

        outbox.retry(desk.ws, grace.id or 0, actor=ADMIN)  # the address was fixed on the server's side
        assert state()[0] is OutboxStatus.QUEUED and job_of_grace().status is JobStatus.QUEUED
        run_grace()
        assert state()[:2] == (OutboxStatus.SENT, 4)
        assert len(server.messages()) == 1

        # A retry of the job, or the job delivered twice, finds it sent and sends nothing more
        assert deliver(desk.ws, grace.id or 0, attempt=2, last_attempt=False).endswith("sent already; not sent again.")
        with desk.ws.uow_factory() as uow:
            job = uow.jobs.by_key(outbox.job_key(grace.id or 0))
            assert job is not None
            again = ledger.reopen(uow, desk.ws, job, reason="Run once more")
            uow.commit()
        ran = runner.run(desk.ws, again.id or 0, HANDLERS)
        assert ran is not None and ran.job.status is JobStatus.DONE
        assert len(server.messages()) == 1
    with desk.ws.uow_factory() as uow:
        actions = [e.action for e in uow.audit.latest(session_id=view.session.id)]
    assert actions.count("email_failed") == 1 and actions.count("email_retried") == 1
    assert actions.count("email_sent") == 1


def test_a_passing_failure_on_the_last_try_shows_the_message_as_failed(database_url: str, tmp_path: Path) -> None:
    clock = Clock(NOW)
    settings = settings_for(database_url, tmp_path / "runtime", plain_smtp(port=free_port()))
    settings.jobs.max_attempts = 2
    desk = desk_for(settings, clock)
    desk.book()
    desk.run_due_jobs()
    clock.advance(settings.jobs.retry_seconds)
    ran = [r for r in desk.run_due_jobs() if r]
    assert [r.job.status for r in ran] == [JobStatus.FAILED, JobStatus.FAILED]
    for message in desk.emails():
        assert (message.status, message.attempts) == (OutboxStatus.FAILED, 2)
        assert message.last_error.startswith("Gave up after 2 tries: Could not connect to the mail server")


def test_without_smtp_emails_wait_in_the_outbox_and_go_once_a_worker_has_smtp(
    database_url: str, tmp_path: Path, smtp_server: SmtpServer
) -> None:
    clock = Clock(NOW)
    embedded = desk_for(settings_for(database_url, tmp_path / "runtime"), clock)  # no smtp.host
    embedded.book()
    ran = [r for r in embedded.run_due_jobs() if r]
    assert [r.job.status for r in ran] == [JobStatus.DONE, JobStatus.DONE]
    assert "waits in the outbox: no SMTP server is configured" in ran[0].job.reason
    for message in embedded.emails():
        assert (message.status, message.attempts) == (OutboxStatus.WAITING, 0)
        assert message.last_error.startswith("Waiting for SMTP: no mail server is configured")
    assert outbox.release_waiting(embedded.ws) == 0  # still no SMTP here: nothing to release
    assert embedded.run_due_jobs() == []

    configured = desk_for(settings_for(database_url, tmp_path / "runtime", plain_smtp(smtp_server)), clock)
    assert outbox.release_waiting(configured.ws) == 2
    assert [m.status for m in configured.emails()] == [OutboxStatus.QUEUED, OutboxStatus.QUEUED]
    configured.run_due_jobs()
    assert [m.status for m in configured.emails()] == [OutboxStatus.SENT, OutboxStatus.SENT]
    assert len(smtp_server.messages()) == 2
    assert outbox.release_waiting(configured.ws) == 0
    assert configured.run_due_jobs() == [] and len(smtp_server.messages()) == 2


# aiosmtpd 1.4.6 warns about its own legacy Session.login_data when a login succeeds (in its server thread)
@pytest.mark.filterwarnings("ignore:Session.login_data is deprecated:DeprecationWarning")
def test_starttls_and_a_login_send_and_the_password_never_reaches_logs_or_messages(
    database_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    certificate = Certificate.make(tmp_path / "tls")
    caplog.set_level(logging.DEBUG)
    with SmtpServer(tls="starttls", certificate=certificate, credentials=("mailer", PASSWORD)) as server:
        smtp = SmtpSettings(
            host="127.0.0.1",
            port=server.port,
            tls="starttls",
            username="mailer",
            password=SecretStr(PASSWORD),
            ca_file=str(certificate.pem),
            timeout_seconds=5,
        )
        desk = desk_for(settings_for(database_url, tmp_path / "runtime", smtp), Clock(NOW))
        desk.book()
        desk.run_due_jobs()
        assert len(server.messages()) == 2 and server.logins == [("mailer", True), ("mailer", True)]

        wrong = desk_for(
            settings_for(database_url, tmp_path / "runtime", smtp.model_copy(update={"password": SecretStr("not-it")})),
            Clock(NOW),
        )
        cancel_booking(wrong.ws, desk.emails()[0].session_id or "", reason="Moved to next week.", actor=SCHEDULER)
        ran = [r for r in wrong.run_due_jobs() if r]
    assert [r.job.status for r in ran] == [JobStatus.FAILED, JobStatus.FAILED]
    failed = [m for m in wrong.emails() if m.status is OutboxStatus.FAILED]
    assert len(failed) == 2
    assert failed[0].last_error.startswith(
        f"The mail server at 127.0.0.1:{server.port} did not accept the username and password "
        "(notifications.smtp.username and password): 535"
    )
    everything = [caplog.text, *(m.last_error for m in wrong.emails()), *(r.job.reason for r in ran)]
    assert not any(PASSWORD in text or "not-it" in text for text in everything)
    assert PASSWORD not in repr(smtp) and PASSWORD not in smtp.model_dump_json()


def test_implicit_tls_sends_and_an_untrusted_certificate_is_a_failure_a_person_can_fix(
    database_url: str, tmp_path: Path
) -> None:
    certificate = Certificate.make(tmp_path / "tls")
    with SmtpServer(tls="implicit", certificate=certificate) as server:
        smtp = SmtpSettings(
            host="127.0.0.1", port=server.port, tls="implicit", ca_file=str(certificate.pem), timeout_seconds=5
        )
        desk = desk_for(settings_for(database_url, tmp_path / "runtime", smtp), Clock(NOW))
        desk.book()
        desk.run_due_jobs()
        assert len(server.messages()) == 2

        untrusting = desk_for(
            settings_for(database_url, tmp_path / "runtime", smtp.model_copy(update={"ca_file": ""})), Clock(NOW)
        )
        cancel_booking(untrusting.ws, desk.emails()[0].session_id or "", reason="Sorry.", actor=SCHEDULER)
        ran = [r for r in untrusting.run_due_jobs() if r]
    assert [r.job.status for r in ran] == [JobStatus.FAILED, JobStatus.FAILED]
    failed = [m for m in untrusting.emails() if m.status is OutboxStatus.FAILED]
    assert failed[0].last_error.startswith(f"The certificate of the mail server at 127.0.0.1:{server.port} could not")
    assert failed[0].last_error.endswith("set notifications.smtp.ca_file to the CA that signed it.")


def test_a_booking_made_on_calcom_and_cancelled_there_emails_the_attendee(
    database_url: str, tmp_path: Path, smtp_server: SmtpServer
) -> None:
    desk = desk_for(settings_for(database_url, tmp_path / "runtime", plain_smtp(smtp_server)), Clock(NOW))
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
    receive = calcom_webhooks.receive
    created = webhook_body("BOOKING_CREATED", payload)
    cancelled = webhook_body(
        "BOOKING_CANCELLED",
        {**payload, "status": "CANCELLED", "iCalSequence": 1, "cancellationReason": "Lin took another offer."},
    )
    for body in (created, cancelled):
        signature = calcom_webhooks.signature_for(WEBHOOK_SECRET, body)
        assert receive(desk.ws, body, signature, secret=WEBHOOK_SECRET).status_code == 200
        desk.run_due_jobs()  # applies the event; the emails it wrote are due at once
        desk.run_due_jobs()  # and sent
    assert [(m.kind, m.recipient, m.status) for m in desk.emails()] == [
        ("booking_confirmation", "Lin Wu <lin@example.com>", OutboxStatus.SENT),
        ("booking_confirmation", "Ana Rossi <ana@example.com>", OutboxStatus.SENT),
        ("booking_cancellation", "Lin Wu <lin@example.com>", OutboxStatus.SENT),
        ("booking_cancellation", "Ana Rossi <ana@example.com>", OutboxStatus.SENT),
    ]
    to_lin = [r.message for r in smtp_server.messages() if r.rcpt_tos == ["lin@example.com"]]
    assert to_lin[0]["Subject"] == "Your interview is booked: Wednesday 5 June 2030 at 17:00"  # Shanghai time
    notice = to_lin[1]
    assert "Reason: Lin took another offer." in parts(notice)["text/plain"].get_content()
    for calendar in invitation_of(notice):
        [event] = calendar.walk("VEVENT")
        assert (calendar["METHOD"], str(event["UID"]), event["SEQUENCE"]) == ("CANCEL", "cal-booking-1@Cal.com", 1)
