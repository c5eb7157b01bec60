"""Reminders before a booked interview, over the in-memory unit of work: when each is due, in whose time zone it
names the time, which are not written (their time has passed), and what a move, a cancellation, a booking
applied twice or a request confirmed later does to them. Sending is core.notifications' (tests/integration/
notifications/test_reminders.py reads what a real SMTP server received)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from core.config import NotificationSettings, SchedulingSettings, Settings
from core.models import BookingStatus, EventType, Job, JobStatus, OutboxMessage, OutboxStatus
from core.notifications.outbox import SEND_EMAIL
from core.permissions.actor import Actor
from core.scheduling.booking_emails import Recipient
from core.scheduling.booking_reminders import (
    REMINDER,
    ReminderTime,
    lead_time,
    reminder_key,
    reminder_times,
    sync_reminders,
)
from core.scheduling.booking_sync import BookingFacts, SyncOutcome, apply_booking_facts, apply_meeting_event
from core.scheduling.bookings import BookingRequest, ScheduledInterview, book_interview, cancel_booking
from core.scheduling.bookings import reschedule_booking as reschedule
from core.scheduling.team import add_member, save_event_type
from core.workspace import Workspace
from tests.actors import ADMIN, SCHEDULER
from tests.clock import Clock
from tests.fakes import FakeUnitOfWork
from tests.unit.fake_workspace import fake_workspace

NOW = datetime(2030, 6, 3, 12, 0, tzinfo=UTC)  # a Monday
START = datetime(2030, 6, 4, 14, 0, tzinfo=UTC)  # 26 hours later
HOUR, DAY = timedelta(hours=1), timedelta(days=1)


def workspace(uow: FakeUnitOfWork, clock: Clock, **notifications: Any) -> Workspace:
    settings = Settings(
        scheduling=SchedulingSettings(minimum_notice_minutes=0), notifications=NotificationSettings(**notifications)
    )
    ws = fake_workspace(uow, clock, settings)
    add_member(ws, name="Ana Rossi", email="ana@example.com", timezone="Europe/Rome", actor=ADMIN)
    add_member(ws, name="Ben Carter", email="ben@example.com", timezone="America/New_York", actor=ADMIN)
    save_event_type(ws, EventType(id="", title="Pairing interview", length_minutes=30), actor=ADMIN)
    return ws


@pytest.fixture
def uow() -> FakeUnitOfWork:
    return FakeUnitOfWork()


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


@pytest.fixture
def ws(uow: FakeUnitOfWork, clock: Clock) -> Workspace:
    return workspace(uow, clock)  # the shipped default: 24 hours and 1 hour before


def book(ws: Workspace, uow: FakeUnitOfWork, start: datetime = START, **extra: Any) -> ScheduledInterview:
    values: dict[str, Any] = {
        "event_type_id": uow.event_types.all()[0].id,
        "problem_id": "url_shortener",
        "start": start,
        "interviewer_ids": tuple(m.id for m in uow.team_members.all()),
        "candidate_name": "Grace Hopper",
        "candidate_email": "grace@example.com",
        "candidate_timezone": "Asia/Tokyo",
        "meeting_url": "https://meet.google.com/abc-defg-hij",
        **extra,
    }
    return book_interview(ws, BookingRequest(**values), actor=SCHEDULER)


def reminders(uow: FakeUnitOfWork, status: OutboxStatus | None = None) -> list[OutboxMessage]:
    """The reminders, oldest first (of one status, when given)."""
    found = [m for m in reversed(uow.outbox.latest()) if m.kind == REMINDER]
    return [m for m in found if status is None or m.status is status]


def job_of(uow: FakeUnitOfWork, message: OutboxMessage) -> Job:
    job = uow.jobs.by_key(message.job_key)
    assert job is not None
    return job


def address(message: OutboxMessage) -> str:
    return message.recipient.split("<")[-1].rstrip(">")


# --- when and in which zone --------------------------------------------------------------------------------


def test_each_reminder_is_due_its_offset_before_the_start_earliest_first() -> None:
    assert reminder_times(START, [HOUR, DAY, HOUR]) == [
        ReminderTime(DAY, datetime(2030, 6, 3, 14, 0, tzinfo=UTC)),
        ReminderTime(HOUR, datetime(2030, 6, 4, 13, 0, tzinfo=UTC)),
    ]
    assert reminder_times(START, []) == []


@pytest.mark.parametrize(
    ("offset", "said"),
    [
        (DAY, "24 hours"),
        (HOUR, "1 hour"),
        (timedelta(minutes=30), "30 minutes"),
        (timedelta(minutes=90), "1 hour 30 minutes"),
        (timedelta(minutes=1), "1 minute"),
        (timedelta(days=2), "2 days"),
        (timedelta(hours=50), "50 hours"),
    ],
)
def test_the_lead_time_is_said_as_a_person_says_it(offset: timedelta, said: str) -> None:
    assert lead_time(offset) == said


def test_a_booking_writes_each_reminder_for_each_person_due_at_its_time_in_their_own_zone(
    ws: Workspace, uow: FakeUnitOfWork
) -> None:
    view = book(ws, uow, guests=("observer@example.com",))
    written = reminders(uow)
    assert len(written) == 8  # 24 hours and 1 hour before, to Grace, Ana, Ben and the guest
    due = {(address(m), m.send_after): m for m in written}
    assert set(due) == {
        (person, START - offset)
        for person in ("grace@example.com", "ana@example.com", "ben@example.com", "observer@example.com")
        for offset in (DAY, HOUR)
    }
    subjects = {address(m): m.subject for m in written if m.send_after == START - HOUR}
    assert subjects == {
        "grace@example.com": "Reminder: your interview on Tuesday 4 June 2030 at 23:00",  # Tokyo
        "ana@example.com": "Reminder: Grace Hopper's interview on Tuesday 4 June 2030 at 16:00",  # Rome
        "ben@example.com": "Reminder: Grace Hopper's interview on Tuesday 4 June 2030 at 10:00",  # New York
        "observer@example.com": "Reminder: Grace Hopper's interview on Tuesday 4 June 2030 at 23:00",  # the booking's
    }
    to_grace = due[("grace@example.com", START - DAY)]
    assert to_grace.text_body.startswith("Hi Grace,\n\nA reminder: your interview (Design a URL Shortener) with ")
    assert "Ana Rossi" in to_grace.text_body and "Ben Carter" in to_grace.text_body
    assert " starts in 24 hours, on Tuesday 4 June 2030 at 23:00 (Asia/Tokyo), and lasts 30 minutes.\n" in (
        to_grace.text_body
    )
    assert "Join at: https://meet.google.com/abc-defg-hij" in to_grace.text_body
    assert "<p>Hi Grace,</p>" in to_grace.html_body and "23:00 (Asia/Tokyo)" in to_grace.html_body
    to_ben = due[("ben@example.com", START - HOUR)]
    assert "starts in 1 hour, on Tuesday 4 June 2030 at 10:00 (America/New_York)" in to_ben.text_body
    for message in written:
        assert (message.status, message.session_id, message.booking_id) == (
            OutboxStatus.QUEUED,
            view.session.id,
            view.booking.id,
        )
        assert message.send_before == START and message.attachment is None
        job = job_of(uow, message)
        assert (job.kind, job.status, job.payload) == (SEND_EMAIL, JobStatus.QUEUED, {"message_id": message.id})
        assert job.run_after == message.send_after and job.sent_at is None  # due later; the first sweep after sends
        assert job.key.startswith(f"send_email:reminder:{view.booking.id}:")
        assert "@" not in job.key  # a job's record outlives the message: no address in its key
    assert {job_of(uow, m).key.split(":")[3] for m in written} == {"1440m", "60m"}
    assert len({job_of(uow, m).key for m in written}) == 8


def test_a_reminder_whose_time_has_passed_at_booking_is_not_written(
    ws: Workspace, uow: FakeUnitOfWork, clock: Clock
) -> None:
    clock.now = START - timedelta(minutes=30)  # booked 30 minutes ahead
    book(ws, uow)
    assert reminders(uow) == []

    other = FakeUnitOfWork()
    soon = workspace(other, Clock(START - timedelta(minutes=30)), reminders=[HOUR, timedelta(minutes=15)])
    book(soon, other)
    assert {(m.send_after, address(m)) for m in reminders(other)} == {
        (START - timedelta(minutes=15), person)
        for person in ("grace@example.com", "ana@example.com", "ben@example.com")
    }


def test_without_reminders_configured_none_is_written(uow: FakeUnitOfWork, clock: Clock) -> None:
    ws = workspace(uow, clock, reminders=[])
    book(ws, uow)
    assert reminders(uow) == [] and {m.kind for m in uow.outbox.latest()} == {"booking_confirmation"}


def test_a_person_whose_zone_is_not_known_is_reminded_in_the_workspace_zone(uow: FakeUnitOfWork, clock: Clock) -> None:
    ws = workspace(uow, clock, timezone="Europe/Paris")
    apply(ws, cal_facts(attendee_timezone="Mars/Olympus"), "BOOKING_CREATED")
    to_lin = [m for m in reminders(uow) if address(m) == "lin@example.com"]
    assert len(to_lin) == 2
    assert all(m.subject == "Reminder: your interview on Tuesday 4 June 2030 at 16:00" for m in to_lin)
    assert all("(Europe/Paris)" in m.text_body for m in to_lin)


def test_the_key_changes_with_the_revision_the_time_the_link_and_the_recipients_zone_only(
    ws: Workspace, uow: FakeUnitOfWork
) -> None:
    booking = book(ws, uow).booking
    grace = Recipient("Grace Hopper", "grace@example.com", "candidate", "Asia/Tokyo")
    key = reminder_key(booking, grace, HOUR)
    assert reminder_key(booking, Recipient("Grace H.", "GRACE@example.com", "candidate", "Asia/Tokyo"), HOUR) == key
    changed = [
        reminder_key(booking, grace, DAY),
        reminder_key(replace(booking, ical_sequence=1), grace, HOUR),
        reminder_key(replace(booking, start_at=START + HOUR), grace, HOUR),
        reminder_key(replace(booking, meeting_url=None), grace, HOUR),
        reminder_key(booking, Recipient("Grace Hopper", "grace@example.com", "candidate", "Europe/Rome"), HOUR),
        reminder_key(booking, Recipient("Ana Rossi", "ana@example.com", "team", "Asia/Tokyo"), HOUR),
    ]
    assert len({key, *changed}) == 7


# --- moves, cancellations, the same booking again ----------------------------------------------------------


def test_a_move_withdraws_the_pending_reminders_and_writes_them_for_the_new_time(
    ws: Workspace, uow: FakeUnitOfWork
) -> None:
    view = book(ws, uow)
    before = reminders(uow)
    later = START + timedelta(minutes=30)
    reschedule(ws, view.session.id, start=later, actor=SCHEDULER)
    withdrawn = reminders(uow, OutboxStatus.WITHDRAWN)
    assert [m.id for m in withdrawn] == [m.id for m in before]
    for message in withdrawn:
        assert message.last_error.startswith("Withdrawn: the interview was moved or changed;")
        job = job_of(uow, message)
        assert (job.status, job.reason) == (JobStatus.DONE, f"Email #{message.id} withdrawn; not sent.")
        assert job.finished_at == NOW
    fresh = reminders(uow, OutboxStatus.QUEUED)
    assert sorted({m.send_after for m in fresh}) == [later - DAY, later - HOUR] and len(fresh) == 6
    assert all(":v1:" in m.job_key and job_of(uow, m).run_after == m.send_after for m in fresh)
    assert next(m for m in fresh if address(m) == "grace@example.com").subject.endswith("4 June 2030 at 23:30")  # Tokyo


def test_a_cancellation_withdraws_every_pending_reminder_and_writes_none(ws: Workspace, uow: FakeUnitOfWork) -> None:
    view = book(ws, uow)
    cancel_booking(ws, view.session.id, reason="The role was filled.", actor=SCHEDULER)
    assert reminders(uow, OutboxStatus.QUEUED) == []
    withdrawn = reminders(uow, OutboxStatus.WITHDRAWN)
    assert len(withdrawn) == 6
    assert {m.last_error for m in withdrawn} == {"Withdrawn: the interview was cancelled."}
    assert {job_of(uow, m).status for m in withdrawn} == {JobStatus.DONE}
    with ws.uow_factory() as again:  # done is done: a second look writes and withdraws nothing
        booking = again.bookings.for_session(view.session.id)
        assert booking is not None and sync_reminders(ws, again, booking, actor=SCHEDULER) == []
    assert len(reminders(uow)) == 6


def test_a_reminder_already_sent_stays_sent_when_the_interview_is_cancelled(
    ws: Workspace, uow: FakeUnitOfWork, clock: Clock
) -> None:
    view = book(ws, uow)
    first = [m for m in reminders(uow) if m.send_after == START - DAY]
    with uow:
        for message in first:
            message.status = OutboxStatus.SENT
            uow.outbox.update(message)
        uow.commit()
    clock.now = START - 2 * HOUR
    cancel_booking(ws, view.session.id, reason="Sorry.", actor=SCHEDULER)
    assert {(m.send_after, m.status) for m in reminders(uow)} == {
        (START - DAY, OutboxStatus.SENT),
        (START - HOUR, OutboxStatus.WITHDRAWN),
    }


def cal_facts(uid: str = "cal-1", **extra: Any) -> BookingFacts:
    values: dict[str, Any] = {
        "status": BookingStatus.CONFIRMED,
        "attendee_name": "Lin Wu",
        "attendee_email": "lin@example.com",
        "attendee_timezone": "Asia/Shanghai",
        "organizer_email": "ben@example.com",
        "ical_uid": "cal-1@Cal.com",
        "ical_sequence": 0,
        **extra,
    }
    start = values.pop("start", START)
    return BookingFacts(uid=uid, start=start, end=start + timedelta(minutes=45), **values)


def apply(ws: Workspace, news: BookingFacts, trigger: str) -> SyncOutcome:
    with ws.uow_factory() as uow:
        outcome = apply_booking_facts(ws, uow, news, trigger=trigger)
        uow.commit()
    return outcome


def test_calcom_news_applied_twice_writes_each_reminder_once_and_a_move_there_moves_them(
    ws: Workspace, uow: FakeUnitOfWork
) -> None:
    created = apply(ws, cal_facts(), "BOOKING_CREATED")
    assert len(created.jobs) == 2 + 4  # two confirmations, two reminders each for Lin and Ben
    assert {(address(m), m.send_after) for m in reminders(uow)} == {
        (p, START - o) for p in ("lin@example.com", "ben@example.com") for o in (DAY, HOUR)
    }
    assert "(Asia/Shanghai)" in next(m for m in reminders(uow) if address(m) == "lin@example.com").text_body
    assert apply(ws, cal_facts(), "BOOKING_CREATED").jobs == []  # the same news again: nothing more
    assert len(reminders(uow)) == 4

    moved = cal_facts("cal-2", start=START + DAY, rescheduled_from_uid="cal-1", ical_sequence=1)
    assert len(apply(ws, moved, "BOOKING_RESCHEDULED").jobs) == 2 + 4
    assert apply(ws, moved, "BOOKING_RESCHEDULED").jobs == []
    assert len(reminders(uow, OutboxStatus.WITHDRAWN)) == 4
    assert {m.send_after for m in reminders(uow, OutboxStatus.QUEUED)} == {START, START + DAY - HOUR}

    cancelled = cal_facts("cal-2", start=START + DAY, status=BookingStatus.CANCELLED, ical_sequence=2)
    apply(ws, cancelled, "BOOKING_CANCELLED")
    assert reminders(uow, OutboxStatus.QUEUED) == [] and len(reminders(uow, OutboxStatus.WITHDRAWN)) == 8


def test_a_booking_waiting_for_confirmation_has_reminders_only_once_confirmed(
    ws: Workspace, uow: FakeUnitOfWork
) -> None:
    apply(ws, cal_facts(status=BookingStatus.PENDING), "BOOKING_REQUESTED")
    assert reminders(uow) == []
    apply(ws, cal_facts(), "BOOKING_CREATED")
    written = reminders(uow, OutboxStatus.QUEUED)
    assert len(written) == 4

    # A late "requested" after the acceptance puts the booking back to pending: its reminders are withdrawn...
    apply(ws, cal_facts(status=BookingStatus.PENDING), "BOOKING_REQUESTED")
    assert len(reminders(uow, OutboxStatus.WITHDRAWN)) == 4
    assert {m.last_error for m in reminders(uow)} == {"Withdrawn: the booking waits for the host to confirm it."}
    # ...and confirmed again as it was, the same reminders are owed again, due when they were
    again = apply(ws, cal_facts(), "BOOKING_CREATED")
    assert [m.id for m in reminders(uow, OutboxStatus.QUEUED)] == [m.id for m in written]
    assert {j.key for j in again.jobs} >= {m.job_key for m in written}
    for message in written:
        job = job_of(uow, message)
        assert (job.status, job.attempts, job.run_after, job.sent_at) == (
            JobStatus.QUEUED,
            0,
            message.send_after,
            None,
        )


def test_a_meeting_started_early_withdraws_the_reminders_still_pending(
    ws: Workspace, uow: FakeUnitOfWork, clock: Clock
) -> None:
    apply(ws, cal_facts(), "BOOKING_CREATED")
    clock.now = START - 2 * HOUR
    with ws.uow_factory() as work:
        apply_meeting_event(ws, work, "cal-1", trigger="MEETING_STARTED")
        work.commit()
    assert len(reminders(uow, OutboxStatus.WITHDRAWN)) == 4
    assert {m.last_error for m in reminders(uow)} == {"Withdrawn: the interview has begun."}


def test_the_actor_of_a_reminder_is_who_booked(ws: Workspace, uow: FakeUnitOfWork) -> None:
    book(ws, uow)
    assert {m.actor for m in reminders(uow)} == {SCHEDULER.name}
    assert {job_of(uow, m).actor for m in reminders(uow)} == {SCHEDULER.name}
    apply(ws, cal_facts(start=START + DAY), "BOOKING_CREATED")
    assert {m.actor for m in reminders(uow) if address(m) == "lin@example.com"} == {Actor("calcom").name}
