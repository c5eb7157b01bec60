"""Booking interviews on SQLite and PostgreSQL: the built-in scheduler over team working hours, and Cal.com
(the loopback fake) with its webhooks arriving through our route.

Times are fixed: the Workspace clock is replaced by a settable one, and the fake Cal.com reads the same
clock, so "now", minimum notice and "in the past" mean the same thing on both sides.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import pytest
from icalendar import Calendar
from sqlalchemy import Engine, event
from starlette.applications import Starlette
from starlette.testclient import TestClient

from core.accounts.services import new_account
from core.config import Settings
from core.errors import AlreadyExists
from core.interview.services import start_interview
from core.models import (
    Account,
    AccountRole,
    Booking,
    BookingStatus,
    EventType,
    Session,
    SessionStatus,
    TeamMember,
    WebhookEvent,
)
from core.permissions.actor import Actor
from core.recording_notice import recording_notice
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
from core.scheduling.calcom.client import CalcomClient
from core.scheduling.team import TeamInputError, add_member, event_types, list_members, save_event_type
from core.workspace import Workspace
from entry.bootstrap import build_workspace
from entry.webhook_routes import PATH, calcom_webhook_route
from storage.database import make_engine
from storage.files import LocalFileStore
from storage.unit_of_work import make_uow_factory
from tests.actors import ADMIN, CANDIDATE, INTERVIEWER, SCHEDULER
from tests.calcom_fake import CalcomServer
from tests.clock import Clock
from tests.job_worker import WorkerThreads

SECRET = "whsec_scheduling-test-5b1e0c"
TUESDAY = date(2030, 6, 4)  # summer time: Rome is UTC+2, New York UTC−4, so their 9–17 overlap 13:00–15:00 UTC
MEET = "https://meet.google.com/abc-defg-hij"
T = TypeVar("T")


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


WEDNESDAY, THURSDAY = TUESDAY + timedelta(days=1), TUESDAY + timedelta(days=2)


@dataclass
class Team:
    ws: Workspace
    clock: Clock
    ana: TeamMember  # Europe/Rome
    ben: TeamMember  # America/New_York
    pairing: EventType  # 30 minutes, a 15-minute break after


@pytest.fixture(scope="module")
def content(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    """A workspace whose problem bank and rubrics every test reuses: loading them is most of a build."""
    return build_workspace(Settings(runtime_dir=tmp_path_factory.mktemp("content")))


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """The workspace's engine, so a test can count the statements a service sends."""
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def ws(database_url: str, engine: Engine, tmp_path: Path, content: Workspace) -> Workspace:
    settings = Settings(
        database_url=database_url,
        runtime_dir=tmp_path / "runtime",
        scheduling={"minimum_notice_minutes": 60, "slot_step_minutes": 30, "search_days": 3},
    )
    return replace(
        content,
        settings=settings,
        uow_factory=make_uow_factory(engine),
        files=LocalFileStore(settings.runtime_path),
        clock=Clock(at(TUESDAY, 12, 15)),
    )


@pytest.fixture
def team(ws: Workspace) -> Team:
    ana = add_member(ws, name="Ana Rossi", email="Ana@Example.com", timezone="Europe/Rome", actor=ADMIN)
    ben = add_member(ws, name="Ben Carter", email="ben@example.com", timezone="America/New_York", actor=ADMIN)
    pairing = save_event_type(
        ws,
        EventType(
            id="", title="Pairing interview", length_minutes=30, buffer_before_minutes=0, buffer_after_minutes=15
        ),
        actor=ADMIN,
    )
    assert isinstance(ws.clock, Clock)
    return Team(ws, ws.clock, ana, ben, pairing)


def book(
    team: Team, start: datetime, *members: TeamMember, name: str = "Grace Hopper", **extra: Any
) -> ScheduledInterview:
    request = BookingRequest(
        event_type_id=team.pairing.id,
        problem_id=team.ws.problems.all()[0].id,
        start=start,
        interviewer_ids=tuple(m.id for m in members),
        candidate_name=name,
        candidate_email=f"{name.split()[0].lower()}@example.com",
        **extra,
    )
    return book_interview(team.ws, request, actor=SCHEDULER)


def slots(
    team: Team, *members: TeamMember, first_day: date = TUESDAY, days: int = 2, tz: str = "UTC"
) -> list[datetime]:
    found = available_slots(
        team.ws,
        event_type_id=team.pairing.id,
        interviewer_ids=[m.id for m in members],
        first_day=first_day,
        days=days,
        viewer_timezone=tz,
    )
    assert all(s.end - s.start == timedelta(minutes=30) for s in found)
    return [s.start for s in found]


def parse(ws: Workspace, session_id: str) -> tuple[str, Any, str, str]:
    """(METHOD, the VEVENT, filename, content type) of the session's invitation, read back with icalendar."""
    filename, ics, content_type = invitation(ws, session_id, actor=SCHEDULER)
    calendar = Calendar.from_ical(ics)
    [event] = calendar.walk("VEVENT")
    return str(calendar["METHOD"]), event, filename, content_type


# -- team -----------------------------------------------------------------------------------------


def test_team_members_and_default_event_types(ws: Workspace) -> None:
    ana = add_member(ws, name=" Ana Rossi ", email="Ana@Example.com", timezone="Europe/Rome", actor=ADMIN)
    add_member(ws, name="Ben Carter", email="ben@example.com", timezone="America/New_York", actor=ADMIN)
    with pytest.raises(AlreadyExists, match=r"ana@example\.com is already on the team"):
        add_member(ws, name="Ana again", email="ana@example.COM", actor=ADMIN)
    with pytest.raises(TeamInputError, match="not a time zone"):
        add_member(ws, name="Cy", email="cy@example.com", timezone="Mars/Olympus", actor=ADMIN)

    members = list_members(ws)
    assert [(m.name, m.email, m.timezone) for m in members] == [
        ("Ana Rossi", "ana@example.com", "Europe/Rome"),
        ("Ben Carter", "ben@example.com", "America/New_York"),
    ]
    assert members[0].id == ana.id
    assert members[0].working_hours == {str(day): [["09:00", "17:00"]] for day in range(5)}

    defaults = event_types(ws)
    assert [(e.title, e.kind, e.length_minutes, e.buffer_before_minutes, e.buffer_after_minutes) for e in defaults] == [
        ("Customer discovery interview", "customer_discovery", 45, 0, 10),
        ("System design interview", "system_design", 60, 0, 10),
    ]
    assert [e.id for e in event_types(ws)] == [e.id for e in defaults]  # made once, not on every call


# -- the built-in scheduler -----------------------------------------------------------------------


def test_local_slots_follow_two_time_zones_bookings_buffers_and_notice(team: Team) -> None:
    ana, ben = team.ana, team.ben
    book(team, at(WEDNESDAY, 13), ana)  # Ana alone: her 15:00 in Rome
    freed = book(team, at(WEDNESDAY, 14), ben, name="Alan Turing")
    cancel_booking(team.ws, freed.session.id, reason="Moved to another team.", actor=SCHEDULER)

    # Both: 13:00–15:00 UTC. Tuesday: notice (12:15 + 60 min) rules out 13:00. Wednesday: Ana is busy
    # 13:00–13:30 and needs a 15-minute break, so 13:30 goes too although it does not overlap.
    assert slots(team, ana, ben) == [
        at(TUESDAY, 13, 30),
        at(TUESDAY, 14),
        at(TUESDAY, 14, 30),
        at(WEDNESDAY, 14),
        at(WEDNESDAY, 14, 30),
    ]
    # Ben alone keeps New York hours (13:00–21:00 UTC); the cancelled booking does not block 14:00.
    assert slots(team, ben, first_day=WEDNESDAY, days=1) == [
        at(WEDNESDAY, 13) + timedelta(minutes=30 * k) for k in range(16)
    ]
    # Days are the viewer's: Wednesday in Auckland (UTC+12) is Tuesday 12:00 to Wednesday 12:00 UTC.
    assert slots(team, ana, ben, first_day=WEDNESDAY, days=1, tz="Pacific/Auckland") == [
        at(TUESDAY, 13, 30),
        at(TUESDAY, 14),
        at(TUESDAY, 14, 30),
    ]
    with pytest.raises(BookingInputError, match="at least one interviewer"):
        slots(team)


def test_booking_makes_a_scheduled_session_with_interviewers_and_a_booking(team: Team) -> None:
    view = book(
        team,
        at(TUESDAY, 14),
        team.ben,
        team.ana,
        candidate_timezone="Europe/London",
        guests=("Observer@Example.com", " observer@example.com "),
        meeting_url=f" {MEET} ",
    )
    session, booking = view.session, view.booking
    problem = team.ws.problems.all()[0]
    assert (session.status, session.kind, session.problem_id, session.problem_title, session.duration_minutes) == (
        SessionStatus.SCHEDULED,
        "system_design",
        problem.id,
        problem.title,
        30,
    )
    assert view.candidate is not None and (view.candidate.name, view.candidate.email) == (
        "Grace Hopper",
        "grace@example.com",
    )
    assert session.candidate_id == view.candidate.id
    assert [m.name for m in view.interviewers] == ["Ana Rossi", "Ben Carter"]
    assert view.event_type is not None and view.event_type.id == team.pairing.id
    assert (booking.session_id, booking.source, booking.status, booking.external_uid) == (
        session.id,
        "local",
        BookingStatus.CONFIRMED,
        None,
    )
    assert (booking.ical_uid, booking.ical_sequence) == (f"{session.id}@interview-workspace", 0)
    assert (booking.start_at, booking.end_at, booking.timezone) == (
        at(TUESDAY, 14),
        at(TUESDAY, 14, 30),
        "Europe/London",
    )
    assert (booking.meeting_url, booking.meeting_provider, view.meeting_label) == (MEET, "google_meet", "Google Meet")
    assert booking.guests == ["observer@example.com"]
    assert [(v.session.id, v.booking.id) for v in upcoming(team.ws, actor=SCHEDULER)] == [(session.id, booking.id)]


def test_double_booking_the_same_interviewers_is_refused_with_reasons_and_alternatives(team: Team) -> None:
    book(team, at(TUESDAY, 14), team.ana, team.ben)
    with pytest.raises(SlotUnavailable) as refused:
        book(team, at(TUESDAY, 14), team.ana, team.ben, name="Alan Turing", candidate_timezone="Europe/London")
    assert refused.value.reasons == ["Ana Rossi is busy 15:00–15:30 BST", "Ben Carter is busy 15:00–15:30 BST"]
    assert str(refused.value) == "That time does not work: " + "; ".join(refused.value.reasons) + "."
    # Nothing else fits on Tuesday (13:30 would end inside the break); Wednesday's nearest times follow.
    assert refused.value.alternatives == [
        Slot(at(WEDNESDAY, 13), at(WEDNESDAY, 13, 30)),
        Slot(at(WEDNESDAY, 13, 30), at(WEDNESDAY, 14)),
        Slot(at(WEDNESDAY, 14), at(WEDNESDAY, 14, 30)),
    ]
    with pytest.raises(SlotUnavailable) as outside:
        book(team, at(TUESDAY, 16), team.ana, team.ben, name="Alan Turing")
    assert outside.value.reasons == ["Ana Rossi is outside working hours (18:00–18:30 CEST, their local time)"]
    with pytest.raises(SlotUnavailable, match="at least 60 minutes ahead"):
        book(team, at(TUESDAY, 13), team.ana, team.ben, name="Alan Turing")
    with team.ws.uow_factory() as uow:
        assert (uow.sessions.count(), len(uow.bookings.all())) == (1, 1)


def test_cancel_needs_a_reason_then_cancels_the_session_and_the_invitation(team: Team) -> None:
    view = book(team, at(TUESDAY, 14), team.ana, team.ben, meeting_url=MEET)
    sid = view.session.id
    for reason in ("", "   "):
        with pytest.raises(BookingInputError, match="Say why"):
            cancel_booking(team.ws, sid, reason=reason, actor=SCHEDULER)
    assert parse(team.ws, sid)[0] == "REQUEST"

    team.clock.now = at(TUESDAY, 12, 40)
    cancelled = cancel_booking(team.ws, sid, reason=" Candidate withdrew. ", actor=SCHEDULER)
    assert (cancelled.session.status, cancelled.session.ended_at) == (SessionStatus.CANCELLED, at(TUESDAY, 12, 40))
    assert (cancelled.booking.status, cancelled.booking.cancellation_reason, cancelled.booking.ical_sequence) == (
        BookingStatus.CANCELLED,
        "Candidate withdrew.",
        1,
    )
    method, event, filename, content_type = parse(team.ws, sid)
    assert (method, str(event["UID"]), int(event["SEQUENCE"]), str(event["STATUS"])) == (
        "CANCEL",
        f"{sid}@interview-workspace",
        1,
        "CANCELLED",
    )
    assert filename == "pairing-interview-grace-hopper-cancelled.ics"
    assert content_type == "text/calendar; method=CANCEL; charset=UTF-8"
    with pytest.raises(BookingInputError, match="already cancelled"):
        cancel_booking(team.ws, sid, reason="Twice", actor=SCHEDULER)
    assert at(TUESDAY, 14) in slots(team, team.ana, team.ben)  # the time is free again
    assert upcoming(team.ws, actor=SCHEDULER) == []


def test_reschedule_keeps_the_uid_and_raises_the_sequence(team: Team) -> None:
    view = book(team, at(TUESDAY, 14), team.ana, team.ben)
    sid, uid = view.session.id, view.booking.ical_uid
    book(team, at(WEDNESDAY, 14), team.ana, name="Alan Turing")

    moved = reschedule_booking(
        team.ws, sid, start=at(TUESDAY, 14, 30), reason="Later suits Ben", actor=SCHEDULER
    )  # overlaps itself
    assert (moved.booking.start_at, moved.booking.end_at, moved.booking.ical_sequence) == (
        at(TUESDAY, 14, 30),
        at(TUESDAY, 15),
        1,
    )
    with pytest.raises(SlotUnavailable, match="Ana Rossi is busy"):
        reschedule_booking(team.ws, sid, start=at(WEDNESDAY, 14, 30), actor=SCHEDULER)
    moved = reschedule_booking(team.ws, sid, start=at(THURSDAY, 13), actor=SCHEDULER)
    assert (moved.session.id, moved.booking.ical_uid, moved.booking.ical_sequence) == (sid, uid, 2)
    assert moved.session.status is SessionStatus.SCHEDULED

    method, event, _, content_type = parse(team.ws, sid)
    assert (method, str(event["UID"]), int(event["SEQUENCE"]), str(event["STATUS"])) == ("REQUEST", uid, 2, "CONFIRMED")
    assert (event.decoded("DTSTART"), event.decoded("DTEND")) == (at(THURSDAY, 13), at(THURSDAY, 13, 30))
    assert content_type == "text/calendar; method=REQUEST; charset=UTF-8"

    cancel_booking(team.ws, sid, reason="Role filled", actor=SCHEDULER)
    with pytest.raises(BookingInputError, match="still scheduled"):
        reschedule_booking(team.ws, sid, start=at(THURSDAY, 14), actor=SCHEDULER)


def test_the_invitation_is_a_calendar_request_clients_can_read(team: Team) -> None:
    view = book(team, at(TUESDAY, 14), team.ana, team.ben, guests=("observer@example.com",), meeting_url=MEET)
    method, event, filename, content_type = parse(team.ws, view.session.id)
    assert (method, filename, content_type) == (
        "REQUEST",
        "pairing-interview-grace-hopper.ics",
        "text/calendar; method=REQUEST; charset=UTF-8",
    )
    assert (str(event["UID"]), int(event["SEQUENCE"]), str(event["STATUS"])) == (
        view.booking.ical_uid,
        0,
        "CONFIRMED",
    )
    assert (event.decoded("DTSTART"), event.decoded("DTEND"), event.decoded("DTSTAMP")) == (
        at(TUESDAY, 14),
        at(TUESDAY, 14, 30),
        at(TUESDAY, 12, 15),
    )
    assert str(event["SUMMARY"]) == "Pairing interview: Grace Hopper"
    description = str(event["DESCRIPTION"])  # the problem, then the same recording notice as before capture
    assert description == f"Problem: {view.session.problem_title}\n\n{recording_notice(team.ws.settings).as_text()}"
    assert "Your voice" in description and "deleted after 90 days" in description and "2 years" in description
    assert str(event["LOCATION"]) == MEET
    assert str(event["ORGANIZER"]) == "mailto:interviews@interview-workspace.local"
    attendees = event["ATTENDEE"]
    assert sorted(str(a) for a in attendees) == [
        "mailto:ana@example.com",
        "mailto:ben@example.com",
        "mailto:grace@example.com",
        "mailto:observer@example.com",
    ]
    assert {a.params["CN"] for a in attendees} == {"Ana Rossi", "Ben Carter", "Grace Hopper", "observer@example.com"}


def test_booking_stats_on_past_bookings(team: Team) -> None:
    monday = TUESDAY - timedelta(days=8)
    team.clock.now = at(monday, 6)
    held_run, held_call, missed, dropped = (
        book(team, at(monday + timedelta(days=d), 8), team.ana, name=name).session.id
        for d, name in ((1, "Ada Lovelace"), (2, "Alan Turing"), (3, "Barbara Liskov"), (4, "Edsger Dijkstra"))
    )
    later = book(team, at(WEDNESDAY, 8), team.ana, name="Frances Allen")
    cancel_booking(team.ws, dropped, reason="No longer available", actor=SCHEDULER)
    team.clock.now = at(monday + timedelta(days=1), 8)
    begin_scheduled(team.ws, held_run, actor=INTERVIEWER)
    start_interview(team.ws, held_run, actor=CANDIDATE)  # the session ran
    with team.ws.uow_factory() as uow:  # the call took place (as MEETING_STARTED records it)
        booking = uow.bookings.for_session(held_call)
        assert booking is not None
        booking.meeting_started_at = at(monday + timedelta(days=2), 8, 1)
        uow.bookings.update(booking)
        uow.commit()

    team.clock.now = at(TUESDAY, 12, 15)
    assert booking_stats(team.ws, actor=SCHEDULER) == BookingStats(
        total=5,
        confirmed=4,
        pending=0,
        cancelled=1,
        upcoming=1,
        held=2,
        missed=1,
        show_rate=2 / 3,
        conversion=4 / 5,
    )
    assert [v.session.id for v in upcoming(team.ws, actor=SCHEDULER)] == [later.session.id]
    assert missed not in {v.session.id for v in upcoming(team.ws, actor=SCHEDULER, include_cancelled=True)}


def statements(engine: Engine, call: Callable[[], T]) -> tuple[int, T]:
    """How many SQL statements `call` sends through `engine`, and what it returns."""
    sent: list[str] = []

    def note(_conn: object, _cursor: object, statement: str, *_rest: object) -> None:
        sent.append(statement)

    event.listen(engine, "before_cursor_execute", note)
    try:
        result = call()
    finally:
        event.remove(engine, "before_cursor_execute", note)
    return len(sent), result


def add_bookings(ws: Workspace, owner: Account | None, numbers: range) -> None:
    """Booked sessions `owner` started, in five kinds by number: cancelled, pending, held (past, the session
    ran), missed (past, never started) and upcoming."""
    with ws.uow_factory() as uow:
        for n in numbers:
            kind = n % 5
            start = at(TUESDAY, 15) if kind in (0, 1, 4) else at(TUESDAY - timedelta(days=1), 9)
            status = SessionStatus.COMPLETED if kind == 2 else SessionStatus.SCHEDULED
            owner_id = owner.id if owner else None
            session_id = f"{'his' if owner else 'other'}-{n}"
            uow.sessions.add(Session(id=session_id, problem_id="p", status=status, owner_id=owner_id))
            uow.bookings.add(
                Booking(
                    id=f"b-{session_id}",
                    session_id=session_id,
                    source="local",
                    ical_uid=f"{session_id}@example.com",
                    start_at=start,
                    end_at=start + timedelta(minutes=45),
                    attendee_name="Someone",
                    attendee_email="someone@example.com",
                    status={0: BookingStatus.CANCELLED, 1: BookingStatus.PENDING}.get(kind, BookingStatus.CONFIRMED),
                )
            )
        uow.commit()


def test_booking_figures_take_the_same_few_queries_for_one_booking_or_thirty(team: Team, engine: Engine) -> None:
    """The Schedule page computes them on every rerun: one query per booking would grow with the calendar."""
    ivan = new_account("ivan@example.com", "Ivan", [AccountRole.INTERVIEWER], "core")
    with team.ws.uow_factory() as uow:
        uow.accounts.add(ivan)
        uow.commit()
    add_bookings(team.ws, None, range(30))  # nobody's: not his to count
    add_bookings(team.ws, ivan, range(1, 2))  # one pending booking
    one, first = statements(engine, lambda: booking_stats(team.ws, actor=Actor.person(ivan)))
    assert (first.total, first.pending) == (1, 1)

    add_bookings(team.ws, ivan, range(2, 31))  # thirty of his: six of each kind
    thirty, stats = statements(engine, lambda: booking_stats(team.ws, actor=Actor.person(ivan)))
    assert thirty == one <= 2
    assert stats == BookingStats(
        total=30,
        confirmed=18,
        pending=6,
        cancelled=6,
        upcoming=6,
        held=6,
        missed=6,
        show_rate=0.5,
        conversion=0.75,  # 18 kept of the 24 decided: the 6 pending wait outside the figure
    )
    everyone = booking_stats(team.ws, actor=SCHEDULER)  # the workspace itself counts every booking
    assert (everyone.total, everyone.upcoming, everyone.held) == (60, 12, 12)


# -- through Cal.com ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def fake() -> Iterator[CalcomServer]:
    with CalcomServer() as server:
        yield server


@dataclass
class Cal:
    team: Team
    fake: CalcomServer
    client: CalcomClient
    system_design: EventType  # linked to the fake's event type 101 (60 minutes, Cal Video)
    webhooks: TestClient  # our route: stores the delivery and submits a job for the worker

    def book(self, start: datetime, **extra: Any) -> ScheduledInterview:
        request = BookingRequest(
            event_type_id=self.system_design.id,
            problem_id=self.team.ws.problems.all()[0].id,
            start=start,
            interviewer_ids=(self.team.ana.id,),
            candidate_name="Grace Hopper",
            candidate_email="grace@example.com",
            **extra,
        )
        return book_interview(self.team.ws, request, client=self.client, actor=SCHEDULER)

    def emit(self, trigger: str, uid: str) -> WebhookEvent:
        delivery = self.fake.emit_webhook(
            PATH, trigger, uid, SECRET, client=self.webhooks, created_at=self.team.clock()
        )
        assert delivery.status_code == 200, delivery.response_text
        deadline = time.monotonic() + 10
        while True:  # the worker applies it
            with self.team.ws.uow_factory() as uow:
                newest = uow.webhook_events.latest(limit=1)[0]
            if newest.status != "received" or time.monotonic() > deadline:
                break
            time.sleep(0.01)
        assert newest.trigger == trigger and newest.status != "received"
        return newest

    def sessions(self) -> int:
        with self.team.ws.uow_factory() as uow:
            return uow.sessions.count()


@pytest.fixture
def cal(team: Team, fake: CalcomServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[Cal]:
    monkeypatch.delenv("CALCOM_WEBHOOK_SECRET", raising=False)
    fake.reset()
    fake.now = team.clock
    team.clock.now = at(TUESDAY, 6)
    system_design = save_event_type(
        team.ws,
        EventType(id="", title="System design interview", length_minutes=60, calcom_event_type_id=101),
        actor=ADMIN,
    )
    worker = WorkerThreads(lambda: team.ws)
    team.ws.job_queue = worker.queue
    app = Starlette(routes=[calcom_webhook_route(lambda: team.ws, secrets=lambda: {"CALCOM_WEBHOOK_SECRET": SECRET})])
    with (
        CalcomClient(fake.api_key, base_url=fake.base_url, backoff_seconds=0.01) as client,
        TestClient(app) as webhooks,
        worker,
    ):
        yield Cal(team, fake, client, system_design, webhooks)


def test_calcom_slots_come_from_calcom(cal: Cal) -> None:
    cal.fake.seed_booking(event_type_id=101, start=at(TUESDAY, 11))
    found = available_slots(
        cal.team.ws,
        event_type_id=cal.system_design.id,
        interviewer_ids=[cal.team.ana.id],
        first_day=TUESDAY,
        days=1,
        viewer_timezone="UTC",
        client=cal.client,
    )
    # Cal.com's hours (09–17 UTC), not Ana's (07–15 UTC); its own booking at 11:00 is taken.
    assert found == [Slot(at(TUESDAY, h), at(TUESDAY, h + 1)) for h in (9, 10, 12, 13, 14, 15, 16)]
    assert cal.fake.count("GET", "/v2/slots") == 1


def test_calcom_booking_makes_one_session_even_after_its_webhook(cal: Cal) -> None:
    view = cal.book(at(TUESDAY, 10), candidate_timezone="Europe/Rome")
    [remote] = cal.fake.live_bookings()
    assert (remote.start, remote.attendee_email, remote.attendee_time_zone) == (
        at(TUESDAY, 10),
        "grace@example.com",
        "Europe/Rome",
    )
    assert remote.metadata == {"sessionId": view.session.id}
    # Cal.com's own confirmation emails show the "Additional notes": the same recording notice as our invitation.
    notice = recording_notice(cal.team.ws.settings).as_text()
    assert remote.notes == notice
    assert cal.client.get_booking(remote.uid).notes == notice
    booking = view.booking
    assert (booking.source, booking.external_uid, booking.ical_uid, booking.status) == (
        "calcom",
        remote.uid,
        remote.ical_uid,
        BookingStatus.CONFIRMED,
    )
    assert (booking.start_at, booking.end_at) == (at(TUESDAY, 10), at(TUESDAY, 11))
    assert (booking.meeting_url, booking.meeting_provider) == (remote.video_call_url, "cal_video")
    assert view.session.status is SessionStatus.SCHEDULED and [m.id for m in view.interviewers] == [cal.team.ana.id]

    event = cal.emit("BOOKING_CREATED", remote.uid)
    assert (event.status, event.session_id, event.outcome) == (
        "processed",
        view.session.id,
        "Session updated: nothing changed.",
    )
    assert cal.sessions() == 1


def test_calcom_cancel_and_reschedule_go_through_calcom(cal: Cal) -> None:
    view = cal.book(at(TUESDAY, 10))
    sid, first_uid = view.session.id, view.booking.external_uid
    assert first_uid is not None

    moved = reschedule_booking(cal.team.ws, sid, start=at(TUESDAY, 15), client=cal.client, actor=SCHEDULER)
    second_uid = moved.booking.external_uid
    assert second_uid not in (None, first_uid)
    assert (moved.session.id, moved.booking.previous_uids, moved.booking.ical_sequence) == (sid, [first_uid], 1)
    assert (moved.booking.start_at, moved.booking.end_at) == (at(TUESDAY, 15), at(TUESDAY, 16))
    assert moved.booking.ical_uid == view.booking.ical_uid  # Cal.com keeps the iCal uid across reschedules
    old, new = cal.fake.booking(first_uid), cal.fake.booking(second_uid or "")
    assert (old.status, old.rescheduled_to_uid, new.status, new.start) == (
        "cancelled",
        second_uid,
        "accepted",
        at(TUESDAY, 15),
    )
    assert cal.emit("BOOKING_RESCHEDULED", second_uid or "").session_id == sid
    assert cal.sessions() == 1

    cancelled = cancel_booking(cal.team.ws, sid, reason="Position closed", client=cal.client, actor=SCHEDULER)
    assert (cancelled.session.status, cancelled.booking.status, cancelled.booking.ical_sequence) == (
        SessionStatus.CANCELLED,
        BookingStatus.CANCELLED,
        2,
    )
    assert (cal.fake.booking(second_uid or "").status, cal.fake.booking(second_uid or "").cancellation_reason) == (
        "cancelled",
        "Position closed",
    )
    assert cal.emit("BOOKING_CANCELLED", second_uid or "").session_id == sid
    method, event, _, _ = parse(cal.team.ws, sid)
    assert (method, str(event["UID"]), int(event["SEQUENCE"])) == ("CANCEL", view.booking.ical_uid, 2)
    assert cal.sessions() == 1


def test_calcom_moves_are_offered_calcoms_free_times_and_its_nearest_when_it_refuses(cal: Cal) -> None:
    sid = cal.book(at(TUESDAY, 10)).session.id
    [first] = cal.fake.live_bookings()
    found = reschedule_slots(
        cal.team.ws, sid, day=TUESDAY, viewer_timezone="Europe/Rome", client=cal.client, actor=SCHEDULER
    )
    # Cal.com's hours (09–17 UTC), asked as for moving this booking; where it is now is not offered.
    assert [s.start for s in found] == [at(TUESDAY, h) for h in (9, 11, 12, 13, 14, 15, 16)]
    [asked] = [r for r in cal.fake.requests if r.path == "/v2/slots"]
    assert (asked.query["bookingUidToReschedule"], asked.query["timeZone"]) == (first.uid, "Europe/Rome")

    cal.fake.seed_booking(event_type_id=101, start=at(TUESDAY, 14))  # taken on Cal.com's own page
    with pytest.raises(SlotUnavailable, match=r"can't be booked on Cal\.com") as refused:
        reschedule_booking(cal.team.ws, sid, start=at(TUESDAY, 14), client=cal.client, actor=SCHEDULER)
    assert refused.value.alternatives == [
        Slot(at(TUESDAY, 15), at(TUESDAY, 16)),
        Slot(at(TUESDAY, 13), at(TUESDAY, 14)),
        Slot(at(TUESDAY, 16), at(TUESDAY, 17)),
    ]
    assert cal.fake.booking(first.uid).status == "accepted"  # nothing moved


def test_a_webhook_that_beats_the_booking_answer_is_adopted(cal: Cal) -> None:
    cal.fake.delay_next(1.5)  # Cal.com books at once but answers later
    outcome: list[ScheduledInterview | BaseException] = []

    def run() -> None:
        try:
            outcome.append(cal.book(at(TUESDAY, 10)))
        except BaseException as exc:  # reported in the test's thread
            outcome.append(exc)

    worker = threading.Thread(target=run)
    worker.start()
    try:
        deadline = time.monotonic() + 5
        while not cal.fake.live_bookings():
            assert time.monotonic() < deadline, "Cal.com never got the booking"
            time.sleep(0.01)
        [remote] = cal.fake.live_bookings()
        early = cal.emit("BOOKING_CREATED", remote.uid)  # the webhook arrives while book_interview waits
        assert outcome == []
    finally:
        worker.join(timeout=10)
    assert (early.status, early.outcome) == ("processed", "New confirmed session for Grace Hopper.")

    [view] = outcome
    assert isinstance(view, ScheduledInterview), view
    assert view.session.id == early.session_id
    assert (view.booking.external_uid, view.booking.event_type_id) == (remote.uid, cal.system_design.id)
    assert [m.id for m in view.interviewers] == [cal.team.ana.id]
    assert view.session.status is SessionStatus.SCHEDULED
    assert cal.sessions() == 1
    with cal.team.ws.uow_factory() as uow:
        assert [c.email for c in uow.candidates.all()] == ["grace@example.com"]
