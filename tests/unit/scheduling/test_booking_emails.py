"""What a booking writes to the outbox, over the in-memory unit of work: who gets which email, in which time
zone, with which invitation (METHOD and SEQUENCE), on the built-in scheduler and on Cal.com's news alike.
Sending is core.notifications' (tests/integration/notifications reads what a real SMTP server received)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from icalendar import Calendar

from core.config import NotificationSettings, SchedulingSettings, Settings
from core.models import Account, BookingStatus, EventType, JobStatus, OutboxMessage, OutboxStatus
from core.notifications.outbox import SEND_EMAIL, job_key
from core.scheduling.booking_sync import BookingFacts, SyncOutcome, apply_booking_facts
from core.scheduling.bookings import (
    BookingRequest,
    ScheduledInterview,
    book_interview,
    cancel_booking,
    reschedule_booking,
)
from core.scheduling.team import add_member, save_event_type
from core.workspace import Workspace
from tests.actors import ADMIN, SCHEDULER
from tests.clock import Clock
from tests.fakes import FakeUnitOfWork
from tests.unit.fake_workspace import fake_workspace

NOW = datetime(2030, 6, 4, 12, 15, tzinfo=UTC)
START = datetime(2030, 6, 4, 14, 0, tzinfo=UTC)


@pytest.fixture
def uow() -> FakeUnitOfWork:
    return FakeUnitOfWork()


@pytest.fixture
def ws(uow: FakeUnitOfWork) -> Workspace:
    settings = Settings(  # reminders are test_booking_reminders.py's: here, the notices alone
        scheduling=SchedulingSettings(minimum_notice_minutes=60), notifications=NotificationSettings(reminders=[])
    )
    workspace = fake_workspace(uow, Clock(NOW), settings)
    add_member(workspace, name="Ana Rossi", email="ana@example.com", timezone="Europe/Rome", actor=ADMIN)
    add_member(workspace, name="Ben Carter", email="ben@example.com", timezone="America/New_York", actor=ADMIN)
    save_event_type(workspace, EventType(id="", title="Pairing interview", length_minutes=30), actor=ADMIN)
    return workspace


def book(ws: Workspace, uow: FakeUnitOfWork, **extra: Any) -> ScheduledInterview:
    values: dict[str, Any] = {
        "event_type_id": uow.event_types.all()[0].id,
        "problem_id": "url_shortener",
        "start": START,
        "interviewer_ids": tuple(m.id for m in uow.team_members.all()),
        "candidate_name": "Grace Hopper",
        "candidate_email": "grace@example.com",
        "candidate_timezone": "Asia/Tokyo",
        **extra,
    }
    return book_interview(ws, BookingRequest(**values), actor=SCHEDULER)


def emails(uow: FakeUnitOfWork) -> list[OutboxMessage]:
    return list(reversed(uow.outbox.latest()))


def invitation(message: OutboxMessage) -> tuple[str, int, str]:
    """(METHOD, SEQUENCE, UID) of the attached invitation."""
    assert message.attachment is not None
    calendar = Calendar.from_ical(message.attachment)
    [event] = calendar.walk("VEVENT")
    return str(calendar["METHOD"]), int(event["SEQUENCE"]), str(event["UID"])


def test_a_booking_writes_one_confirmation_per_person_in_their_time_zone_with_its_send_job(
    ws: Workspace, uow: FakeUnitOfWork
) -> None:
    view = book(ws, uow, guests=("observer@example.com", "ANA@example.com"))
    written = emails(uow)
    assert [(m.recipient, m.subject) for m in written[:1]] == [
        ("Grace Hopper <grace@example.com>", "Your interview is booked: Tuesday 4 June 2030 at 23:00"),
    ]  # Tokyo time
    assert sorted((m.recipient, m.subject) for m in written[1:]) == [
        ("Ana Rossi <ana@example.com>", "Interview booked: Grace Hopper, Tuesday 4 June 2030 at 16:00"),
        ("Ben Carter <ben@example.com>", "Interview booked: Grace Hopper, Tuesday 4 June 2030 at 10:00"),
        ("observer@example.com", "Interview booked: Grace Hopper, Tuesday 4 June 2030 at 23:00"),
    ]  # each interviewer's own zone, a guest the candidate's; Ana is a guest too, but gets one email
    for message in written:
        assert (message.kind, message.status, message.session_id, message.booking_id) == (
            "booking_confirmation",
            OutboxStatus.QUEUED,
            view.session.id,
            view.booking.id,
        )
        assert message.sender == "Interview Workspace <interviews@interview-workspace.local>"
        assert message.message_id.startswith("<") and message.message_id.endswith("@interview-workspace.local>")
        assert invitation(message) == ("REQUEST", 0, view.booking.ical_uid)
        assert message.attachment_type == "text/calendar; method=REQUEST; charset=UTF-8"
        job = uow.jobs.by_key(job_key(message.id or 0))
        assert job is not None and (job.kind, job.status, job.payload) == (
            SEND_EMAIL,
            JobStatus.QUEUED,
            {"message_id": message.id},
        )
    assert written[0].text_body.startswith("Hi Grace,\n\nYour interview (Design a URL Shortener) with ")
    assert next(m for m in written if m.recipient == "observer@example.com").text_body.startswith("Hi there,")
    assert "<p>Hi Grace,</p>" in written[0].html_body
    assert len({m.message_id for m in written}) == 4


def test_a_move_sends_updates_and_a_cancellation_sends_the_reason_with_a_cancel(
    ws: Workspace, uow: FakeUnitOfWork
) -> None:
    view = book(ws, uow)
    reschedule_booking(ws, view.session.id, start=START + timedelta(minutes=30), actor=SCHEDULER)
    cancel_booking(ws, view.session.id, reason="Grace asked for a later\u00a0date.", actor=SCHEDULER)
    to_grace = [m for m in emails(uow) if "grace@" in m.recipient]
    assert [(m.kind, invitation(m)[:2]) for m in to_grace] == [
        ("booking_confirmation", ("REQUEST", 0)),
        ("booking_update", ("REQUEST", 1)),
        ("booking_cancellation", ("CANCEL", 2)),
    ]
    assert to_grace[1].subject == "Your interview has moved: now Tuesday 4 June 2030 at 23:30"
    assert "Reason: Grace asked for a later\u00a0date." in to_grace[2].text_body
    assert to_grace[2].attachment_type.startswith("text/calendar; method=CANCEL")
    assert len(emails(uow)) == 9  # three people, three changes


def test_a_refused_booking_writes_no_email(ws: Workspace, uow: FakeUnitOfWork) -> None:
    book(ws, uow)
    with pytest.raises(Exception, match="does not work"):
        book(ws, uow, candidate_name="Linus Wu", candidate_email="linus@example.com")
    assert len(emails(uow)) == 3 and len(uow.jobs.latest()) == 3


def cal_facts(uid: str = "cal-1", **extra: Any) -> BookingFacts:
    values: dict[str, Any] = {
        "status": BookingStatus.CONFIRMED,
        "attendee_name": "Lin Wu",
        "attendee_email": "lin@example.com",
        "attendee_timezone": "Europe/Rome",
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


def kinds(uow: FakeUnitOfWork) -> list[tuple[str, str]]:
    return [(m.kind, m.recipient.split("<")[-1].rstrip(">")) for m in emails(uow)]


def test_calcom_news_sends_what_changed_once_whatever_is_delivered_twice(ws: Workspace, uow: FakeUnitOfWork) -> None:
    created = apply(ws, cal_facts(), "BOOKING_CREATED")
    assert [j.kind for j in created.jobs] == [SEND_EMAIL, SEND_EMAIL]
    assert kinds(uow) == [("booking_confirmation", "lin@example.com"), ("booking_confirmation", "ben@example.com")]
    assert apply(ws, cal_facts(), "BOOKING_CREATED").jobs == []  # the same news again: nothing changed

    moved = cal_facts("cal-2", start=START + timedelta(days=1), rescheduled_from_uid="cal-1", ical_sequence=1)
    assert len(apply(ws, moved, "BOOKING_RESCHEDULED").jobs) == 2
    assert apply(ws, moved, "BOOKING_RESCHEDULED").jobs == []
    assert apply(ws, cal_facts("cal-1"), "BOOKING_CREATED").jobs == []  # older news is ignored, and silent

    reason = "The team is travelling."
    cancelled = cal_facts("cal-2", status=BookingStatus.CANCELLED, ical_sequence=2, cancellation_reason=reason)
    assert len(apply(ws, cancelled, "BOOKING_CANCELLED").jobs) == 2
    assert apply(ws, cancelled, "BOOKING_CANCELLED").jobs == []
    assert [k for k, _ in kinds(uow)] == ["booking_confirmation"] * 2 + ["booking_update"] * 2 + [
        "booking_cancellation"
    ] * 2
    notice = emails(uow)[-2]
    assert invitation(notice) == ("CANCEL", 2, "cal-1@Cal.com") and f"Reason: {reason}" in notice.text_body
    assert emails(uow)[2].subject == "Your interview has moved: now Wednesday 5 June 2030 at 16:00"  # Rome


def test_a_requested_booking_is_confirmed_by_email_only_once_it_is_accepted(ws: Workspace, uow: FakeUnitOfWork) -> None:
    assert apply(ws, cal_facts(status=BookingStatus.PENDING), "BOOKING_REQUESTED").jobs == []
    assert emails(uow) == []
    accepted = apply(ws, cal_facts(), "BOOKING_CREATED")
    assert len(accepted.jobs) == 2 and {m.kind for m in emails(uow)} == {"booking_confirmation"}


def test_a_booking_nobody_on_it_can_be_emailed_about_writes_nothing(ws: Workspace, uow: FakeUnitOfWork) -> None:
    outcome = apply(ws, cal_facts(attendee_email="", organizer_email=None), "BOOKING_CREATED")
    assert outcome.status == "processed" and outcome.jobs == [] and emails(uow) == []


def test_cal_coms_own_emails_can_be_left_to_it_while_ours_for_local_bookings_still_go(
    ws: Workspace, uow: FakeUnitOfWork
) -> None:
    ws.settings.notifications.calcom_emails = False
    assert apply(ws, cal_facts(), "BOOKING_CREATED").jobs == []
    assert emails(uow) == []  # Cal.com confirms its own booking: nobody gets two
    book(ws, uow, start=START + timedelta(days=2))
    assert {k for k, _ in kinds(uow)} == {"booking_confirmation"}  # a booking made here is still ours to confirm


def test_a_notice_held_back_by_quiet_hours_is_withdrawn_when_the_interview_moves_or_is_cancelled(
    ws: Workspace, uow: FakeUnitOfWork
) -> None:
    with uow:  # Ana keeps 12:00–18:00 UTC quiet (it is 12:15): what is not urgent waits until 18:00
        uow.accounts.add(Account("a-ana", "ana@example.com", "Ana Rossi", timezone="UTC", quiet_hours="12:00-18:00"))
        uow.commit()
    view = book(ws, uow, start=START + timedelta(days=1))
    [held] = [m for m in emails(uow) if "ana@" in m.recipient]
    assert held.send_after == datetime(2030, 6, 4, 18, 0, tzinfo=UTC) and held.status is OutboxStatus.QUEUED

    reschedule_booking(ws, view.session.id, start=START + timedelta(days=2), actor=SCHEDULER)
    confirmation, update = [m for m in emails(uow) if "ana@" in m.recipient]
    assert confirmation.status is OutboxStatus.WITHDRAWN  # it would come after the move, with the old time
    assert confirmation.last_error == "Not sent: the interview was moved before it was due."
    assert update.status is OutboxStatus.QUEUED

    cancel_booking(ws, view.session.id, reason="Filled.", actor=SCHEDULER)
    ana = {m.kind: m.status for m in emails(uow) if "ana@" in m.recipient}
    assert ana == {
        "booking_confirmation": OutboxStatus.WITHDRAWN,
        "booking_update": OutboxStatus.WITHDRAWN,
        "booking_cancellation": OutboxStatus.QUEUED,
    }
    sent_at_once = [m for m in emails(uow) if "grace@" in m.recipient]  # no quiet hours: nothing held, nothing taken
    assert {m.status for m in sent_at_once} == {OutboxStatus.QUEUED}
