"""Applying Cal.com's news of a booking over the in-memory unit of work: a booking new to us becomes a
session, changes follow the reschedule chain, news older than what is stored is ignored (in whatever
order it arrives), and meeting events move the session. The caller's unit of work is never committed here.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from core.models import BookingStatus, Candidate, EventType, SessionStatus
from core.scheduling.booking_sync import BookingFacts, SyncOutcome, apply_booking_facts, apply_meeting_event
from core.scheduling.team import add_member, save_event_type
from core.workspace import Workspace
from tests.actors import ADMIN
from tests.clock import Clock
from tests.fakes import FakeUnitOfWork

NOW = datetime(2030, 6, 3, 9, 0, tzinfo=UTC)
START = datetime(2030, 6, 4, 10, 0, tzinfo=UTC)
ICAL = "ical-7f3a@cal.com"


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


def facts(uid: str = "uid-1", *, start: datetime = START, minutes: int = 60, **extra: Any) -> BookingFacts:
    values: dict[str, Any] = {
        "status": BookingStatus.CONFIRMED,
        "attendee_name": "Grace Hopper",
        "attendee_email": "grace@example.com",
        "ical_uid": ICAL,
        **extra,
    }
    return BookingFacts(uid=uid, start=start, end=start + timedelta(minutes=minutes), **values)


def apply(ws: Workspace, news: BookingFacts, trigger: str = "BOOKING_CREATED") -> SyncOutcome:
    """As the webhook processing does it: apply inside one unit of work, then commit."""
    with ws.uow_factory() as uow:
        outcome = apply_booking_facts(ws, uow, news, trigger=trigger)
        uow.commit()
    return outcome


def meeting(ws: Workspace, uid: str, trigger: str) -> SyncOutcome:
    with ws.uow_factory() as uow:
        outcome = apply_meeting_event(ws, uow, uid, trigger=trigger)
        uow.commit()
    return outcome


def test_a_booking_made_on_calcom_becomes_a_scheduled_session(ws: Workspace, uow: FakeUnitOfWork) -> None:
    ana = add_member(ws, name="Ana Rossi", email="ana@example.com", actor=ADMIN)
    linked = save_event_type(
        ws,
        EventType(id="", title="Pairing", kind="pairing", problem_id="rate_limiter", calcom_event_type_id=101),
        actor=ADMIN,
    )
    news = facts(
        organizer_email="ANA@example.com",
        calcom_event_type_id=101,
        meeting_url="https://app.cal.com/video/f00d",
        guests=("observer@example.com",),
        attendee_timezone="Europe/Rome",
        ical_sequence=0,
    )
    outcome = apply(ws, news)

    assert (outcome.status, outcome.message, outcome.changes) == (
        "processed",
        "New confirmed session for Grace Hopper.",
        ["created"],
    )
    assert outcome.session_id is not None
    session = uow.sessions.get(outcome.session_id)
    assert (session.status, session.problem_id, session.kind, session.duration_minutes, session.created_at) == (
        SessionStatus.SCHEDULED,
        "rate_limiter",
        "pairing",
        60,
        NOW,
    )
    booking = uow.bookings.for_session(session.id)
    assert booking is not None
    assert (booking.source, booking.external_uid, booking.ical_uid, booking.event_type_id, booking.timezone) == (
        "calcom",
        "uid-1",
        ICAL,
        linked.id,
        "Europe/Rome",
    )
    assert (booking.meeting_url, booking.meeting_provider, booking.guests) == (
        "https://app.cal.com/video/f00d",
        "cal_video",
        ["observer@example.com"],
    )
    assert session.candidate_id is not None and uow.candidates.get(session.candidate_id).email == "grace@example.com"
    assert uow.session_interviewers.for_session(session.id) == [ana.id]
    [entry] = uow.audit.latest(session_id=session.id)
    assert (entry.action, entry.actor, entry.detail) == (
        "booking_booking_created",
        "calcom",
        {"uid": "uid-1", "created": True},
    )


def test_without_a_linked_event_type_the_first_problem_is_used_and_a_known_person_is_kept(
    ws: Workspace, uow: FakeUnitOfWork
) -> None:
    with uow:
        uow.candidates.add(Candidate(id="grace", name="Grace Hopper", email="Grace@Example.com"))
        uow.commit()
    outcome = apply(ws, facts(ical_uid=None, organizer_email="nobody@example.com", minutes=2))
    assert outcome.session_id is not None
    session = uow.sessions.get(outcome.session_id)
    assert (session.candidate_id, session.problem_id, session.kind) == (
        "grace",
        ws.problems.all()[0].id,
        "system_design",
    )
    assert session.duration_minutes == 5  # never shorter than five minutes
    booking = uow.bookings.for_session(session.id)
    assert booking is not None and (booking.ical_uid, booking.event_type_id) == ("uid-1@cal.com", None)
    assert uow.session_interviewers.for_session(session.id) == []  # the organizer is not on the team
    assert len(uow.candidates.all()) == 1


def test_a_cancellation_that_arrives_first_makes_a_cancelled_session(ws: Workspace, uow: FakeUnitOfWork) -> None:
    outcome = apply(ws, facts(status=BookingStatus.CANCELLED, cancellation_reason="Double booked"), "BOOKING_CANCELLED")
    assert outcome.message == "New cancelled session for Grace Hopper."
    assert outcome.session_id is not None
    session = uow.sessions.get(outcome.session_id)
    assert (session.status, session.ended_at) == (SessionStatus.CANCELLED, NOW)
    booking = uow.bookings.for_session(session.id)
    assert booking is not None and (booking.status, booking.cancellation_reason) == (
        BookingStatus.CANCELLED,
        "Double booked",
    )


def test_a_reschedule_moves_the_booking_and_news_of_the_old_uid_is_then_ignored(
    ws: Workspace, uow: FakeUnitOfWork, clock: Clock
) -> None:
    sid = apply(ws, facts(ical_sequence=0)).session_id
    assert sid is not None
    clock.advance(minutes=30)
    later = START + timedelta(hours=5)
    moved = apply(
        ws,
        facts("uid-2", start=later, minutes=45, rescheduled_from_uid="uid-1", ical_sequence=1),
        "BOOKING_RESCHEDULED",
    )
    assert (moved.status, moved.session_id) == ("processed", sid)
    assert moved.changes == ["uid → uid-2", "time 2030-06-04 10:00 → 2030-06-04 15:00 UTC"]
    assert moved.message == "Session updated: uid → uid-2; time 2030-06-04 10:00 → 2030-06-04 15:00 UTC."
    booking = uow.bookings.for_session(sid)
    assert booking is not None
    assert (booking.external_uid, booking.previous_uids, booking.start_at, booking.ical_sequence) == (
        "uid-2",
        ["uid-1"],
        later,
        1,
    )
    session = uow.sessions.get(sid)
    assert (session.duration_minutes, session.updated_at) == (45, NOW + timedelta(minutes=30))
    assert uow.audit.latest(session_id=sid)[-1].detail == {"uid": "uid-2", "changes": moved.changes}

    late = apply(ws, facts("uid-1", ical_sequence=0))  # Cal.com's first delivery, retried late
    assert (late.status, late.message) == (
        "ignored",
        "Ignored as out of date: booking uid-1 was already rescheduled to uid-2.",
    )
    older = apply(ws, facts("uid-2", start=START, ical_sequence=0))
    assert older.message == "Ignored as out of date: revision 0 is older than the stored revision 1."
    assert uow.bookings.for_session(sid) == booking
    assert uow.sessions.count() == 1


@pytest.mark.parametrize("order", [(0, 1, 2), (2, 1, 0), (1, 2, 0)], ids=["in-order", "reversed", "middle-first"])
def test_a_reschedule_chain_ends_the_same_whatever_order_it_arrives_in(
    ws: Workspace, uow: FakeUnitOfWork, order: tuple[int, int, int]
) -> None:
    chain = [
        facts("uid-1", ical_sequence=0),
        facts("uid-2", start=START + timedelta(hours=1), rescheduled_from_uid="uid-1", ical_sequence=1),
        facts("uid-3", start=START + timedelta(hours=2), rescheduled_from_uid="uid-2", ical_sequence=2),
    ]
    for index in order:
        apply(ws, chain[index])
    [booking] = uow.bookings.all()
    assert (booking.external_uid, booking.previous_uids, booking.start_at, booking.ical_sequence) == (
        "uid-3",
        ["uid-1", "uid-2"],
        START + timedelta(hours=2),
        2,
    )
    assert uow.sessions.count() == 1


def test_cancelling_cancels_a_scheduled_session_and_a_stale_confirmation_cannot_revive_it(
    ws: Workspace, uow: FakeUnitOfWork
) -> None:
    sid = apply(ws, facts(ical_sequence=0)).session_id
    assert sid is not None
    cancelled = apply(
        ws, facts(status=BookingStatus.CANCELLED, cancellation_reason="Conflict", ical_sequence=1), "BOOKING_CANCELLED"
    )
    assert cancelled.changes == ["confirmed → cancelled", "session cancelled"]
    assert uow.sessions.get(sid).status is SessionStatus.CANCELLED
    booking = uow.bookings.for_session(sid)
    assert booking is not None and (booking.status, booking.cancellation_reason) == (
        BookingStatus.CANCELLED,
        "Conflict",
    )

    revived = apply(ws, facts(ical_sequence=1))
    assert (revived.status, revived.message) == ("ignored", "Ignored as out of date: the booking is already cancelled.")
    assert uow.sessions.get(sid).status is SessionStatus.CANCELLED
    assert [e.action for e in uow.audit.latest(session_id=sid)] == [
        "booking_booking_created",
        "booking_booking_cancelled",
    ]


def test_a_cancellation_leaves_an_interview_that_is_under_way_alone(ws: Workspace, uow: FakeUnitOfWork) -> None:
    sid = apply(ws, facts()).session_id
    assert sid is not None
    meeting(ws, "uid-1", "MEETING_STARTED")
    outcome = apply(ws, facts(status=BookingStatus.CANCELLED), "BOOKING_CANCELLED")
    assert outcome.changes == ["confirmed → cancelled"]
    assert uow.sessions.get(sid).status is SessionStatus.ACTIVE


def test_a_requested_booking_is_pending_until_confirmed(ws: Workspace, uow: FakeUnitOfWork) -> None:
    sid = apply(ws, facts(status=BookingStatus.PENDING), "BOOKING_REQUESTED").session_id
    assert sid is not None
    assert uow.bookings.for_session(sid).status is BookingStatus.PENDING  # type: ignore[union-attr]
    assert apply(ws, facts()).changes == ["pending → confirmed"]
    assert uow.bookings.for_session(sid).status is BookingStatus.CONFIRMED  # type: ignore[union-attr]
    assert uow.sessions.get(sid).status is SessionStatus.SCHEDULED


def test_meeting_events_start_the_session_once_and_record_the_end(
    ws: Workspace, uow: FakeUnitOfWork, clock: Clock
) -> None:
    sid = apply(ws, facts()).session_id
    assert sid is not None
    clock.now = START + timedelta(minutes=2)
    started = meeting(ws, "uid-1", "MEETING_STARTED")
    assert (started.status, started.message) == ("processed", "Meeting started; the session is active.")
    session = uow.sessions.get(sid)
    assert (session.status, session.started_at) == (SessionStatus.ACTIVE, clock.now)
    assert meeting(ws, "uid-1", "MEETING_STARTED").message == "Ignored: the meeting had already started."

    clock.advance(minutes=55)
    ended = meeting(ws, "uid-1", "MEETING_ENDED")
    assert ended.status == "processed" and "the interviewer ends the session" in ended.message
    booking = uow.bookings.for_session(sid)
    assert booking is not None
    assert (booking.meeting_started_at, booking.meeting_ended_at) == (START + timedelta(minutes=2), clock.now)
    assert uow.sessions.get(sid).status is SessionStatus.ACTIVE  # ending the interview is the interviewer's call
    assert meeting(ws, "uid-1", "MEETING_ENDED").status == "ignored"
    assert meeting(ws, "uid-404", "MEETING_STARTED").message == "Ignored: no session is booked as uid-404."
    actions = [e.action for e in uow.audit.latest(session_id=sid)]
    assert actions == ["booking_booking_created", "meeting_started", "meeting_ended"]


def test_nothing_is_stored_unless_the_caller_commits(ws: Workspace, uow: FakeUnitOfWork) -> None:
    with ws.uow_factory() as open_uow:
        outcome = apply_booking_facts(ws, open_uow, facts(), trigger="BOOKING_CREATED")
        assert outcome.status == "processed" and open_uow.sessions.count() == 1
    assert (uow.sessions.count(), uow.bookings.all(), uow.candidates.all(), uow.audit.latest()) == (0, [], [], [])
