"""Calendar invitations (.ics) for interviews, in the iTIP shape calendar clients act on.

One `Invitation` describes one interview at one revision. The same UID is used for the create,
every reschedule and the cancel, and the caller raises ``sequence`` for each revision, so that
Outlook, Google Calendar and Apple Calendar update or remove the existing entry instead of adding
a second one. Times are written in UTC (``...Z``) so no VTIMEZONE block is needed (reference §5).
Serialisation, escaping, CRLF line ends and 75-octet folding are left to the ``icalendar`` library.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal

from icalendar import Calendar, Event, vCalAddress

from core.clock import utc_now
from core.errors import WorkspaceError
from core.single_line import single_line

Method = Literal["REQUEST", "CANCEL"]

PRODID = "-//Interview Workspace//Interview Scheduling//EN"

# Deliberately simple: one "@", no spaces or address punctuation, a dotted domain. Good enough to
# catch typos and pasted "Name <email>" strings; the mail server is the real judge.
_EMAIL = re.compile(r"[^@\s<>()\[\],;:\"]+@(?:[^\W_](?:[\w-]*[^\W_])?\.)+[^\W\d_]{2,}")
_FILENAME_UNSAFE = re.compile(r"[^a-z0-9]+")
_MAX_FILENAME_STEM = 60


class InvitationError(WorkspaceError):
    """An invitation that cannot be sent as given; the message says what to fix."""


@dataclass(frozen=True, kw_only=True)
class Invitation:
    """One interview at one revision, as the organizer sends it to the attendees."""

    uid: str  # stable for the life of the interview: same value on create, reschedule, cancel
    sequence: int  # 0 when created; the caller raises it on every reschedule and on cancel
    summary: str
    description: str = ""
    start: datetime  # timezone-aware
    end: datetime  # timezone-aware, after start
    organizer_name: str
    organizer_email: str
    attendees: tuple[tuple[str, str], ...]  # (name, email)
    location: str = ""  # the meeting URL, or "" when there is none yet
    dtstamp: datetime = field(default_factory=utc_now)  # when this revision was produced

    def __post_init__(self) -> None:
        _validate(self)


def invitation_ics(invite: Invitation, *, method: Method) -> bytes:
    """The .ics bytes for ``invite``: METHOD:REQUEST to create or reschedule, METHOD:CANCEL to cancel.

    A CANCEL carries STATUS:CANCELLED with the same UID; pass a higher ``sequence`` than the last
    REQUEST or clients ignore it.
    """
    if method not in ("REQUEST", "CANCEL"):
        raise ValueError(f"method must be REQUEST or CANCEL, not {method!r}")

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)

    event = Event()
    event.add("uid", invite.uid)
    event.add("sequence", invite.sequence)
    event.add("dtstamp", _utc(invite.dtstamp))
    event.add("dtstart", _utc(invite.start))
    event.add("dtend", _utc(invite.end))
    event.add("summary", single_line(invite.summary))
    if invite.description.strip():
        event.add("description", invite.description.strip())
    if single_line(invite.location):
        event.add("location", single_line(invite.location))
    event.add("status", "CANCELLED" if method == "CANCEL" else "CONFIRMED")
    event.add("transp", "OPAQUE")
    event.add("organizer", _address(invite.organizer_name, invite.organizer_email))
    seen: set[str] = set()
    for name, email in invite.attendees:
        key = email.strip().lower()
        if key in seen:  # one ATTENDEE per person, or clients show them twice
            continue
        seen.add(key)
        attendee = _address(name, email)
        attendee.params["ROLE"] = "REQ-PARTICIPANT"
        attendee.params["PARTSTAT"] = "NEEDS-ACTION"
        attendee.params["RSVP"] = "TRUE"
        event.add("attendee", attendee)

    calendar.add_component(event)
    return calendar.to_ical()


def ics_filename(summary: str, method: Method = "REQUEST") -> str:
    """A download/attachment name safe on every OS, e.g. ``interview-jane-doe.ics``."""
    ascii_text = unicodedata.normalize("NFKD", summary).encode("ascii", "ignore").decode("ascii")
    stem = _FILENAME_UNSAFE.sub("-", ascii_text.lower()).strip("-")
    stem = stem[:_MAX_FILENAME_STEM].rstrip("-") or "invitation"
    if method == "CANCEL":
        stem += "-cancelled"
    return f"{stem}.ics"


def ics_content_type(method: Method) -> str:
    """The MIME type for an e-mail part or download; iMIP requires ``method`` to match METHOD."""
    return f"text/calendar; method={method}; charset=UTF-8"


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


def _address(name: str, email: str) -> vCalAddress:
    address = vCalAddress(f"mailto:{email.strip()}")
    # Double quotes inside CN need RFC 6868 escaping, which Outlook does not read; avoid them.
    cn = single_line(name).replace('"', "'")
    if cn:
        address.params["CN"] = cn
    return address


def _is_aware(moment: object) -> bool:
    return isinstance(moment, datetime) and moment.tzinfo is not None and moment.utcoffset() is not None


def _looks_like_email(value: object) -> bool:
    return isinstance(value, str) and _EMAIL.fullmatch(value.strip()) is not None


def _validate(invite: Invitation) -> None:
    if not isinstance(invite.uid, str) or not invite.uid.strip() or any(c in invite.uid for c in "\r\n"):
        raise InvitationError("The invitation needs a stable identifier (UID) on a single line.")
    if isinstance(invite.sequence, bool) or not isinstance(invite.sequence, int) or invite.sequence < 0:
        raise InvitationError("The invitation revision number (SEQUENCE) must be a whole number of 0 or more.")
    if not isinstance(invite.summary, str) or not invite.summary.strip():
        raise InvitationError("The invitation needs a title.")
    if not isinstance(invite.description, str) or not isinstance(invite.location, str):
        raise InvitationError("The invitation description and location must be text (use an empty string for none).")
    for label, moment in (("start", invite.start), ("end", invite.end), ("timestamp", invite.dtstamp)):
        if not _is_aware(moment):
            raise InvitationError(f"The interview {label} time must include a time zone.")
    if invite.end <= invite.start:
        raise InvitationError("The interview must end after it starts.")
    if not isinstance(invite.organizer_name, str):
        raise InvitationError("The organizer needs a name.")
    if not _looks_like_email(invite.organizer_email):
        raise InvitationError(f"“{invite.organizer_email}” is not a valid email address for the organizer.")
    if not invite.attendees:
        raise InvitationError("Add at least one attendee to send an invitation.")
    for attendee in invite.attendees:
        if not (isinstance(attendee, tuple) and len(attendee) == 2):
            raise InvitationError("Each attendee needs a name and an email address.")
        name, email = attendee
        if not isinstance(name, str):
            raise InvitationError("Each attendee needs a name and an email address.")
        if not _looks_like_email(email):
            who = f" for {single_line(name)}" if name.strip() else ""
            raise InvitationError(f"“{email}” is not a valid email address{who}.")
