"""Merge tags in recommendation emails and task titles: {{candidate.first_name}}, {{interview.date}}, ….

The tags are filled in by core.debrief.merge_tags (a sandbox with limits); this module builds what they
name and the email around them. An email is only drafted here (previewed, downloaded as .eml); sending
it comes later.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, formataddr
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from core.content.templates import EmailSpec, InterviewTemplate
from core.debrief.merge_tags import available_tags, render_text
from core.errors import NotFound
from core.models import Booking, Candidate, LiveSession, Session, TeamMember
from core.single_line import single_line
from core.unit_of_work import UnitOfWork
from core.workspace import Workspace

# English names whatever the server's locale: the email goes to a person, not to the server.
_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
NO_INTERVIEWER = "The interview team"  # signs an email when the session names no interviewer
NO_FIRST_NAME = "there"  # "Hi there," when the session has no candidate


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    body: str


@dataclass(frozen=True)
class EmailDraft:
    """The current recommendation's email for one session: the template text plus what fills its tags."""

    session_id: str
    recommendation: str  # the recommendation key
    recommendation_label: str
    spec: EmailSpec
    context: dict[str, Any]
    to: str  # "Name <address>", or "" when the candidate has no address
    sender: str
    tags: list[str] = field(default_factory=list)


# --- the context -----------------------------------------------------------------------------------------


def long_date(moment: datetime) -> str:
    """'Monday 23 November 2026'."""
    return f"{_DAYS[moment.weekday()]} {moment.day} {_MONTHS[moment.month - 1]} {moment.year}"


def _zone(name: str | None) -> ZoneInfo | Any:
    try:
        return ZoneInfo(name) if name else UTC
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def merge_context(
    *,
    candidate: Candidate | None,
    session: Session,
    booking: Booking | None,
    live: LiveSession | None,
    template: InterviewTemplate | None,
    interviewer_names: Sequence[str],
    recommendation_label: str,
    timezone: str = "UTC",
    interviewer_email: str = "",
    recommendation_key: str = "",
) -> dict[str, Any]:
    """Every value a tag can name. Facts hold each of the template's session fields ("" when unset), so
    `{{facts.budget or "…"}}` works before the interviewer filled it in."""
    name = single_line(candidate.name if candidate else "")  # names stored before intake cleaned them too
    if booking is not None:
        moment: datetime | None = _aware(booking.start_at).astimezone(_zone(booking.timezone))
        zone_name = booking.timezone or "UTC"
    else:
        start = session.started_at or session.created_at
        moment = _aware(start).astimezone(_zone(timezone)) if start else None
        zone_name = timezone or "UTC"
    facts: dict[str, str] = {}
    if template is not None and template.notes is not None:
        facts = {f.key: "" for f in template.notes.fields if f.scope == "session"}
    if live is not None:
        facts.update({key: str(value or "") for key, value in live.facts.items()})
    names = [single_line(n) for n in interviewer_names if single_line(n)]
    return {
        "candidate": {
            "name": name or "the candidate",
            "first_name": name.split()[0] if name else NO_FIRST_NAME,
            "email": single_line(candidate.email) if candidate else "",
        },
        "interview": {
            "date": long_date(moment) if moment else "",
            "time": f"{moment:%H:%M}" if moment else "",
            "timezone": zone_name,
            "title": session.problem_title or (template.title if template else "") or _words(session.kind),
        },
        "interviewer": {"name": _join(names) or NO_INTERVIEWER, "email": interviewer_email},
        "recommendation": {"key": recommendation_key, "label": recommendation_label},
        "facts": facts,
    }


def _words(key: str) -> str:
    return key.replace("_", " ").capitalize()


def _join(names: Sequence[str]) -> str:
    """'Ana', 'Ana and Ben', 'Ana, Ben and Cleo'."""
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} and {names[-1]}"


# --- rendering -------------------------------------------------------------------------------------------


def render_email(spec: EmailSpec, context: Mapping[str, Any]) -> RenderedEmail:
    """Subject and body filled in; the subject is kept to one line (it becomes a mail header)."""
    subject = single_line(render_text(spec.subject, context))
    return RenderedEmail(subject=subject, body=render_text(spec.body, context))


_ADDRESS = re.compile(r"^[^@\s<>]+@[^@\s<>]+$")


def address(name: str, email: str) -> str:
    """'Ana Rossi <ana@example.com>' (quoted when needed); "" when there is no usable address."""
    email, name = single_line(email), single_line(name)
    if not _ADDRESS.match(email):
        return ""
    return formataddr((name, email)) if name else email


def to_eml(rendered: RenderedEmail, *, to: str, sender: str, date: datetime | None = None) -> bytes:
    """An unsent draft as an .eml file: mail clients open it ready to edit and send (X-Unsent: 1).

    Header values are made one line here too, whoever built them: a CR/LF must never start a header of
    its own (EmailMessage would refuse it with a ValueError, so the download would fail instead).
    """
    message = EmailMessage()
    message["Subject"] = single_line(rendered.subject)
    if sender := single_line(sender):
        message["From"] = sender
    if to := single_line(to):
        message["To"] = to
    message["Date"] = format_datetime(_aware(date or datetime.now(UTC)).astimezone(UTC))
    message["X-Unsent"] = "1"
    message.set_content(rendered.body)
    return message.as_bytes()


# --- a session's context and draft ---------------------------------------------------------------------


def interviewers_of(uow: UnitOfWork, session_id: str) -> list[TeamMember]:
    """The session's interviewers that still exist, in the order the session lists them."""
    members = []
    for member_id in uow.session_interviewers.for_session(session_id):
        try:
            members.append(uow.team_members.get(member_id))
        except NotFound:
            continue  # removed from the team since; the session still happened
    return members


def session_context(
    uow: UnitOfWork,
    session: Session,
    *,
    template: InterviewTemplate | None,
    recommendation_key: str = "",
    recommendation_label: str = "",
    timezone: str = "UTC",
) -> dict[str, Any]:
    """merge_context for a stored session: its candidate, booking, live facts and interviewers."""
    candidate = uow.candidates.get(session.candidate_id) if session.candidate_id else None
    interviewers = interviewers_of(uow, session.id)
    return merge_context(
        candidate=candidate,
        session=session,
        booking=uow.bookings.for_session(session.id),
        live=uow.live_sessions.for_session(session.id),
        template=template,
        interviewer_names=[m.name for m in interviewers],
        interviewer_email=interviewers[0].email if interviewers else "",
        recommendation_key=recommendation_key,
        recommendation_label=recommendation_label,
        timezone=timezone,
    )


def email_draft(ws: Workspace, session_id: str, *, timezone: str = "UTC") -> EmailDraft | None:
    """The email of the session's latest recommendation; None before a recommendation or when it has none."""
    with ws.uow_factory() as uow:
        session = uow.sessions.get(session_id)
        live = uow.live_sessions.for_session(session_id)
        records = uow.recommendations.in_session(session_id)
        if live is None or not records:
            return None
        template = ws.templates.get(live.template_id)
        recommendation = template.recommendation(records[-1].key)
        if recommendation.email is None:
            return None
        context = session_context(
            uow,
            session,
            template=template,
            recommendation_key=recommendation.key,
            recommendation_label=recommendation.label,
            timezone=timezone,
        )
        interviewers = interviewers_of(uow, session_id)
    scheduling = ws.settings.scheduling
    sender = (
        address(interviewers[0].name, interviewers[0].email)
        if interviewers and address(interviewers[0].name, interviewers[0].email)
        else address(scheduling.organizer_name, scheduling.organizer_email)
    )
    candidate = context["candidate"]
    return EmailDraft(
        session_id=session_id,
        recommendation=recommendation.key,
        recommendation_label=recommendation.label,
        spec=recommendation.email,
        context=context,
        to=address(candidate["name"], candidate["email"]),
        sender=sender,
        tags=available_tags(context),
    )
