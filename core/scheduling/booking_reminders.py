"""Reminders before a booked interview: by default 24 hours and 1 hour before (notifications.reminders), to
everyone the booking's emails go to, each with the time in their own zone.

A reminder is an outbox message written in the booking's own transaction, whose send job is due at the
reminder's time (core.notifications.outbox, core.jobs): no timer has to survive until then, and a worker that
was down sends it at its next sweep. Its job key names the booking, the offset, the booking's revision and the
recipient (with what the reminder says), so applying the same booking again (a webhook delivered twice, a
booking adopted from Cal.com's webhook) writes nothing more, and a retry or a second worker finds the one job,
which sends the message once.

Every path that books, moves or cancels calls `sync_reminders` with the booking as it now is: reminders no
longer right are withdrawn (shown so in the outbox, never sent) and the missing ones written. So a cancelled
interview withdraws its pending reminders, a moved one withdraws them and writes new ones for the new time, a
reminder whose time has already passed (an interview booked 30 minutes ahead has no 1-hour reminder) is not
written, and one withdrawn that is owed again as it was (a booking confirmed again, unchanged) is queued again.
One that comes due only once its interview has begun is withdrawn by the worker instead of sent.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from core.models import (
    Booking,
    BookingStatus,
    Channel,
    Job,
    OutboxMessage,
    OutboxStatus,
    Session,
    SessionStatus,
    TeamMember,
)
from core.notifications import channel_copies, outbox
from core.notifications.addresses import address, mailbox, workspace_sender
from core.notifications.outbox import SEND_EMAIL
from core.permissions.actor import Actor
from core.scheduling.booking_emails import Recipient, Template, notice_context, own_zones, recipients, render
from core.unit_of_work import UnitOfWork
from core.workspace import Workspace

REMINDER = "booking_reminder"  # the outbox message's kind

_JOIN = "{% if booking.link %}\nJoin at: {{booking.link}}\n{% endif %}"

TEMPLATES: dict[str, Template] = {
    "candidate": Template(
        "Reminder: your interview on {{interview.date}} at {{interview.time}}",
        "Hi {{recipient.first_name}},\n\n"
        "A reminder: your interview ({{interview.title}}) with {{interviewer.name}} starts in {{reminder.lead}}, "
        "on {{interview.date}} at {{interview.time}} ({{interview.timezone}}), and lasts {{booking.minutes}} "
        "minutes.\n" + _JOIN + "\n{{booking.notice}}\n",
    ),
    "team": Template(
        "Reminder: {{candidate.name}}'s interview on {{interview.date}} at {{interview.time}}",
        "Hi {{recipient.first_name}},\n\n"
        "A reminder: {{candidate.name}}'s interview ({{interview.title}}) starts in {{reminder.lead}}, on "
        "{{interview.date}} at {{interview.time}} ({{interview.timezone}}) and lasts {{booking.minutes}} minutes. "
        "Interviewers: {{interviewer.name}}.\n" + _JOIN,
    ),
}

URGENT_WITHIN = timedelta(hours=1)
"""A reminder this close to the interview goes even in the person's quiet hours."""

OWED_WHILE = (SessionStatus.SCHEDULED, SessionStatus.READY)
"""A session in these states has not begun: its interview is still ahead, so its reminders are owed."""


@dataclass(frozen=True)
class ReminderTime:
    offset: timedelta  # how long before the interview
    due_at: datetime


@dataclass(frozen=True)
class PlannedReminder:
    key: str  # its send job's key
    recipient: Recipient
    time: ReminderTime


def reminder_times(start: datetime, offsets: Sequence[timedelta]) -> list[ReminderTime]:
    """When each reminder of an interview starting at `start` is due, earliest first."""
    return sorted((ReminderTime(offset, start - offset) for offset in set(offsets)), key=lambda t: t.due_at)


def lead_time(offset: timedelta) -> str:
    """How long before the interview, as the email says it: '24 hours', '1 hour 30 minutes', '2 days'."""
    minutes = int(offset.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    if days >= 2 and not rest:
        return f"{days} days"
    hours, minutes = divmod(minutes, 60)
    parts = [f"{n} {unit}{'' if n == 1 else 's'}" for n, unit in ((hours, "hour"), (minutes, "minute")) if n]
    return " ".join(parts) or "a moment"


def reminder_key(booking: Booking, recipient: Recipient, offset: timedelta) -> str:
    """One send job per booking, offset, booking revision and recipient. The recipient's part is a digest of
    their address and zone with the booking's times and link (what the reminder says, without the address in
    the key: a job's record outlives the message), so a change to any of them is a new reminder."""
    said = "\n".join(
        (
            recipient.audience,
            mailbox(recipient.email),
            recipient.timezone,
            booking.start_at.isoformat(),
            booking.end_at.isoformat(),
            booking.meeting_url or "",
        )
    )
    digest = hashlib.sha256(said.encode()).hexdigest()[:12]
    minutes = int(offset.total_seconds() // 60)
    return f"{SEND_EMAIL}:reminder:{booking.id}:{minutes}m:v{booking.ical_sequence}:{digest}"


def plan_reminders(
    booking: Booking, session: Session, people: Sequence[Recipient], offsets: Sequence[timedelta]
) -> list[PlannedReminder]:
    """Every reminder the booking as it is calls for, due or past (none for an interview cancelled, waiting
    for the host's confirmation, or begun)."""
    if booking.status is not BookingStatus.CONFIRMED or session.status not in OWED_WHILE:
        return []
    return [
        PlannedReminder(reminder_key(booking, person, time.offset), person, time)
        for time in reminder_times(booking.start_at, offsets)
        for person in people
    ]


def sync_reminders(ws: Workspace, uow: UnitOfWork, booking: Booking, *, actor: Actor) -> list[Job]:
    """Bring the booking's reminders in line with it as it is now in `uow`, in the caller's transaction: withdraw
    those no longer right, write the missing ones whose time is still ahead. Returns the new send jobs, for
    outbox.wake once the caller has committed."""
    session = uow.sessions.get(booking.session_id)
    interviewers = _interviewers(uow, session.id)
    people = own_zones(uow, recipients(booking, interviewers, fallback_zone=ws.settings.notifications.timezone))
    planned = plan_reminders(booking, session, people, ws.settings.notifications.reminders)
    wanted = {p.key for p in planned}
    existing = uow.outbox.for_booking(booking.id, kind=REMINDER)
    reason = _withdrawn_because(booking, session)
    for message in existing:
        if planned_key(message) not in wanted:
            outbox.withdraw(uow, ws, message, reason=reason)
    written: dict[str, list[OutboxMessage]] = {}
    for message in existing:
        written.setdefault(planned_key(message), []).append(message)
    now = ws.clock()
    ahead = [p for p in planned if p.time.due_at > now]
    jobs = [
        outbox.reinstate(uow, ws, message, actor=actor)
        for p in ahead
        for message in written.get(p.key, [])
        if message.status is OutboxStatus.WITHDRAWN  # e.g. confirmed again, unchanged
    ]
    owed = [p for p in ahead if p.key not in written and uow.jobs.by_key(p.key) is None]
    if not owed:
        return jobs
    candidate = uow.candidates.get(session.candidate_id) if session.candidate_id else None
    sender = workspace_sender(ws.settings)
    for reminder in owed:
        person = reminder.recipient
        context: dict[str, Any] = notice_context(
            ws, session, booking, candidate=candidate, interviewers=interviewers, recipient=person
        )
        context["reminder"] = {"lead": lead_time(reminder.time.offset)}
        subject, text, html = render(TEMPLATES[person.audience], context)
        message = OutboxMessage(
            kind=REMINDER,
            recipient=address(person.name, person.email),
            subject=subject,
            text_body=text,
            html_body=html,
            sender=sender,
            session_id=session.id,
            booking_id=booking.id,
            send_after=reminder.time.due_at,
            send_before=booking.start_at,
            job_key=reminder.key,
        )
        urgent = reminder.time.offset <= URGENT_WITHIN
        for copy in channel_copies.for_person(
            uow, ws, message, person_email=person.email, person_name=person.name, urgent=urgent
        ):
            jobs.append(outbox.add(uow, ws, copy, actor=actor))
    return jobs


def planned_key(message: OutboxMessage) -> str:
    """The planned reminder a message is of: its job key without the channel a Slack or SMS copy adds."""
    if message.channel is Channel.EMAIL:
        return message.job_key
    return message.job_key.removesuffix(f":{message.channel.value}")


def _interviewers(uow: UnitOfWork, session_id: str) -> list[TeamMember]:
    return [uow.team_members.get(i) for i in uow.session_interviewers.for_session(session_id)]


def _withdrawn_because(booking: Booking, session: Session) -> str:
    """Why the booking's reminders that are no longer right are withdrawn, for the outbox."""
    if booking.status is BookingStatus.CANCELLED or session.status is SessionStatus.CANCELLED:
        return "Withdrawn: the interview was cancelled."
    if booking.status is BookingStatus.PENDING:
        return "Withdrawn: the booking waits for the host to confirm it."
    if session.status not in OWED_WHILE:
        return "Withdrawn: the interview has begun."
    return "Withdrawn: the interview was moved or changed; a reminder of it as it is now replaces this one."
