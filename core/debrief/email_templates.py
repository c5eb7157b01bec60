"""Merge tags in recommendation emails and task titles: {{candidate.first_name}}, {{interview.date}}, ….

Templates are content a person edits, so they render in jinja2's sandbox with StrictUndefined: a
misspelt tag is an error that names it and lists the tags there are, never a silent blank in an email
to a candidate. Autoescape is off because the output is plain text. An email is only drafted here
(previewed, downloaded as .eml); sending it comes later.
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

from jinja2 import StrictUndefined, TemplateError, TemplateSyntaxError, meta, nodes
from jinja2.sandbox import SandboxedEnvironment, SecurityError

from core.content.templates import EmailSpec, InterviewTemplate
from core.errors import ContentError, NotFound
from core.models import Booking, Candidate, LiveSession, Session, TeamMember
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


class _MergeEnvironment(SandboxedEnvironment):
    """Dots read keys first: a session field called "items" or "values" must not turn into a dict method."""

    def getattr(self, obj: Any, attribute: str) -> Any:
        if isinstance(obj, dict):
            if attribute in obj:
                return obj[attribute]
            return self.undefined(obj=obj, name=attribute)
        return super().getattr(obj, attribute)


_ENV = _MergeEnvironment(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=True)


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
    name = (candidate.name if candidate else "").strip()
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
    names = [n.strip() for n in interviewer_names if n and n.strip()]
    return {
        "candidate": {
            "name": name or "the candidate",
            "first_name": name.split()[0] if name else NO_FIRST_NAME,
            "email": (candidate.email or "") if candidate else "",
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


def available_tags(context: Mapping[str, Any]) -> list[str]:
    """The dotted names a template can use, sorted: "candidate.email", "candidate.first_name", …."""
    tags: list[str] = []
    for key, value in context.items():
        if isinstance(value, Mapping):
            tags += [f"{key}.{inner}" for inner in available_tags(value)]
        else:
            tags.append(str(key))
    return sorted(tags)


# --- rendering -------------------------------------------------------------------------------------------


def _available(context: Mapping[str, Any]) -> str:
    return ", ".join(available_tags(context)) or "none"


def _path(node: nodes.Node) -> list[str] | None:
    """candidate.name or facts["budget"] as ["candidate", "name"]; None for anything that is not a plain tag."""
    if isinstance(node, nodes.Name):
        return [node.name]
    if isinstance(node, nodes.Getattr):
        inner = _path(node.node)
        return [*inner, node.attr] if inner is not None else None
    if isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const) and isinstance(node.arg.value, str):
        inner = _path(node.node)
        return [*inner, node.arg.value] if inner is not None else None
    return None


def _unknown_tag(tree: nodes.Template, context: Mapping[str, Any]) -> str | None:
    """The first tag (in reading order) that names something the context does not have."""
    from_context = meta.find_undeclared_variables(tree)  # names a {% set %} or loop defines are not tags
    for node in tree.find_all((nodes.Name, nodes.Getattr, nodes.Getitem)):
        path = _path(node)
        if not path or path[0] not in from_context:
            continue
        value: Any = context
        for depth, part in enumerate(path):
            if not isinstance(value, Mapping):
                break  # a method or attribute of a value (e.g. .upper()): the sandbox judges it
            if part not in value:
                return ".".join(path[: depth + 1])
            value = value[part]
    return None


def _group_printed(tree: nodes.Template, context: Mapping[str, Any]) -> str | None:
    """A tag printed as is that names a group ({{candidate}}) rather than a value: it would print a dict."""
    for output in tree.find_all(nodes.Output):
        for expr in output.nodes:
            path = _path(expr)
            value: Any = context
            for part in path or ():
                value = value.get(part) if isinstance(value, Mapping) else None
            if path and isinstance(value, Mapping):
                return ".".join(path)
    return None


def _syntax_error(exc: TemplateSyntaxError, context: Mapping[str, Any]) -> ContentError:
    problem = (exc.message or "unreadable").rstrip(".")
    return ContentError(
        f"The merge tags do not parse (line {exc.lineno}: {problem}); write a tag as {{{{candidate.name}}}}. "
        f"Available: {_available(context)}."
    )


def render_text(text: str, context: Mapping[str, Any]) -> str:
    """`text` with its merge tags filled in; ContentError names a tag that does not exist or a syntax error."""
    try:
        tree = _ENV.parse(text)
        unknown = _unknown_tag(tree, context)  # compiles too: a filter that does not exist is found here
    except TemplateSyntaxError as exc:
        raise _syntax_error(exc, context) from exc
    if unknown is not None:
        raise ContentError(f"Unknown merge tag {unknown}; available: {_available(context)}.")
    if (group := _group_printed(tree, context)) is not None:
        fields = ", ".join(t for t in available_tags(context) if t.startswith(f"{group}."))
        raise ContentError(f"Merge tag {group} needs a field: one of {fields}.")
    try:
        return _ENV.from_string(tree).render(dict(context))
    except SecurityError as exc:
        raise ContentError(f"A merge tag uses something templates may not touch ({exc}).") from exc
    except TemplateError as exc:  # e.g. an unknown filter or a loop variable used wrongly
        raise ContentError(f"The merge tags cannot be filled in: {exc}. Available: {_available(context)}.") from exc
    except (ArithmeticError, TypeError, ValueError) as exc:
        raise ContentError(f"The merge tags cannot be filled in: {exc}.") from exc


def render_email(spec: EmailSpec, context: Mapping[str, Any]) -> RenderedEmail:
    """Subject and body filled in; the subject is kept to one line (it becomes a mail header)."""
    subject = " ".join(render_text(spec.subject, context).split())
    return RenderedEmail(subject=subject, body=render_text(spec.body, context))


_ADDRESS = re.compile(r"^[^@\s<>]+@[^@\s<>]+$")


def address(name: str, email: str) -> str:
    """'Ana Rossi <ana@example.com>' (quoted when needed); "" when there is no usable address."""
    email = (email or "").strip()
    if not _ADDRESS.match(email):
        return ""
    return formataddr((name.strip(), email)) if name.strip() else email


def to_eml(rendered: RenderedEmail, *, to: str, sender: str, date: datetime | None = None) -> bytes:
    """An unsent draft as an .eml file: mail clients open it ready to edit and send (X-Unsent: 1)."""
    message = EmailMessage()
    message["Subject"] = rendered.subject
    if sender:
        message["From"] = sender
    if to:
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
