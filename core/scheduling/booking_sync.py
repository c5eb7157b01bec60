"""Bring a session in line with what Cal.com says about its booking, whichever way the news came.

Webhooks arrive late, twice or out of order, and a booking can be made on Cal.com's own page, so
every change is applied by one rule set: find the booking by its current uid, an earlier uid of
the same meeting or its iCal uid; ignore news older than what is stored (iCal sequence); create
the session when the booking is new to us.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime

from core import audit
from core.lifecycle import can_transition, transition
from core.models import (
    Booking,
    BookingStatus,
    Candidate,
    Job,
    Session,
    SessionStatus,
)
from core.permissions.actor import Actor
from core.provider_ids import OFFLINE
from core.scheduling.booking_emails import Notice
from core.scheduling.booking_news import announce, news_of
from core.scheduling.booking_reminders import sync_reminders
from core.scheduling.meeting_links import detect_provider
from core.single_line import single_line
from core.unit_of_work import UnitOfWork
from core.workspace import Workspace

BOOKING_TRIGGERS = frozenset(
    {"BOOKING_CREATED", "BOOKING_REQUESTED", "BOOKING_CANCELLED", "BOOKING_REJECTED", "BOOKING_RESCHEDULED"}
)
MEETING_TRIGGERS = frozenset({"MEETING_STARTED", "MEETING_ENDED"})


@dataclass(frozen=True)
class BookingFacts:
    """One booking as Cal.com reported it (webhook payload or API answer), in our terms."""

    uid: str
    status: BookingStatus
    start: datetime
    end: datetime
    attendee_name: str = "Candidate"
    attendee_email: str = ""
    attendee_timezone: str = "UTC"
    guests: tuple[str, ...] = ()
    organizer_email: str | None = None
    title: str = ""
    ical_uid: str | None = None
    ical_sequence: int | None = None
    calcom_event_type_id: int | None = None
    meeting_url: str | None = None
    rescheduled_from_uid: str | None = None
    cancellation_reason: str | None = None


@dataclass
class SyncOutcome:
    """What applying the facts did, for the webhook log and the audit trail."""

    status: str  # "processed" | "ignored"
    message: str
    session_id: str | None = None
    changes: list[str] = field(default_factory=list)
    jobs: list[Job] = field(default_factory=list)  # emails, reminders and webhooks written with it: wake after commit


def find_booking(uow: UnitOfWork, facts: BookingFacts) -> Booking | None:
    """The stored booking these facts are about, following reschedule chains either way."""
    for uid in (facts.uid, facts.rescheduled_from_uid):
        if uid:
            found = uow.bookings.by_external_uid(uid)
            if found is not None:
                return found
    if facts.ical_uid:
        return uow.bookings.by_ical_uid(facts.ical_uid)
    return None


def is_stale(booking: Booking, facts: BookingFacts) -> str | None:
    """Why these facts are older than what is stored, or None when they are news."""
    if facts.uid in booking.previous_uids:
        return f"booking {facts.uid} was already rescheduled to {booking.external_uid}"
    if facts.ical_sequence is not None and facts.ical_sequence < booking.ical_sequence:
        return f"revision {facts.ical_sequence} is older than the stored revision {booking.ical_sequence}"
    if (
        booking.status is BookingStatus.CANCELLED
        and facts.status is not BookingStatus.CANCELLED
        and facts.uid == booking.external_uid
        and (facts.ical_sequence is None or facts.ical_sequence <= booking.ical_sequence)
    ):
        return "the booking is already cancelled"
    return None


def apply_booking_facts(
    ws: Workspace, uow: UnitOfWork, facts: BookingFacts, *, trigger: str, actor: str = "calcom"
) -> SyncOutcome:
    """Apply one booking change inside the caller's unit of work (the caller commits)."""
    booking = find_booking(uow, facts)
    if booking is None:
        return _create_from_facts(ws, uow, facts, trigger=trigger, actor=actor)
    stale = is_stale(booking, facts)
    if stale:
        _remember_older_uids(uow, booking, facts)
        return SyncOutcome("ignored", f"Ignored as out of date: {stale}.", booking.session_id)
    session = uow.sessions.get(booking.session_id)
    now = ws.clock()
    changes: list[str] = []
    was = booking.status
    moved = retimed = False
    if facts.uid != booking.external_uid:
        if booking.external_uid:
            booking.previous_uids = [*booking.previous_uids, booking.external_uid]
        booking.external_uid = facts.uid
        changes.append(f"uid → {facts.uid}")
    if (facts.start, facts.end) != (booking.start_at, booking.end_at):
        changes.append(f"time {booking.start_at:%Y-%m-%d %H:%M} → {facts.start:%Y-%m-%d %H:%M} UTC")
        booking.start_at, booking.end_at = facts.start, facts.end
        moved = retimed = True
        session.duration_minutes = max(5, round((facts.end - facts.start).total_seconds() / 60))
    if facts.ical_sequence is not None and facts.ical_sequence != booking.ical_sequence:
        booking.ical_sequence = facts.ical_sequence
    if facts.meeting_url and facts.meeting_url != booking.meeting_url:
        _set_meeting_url(ws, booking, facts.meeting_url)
        changes.append("meeting link")
        moved = True
    if facts.status is not booking.status:
        changes.append(f"{booking.status.value} → {facts.status.value}")
        booking.status = facts.status
    if facts.status is BookingStatus.CANCELLED:
        booking.cancellation_reason = facts.cancellation_reason or booking.cancellation_reason
        if can_transition(session.status, SessionStatus.CANCELLED) and session.status in (
            SessionStatus.SCHEDULED,
            SessionStatus.READY,
        ):
            transition(session, SessionStatus.CANCELLED, now)
            changes.append("session cancelled")
    uow.bookings.update(booking)
    session.updated_at = now
    uow.sessions.update(session)
    audit.record(
        uow,
        f"booking_{trigger.lower()}",
        actor=actor,
        session_id=session.id,
        detail={"uid": facts.uid, "changes": changes},
    )
    notice = news_of(was, booking.status, moved=moved)
    jobs = announce(ws, uow, booking, notice, actor=Actor(actor), retimed=retimed) if notice else []
    jobs += sync_reminders(ws, uow, booking, actor=Actor(actor))
    message = "; ".join(changes) if changes else "nothing changed"
    return SyncOutcome("processed", f"Session updated: {message}.", session.id, changes, jobs)


def apply_meeting_event(
    ws: Workspace, uow: UnitOfWork, uid: str, *, trigger: str, actor: str = "calcom"
) -> SyncOutcome:
    """MEETING_STARTED makes the scheduled session active; MEETING_ENDED records when the call ended
    and leaves ending the interview (and its evaluation) to the interviewer."""
    booking = uow.bookings.by_external_uid(uid)
    if booking is None:
        return SyncOutcome("ignored", f"Ignored: no session is booked as {uid}.")
    session = uow.sessions.get(booking.session_id)
    now = ws.clock()
    if trigger == "MEETING_STARTED":
        if booking.meeting_started_at is not None:
            return SyncOutcome("ignored", "Ignored: the meeting had already started.", session.id)
        booking.meeting_started_at = now
        if session.status is SessionStatus.SCHEDULED:
            transition(session, SessionStatus.READY, now)
        if session.status is SessionStatus.READY:
            transition(session, SessionStatus.ACTIVE, now)
        message = f"Meeting started; the session is {session.status.value}."
    else:
        if booking.meeting_ended_at is not None:
            return SyncOutcome("ignored", "Ignored: the meeting had already ended.", session.id)
        booking.meeting_ended_at = now
        message = "Meeting ended; the interviewer ends the session when their notes are done."
    uow.bookings.update(booking)
    uow.sessions.update(session)
    if trigger == "MEETING_STARTED":
        sync_reminders(ws, uow, booking, actor=Actor(actor))  # begun early: reminders still pending are withdrawn
    audit.record(uow, trigger.lower(), actor=actor, session_id=session.id, detail={"uid": uid})
    return SyncOutcome("processed", message, session.id)


def _remember_older_uids(uow: UnitOfWork, booking: Booking, facts: BookingFacts) -> None:
    """Out-of-date news still names earlier uids of the meeting; keep them (oldest first) so a reschedule
    chain delivered in any order ends with the same history as one delivered in order."""
    older = [
        uid
        for uid in dict.fromkeys((facts.rescheduled_from_uid, facts.uid))
        if uid and uid != booking.external_uid and uid not in booking.previous_uids
    ]
    if older:
        booking.previous_uids = [*older, *booking.previous_uids]
        uow.bookings.update(booking)


def _set_meeting_url(ws: Workspace, booking: Booking, url: str) -> None:
    link = detect_provider(url, cal_hosts=ws.settings.scheduling.calcom_hosts)
    booking.meeting_url = link.url if link else url
    booking.meeting_provider = link.provider if link else None


def _create_from_facts(ws: Workspace, uow: UnitOfWork, facts: BookingFacts, *, trigger: str, actor: str) -> SyncOutcome:
    """A booking made outside this workspace (Cal.com's page) or news that overtook its creation."""
    event_type = uow.event_types.by_calcom_id(facts.calcom_event_type_id) if facts.calcom_event_type_id else None
    problem_id = (event_type.problem_id if event_type else None) or ws.problems.all()[0].id
    problem = ws.problems.get(problem_id)
    # Facts come from a webhook or Cal.com's API: whatever parsed them, a name stays one line here.
    name = single_line(facts.attendee_name) or "Candidate"
    email = single_line(facts.attendee_email)
    candidate = uow.candidates.by_email(email) if email else None
    if candidate is None:
        candidate = Candidate(id=uuid.uuid4().hex, name=name, email=email or None, created_at=ws.clock())
        uow.candidates.add(candidate)
    now = ws.clock()
    cancelled = facts.status is BookingStatus.CANCELLED
    session = Session(
        id=uuid.uuid4().hex,
        problem_id=problem.id,
        problem_title=problem.title,
        kind=event_type.kind if event_type else "system_design",
        candidate_id=candidate.id,
        interviewer_provider=OFFLINE,  # the Interview page runs it; human-led sessions arrive with templates
        status=SessionStatus.CANCELLED if cancelled else SessionStatus.SCHEDULED,
        duration_minutes=max(5, round((facts.end - facts.start).total_seconds() / 60)),
        created_at=now,
        updated_at=now,
        ended_at=now if cancelled else None,
    )
    uow.sessions.add(session)
    booking = Booking(
        id=uuid.uuid4().hex,
        session_id=session.id,
        source="calcom",
        ical_uid=facts.ical_uid or f"{facts.uid}@cal.com",
        ical_sequence=facts.ical_sequence or 0,
        external_uid=facts.uid,
        previous_uids=[facts.rescheduled_from_uid] if facts.rescheduled_from_uid else [],
        event_type_id=event_type.id if event_type else None,
        start_at=facts.start,
        end_at=facts.end,
        timezone=facts.attendee_timezone,
        status=facts.status,
        attendee_name=name,
        attendee_email=email,
        guests=list(facts.guests),
        cancellation_reason=facts.cancellation_reason,
        created_at=now,
    )
    if facts.meeting_url:
        _set_meeting_url(ws, booking, facts.meeting_url)
    uow.bookings.add(booking)
    if facts.organizer_email:
        organizer = uow.team_members.by_email(facts.organizer_email)
        if organizer is not None:
            uow.session_interviewers.set(session.id, [organizer.id])
    audit.record(
        uow,
        f"booking_{trigger.lower()}",
        actor=actor,
        session_id=session.id,
        detail={"uid": facts.uid, "created": True},
    )
    confirmed = facts.status is BookingStatus.CONFIRMED
    jobs = announce(ws, uow, booking, Notice.BOOKED, actor=Actor(actor)) if confirmed else []
    jobs += sync_reminders(ws, uow, booking, actor=Actor(actor))
    state = "cancelled" if cancelled else facts.status.value
    return SyncOutcome("processed", f"New {state} session for {name}.", session.id, ["created"], jobs)
