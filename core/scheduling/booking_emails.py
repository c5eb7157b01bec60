"""What a booking tells the people on it: a confirmation when it is made, an update when it moves, a notice
(with the reason) when it is cancelled, each with the calendar invitation attached.

Every person gets their own message: the candidate one addressed to them, each interviewer and guest one
about the candidate, with the time in the recipient's own zone (an interviewer's from the team, the
candidate's and the guests' from the booking). The templates use the merge tags of the debrief's emails
({{candidate.first_name}}, {{interview.date}}, {{interviewer.name}}, …) plus {{recipient.*}} and
{{booking.*}}. The messages are written to the outbox in the booking's own transaction
(core.notifications.outbox); a worker sends them, so booking never waits for a mail server.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from core.models import Booking, Candidate, Channel, Job, OutboxMessage, Session, TeamMember
from core.notifications import channel_copies, outbox
from core.notifications.addresses import address, mailbox, workspace_sender
from core.notifications.html_body import html_from_text
from core.notifications.merge_context import first_name, merge_context
from core.notifications.merge_tags import render_text
from core.permissions.actor import Actor
from core.recording_notice import recording_notice
from core.scheduling.booking_invitation import InvitationFile, booking_invitation
from core.scheduling.invitations import InvitationError
from core.single_line import single_line
from core.unit_of_work import UnitOfWork
from core.workspace import Workspace

log = logging.getLogger(__name__)


class Notice(StrEnum):
    """Which email a booking change sends; the value is the outbox message's kind."""

    BOOKED = "booking_confirmation"
    UPDATED = "booking_update"
    CANCELLED = "booking_cancellation"


@dataclass(frozen=True)
class Template:
    subject: str
    body: str


_JOIN = "{% if booking.link %}\nJoin at: {{booking.link}}\n{% endif %}"

# (notice, audience): the candidate, or the team (interviewers and guests)
TEMPLATES: dict[tuple[Notice, str], Template] = {
    (Notice.BOOKED, "candidate"): Template(
        "Your interview is booked: {{interview.date}} at {{interview.time}}",
        "Hi {{recipient.first_name}},\n\n"
        "Your interview ({{interview.title}}) with {{interviewer.name}} is booked for {{interview.date}} at "
        "{{interview.time}} ({{interview.timezone}}) and lasts {{booking.minutes}} minutes.\n" + _JOIN + "\n"
        "The calendar invitation is attached: open it to add the interview to your calendar.\n\n"
        "{{booking.notice}}\n",
    ),
    (Notice.BOOKED, "team"): Template(
        "Interview booked: {{candidate.name}}, {{interview.date}} at {{interview.time}}",
        "Hi {{recipient.first_name}},\n\n"
        "{{candidate.name}}'s interview ({{interview.title}}) is booked for {{interview.date}} at "
        "{{interview.time}} ({{interview.timezone}}) and lasts {{booking.minutes}} minutes. "
        "Interviewers: {{interviewer.name}}.\n" + _JOIN + "\n"
        "The calendar invitation is attached.\n",
    ),
    (Notice.UPDATED, "candidate"): Template(
        "Your interview has moved: now {{interview.date}} at {{interview.time}}",
        "Hi {{recipient.first_name}},\n\n"
        "Your interview ({{interview.title}}) with {{interviewer.name}} has moved. It is now on "
        "{{interview.date}} at {{interview.time}} ({{interview.timezone}}) and lasts {{booking.minutes}} minutes.\n"
        + _JOIN
        + "\nThe attached invitation updates the interview in your calendar.\n",
    ),
    (Notice.UPDATED, "team"): Template(
        "Interview moved: {{candidate.name}}, now {{interview.date}} at {{interview.time}}",
        "Hi {{recipient.first_name}},\n\n"
        "{{candidate.name}}'s interview ({{interview.title}}) has moved. It is now on {{interview.date}} at "
        "{{interview.time}} ({{interview.timezone}}). Interviewers: {{interviewer.name}}.\n" + _JOIN + "\n"
        "The attached invitation updates the interview in your calendar.\n",
    ),
    (Notice.CANCELLED, "candidate"): Template(
        "Your interview on {{interview.date}} is cancelled",
        "Hi {{recipient.first_name}},\n\n"
        "Your interview ({{interview.title}}) on {{interview.date}} at {{interview.time}} "
        "({{interview.timezone}}) is cancelled.\n"
        "{% if booking.reason %}\nReason: {{booking.reason}}\n{% endif %}\n"
        "The attached cancellation removes it from your calendar.\n",
    ),
    (Notice.CANCELLED, "team"): Template(
        "Interview cancelled: {{candidate.name}}, {{interview.date}} at {{interview.time}}",
        "Hi {{recipient.first_name}},\n\n"
        "{{candidate.name}}'s interview ({{interview.title}}) on {{interview.date}} at {{interview.time}} "
        "({{interview.timezone}}) is cancelled.\n"
        "{% if booking.reason %}\nReason: {{booking.reason}}\n{% endif %}\n"
        "The attached cancellation removes it from your calendar.\n",
    ),
}


@dataclass(frozen=True)
class Recipient:
    name: str
    email: str
    audience: str  # "candidate" | "team"
    timezone: str


def queue_notice(ws: Workspace, uow: UnitOfWork, booking: Booking, notice: Notice, *, actor: Actor) -> list[Job]:
    """Write `notice` for `booking` (as it is now in `uow`) to everyone on it, in the caller's transaction.
    Returns the send jobs, for outbox.wake once the caller has committed."""
    session = uow.sessions.get(booking.session_id)
    interviewers = [uow.team_members.get(i) for i in uow.session_interviewers.for_session(session.id)]
    candidate = uow.candidates.get(session.candidate_id) if session.candidate_id else None
    people = own_zones(uow, recipients(booking, interviewers, fallback_zone=ws.settings.notifications.timezone))
    if not people:
        return []
    _withdraw_held(ws, uow, booking, notice)
    invitation = _invitation(ws, uow, booking)
    sender = workspace_sender(ws.settings)
    jobs = []
    for person in people:
        context = notice_context(ws, session, booking, candidate=candidate, interviewers=interviewers, recipient=person)
        subject, text, html = render(TEMPLATES[(notice, person.audience)], context)
        message = OutboxMessage(
            kind=notice.value,
            recipient=address(person.name, person.email),
            subject=subject,
            text_body=text,
            html_body=html,
            sender=sender,
            session_id=session.id,
            booking_id=booking.id,
        )
        if invitation is not None:
            message.attachment = invitation.content
            message.attachment_name = invitation.filename
            message.attachment_type = invitation.content_type
        for copy in channel_copies.for_person(
            uow, ws, message, person_email=person.email, person_name=person.name, urgent=False
        ):
            if copy.channel is Channel.EMAIL and not _ours_to_email(ws, booking):
                continue
            jobs.append(outbox.add(uow, ws, copy, actor=actor))
    return jobs


def _withdraw_held(ws: Workspace, uow: UnitOfWork, booking: Booking, notice: Notice) -> None:
    """A confirmation or an update still held back (the person's quiet hours) when the interview moves or is
    cancelled would arrive after the news that replaces it, naming a time that no longer holds: withdrawn."""
    if notice is Notice.BOOKED:
        return
    now = ws.clock()
    for message in uow.outbox.for_booking(booking.id):
        held = message.send_after is not None and message.send_after > now
        if held and message.kind in (Notice.BOOKED.value, Notice.UPDATED.value):
            outbox.withdraw(uow, ws, message, reason=f"Not sent: the interview was {_SINCE[notice]} before it was due.")


_SINCE = {Notice.UPDATED: "moved", Notice.CANCELLED: "cancelled"}


def _ours_to_email(ws: Workspace, booking: Booking) -> bool:
    """Cal.com emails its own attendees about its bookings; notifications.calcom_emails: false leaves that to it,
    so nobody gets two confirmations (Slack, SMS and the reminders still go)."""
    return booking.source != "calcom" or ws.settings.notifications.calcom_emails


def recipients(booking: Booking, interviewers: list[TeamMember], *, fallback_zone: str = "UTC") -> list[Recipient]:
    """The candidate, the interviewers and the guests, once each (by address), those with an address only; each
    with their own time zone, or `fallback_zone` (the workspace's) when theirs is not set or not known."""
    found: list[Recipient] = []
    seen: set[str] = set()

    def add(name: str, email: str, audience: str, timezone: str) -> None:
        key = mailbox(email)
        if key and key not in seen and address(name, email):
            seen.add(key)
            found.append(
                Recipient(single_line(name), single_line(email), audience, _known_zone(timezone, fallback_zone))
            )

    add(booking.attendee_name, booking.attendee_email, "candidate", booking.timezone)
    for member in interviewers:
        add(member.name, member.email, "team", member.timezone)
    for guest in booking.guests:
        add("", guest, "team", booking.timezone)
    return found


def own_zones(uow: UnitOfWork, people: list[Recipient]) -> list[Recipient]:
    """Each person with the time zone they chose in their notification preferences, where they chose one."""
    found = []
    for person in people:
        account = uow.accounts.by_email(person.email)
        chosen = _known_zone(account.timezone, person.timezone) if account and account.timezone else person.timezone
        found.append(replace(person, timezone=chosen))
    return found


def notice_context(
    ws: Workspace,
    session: Session,
    booking: Booking,
    *,
    candidate: Candidate | None,
    interviewers: list[TeamMember],
    recipient: Recipient,
) -> dict[str, Any]:
    """The debrief's merge tags for this booking, in the recipient's time zone, plus recipient and booking."""
    person = candidate or Candidate(id="", name=booking.attendee_name, email=booking.attendee_email or None)
    context = merge_context(
        candidate=person,
        session=session,
        booking=replace(booking, timezone=recipient.timezone),
        live=None,
        template=None,
        interviewer_names=[m.name for m in interviewers],
        interviewer_email=interviewers[0].email if interviewers else "",
        recommendation_label="",
    )
    minutes = round((booking.end_at - booking.start_at).total_seconds() / 60)
    context["recipient"] = {"name": recipient.name, "first_name": first_name(recipient.name)}
    context["booking"] = {
        "link": booking.meeting_url or "",
        "reason": (booking.cancellation_reason or "").strip(),
        "minutes": str(minutes),
        "notice": recording_notice(ws.settings).as_text(),
    }
    return context


def _known_zone(name: str, fallback: str) -> str:
    """`name` when this machine knows the zone, else `fallback`."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return fallback
    return name


def render(template: Template, context: dict[str, Any]) -> tuple[str, str, str]:
    """(subject, plain text, HTML) of `template` filled in for one recipient."""
    subject = single_line(render_text(template.subject, context))
    text = _tidy(render_text(template.body, context))
    return subject, text, html_from_text(text, title=subject)


def _invitation(ws: Workspace, uow: UnitOfWork, booking: Booking) -> InvitationFile | None:
    """The invitation to attach; a booking the calendar format cannot describe still gets its emails."""
    try:
        return booking_invitation(ws, uow, booking)
    except InvitationError:  # the reason may quote an address: not for the log
        log.warning("booking email without its invitation", extra={"session": booking.session_id})
        return None


def _tidy(text: str) -> str:
    """At most one blank line in a row (a condition left out leaves its line ends behind)."""
    lines: list[str] = []
    for line in text.strip().splitlines():
        if line.strip() or (lines and lines[-1].strip()):
            lines.append(line.rstrip())
    return "\n".join(lines) + "\n"
