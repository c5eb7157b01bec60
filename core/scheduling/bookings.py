"""Booking interviews: slots, book, cancel, reschedule, upcoming, invitations and booking figures.

One set of services for both back ends. With a Cal.com client, Cal.com finds the slots and holds
the booking (its answers go through core.scheduling.booking_sync, the same rules the webhooks use); without
one, the built-in scheduler (core.scheduling.availability) books from team members' working hours and the
sessions already booked. Either way a booked interview is a session in state `scheduled` with a
Booking beside it, and every change raises the invitation's SEQUENCE.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from core import audit
from core.errors import NotFound, WorkspaceError
from core.lifecycle import transition
from core.models import (
    Booking,
    BookingStatus,
    Candidate,
    CandidateScope,
    EventType,
    Session,
    SessionStatus,
    TeamMember,
)
from core.permissions.access import authorize, authorize_action, candidate_listing_scope, listing_scope
from core.permissions.actor import Actor
from core.permissions.policy import Action, SessionAction
from core.provider_ids import OFFLINE
from core.recording_notice import recording_notice
from core.scheduling import booking_news
from core.scheduling.availability import (
    Busy,
    Member,
    Slot,
    WorkingHours,
    conflicts,
    free_slots,
    nearest_slots,
    suggest_alternatives,
)
from core.scheduling.booking_emails import Notice
from core.scheduling.booking_invitation import booking_invitation
from core.scheduling.booking_reminders import sync_reminders
from core.scheduling.booking_sync import BookingFacts, apply_booking_facts
from core.scheduling.calcom.client import CalcomSlotUnavailable
from core.scheduling.meeting_links import detect_provider
from core.scheduling.team import EMAIL, check_timezone
from core.single_line import single_line
from core.unit_of_work import UnitOfWork
from core.workspace import Workspace

if TYPE_CHECKING:
    from core.scheduling.calcom.client import CalBooking, CalcomClient

log = logging.getLogger(__name__)


class BookingInputError(WorkspaceError):
    """The booking form is missing something or holds a value we cannot use."""


class SlotUnavailable(WorkspaceError):
    """The chosen time does not work; says why and offers the nearest times that do."""

    def __init__(self, message: str, *, reasons: Sequence[str] = (), alternatives: Sequence[Slot] = ()) -> None:
        super().__init__(message)
        self.reasons = list(reasons)
        self.alternatives = list(alternatives)


@dataclass(frozen=True)
class BookingRequest:
    event_type_id: str
    problem_id: str
    start: datetime
    interviewer_ids: tuple[str, ...]
    candidate_id: str | None = None  # an existing candidate, or the name and email below
    candidate_name: str = ""
    candidate_email: str = ""
    candidate_timezone: str = "UTC"
    guests: tuple[str, ...] = ()
    meeting_url: str = ""  # built-in scheduler: the link people join (Zoom, Meet…); Cal.com makes its own


@dataclass
class ScheduledInterview:
    """A booked interview as the Schedule page shows it."""

    session: Session
    booking: Booking
    candidate: Candidate | None
    interviewers: list[TeamMember] = field(default_factory=list)
    event_type: EventType | None = None

    @property
    def meeting_label(self) -> str:
        link = detect_provider(self.booking.meeting_url) if self.booking.meeting_url else None
        return link.provider_label if link else "Workspace"


@dataclass(frozen=True)
class BookingStats:
    total: int
    confirmed: int
    pending: int
    cancelled: int
    upcoming: int
    held: int  # past interviews that took place (the meeting started or the session ran)
    missed: int  # past confirmed interviews that never started
    show_rate: float | None  # held / (held + missed)
    conversion: float | None  # confirmed (incl. held) / decided (confirmed or cancelled; pending is undecided)

    @property
    def decided(self) -> int:
        """Bookings whose fate is known: kept (confirmed) or cancelled. A pending one is neither yet."""
        return self.confirmed + self.cancelled


def mode(client: CalcomClient | None) -> str:
    return "calcom" if client is not None else "local"


# --- slots ------------------------------------------------------------------------------------


def available_slots(
    ws: Workspace,
    *,
    event_type_id: str,
    interviewer_ids: Sequence[str],
    first_day: date,
    days: int,
    viewer_timezone: str,
    client: CalcomClient | None = None,
) -> list[Slot]:
    """Free start times from `first_day` (in the viewer's zone) for `days` days, earliest first."""
    zone = ZoneInfo(check_timezone(viewer_timezone))
    window_start = datetime.combine(first_day, time(0), tzinfo=zone).astimezone(UTC)
    window_end = datetime.combine(first_day + timedelta(days=days), time(0), tzinfo=zone).astimezone(UTC)
    with ws.uow_factory() as uow:
        event_type = uow.event_types.get(event_type_id)
        members = _members(uow, interviewer_ids)
        busy = _busy(uow, [m.id for m in members], window_start, window_end)
    if client is None and not members:
        raise BookingInputError("Choose at least one interviewer to see their free times.")
    return _free_times(
        ws,
        event_type,
        members,
        busy,
        window=(window_start, window_end),
        length=timedelta(minutes=event_type.length_minutes),
        viewer_timezone=viewer_timezone,
        client=client,
    )


def reschedule_slots(
    ws: Workspace,
    session_id: str,
    *,
    day: date,
    viewer_timezone: str,
    client: CalcomClient | None = None,
    actor: Actor,
) -> list[Slot]:
    """Free times on `day` (in the viewer's zone) that the interview can move to, earliest first.

    So the Reschedule panel offers only times that work: the time the interview holds now does not block
    its neighbours (it is the one moving) and is not offered again. Same rules, and same back end, as
    `reschedule_booking` uses.
    """
    zone = ZoneInfo(check_timezone(viewer_timezone))
    window_start = datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)
    window_end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)
    with ws.uow_factory() as uow:
        booking = _booking(uow, session_id)
        session = uow.sessions.get(session_id)
        authorize(uow, ws.settings, actor, SessionAction.EDIT, session)
        members = _members(uow, uow.session_interviewers.for_session(session_id))
        event_type = uow.event_types.get(booking.event_type_id) if booking.event_type_id else None
        busy = _busy(uow, [m.id for m in members], window_start, window_end, moving=booking)
    _require_movable(booking, session)
    through_calcom = client if booking.external_uid else None
    if through_calcom is None and not members:
        raise BookingInputError("Nobody is assigned to run this interview, so there are no free times to offer.")
    found = _free_times(
        ws,
        event_type,
        members,
        busy,
        window=(window_start, window_end),
        length=booking.end_at - booking.start_at,
        viewer_timezone=viewer_timezone,
        client=through_calcom,
        moving=booking,
    )
    return [slot for slot in found if slot.start != booking.start_at]


# --- book, cancel, reschedule --------------------------------------------------------------------


def book_interview(
    ws: Workspace,
    request: BookingRequest,
    *,
    client: CalcomClient | None = None,
    actor: Actor,
) -> ScheduledInterview:
    """Book the interview and create its `scheduled` session, which is the booker's (they and their team's
    reviewers see it); raises SlotUnavailable with alternatives."""
    authorize_action(ws.settings, actor, Action.SCHEDULE)
    owner = actor.account
    start = _aware(request.start)
    with ws.uow_factory() as uow:
        event_type = uow.event_types.get(request.event_type_id)
        problem = ws.problems.get(request.problem_id)
        members = _members(uow, request.interviewer_ids)
        candidate = _candidate_for(uow, request, candidate_listing_scope(actor))
    if not members:
        raise BookingInputError("Choose at least one interviewer.")
    guests = _emails(request.guests)
    end = start + timedelta(minutes=event_type.length_minutes)
    session_id = uuid.uuid4().hex
    if client is None:
        _require_free(ws, event_type, members, start, end, request.candidate_timezone, exclude_session=None)
        facts = None
    else:
        if not candidate.email:
            raise BookingInputError("Cal.com needs the candidate's email address; add it to book.")
        try:
            booked = client.create_booking(
                event_type_id=_calcom_event_type(event_type),
                start=start,
                attendee_name=candidate.name,
                attendee_email=candidate.email or "",
                attendee_time_zone=request.candidate_timezone,
                guests=guests,
                metadata={"sessionId": session_id},
                # Cal.com sends its own confirmation emails: they carry the notice our invitation carries.
                notes=recording_notice(ws.settings).as_text(),
            )
        except CalcomSlotUnavailable as exc:
            nearest = _calcom_nearest(ws, client, event_type, start, request.candidate_timezone)
            raise SlotUnavailable(str(exc), alternatives=nearest) from exc
        facts = _facts_from_calcom(booked, sequence=0)
        end = facts.end

    now = ws.clock()
    with ws.uow_factory() as uow:
        if candidate.created_at is None:
            # Cal.com's webhook for this booking may have stored the same person while we waited.
            existing = uow.candidates.by_email(candidate.email) if candidate.email else None
            if existing is not None:
                candidate = existing
            else:
                candidate.created_at = now
                uow.candidates.add(candidate)
        adopted = uow.bookings.by_external_uid(facts.uid) if facts else None
        if adopted is not None:  # Cal.com's webhook got here first and made the session: take it over
            session = uow.sessions.get(adopted.session_id)
            session_id = session.id
        else:
            session = Session(id=session_id, problem_id=problem.id, created_at=now)
            session.owner_id, session.team = (owner.id, owner.team) if owner else (None, "")
        session.problem_id, session.problem_title = problem.id, problem.title
        session.kind = event_type.kind
        session.candidate_id = candidate.id
        session.interviewer_provider = session.interviewer_provider or OFFLINE
        session.duration_minutes = event_type.length_minutes
        session.status = SessionStatus.SCHEDULED if adopted is None else session.status
        session.updated_at = now
        booking = adopted or Booking(
            id=uuid.uuid4().hex,
            session_id=session_id,
            source=mode(client),
            ical_uid=f"{session_id}@interview-workspace",
            start_at=start,
            end_at=end,
            attendee_name=candidate.name,
            attendee_email=candidate.email or "",
            created_at=now,
        )
        booking.event_type_id = event_type.id
        booking.timezone = request.candidate_timezone
        booking.guests = list(guests)
        if facts is not None:
            booking.external_uid = facts.uid
            booking.ical_uid = facts.ical_uid or booking.ical_uid
            booking.status = facts.status
            booking.start_at, booking.end_at = facts.start, facts.end
            url = facts.meeting_url
        else:
            url = request.meeting_url.strip() or None
        _set_link(ws, booking, url)
        if adopted is None:
            uow.sessions.add(session)
            uow.bookings.add(booking)
        else:
            uow.sessions.update(session)
            uow.bookings.update(booking)
        uow.session_interviewers.set(session_id, [m.id for m in members])
        audit.record(
            uow,
            "interview_booked",
            actor=actor.name,
            session_id=session_id,
            detail={"source": booking.source, "start": booking.start_at.isoformat(), "uid": booking.external_uid},
        )
        # Adopted: the webhook that made the session wrote its confirmation already
        confirmed = adopted is None and booking.status is BookingStatus.CONFIRMED
        news = booking_news.announce(ws, uow, booking, Notice.BOOKED, actor=actor) if confirmed else []
        news += sync_reminders(ws, uow, booking, actor=actor)
        uow.commit()
    booking_news.wake(ws, news)
    log.info("interview booked", extra={"session": session_id, "source": booking.source})
    return _scheduled(ws, session_id)


def cancel_booking(
    ws: Workspace, session_id: str, *, reason: str, client: CalcomClient | None = None, actor: Actor
) -> ScheduledInterview:
    if not reason.strip():
        raise BookingInputError("Say why the interview is cancelled; the candidate sees the reason.")
    with ws.uow_factory() as uow:
        booking = _booking(uow, session_id)
        authorize(uow, ws.settings, actor, SessionAction.EDIT, uow.sessions.get(session_id))
    if booking.status is BookingStatus.CANCELLED:
        raise BookingInputError("This interview is already cancelled.")
    if client is not None and booking.external_uid:
        cancelled = client.cancel_booking(booking.external_uid, reason=reason.strip())
        facts = _facts_from_calcom(cancelled, sequence=booking.ical_sequence + 1, reason=reason.strip())
        with ws.uow_factory() as uow:
            outcome = apply_booking_facts(ws, uow, facts, trigger="BOOKING_CANCELLED", actor=actor.name)
            uow.commit()
        booking_news.wake(ws, outcome.jobs)
        return _scheduled(ws, session_id)
    with ws.uow_factory() as uow:
        booking = _booking(uow, session_id)
        session = uow.sessions.get(session_id)
        booking.status = BookingStatus.CANCELLED
        booking.cancellation_reason = reason.strip()
        booking.ical_sequence += 1
        uow.bookings.update(booking)
        if session.status in (SessionStatus.SCHEDULED, SessionStatus.READY):
            transition(session, SessionStatus.CANCELLED, ws.clock())
            uow.sessions.update(session)
        audit.record(uow, "interview_cancelled", actor=actor.name, session_id=session_id, detail={"reason": reason})
        news = booking_news.announce(ws, uow, booking, Notice.CANCELLED, actor=actor)
        news += sync_reminders(ws, uow, booking, actor=actor)  # withdraws them all
        uow.commit()
    booking_news.wake(ws, news)
    return _scheduled(ws, session_id)


def reschedule_booking(
    ws: Workspace,
    session_id: str,
    *,
    start: datetime,
    reason: str = "",
    client: CalcomClient | None = None,
    viewer_timezone: str | None = None,
    actor: Actor,
) -> ScheduledInterview:
    """Move the interview to `start`; raises SlotUnavailable with the nearest free times (in either back end)
    when that time does not work. `viewer_timezone` words the reasons (default: the candidate's zone)."""
    start = _aware(start)
    with ws.uow_factory() as uow:
        booking = _booking(uow, session_id)
        session = uow.sessions.get(session_id)
        authorize(uow, ws.settings, actor, SessionAction.EDIT, session)
        members = _members(uow, uow.session_interviewers.for_session(session_id))
        event_type = uow.event_types.get(booking.event_type_id) if booking.event_type_id else None
    _require_movable(booking, session)
    zone = check_timezone(viewer_timezone or booking.timezone)
    length = booking.end_at - booking.start_at
    if client is not None and booking.external_uid:
        try:
            moved = client.reschedule_booking(booking.external_uid, start=start, reason=reason or None)
        except CalcomSlotUnavailable as exc:
            nearest = _calcom_nearest(ws, client, event_type, start, zone, moving=booking)
            raise SlotUnavailable(str(exc), alternatives=nearest) from exc
        facts = _facts_from_calcom(moved, sequence=booking.ical_sequence + 1)
        with ws.uow_factory() as uow:
            outcome = apply_booking_facts(ws, uow, facts, trigger="BOOKING_RESCHEDULED", actor=actor.name)
            uow.commit()
        booking_news.wake(ws, outcome.jobs)
        return _scheduled(ws, session_id)
    if event_type is not None:
        _require_free(ws, event_type, members, start, start + length, zone, exclude_session=session_id)
    with ws.uow_factory() as uow:
        booking = _booking(uow, session_id)
        old = booking.start_at
        booking.start_at, booking.end_at = start, start + length
        booking.ical_sequence += 1
        uow.bookings.update(booking)
        audit.record(
            uow,
            "interview_rescheduled",
            actor=actor.name,
            session_id=session_id,
            detail={"from": old.isoformat(), "to": start.isoformat(), "reason": reason},
        )
        news = booking_news.announce(ws, uow, booking, Notice.UPDATED, actor=actor)
        news += sync_reminders(ws, uow, booking, actor=actor)  # the old time's withdrawn, the new time's written
        uow.commit()
    booking_news.wake(ws, news)
    return _scheduled(ws, session_id)


def begin_scheduled(ws: Workspace, session_id: str, *, actor: Actor) -> Session:
    """scheduled → ready, so the Interview page can start it."""
    with ws.uow_factory() as uow:
        session = uow.sessions.get(session_id)
        authorize(uow, ws.settings, actor, SessionAction.EDIT, session)
        if session.status is SessionStatus.SCHEDULED:
            transition(session, SessionStatus.READY, ws.clock())
            uow.sessions.update(session)
            audit.record(uow, "scheduled_interview_opened", actor=actor.name, session_id=session_id)
            uow.commit()
        return session


# --- reading ------------------------------------------------------------------------------------


def scheduled_interview(ws: Workspace, session_id: str, *, actor: Actor) -> ScheduledInterview:
    """The booked interview as the Schedule page shows it, for someone who may see the session (AccessDenied,
    worded as not found, for anyone else); NotFound when the session was not booked."""
    with ws.uow_factory() as uow:
        authorize(uow, ws.settings, actor, SessionAction.VIEW, uow.sessions.get(session_id))
        return _view(uow, _booking(uow, session_id))


def _scheduled(ws: Workspace, session_id: str) -> ScheduledInterview:
    """The booked interview, for a service that has just checked (or is) the actor: no second check."""
    with ws.uow_factory() as uow:
        return _view(uow, _booking(uow, session_id))


def upcoming(
    ws: Workspace, *, actor: Actor, include_cancelled: bool = False, days: int = 60
) -> list[ScheduledInterview]:
    """Interviews from one hour ago to `days` ahead, earliest first: only those of sessions `actor` may see
    (each card names the candidate, the time and the problem), narrowed by storage, not after reading."""
    now = ws.clock()
    with ws.uow_factory() as uow:
        bookings = uow.bookings.between(
            now - timedelta(hours=1),
            now + timedelta(days=days),
            include_cancelled=include_cancelled,
            scope=listing_scope(actor),
        )
        return [_view(uow, booking) for booking in bookings]


def booking_stats(ws: Workspace, *, actor: Actor) -> BookingStats:
    """The figures over the bookings `actor` may see, so they add up to what `upcoming` lists."""
    now = ws.clock()
    with ws.uow_factory() as uow:  # one query, not one per booking: the page runs this on every rerun
        rows = uow.bookings.with_session_status(scope=listing_scope(actor))
    bookings = [booking for booking, _ in rows]
    statuses = {booking.session_id: status for booking, status in rows}
    ran = {SessionStatus.ACTIVE, SessionStatus.PAUSED, SessionStatus.COMPLETED}
    confirmed = [b for b in bookings if b.status is BookingStatus.CONFIRMED]
    cancelled = sum(1 for b in bookings if b.status is BookingStatus.CANCELLED)
    # Conversion counts what was decided: a cancelled booking was made and not kept (not "nothing booked",
    # not a conversion); a pending one is neither yet, so it waits outside the figure until Cal.com decides.
    decided = len(confirmed) + cancelled
    past = [b for b in confirmed if b.end_at <= now]
    held = sum(1 for b in past if b.meeting_started_at is not None or statuses[b.session_id] in ran)
    missed = len(past) - held
    return BookingStats(
        total=len(bookings),
        confirmed=len(confirmed),
        pending=sum(1 for b in bookings if b.status is BookingStatus.PENDING),
        cancelled=cancelled,
        upcoming=sum(1 for b in confirmed if b.end_at > now),
        held=held,
        missed=missed,
        show_rate=held / len(past) if past else None,
        conversion=len(confirmed) / decided if decided else None,
    )


def invitation(ws: Workspace, session_id: str, *, actor: Actor) -> tuple[str, bytes, str]:
    """(filename, .ics bytes, content type): REQUEST at the current revision, or CANCEL once cancelled.
    Refused like `scheduled_interview`: it names the candidate, the interviewers and the meeting link."""
    with ws.uow_factory() as uow:
        authorize(uow, ws.settings, actor, SessionAction.VIEW, uow.sessions.get(session_id))
        made = booking_invitation(ws, uow, _booking(uow, session_id))
    return made.filename, made.content, made.content_type


# --- helpers ------------------------------------------------------------------------------------


def _view(uow: UnitOfWork, booking: Booking) -> ScheduledInterview:
    session = uow.sessions.get(booking.session_id)
    candidate = uow.candidates.get(session.candidate_id) if session.candidate_id else None
    interviewers = [uow.team_members.get(i) for i in uow.session_interviewers.for_session(session.id)]
    event_type = uow.event_types.get(booking.event_type_id) if booking.event_type_id else None
    return ScheduledInterview(session, booking, candidate, sorted(interviewers, key=lambda m: m.name), event_type)


def _booking(uow: UnitOfWork, session_id: str) -> Booking:
    booking = uow.bookings.for_session(session_id)
    if booking is None:
        raise NotFound("This session was not booked through the schedule.")
    return booking


def _members(uow: UnitOfWork, member_ids: Sequence[str]) -> list[TeamMember]:
    return [uow.team_members.get(member_id) for member_id in dict.fromkeys(member_ids)]


def _busy(
    uow: UnitOfWork, member_ids: list[str], start: datetime, end: datetime, *, moving: Booking | None = None
) -> list[Busy]:
    """The members' booked time around [start, end); `moving`'s own time is left out (it is what moves)."""
    margin = timedelta(hours=12)  # buffers reach outside the window
    own = (moving.start_at, moving.end_at) if moving else None
    rows = uow.bookings.member_busy(member_ids, start - margin, end + margin)
    return [Busy(m, s, e) for m, s, e in rows if (s, e) != own]


def _free_times(
    ws: Workspace,
    event_type: EventType | None,
    members: list[TeamMember],
    busy: list[Busy],
    *,
    window: tuple[datetime, datetime],
    length: timedelta,
    viewer_timezone: str,
    client: CalcomClient | None,
    moving: Booking | None = None,
) -> list[Slot]:
    """Free start times in `window` from Cal.com (with a client) or the members' hours, never sooner than
    the minimum notice: one rule for booking and for moving."""
    window_start, window_end = window
    not_before = ws.clock() + timedelta(minutes=ws.settings.scheduling.minimum_notice_minutes)
    if client is not None:
        if event_type is None:
            raise BookingInputError("This interview has no interview kind, so Cal.com cannot list its free times.")
        slots = client.slots(
            event_type_id=_calcom_event_type(event_type),
            start=window_start,
            end=window_end,
            time_zone=viewer_timezone,
            rescheduling_uid=moving.external_uid if moving else None,
        )
        return [
            Slot(s.start.astimezone(UTC), s.end.astimezone(UTC))
            for s in slots
            if s.start >= not_before and s.start < window_end
        ]
    return free_slots(
        [_availability_member(m) for m in members],
        busy,
        window_start=window_start,
        window_end=window_end,
        duration=length,
        step=timedelta(minutes=ws.settings.scheduling.slot_step_minutes),
        buffer_before=timedelta(minutes=event_type.buffer_before_minutes if event_type else 0),
        buffer_after=timedelta(minutes=event_type.buffer_after_minutes if event_type else 0),
        not_before=not_before,
    )


def _calcom_nearest(
    ws: Workspace,
    client: CalcomClient,
    event_type: EventType | None,
    requested: datetime,
    timezone: str,
    *,
    moving: Booking | None = None,
) -> list[Slot]:
    """Cal.com's free times nearest to a start it refused, ranked as the built-in scheduler ranks its own;
    none when they cannot be listed (the refusal is still worth showing)."""
    span = timedelta(days=ws.settings.scheduling.search_days)
    now = ws.clock()
    try:
        found = _free_times(
            ws,
            event_type,
            [],
            [],
            window=(max(now, requested - span), requested + span),
            length=timedelta(0),  # Cal.com knows the length
            viewer_timezone=timezone,
            client=client,
            moving=moving,
        )
    except WorkspaceError:
        log.warning("no alternatives from Cal.com", exc_info=True)
        return []
    if moving is not None:  # where it is now is no alternative
        found = [slot for slot in found if slot.start != moving.start_at]
    return nearest_slots(found, requested=requested, count=3, tz=timezone)


def _require_movable(booking: Booking, session: Session) -> None:
    if booking.status is BookingStatus.CANCELLED or session.status is not SessionStatus.SCHEDULED:
        raise BookingInputError("Only an interview that is still scheduled can be moved.")


def _availability_member(member: TeamMember) -> Member:
    days = {
        int(day): [(time.fromisoformat(a), time.fromisoformat(b)) for a, b in spans]
        for day, spans in member.working_hours.items()
    }
    return Member(member.id, member.name, member.timezone, WorkingHours(days))


def _require_free(
    ws: Workspace,
    event_type: EventType,
    members: list[TeamMember],
    start: datetime,
    end: datetime,
    viewer_timezone: str,
    *,
    exclude_session: str | None,
) -> None:
    if start < ws.clock() + timedelta(minutes=ws.settings.scheduling.minimum_notice_minutes):
        notice = ws.settings.scheduling.minimum_notice_minutes
        raise SlotUnavailable(f"Interviews are booked at least {notice} minutes ahead; choose a later time.")
    with ws.uow_factory() as uow:
        margin = timedelta(days=ws.settings.scheduling.search_days + 1)
        busy_rows = uow.bookings.member_busy([m.id for m in members], start - margin, end + margin)
        own = uow.bookings.for_session(exclude_session) if exclude_session else None
    busy = [
        Busy(m, s, e)
        for m, s, e in busy_rows
        if own is None or (s, e) != (own.start_at, own.end_at)  # moving a booking must not clash with itself
    ]
    people = [_availability_member(m) for m in members]
    before = timedelta(minutes=event_type.buffer_before_minutes)
    after = timedelta(minutes=event_type.buffer_after_minutes)
    found = conflicts(people, busy, start=start, end=end, buffer_before=before, buffer_after=after)
    if not found:
        return
    alternatives = suggest_alternatives(
        people,
        busy,
        start=start,
        duration=end - start,
        count=4,  # one may be where the interview being moved is now: no alternative
        search_days=ws.settings.scheduling.search_days,
        step=timedelta(minutes=ws.settings.scheduling.slot_step_minutes),
        buffer_before=before,
        buffer_after=after,
        not_before=ws.clock() + timedelta(minutes=ws.settings.scheduling.minimum_notice_minutes),
        tz=viewer_timezone,
    )
    alternatives = [a for a in alternatives if own is None or a.start != own.start_at][:3]
    reasons = [conflict.describe(viewer_timezone) for conflict in found]
    message = "That time does not work: " + "; ".join(reasons) + "."
    raise SlotUnavailable(message, reasons=reasons, alternatives=alternatives)


def _candidate_for(uow: UnitOfWork, request: BookingRequest, scope: CandidateScope | None) -> Candidate:
    """The chosen record only when the booker may see it (as the Book tab's picker lists it; an id they
    may not see reads like an unknown one); else the person named, found by email or new."""
    if request.candidate_id:
        return uow.candidates.get(request.candidate_id, scope=scope)
    name, email = single_line(request.candidate_name), single_line(request.candidate_email)
    if not name:
        raise BookingInputError("Enter the candidate's name (or choose an existing candidate).")
    if not EMAIL.match(email):
        raise BookingInputError("Enter the candidate's email address; the invitation goes there.")
    existing = uow.candidates.by_email(email)
    return existing or Candidate(id=uuid.uuid4().hex, name=name, email=email)


def _emails(values: Sequence[str]) -> tuple[str, ...]:
    emails = tuple(dict.fromkeys(v.strip().lower() for v in values if v.strip()))
    bad = [e for e in emails if not EMAIL.match(e)]
    if bad:
        raise BookingInputError(f"Guest {bad[0]} is not an email address.")
    return emails


def _calcom_event_type(event_type: EventType) -> int:
    if event_type.calcom_event_type_id is None:
        raise BookingInputError(
            f"“{event_type.title}” is not linked to a Cal.com event type; set its Cal.com id on the Team tab."
        )
    return event_type.calcom_event_type_id


def _facts_from_calcom(booked: CalBooking, *, sequence: int, reason: str | None = None) -> BookingFacts:
    status = {
        "accepted": BookingStatus.CONFIRMED,
        "pending": BookingStatus.PENDING,
    }.get(booked.status, BookingStatus.CANCELLED)
    name, email = booked.attendees[0] if booked.attendees else ("Candidate", "")
    return BookingFacts(
        uid=booked.uid,
        status=status,
        start=booked.start.astimezone(UTC),
        end=booked.end.astimezone(UTC),
        attendee_name=single_line(name) or "Candidate",
        attendee_email=single_line(email),
        guests=booked.guests,
        title=booked.title,
        ical_uid=booked.ical_uid,
        ical_sequence=sequence,
        calcom_event_type_id=booked.event_type_id,
        meeting_url=booked.meeting_url,
        rescheduled_from_uid=booked.rescheduled_from_uid,
        cancellation_reason=booked.cancellation_reason or reason,
    )


def _set_link(ws: Workspace, booking: Booking, url: str | None) -> None:
    if not url:
        booking.meeting_url, booking.meeting_provider = None, None
        return
    link = detect_provider(url, cal_hosts=ws.settings.scheduling.calcom_hosts)
    if link is None:
        raise BookingInputError(f"“{url}” is not a meeting link; paste the https:// address people join.")
    booking.meeting_url, booking.meeting_provider = link.url, link.provider


def _aware(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise BookingInputError("The interview time needs a time zone.")
    return moment.astimezone(UTC)
