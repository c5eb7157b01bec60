"""A booked interview's calendar invitation, from what is stored: the download and every booking email use it.

METHOD:REQUEST at the booking's current SEQUENCE while it stands, METHOD:CANCEL once it is cancelled, with
the same UID throughout, so calendars update or remove their one entry. The description carries the
recording notice, so the candidate knows before the day what may be recorded, why and for how long.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.models import Booking, BookingStatus
from core.recording_notice import recording_notice
from core.scheduling.invitations import Invitation, Method, ics_content_type, ics_filename, invitation_ics
from core.unit_of_work import UnitOfWork
from core.workspace import Workspace


@dataclass(frozen=True)
class InvitationFile:
    filename: str
    content: bytes
    content_type: str  # e.g. "text/calendar; method=REQUEST; charset=UTF-8"
    method: Method


def booking_invitation(ws: Workspace, uow: UnitOfWork, booking: Booking) -> InvitationFile:
    """The .ics for `booking` as stored in `uow`; InvitationError when it cannot be made (no attendee with an
    address, an organizer address that is not one)."""
    session = uow.sessions.get(booking.session_id)
    members = [uow.team_members.get(i) for i in uow.session_interviewers.for_session(session.id)]
    interviewers = sorted(members, key=lambda m: m.name)
    event_type = uow.event_types.get(booking.event_type_id) if booking.event_type_id else None
    method: Method = "CANCEL" if booking.status is BookingStatus.CANCELLED else "REQUEST"
    summary = f"{event_type.title if event_type else 'Interview'}: {booking.attendee_name}"
    attendees = [(booking.attendee_name, booking.attendee_email)] if booking.attendee_email else []
    attendees += [(m.name, m.email) for m in interviewers]
    attendees += [(email, email) for email in booking.guests]
    settings = ws.settings.scheduling
    invite = Invitation(
        uid=booking.ical_uid,
        sequence=booking.ical_sequence,
        summary=summary,
        description=f"Problem: {session.problem_title}\n\n{recording_notice(ws.settings).as_text()}",
        start=booking.start_at,
        end=booking.end_at,
        organizer_name=settings.organizer_name,
        organizer_email=settings.organizer_email,
        attendees=tuple(attendees),
        location=booking.meeting_url or "",
        dtstamp=ws.clock(),
    )
    return InvitationFile(
        ics_filename(summary, method), invitation_ics(invite, method=method), ics_content_type(method), method
    )
