"""A person's notification preferences over the in-memory unit of work: email for everything by default (also
for people without an account), their own choices saved with what is wrong said in a sentence, and a written
email made into the messages they chose, held back by quiet hours unless urgent."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import SecretStr

from core.config import NotificationSettings, Settings, SlackSettings, SmsSettings
from core.errors import AccessDenied, InvalidInput
from core.models import Account, AccountRole, Channel, OutboxMessage
from core.notifications import channel_copies, preferences
from core.permissions.actor import Actor
from core.workspace import Workspace
from tests.clock import Clock
from tests.fakes import FakeUnitOfWork
from tests.unit.fake_workspace import fake_workspace

NOW = datetime(2030, 6, 3, 12, 0, tzinfo=UTC)  # 14:00 in Rome
ANA = Account(id="a1", email="ana@example.com", name="Ana Rossi", roles=[AccountRole.INTERVIEWER])
WITH_CHANNELS = Settings(
    notifications=NotificationSettings(
        slack=SlackSettings(webhook_url=SecretStr("https://hooks.slack.example/services/T/B/secret")),
        sms=SmsSettings(account_sid="AC1", auth_token=SecretStr("token"), from_number="+15005550006"),
    )
)


@pytest.fixture
def ws(uow: FakeUnitOfWork) -> Workspace:
    with uow:
        uow.accounts.add(ANA)
        uow.commit()
    return fake_workspace(uow, Clock(NOW), WITH_CHANNELS)


def save(ws: Workspace, channels: dict[str, list[str]], *, phone: str = "", zone: str = "", quiet: str = "") -> None:
    preferences.save(ws, actor=Actor.person(ANA), channels=channels, phone=phone, timezone=zone, quiet=quiet)


def email(kind: str = "booking_confirmation", *, due: datetime | None = None) -> OutboxMessage:
    body = (
        "Hi Ana,\n\nGrace's interview is booked.\n\nJoin at: https://meet.example/abc\n\nThe invitation is attached.\n"
    )
    return OutboxMessage(kind, "Ana Rossi <ana@example.com>", "Interview booked: Grace", body, send_after=due)


def test_email_for_everything_is_the_default_and_slack_and_sms_are_off() -> None:
    for kind in preferences.EVENTS:
        assert preferences.channels_for(ANA, kind) == [Channel.EMAIL]
        assert preferences.channels_for(None, kind) == [Channel.EMAIL]  # no account: a candidate, a guest
    assert preferences.channels_for(ANA, "follow_up") == [Channel.EMAIL]  # not a preference


def test_a_person_saves_their_own_choices(ws: Workspace, uow: FakeUnitOfWork) -> None:
    save(
        ws,
        {"booking_confirmation": ["sms", "email"], "booking_reminder": []},
        phone="+39 347 123 4567",
        zone="Europe/Rome",
        quiet="21:00-08:00",
    )
    choices = preferences.mine(ws, actor=Actor.person(ANA))
    assert choices.channels["booking_confirmation"] == [Channel.EMAIL, Channel.SMS]
    assert choices.channels["booking_reminder"] == [] and choices.channels["booking_update"] == []
    assert (choices.phone, choices.timezone, choices.quiet_hours) == ("+393471234567", "Europe/Rome", "21:00-08:00")
    [entry] = [a for a in uow.audit.latest(limit=10) if a.action == "notification_preferences_changed"]
    assert "393471234567" not in str(entry.detail)


@pytest.mark.parametrize(
    ("channels", "phone", "zone", "quiet", "problem"),
    [
        ({"booking_reminder": ["sms"]}, "", "", "", "Add your phone number to get text messages"),
        ({}, "07700 900123", "", "", "international form"),
        ({}, "", "Mars/Olympus", "", "time zone must be a name"),
        ({}, "", "", "late", "Quiet hours are written from-until"),
        ({"booking_reminder": ["pigeon"]}, "", "", "", "A channel is one of email, slack, sms"),
    ],
)
def test_what_is_wrong_is_said_in_a_sentence(
    ws: Workspace, channels: dict[str, list[str]], phone: str, zone: str, quiet: str, problem: str
) -> None:
    with pytest.raises(InvalidInput, match=problem):
        save(ws, channels, phone=phone, zone=zone, quiet=quiet)


def test_only_a_signed_in_person_has_preferences(ws: Workspace) -> None:
    with pytest.raises(AccessDenied):
        preferences.save(ws, actor=Actor.workspace("cli"), channels={}, phone="", timezone="", quiet="")


def test_an_email_becomes_the_messages_the_person_chose(ws: Workspace, uow: FakeUnitOfWork) -> None:
    save(ws, {"booking_confirmation": ["email", "slack", "sms"]}, phone="+447700900123")
    with uow:
        made = channel_copies.for_person(
            uow, ws, email(), person_email="ANA@example.com", person_name="Ana Rossi", urgent=False
        )
    assert [(m.channel, m.recipient) for m in made] == [
        (Channel.EMAIL, "Ana Rossi <ana@example.com>"),
        (Channel.SLACK, "Slack: Ana Rossi"),
        (Channel.SMS, "+447700900123"),
    ]
    slack, sms = made[1], made[2]
    assert slack.text_body.startswith("*Interview booked: Grace*\n\nHi Ana,") and slack.html_body == ""
    assert sms.text_body == "Interview booked: Grace\nJoin at: https://meet.example/abc"
    assert slack.attachment is None and sms.attachment is None


def test_a_channel_the_workspace_lacks_is_left_out(uow: FakeUnitOfWork) -> None:
    with uow:
        uow.accounts.add(ANA)
        uow.commit()
    ws = fake_workspace(uow, Clock(NOW))  # no Slack, no SMS
    save(ws, {"booking_confirmation": ["slack", "sms"]}, phone="+447700900123")
    with uow:
        made = channel_copies.for_person(uow, ws, email(), person_email=ANA.email, person_name="Ana", urgent=False)
    assert made == []


def test_quiet_hours_hold_back_what_can_wait_not_what_is_urgent(ws: Workspace, uow: FakeUnitOfWork) -> None:
    save(
        ws, {"booking_reminder": ["email"], "booking_confirmation": ["email"]}, zone="Europe/Rome", quiet="13:00-17:00"
    )
    due = NOW + timedelta(minutes=30)  # 14:30 in Rome
    reminder = email("booking_reminder", due=due)
    reminder.job_key = "send_email:reminder:b1:60m:v0:abc"
    with uow:
        waiting = channel_copies.for_person(uow, ws, reminder, person_email=ANA.email, person_name="", urgent=False)
        urgent = channel_copies.for_person(uow, ws, reminder, person_email=ANA.email, person_name="", urgent=True)
        now = channel_copies.for_person(uow, ws, email(), person_email=ANA.email, person_name="", urgent=False)
    assert waiting[0].send_after == datetime(2030, 6, 3, 15, 0, tzinfo=UTC)  # 17:00 in Rome
    assert urgent[0].send_after == due
    assert now[0].send_after == datetime(2030, 6, 3, 15, 0, tzinfo=UTC)  # a confirmation due now waits too


def test_a_reminders_copies_keep_its_key_with_the_channel(ws: Workspace, uow: FakeUnitOfWork) -> None:
    save(ws, {"booking_reminder": ["email", "sms"]}, phone="+447700900123")
    reminder = email("booking_reminder", due=NOW + timedelta(hours=2))
    reminder.job_key = "send_email:reminder:b1:60m:v0:abc"
    with uow:
        made = channel_copies.for_person(uow, ws, reminder, person_email=ANA.email, person_name="", urgent=True)
    assert [m.job_key for m in made] == [reminder.job_key, reminder.job_key + ":sms"]
