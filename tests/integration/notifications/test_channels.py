"""Slack and SMS beside email, on SQLite and PostgreSQL: a booking's messages go out by the channels each person
chose, through the real worker path (the ledger, the runner, the send_text handler) to loopback stand-ins that
speak Slack's incoming webhook and Twilio's Messages API; passing failures are retried with the queue's backoff,
permanent ones fail with the reason, a person's quiet hours hold back what can wait."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pydantic import SecretStr

from core.accounts.services import add_account
from core.config import NotificationSettings, SchedulingSettings, Settings, SlackSettings, SmsSettings
from core.jobs import runner
from core.models import Account, Channel, EventType, JobStatus, OutboxMessage, OutboxStatus
from core.notifications import preferences
from core.permissions.actor import Actor
from core.scheduling.bookings import ScheduledInterview
from core.scheduling.team import add_member, save_event_type
from core.workspace import Workspace
from entry.bootstrap import build_workspace
from entry.job_handlers import HANDLERS
from tests.actors import ADMIN
from tests.clock import Clock
from tests.integration.booking_desk import book_grace
from tests.slack_webhook_fake import HOOK_PATH, SlackWebhookFake
from tests.twilio_fake import ACCOUNT_SID, AUTH_TOKEN, FROM_NUMBER, INVALID_NUMBER, TwilioFake

NOW = datetime(2030, 6, 3, 12, 0, tzinfo=UTC)  # a Monday
START = datetime(2030, 6, 4, 14, 0, tzinfo=UTC)
ANA = "ana@example.com"
ANA_PHONE = "+39 347 123 4567"
BOOKED = "booking_confirmation"
REMINDER = "booking_reminder"


@dataclass
class Desk:
    """A workspace with Slack and SMS pointed at the stand-ins, one interviewer (Ana, in Rome, with an account)."""

    ws: Workspace
    clock: Clock
    event_type: EventType
    ana: Account

    def choose(self, channels: dict[str, list[str]], *, phone: str = ANA_PHONE, quiet: str = "") -> None:
        preferences.save(
            self.ws,
            actor=Actor.person(self.ana),
            channels={**{kind: ["email"] for kind in preferences.EVENTS}, **channels},
            phone=phone,
            timezone="Europe/Rome",
            quiet=quiet,
        )

    def book(self, start: datetime = START) -> ScheduledInterview:
        return book_grace(self.ws, self.event_type, start, candidate_timezone="America/New_York")

    def messages(self, *, channel: Channel | None = None, kind: str | None = None) -> list[OutboxMessage]:
        with self.ws.uow_factory() as uow:
            found = list(reversed(uow.outbox.latest()))
        return [m for m in found if (channel is None or m.channel is channel) and (kind is None or m.kind == kind)]

    def run_due_jobs(self) -> None:
        with self.ws.uow_factory() as uow:
            due = uow.jobs.due(now=self.clock(), sent_before=self.clock() + timedelta(days=1))
        for job in due:
            runner.run(self.ws, job.id or 0, HANDLERS)

    def job_of(self, message: OutboxMessage) -> tuple[JobStatus, str]:
        with self.ws.uow_factory() as uow:
            job = uow.jobs.by_key(message.job_key or f"send_text:{message.id}")
        assert job is not None
        return job.status, job.reason


@pytest.fixture
def slack() -> Iterator[SlackWebhookFake]:
    with SlackWebhookFake() as fake:
        yield fake


@pytest.fixture
def twilio() -> Iterator[TwilioFake]:
    with TwilioFake() as fake:
        yield fake


@pytest.fixture
def desk(database_url: str, tmp_path: Path, slack: SlackWebhookFake, twilio: TwilioFake) -> Desk:
    settings = Settings(
        database_url=database_url,
        runtime_dir=tmp_path / "runtime",
        scheduling=SchedulingSettings(minimum_notice_minutes=0),
        notifications=NotificationSettings(
            sender="Interviews <interviews@example.org>",
            slack=SlackSettings(webhook_url=SecretStr(slack.hook_url), timeout_seconds=5),
            sms=SmsSettings(
                account_sid=ACCOUNT_SID,
                auth_token=SecretStr(AUTH_TOKEN),
                from_number=FROM_NUMBER,
                api_base=twilio.api_base,
                timeout_seconds=5,
            ),
        ),
    )
    clock = Clock(NOW)
    ws = build_workspace(settings, migrate=False)
    ws.clock = clock
    add_member(ws, name="Ana Rossi", email=ANA, timezone="Europe/Rome", actor=ADMIN)
    ana = add_account(ws, email=ANA, name="Ana Rossi", roles=["interviewer"], actor=ADMIN)
    kind = save_event_type(ws, EventType(id="", title="Pairing interview", length_minutes=30), actor=ADMIN)
    return Desk(ws, clock, kind, ana)


def no_secret_in(*texts: str) -> None:
    for text in texts:
        assert AUTH_TOKEN not in text and HOOK_PATH not in text and "XXXXsecret" not in text


def test_a_person_who_chose_sms_gets_a_text_through_twilio(desk: Desk, twilio: TwilioFake) -> None:
    desk.choose({BOOKED: ["sms"]})
    desk.book()
    desk.run_due_jobs()

    [sent] = twilio.sent()
    assert sent.form["To"] == "+393471234567" and sent.form["From"] == FROM_NUMBER
    assert sent.form["Body"].startswith("Interview booked: Grace Hopper, Tuesday 4 June 2030 at 16:00")  # Rome
    assert sent.authorization == "Basic " + base64.b64encode(f"{ACCOUNT_SID}:{AUTH_TOKEN}".encode()).decode()
    [sms] = desk.messages(channel=Channel.SMS)
    assert (sms.status, sms.recipient, sms.attempts) == (OutboxStatus.SENT, "+393471234567", 1)
    # She turned email off for bookings: the confirmation's only email is the candidate's
    assert [m.recipient for m in desk.messages(channel=Channel.EMAIL, kind=BOOKED)] == [
        "Grace Hopper <grace@example.com>"
    ]


def test_slack_gets_the_json_of_the_message(desk: Desk, slack: SlackWebhookFake) -> None:
    desk.choose({BOOKED: ["email", "slack"]})
    desk.book()
    desk.run_due_jobs()

    [post] = slack.posts()
    assert post["text"].startswith("*Interview booked: Grace Hopper, Tuesday 4 June 2030 at 16:00*\n\nHi Ana,")
    [message] = desk.messages(channel=Channel.SLACK)
    assert (message.status, message.recipient) == (OutboxStatus.SENT, "Slack: Ana Rossi")
    assert len(desk.messages(channel=Channel.EMAIL, kind=BOOKED)) == 2  # hers and the candidate's


def test_a_429_is_tried_again_after_the_wait_asked_for(desk: Desk, twilio: TwilioFake, slack: SlackWebhookFake) -> None:
    desk.choose({BOOKED: ["sms", "slack"]})
    twilio.fail_next(429, 20429, retry_after=30)
    slack.fail_next(429, retry_after=30)
    desk.book()
    desk.run_due_jobs()

    assert twilio.sent() == [] and slack.posts() == []
    for message in desk.messages(kind=BOOKED, channel=Channel.SMS) + desk.messages(kind=BOOKED, channel=Channel.SLACK):
        assert message.status is OutboxStatus.QUEUED and message.attempts == 1
        assert "429" in message.last_error
        assert desk.job_of(message)[0] is JobStatus.QUEUED
    desk.clock.now += timedelta(seconds=31)
    desk.run_due_jobs()

    assert len(twilio.sent()) == 1 and len(slack.posts()) == 1
    assert {m.status for m in desk.messages(kind=BOOKED) if m.channel is not Channel.EMAIL} == {OutboxStatus.SENT}


def test_a_number_twilio_calls_invalid_fails_with_its_reason(desk: Desk, twilio: TwilioFake) -> None:
    desk.choose({BOOKED: ["sms"]}, phone=INVALID_NUMBER)
    desk.book()
    desk.run_due_jobs()

    assert twilio.sent() == []
    [sms] = desk.messages(channel=Channel.SMS)
    assert sms.status is OutboxStatus.FAILED
    assert sms.last_error == (
        f"Twilio refused the message (code 21211): The 'To' number {INVALID_NUMBER} is not a valid phone number."
    )
    status, reason = desk.job_of(sms)
    assert status is JobStatus.FAILED and "code 21211" in reason and INVALID_NUMBER not in reason
    no_secret_in(sms.last_error, reason)


def test_an_archived_slack_channel_fails_for_good_without_showing_the_hook(desk: Desk, slack: SlackWebhookFake) -> None:
    desk.choose({BOOKED: ["slack"]})
    slack.fail_next(410)
    desk.book()
    desk.run_due_jobs()

    [message] = desk.messages(channel=Channel.SLACK)
    assert message.status is OutboxStatus.FAILED and message.attempts == 1
    assert message.last_error.startswith("Slack refused the message (410 channel_is_archived)")
    status, reason = desk.job_of(message)
    assert status is JobStatus.FAILED
    no_secret_in(message.last_error, reason)


def test_a_person_who_turned_an_event_off_gets_nothing_for_it(
    desk: Desk, twilio: TwilioFake, slack: SlackWebhookFake
) -> None:
    desk.choose({BOOKED: []})
    desk.book()
    desk.run_due_jobs()

    booked = desk.messages(kind=BOOKED)
    assert [(m.channel, m.recipient) for m in booked] == [(Channel.EMAIL, "Grace Hopper <grace@example.com>")]
    assert twilio.sent() == [] and slack.posts() == []
    assert {m.recipient.split("<")[-1] for m in desk.messages(kind=REMINDER)} == {"grace@example.com>", ANA + ">"}


def test_quiet_hours_hold_back_what_can_wait_but_not_the_last_reminder(desk: Desk, twilio: TwilioFake) -> None:
    desk.choose({REMINDER: ["sms"]}, quiet="13:00-17:00")  # in Rome; the interview starts at 16:00 there
    desk.book()

    texts = sorted(desk.messages(kind=REMINDER, channel=Channel.SMS), key=lambda m: m.send_after or START)
    assert [m.send_after for m in texts] == [
        datetime(2030, 6, 3, 15, 0, tzinfo=UTC),  # due 16:00 in Rome the day before: waits until 17:00
        START - timedelta(hours=1),  # urgent: in quiet hours, all the same
    ]

    desk.clock.now = START - timedelta(hours=24) + timedelta(minutes=1)  # the 24-hour reminder's time
    desk.run_due_jobs()
    assert twilio.sent() == []  # 16:01 in Rome: it waits
    desk.clock.now = datetime(2030, 6, 3, 15, 1, tzinfo=UTC)
    desk.run_due_jobs()
    assert [s.form["Body"] for s in twilio.sent()] == [
        "Reminder: Grace Hopper's interview on Tuesday 4 June 2030 at 16:00"
    ]
    desk.clock.now = START - timedelta(minutes=59)
    desk.run_due_jobs()
    assert len(twilio.sent()) == 2
