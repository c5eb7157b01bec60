"""Booking with the built-in scheduler over the in-memory unit of work: what a booking stores, what
is refused (and that a refusal stores nothing), cancel, reschedule, opening a scheduled interview,
and the lists and figures the Schedule page reads. No Cal.com client: tests/integration covers it.

Ana works 09–17 in Rome (07–15 UTC in June), Ben 09–17 in New York (13–21 UTC): both are free
13:00–15:00 UTC. The pairing interview lasts 30 minutes and needs a 15-minute break around it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from core.config import SchedulingSettings, Settings
from core.errors import NotFound
from core.models import BookingStatus, EventType, Session, SessionStatus, TeamMember
from core.permissions.actor import Actor
from core.scheduling.availability import Slot
from core.scheduling.bookings import (
    BookingInputError,
    BookingRequest,
    BookingStats,
    ScheduledInterview,
    SlotUnavailable,
    available_slots,
    begin_scheduled,
    book_interview,
    booking_stats,
    cancel_booking,
    invitation,
    reschedule_booking,
    reschedule_slots,
    upcoming,
)
from core.scheduling.team import add_member, save_event_type
from core.workspace import Workspace
from tests.actors import ADMIN, INTERVIEWER, SCHEDULER
from tests.clock import Clock
from tests.fakes import FakeUnitOfWork
from tests.unit.fake_workspace import fake_workspace

TUESDAY = date(2030, 6, 4)
WEDNESDAY, THURSDAY = TUESDAY + timedelta(days=1), TUESDAY + timedelta(days=2)
MEET = "https://meet.google.com/abc-defg-hij"


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


NOW = at(TUESDAY, 12, 15)


@dataclass
class Team:
    ws: Workspace
    uow: FakeUnitOfWork
    clock: Clock
    ana: TeamMember
    ben: TeamMember
    pairing: EventType


@pytest.fixture
def team() -> Team:
    uow, clock = FakeUnitOfWork(), Clock(NOW)
    settings = Settings(scheduling=SchedulingSettings(minimum_notice_minutes=60, slot_step_minutes=30, search_days=3))
    ws = fake_workspace(uow, clock, settings)
    ana = add_member(ws, name="Ana Rossi", email="ana@example.com", timezone="Europe/Rome", actor=ADMIN)
    ben = add_member(ws, name="Ben Carter", email="ben@example.com", timezone="America/New_York", actor=ADMIN)
    pairing = save_event_type(
        ws,
        EventType(id="", title="Pairing interview", length_minutes=30, buffer_after_minutes=15),
        actor=ADMIN,
    )
    return Team(ws, uow, clock, ana, ben, pairing)


def request(
    team: Team, start: datetime, *members: TeamMember, name: str = "Grace Hopper", **extra: Any
) -> BookingRequest:
    values: dict[str, Any] = {
        "event_type_id": team.pairing.id,
        "problem_id": "url_shortener",
        "start": start,
        "interviewer_ids": tuple(m.id for m in members),
        "candidate_name": name,
        "candidate_email": f"{name.partition(' ')[0].lower()}@example.com",
        **extra,
    }
    return BookingRequest(**values)


def book(team: Team, start: datetime, *members: TeamMember, **extra: Any) -> ScheduledInterview:
    return book_interview(team.ws, request(team, start, *members, **extra), actor=SCHEDULER)


def actions(team: Team, session_id: str) -> list[str]:
    return [e.action for e in team.uow.audit.latest(session_id=session_id)]


def test_a_booking_is_a_scheduled_session_with_its_booking_interviewers_and_audit_entry(team: Team) -> None:
    view = book(
        team,
        at(TUESDAY, 14),
        team.ben,
        team.ana,
        candidate_timezone="Europe/London",
        guests=("Observer@Example.com", " observer@example.com "),
        meeting_url=f" {MEET} ",
    )
    session, booking, uow = view.session, view.booking, team.uow
    assert (session.status, session.kind, session.problem_id, session.duration_minutes, session.created_at) == (
        SessionStatus.SCHEDULED,
        "system_design",
        "url_shortener",
        30,
        NOW,
    )
    assert session.problem_title == team.ws.problems.get("url_shortener").title
    assert view.candidate is not None and (view.candidate.name, view.candidate.email) == (
        "Grace Hopper",
        "grace@example.com",
    )
    assert uow.candidates.get(view.candidate.id).created_at == NOW and session.candidate_id == view.candidate.id
    assert (booking.source, booking.status, booking.external_uid, booking.ical_uid, booking.ical_sequence) == (
        "local",
        BookingStatus.CONFIRMED,
        None,
        f"{session.id}@interview-workspace",
        0,
    )
    assert (booking.start_at, booking.end_at, booking.timezone) == (
        at(TUESDAY, 14),
        at(TUESDAY, 14, 30),
        "Europe/London",
    )
    assert (booking.meeting_url, booking.meeting_provider, view.meeting_label) == (MEET, "google_meet", "Google Meet")
    assert booking.guests == ["observer@example.com"]
    assert [m.name for m in view.interviewers] == ["Ana Rossi", "Ben Carter"]  # by name, whatever the order chosen
    assert sorted(uow.session_interviewers.for_session(session.id)) == sorted([team.ben.id, team.ana.id])
    [entry] = uow.audit.latest(session_id=session.id)
    assert (entry.action, entry.actor, entry.detail) == (
        "interview_booked",
        "scheduler",
        {"source": "local", "start": "2030-06-04T14:00:00+00:00", "uid": None},
    )


def test_a_returning_candidate_is_found_by_email_and_an_unknown_one_is_refused(team: Team) -> None:
    first = book(team, at(TUESDAY, 14), team.ana)
    again = book(team, at(WEDNESDAY, 14), team.ana, name="Grace B. Hopper", candidate_email=" GRACE@example.com ")
    assert first.candidate is not None and again.candidate is not None
    assert again.candidate.id == first.candidate.id and again.candidate.name == "Grace Hopper"
    by_id = book(team, at(THURSDAY, 14), team.ana, name="", candidate_email="", candidate_id=first.candidate.id)
    assert by_id.session.candidate_id == first.candidate.id
    assert len(team.uow.candidates.all()) == 1
    with pytest.raises(NotFound, match="No candidate with id ghost"):
        book(team, at(THURSDAY, 13), team.ben, candidate_id="ghost")
    assert team.uow.sessions.count() == 3


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"interviewer_ids": ()}, r"^Choose at least one interviewer\.$"),
        ({"candidate_name": "  "}, r"Enter the candidate's name"),
        ({"candidate_email": "grace at example"}, r"Enter the candidate's email address"),
        ({"guests": ("Not-An-Email",)}, r"^Guest not-an-email is not an email address\.$"),
        ({"start": datetime(2030, 6, 4, 14)}, r"needs a time zone"),
        ({"meeting_url": "zoom meeting"}, r"“zoom meeting” is not a meeting link"),  # after the candidate is made
    ],
)
def test_a_bad_request_is_refused_and_stores_nothing(team: Team, changes: dict[str, Any], message: str) -> None:
    audited = len(team.uow.audit.latest())
    with pytest.raises(BookingInputError, match=message):
        book_interview(team.ws, replace(request(team, at(TUESDAY, 14), team.ana), **changes), actor=SCHEDULER)
    assert (team.uow.sessions.count(), team.uow.bookings.all(), team.uow.candidates.all()) == (0, [], [])
    assert len(team.uow.audit.latest()) == audited


def test_a_clash_is_refused_with_reasons_and_the_nearest_free_times(team: Team) -> None:
    kept = book(team, at(TUESDAY, 14), team.ana, team.ben)
    with pytest.raises(SlotUnavailable) as refused:
        book(team, at(TUESDAY, 14), team.ana, team.ben, name="Alan Turing", candidate_timezone="Europe/London")
    assert refused.value.reasons == ["Ana Rossi is busy 15:00–15:30 BST", "Ben Carter is busy 15:00–15:30 BST"]
    assert str(refused.value) == "That time does not work: " + "; ".join(refused.value.reasons) + "."
    assert refused.value.alternatives == [
        Slot(at(WEDNESDAY, 13), at(WEDNESDAY, 13, 30)),
        Slot(at(WEDNESDAY, 13, 30), at(WEDNESDAY, 14)),
        Slot(at(WEDNESDAY, 14), at(WEDNESDAY, 14, 30)),
    ]
    assert [b.session_id for b in team.uow.bookings.all()] == [kept.session.id]
    assert [c.name for c in team.uow.candidates.all()] == ["Grace Hopper"]


def test_working_hours_notice_and_the_break_between_interviews_are_kept(team: Team) -> None:
    with pytest.raises(SlotUnavailable, match=r"Ana Rossi is outside working hours \(18:00–18:30 CEST"):
        book(team, at(TUESDAY, 16), team.ana, team.ben)
    with pytest.raises(SlotUnavailable, match="at least 60 minutes ahead"):
        book(team, at(TUESDAY, 13), team.ana, team.ben)
    book(team, at(WEDNESDAY, 13), team.ana)
    with pytest.raises(SlotUnavailable, match="too close to leave the required break"):
        book(team, at(WEDNESDAY, 13, 30), team.ana, name="Alan Turing")
    assert book(team, at(WEDNESDAY, 13, 45), team.ana, name="Alan Turing").booking.start_at == at(WEDNESDAY, 13, 45)


def test_free_slots_leave_out_booked_times_and_come_back_when_cancelled(team: Team) -> None:
    def slots() -> list[datetime]:
        found = available_slots(
            team.ws,
            event_type_id=team.pairing.id,
            interviewer_ids=[team.ana.id, team.ben.id],
            first_day=TUESDAY,
            days=1,
            viewer_timezone="UTC",
        )
        return [s.start for s in found]

    both_free = [at(TUESDAY, 13, 30), at(TUESDAY, 14), at(TUESDAY, 14, 30)]  # 13:00 is inside the notice
    assert slots() == both_free
    ben_busy = book(team, at(TUESDAY, 14), team.ben)
    assert slots() == []  # each remaining time is in Ben's interview or its 15-minute break
    cancel_booking(team.ws, ben_busy.session.id, reason="Moved", actor=SCHEDULER)
    assert slots() == both_free
    with pytest.raises(BookingInputError, match="at least one interviewer"):
        available_slots(
            team.ws, event_type_id=team.pairing.id, interviewer_ids=[], first_day=TUESDAY, days=1, viewer_timezone="UTC"
        )


def test_cancelling_needs_a_reason_and_cancels_session_booking_and_invitation(team: Team) -> None:
    sid = book(team, at(TUESDAY, 14), team.ana, team.ben).session.id
    with pytest.raises(BookingInputError, match="Say why"):
        cancel_booking(team.ws, sid, reason="   ", actor=SCHEDULER)
    assert team.uow.bookings.for_session(sid).status is BookingStatus.CONFIRMED  # type: ignore[union-attr]

    team.clock.advance(minutes=25)
    view = cancel_booking(team.ws, sid, reason=" Candidate withdrew. ", actor=Actor.workspace("maya"))
    assert (view.session.status, view.session.ended_at) == (SessionStatus.CANCELLED, NOW + timedelta(minutes=25))
    assert (view.booking.status, view.booking.cancellation_reason, view.booking.ical_sequence) == (
        BookingStatus.CANCELLED,
        "Candidate withdrew.",
        1,
    )
    entry = team.uow.audit.latest(session_id=sid)[-1]
    assert (entry.action, entry.actor, entry.detail) == (
        "interview_cancelled",
        "maya",
        {"reason": " Candidate withdrew. "},
    )
    filename, ics, content_type = invitation(team.ws, sid, actor=SCHEDULER)
    assert content_type == "text/calendar; method=CANCEL; charset=UTF-8" and filename.endswith("-cancelled.ics")
    assert b"SEQUENCE:1" in ics and b"STATUS:CANCELLED" in ics

    with pytest.raises(BookingInputError, match="already cancelled"):
        cancel_booking(team.ws, sid, reason="Twice", actor=SCHEDULER)
    assert actions(team, sid) == ["interview_booked", "interview_cancelled"]
    assert book(team, at(TUESDAY, 14), team.ana, team.ben, name="Alan Turing").booking.start_at == at(TUESDAY, 14)


def test_a_session_that_was_not_booked_cannot_be_cancelled_or_moved(team: Team) -> None:
    with team.uow:
        team.uow.sessions.add(Session(id="walk-in", problem_id="url_shortener", status=SessionStatus.READY))
        team.uow.commit()
    with pytest.raises(NotFound, match="not booked through the schedule"):
        cancel_booking(team.ws, "walk-in", reason="No longer needed", actor=SCHEDULER)
    with pytest.raises(NotFound, match="not booked through the schedule"):
        reschedule_booking(team.ws, "walk-in", start=at(WEDNESDAY, 14), actor=SCHEDULER)
    assert team.uow.sessions.get("walk-in").status is SessionStatus.READY


def test_rescheduling_keeps_the_uid_and_length_raises_the_sequence_and_refuses_clashes(team: Team) -> None:
    view = book(team, at(TUESDAY, 14), team.ana, team.ben)
    sid, uid = view.session.id, view.booking.ical_uid
    book(team, at(WEDNESDAY, 14), team.ana, name="Alan Turing")

    moved = reschedule_booking(
        team.ws, sid, start=at(TUESDAY, 14, 30), reason="Later suits Ben", actor=SCHEDULER
    )  # overlaps itself
    assert (moved.booking.start_at, moved.booking.end_at, moved.booking.ical_uid, moved.booking.ical_sequence) == (
        at(TUESDAY, 14, 30),
        at(TUESDAY, 15),
        uid,
        1,
    )
    entry = team.uow.audit.latest(session_id=sid)[-1]
    assert (entry.action, entry.detail) == (
        "interview_rescheduled",
        {"from": "2030-06-04T14:00:00+00:00", "to": "2030-06-04T14:30:00+00:00", "reason": "Later suits Ben"},
    )
    with pytest.raises(SlotUnavailable, match="Ana Rossi is busy"):
        reschedule_booking(team.ws, sid, start=at(WEDNESDAY, 14, 30), actor=SCHEDULER)
    with pytest.raises(BookingInputError, match="needs a time zone"):
        reschedule_booking(team.ws, sid, start=datetime(2030, 6, 6, 13), actor=SCHEDULER)
    stored = team.uow.bookings.for_session(sid)
    assert stored is not None and (stored.start_at, stored.ical_sequence) == (at(TUESDAY, 14, 30), 1)
    assert moved.session.status is SessionStatus.SCHEDULED


def test_only_an_interview_that_is_still_scheduled_can_be_moved(team: Team) -> None:
    opened = book(team, at(TUESDAY, 14), team.ana).session.id
    cancelled = book(team, at(WEDNESDAY, 14), team.ana, name="Alan Turing").session.id
    begin_scheduled(team.ws, opened, actor=INTERVIEWER)
    cancel_booking(team.ws, cancelled, reason="Role filled", actor=SCHEDULER)
    for sid in (opened, cancelled):
        with pytest.raises(BookingInputError, match="still scheduled can be moved"):
            reschedule_booking(team.ws, sid, start=at(THURSDAY, 13), actor=SCHEDULER)
    assert [b.start_at for b in team.uow.bookings.all()] == [at(TUESDAY, 14), at(WEDNESDAY, 14)]


def test_the_free_times_to_move_to_leave_out_where_it_is_and_what_others_hold(team: Team) -> None:
    sid = book(team, at(WEDNESDAY, 13, 30), team.ana, team.ben).session.id

    def starts(viewer_timezone: str = "UTC") -> list[datetime]:
        found = reschedule_slots(team.ws, sid, day=WEDNESDAY, viewer_timezone=viewer_timezone, actor=SCHEDULER)
        return [slot.start for slot in found]

    # Both are free 13:00–15:00 UTC: where the interview is now does not block its neighbours, and is not offered.
    assert starts() == [at(WEDNESDAY, 13), at(WEDNESDAY, 14), at(WEDNESDAY, 14, 30)]
    book(team, at(WEDNESDAY, 14, 30), team.ana, name="Alan Turing")  # and 15 minutes' break before it
    assert starts() == [at(WEDNESDAY, 13)]
    assert starts("America/New_York") == [at(WEDNESDAY, 13)]  # Wednesday in New York holds the same hours

    cancel_booking(team.ws, sid, reason="Role filled", actor=SCHEDULER)
    with pytest.raises(BookingInputError, match="still scheduled can be moved"):
        starts()


def test_a_refused_move_offers_the_nearest_times_but_not_where_it_already_is(team: Team) -> None:
    sid = book(team, at(WEDNESDAY, 13), team.ana).session.id
    book(team, at(WEDNESDAY, 14), team.ana, name="Alan Turing")
    with pytest.raises(SlotUnavailable) as refused:
        reschedule_booking(team.ws, sid, start=at(WEDNESDAY, 14), viewer_timezone="Europe/Rome", actor=SCHEDULER)
    assert refused.value.reasons == ["Ana Rossi is busy 16:00–16:30 CEST"]  # worded in the mover's zone
    # 13:00 is free only because this interview holds it: staying put is no alternative.
    assert [a.start for a in refused.value.alternatives] == [
        at(WEDNESDAY, 12, 30),
        at(WEDNESDAY, 12),
        at(WEDNESDAY, 11, 30),
    ]


def test_opening_a_scheduled_interview_makes_it_ready_once(team: Team) -> None:
    sid = book(team, at(TUESDAY, 14), team.ana).session.id
    team.clock.advance(minutes=100)
    session = begin_scheduled(team.ws, sid, actor=Actor.workspace("ana"))
    assert session.status is SessionStatus.READY and team.uow.sessions.get(sid).updated_at == NOW + timedelta(
        minutes=100
    )
    commits = team.uow.commits
    assert begin_scheduled(team.ws, sid, actor=INTERVIEWER).status is SessionStatus.READY
    assert team.uow.commits == commits  # nothing to do the second time
    entries = [(e.action, e.actor) for e in team.uow.audit.latest(session_id=sid)]
    assert entries == [("interview_booked", "scheduler"), ("scheduled_interview_opened", "ana")]


def test_upcoming_lists_the_window_earliest_first(team: Team) -> None:
    wednesday = book(team, at(WEDNESDAY, 14), team.ben, name="Alan Turing").session.id
    tuesday = book(team, at(TUESDAY, 14), team.ana).session.id
    dropped = book(team, at(THURSDAY, 13), team.ana, name="Barbara Liskov").session.id
    cancel_booking(team.ws, dropped, reason="Withdrew", actor=SCHEDULER)
    assert [v.session.id for v in upcoming(team.ws, actor=SCHEDULER)] == [tuesday, wednesday]
    assert [v.session.id for v in upcoming(team.ws, actor=SCHEDULER, include_cancelled=True)] == [
        tuesday,
        wednesday,
        dropped,
    ]
    assert [v.session.id for v in upcoming(team.ws, actor=SCHEDULER, days=1)] == [tuesday]
    team.clock.now = at(TUESDAY, 15, 31)  # Tuesday's ended more than an hour ago
    assert [v.session.id for v in upcoming(team.ws, actor=SCHEDULER)] == [wednesday]


def test_booking_stats_count_held_missed_and_cancelled_interviews(team: Team) -> None:
    assert booking_stats(team.ws, actor=SCHEDULER) == BookingStats(0, 0, 0, 0, 0, 0, 0, show_rate=None, conversion=None)
    monday = TUESDAY - timedelta(days=8)
    team.clock.now = at(monday, 6)
    ran, called, missed, dropped = (
        book(team, at(monday + timedelta(days=d), 8), team.ana, name=name).session.id
        for d, name in ((1, "Ada Lovelace"), (2, "Alan Turing"), (3, "Barbara Liskov"), (4, "Edsger Dijkstra"))
    )
    book(team, at(WEDNESDAY, 8), team.ana, name="Frances Allen")
    cancel_booking(team.ws, dropped, reason="No longer available", actor=SCHEDULER)
    with team.uow as uow:
        session = uow.sessions.get(ran)
        session.status = SessionStatus.COMPLETED  # the session ran
        uow.sessions.update(session)
        booking = uow.bookings.for_session(called)
        assert booking is not None
        booking.meeting_started_at = at(monday + timedelta(days=2), 8, 1)  # the call took place
        uow.bookings.update(booking)
        uow.commit()

    team.clock.now = NOW
    assert booking_stats(team.ws, actor=SCHEDULER) == BookingStats(
        total=5, confirmed=4, pending=0, cancelled=1, upcoming=1, held=2, missed=1, show_rate=2 / 3, conversion=4 / 5
    )
    assert missed not in {v.session.id for v in upcoming(team.ws, actor=SCHEDULER, include_cancelled=True)}


def test_conversion_counts_the_decided_bookings_kept_and_waits_for_pending_ones(team: Team) -> None:
    dropped = book(team, at(WEDNESDAY, 13), team.ana).session.id
    cancel_booking(team.ws, dropped, reason="Role filled", actor=SCHEDULER)
    only_cancelled = booking_stats(team.ws, actor=SCHEDULER)
    # One booking made, not kept: a conversion of 0 of 1, not "nothing booked" (which has no figure).
    assert (only_cancelled.total, only_cancelled.decided, only_cancelled.conversion) == (1, 1, 0.0)

    book(team, at(WEDNESDAY, 14), team.ana, name="Alan Turing")
    waiting = book(team, at(THURSDAY, 13), team.ana, name="Barbara Liskov").session.id
    with team.uow as uow:  # Cal.com's host has yet to confirm it
        booking = uow.bookings.for_session(waiting)
        assert booking is not None
        booking.status = BookingStatus.PENDING
        uow.bookings.update(booking)
        uow.commit()
    stats = booking_stats(team.ws, actor=SCHEDULER)
    assert (stats.total, stats.confirmed, stats.pending, stats.cancelled, stats.decided) == (3, 1, 1, 1, 2)
    assert stats.conversion == 1 / 2  # the pending one counts once it is confirmed or cancelled
