"""Merge tags in recommendation emails and task titles: {{candidate.first_name}}, {{interview.date}}, ….

The tags are filled in by core.notifications.merge_tags (a sandbox with limits) from the context of
core.notifications.merge_context; this module builds a session's context and the email around it. An email
is drafted here (previewed, downloaded as .eml); core.debrief.follow_up_email sends it through the outbox.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any

from core.content.templates import EmailSpec, InterviewTemplate
from core.errors import NotFound
from core.models import Session, TeamMember
from core.notifications.addresses import address
from core.notifications.merge_context import aware, merge_context
from core.notifications.merge_tags import available_tags, render_text
from core.single_line import single_line
from core.unit_of_work import UnitOfWork
from core.workspace import Workspace


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


# --- rendering -------------------------------------------------------------------------------------------


def render_email(spec: EmailSpec, context: Mapping[str, Any]) -> RenderedEmail:
    """Subject and body filled in; the subject is kept to one line (it becomes a mail header)."""
    subject = single_line(render_text(spec.subject, context))
    return RenderedEmail(subject=subject, body=render_text(spec.body, context))


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
    message["Date"] = format_datetime(aware(date or datetime.now(UTC)).astimezone(UTC))
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
