"""What merge tags name: {{candidate.first_name}}, {{interview.date}}, {{interviewer.name}}, {{facts.budget}}, ….

One context for every email the workspace writes (a debrief's follow-up, a booking's confirmation), so a
tag means the same everywhere. The values are plain text on one line; core.notifications.merge_tags fills
them into a template.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from core.content.templates import InterviewTemplate
from core.models import Booking, Candidate, LiveSession, Session
from core.single_line import single_line

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


def long_date(moment: datetime) -> str:
    """'Monday 23 November 2026'."""
    return f"{_DAYS[moment.weekday()]} {moment.day} {_MONTHS[moment.month - 1]} {moment.year}"


def zone(name: str | None) -> ZoneInfo | Any:
    """The named time zone, or UTC for none or one this machine does not know."""
    try:
        return ZoneInfo(name) if name else UTC
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def aware(moment: datetime) -> datetime:
    """A stored time as UTC-aware (older rows and hand-built records may lack the zone)."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def first_name(name: str, *, fallback: str = NO_FIRST_NAME) -> str:
    """'Grace' for 'Grace Hopper'; `fallback` for no name."""
    words = single_line(name).split()
    return words[0] if words else fallback


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
        moment: datetime | None = aware(booking.start_at).astimezone(zone(booking.timezone))
        zone_name = booking.timezone or "UTC"
    else:
        start = session.started_at or session.created_at
        moment = aware(start).astimezone(zone(timezone)) if start else None
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
            "first_name": first_name(name),
            "email": single_line(candidate.email) if candidate else "",
        },
        "interview": {
            "date": long_date(moment) if moment else "",
            "time": f"{moment:%H:%M}" if moment else "",
            "timezone": zone_name,
            "title": session.problem_title or (template.title if template else "") or _words(session.kind),
        },
        "interviewer": {"name": join_names(names) or NO_INTERVIEWER, "email": interviewer_email},
        "recommendation": {"key": recommendation_key, "label": recommendation_label},
        "facts": facts,
    }


def _words(key: str) -> str:
    return key.replace("_", " ").capitalize()


def join_names(names: Sequence[str]) -> str:
    """'Ana', 'Ana and Ben', 'Ana, Ben and Cleo'."""
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} and {names[-1]}"
