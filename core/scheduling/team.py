"""Team members and event types: who interviews, when they work, and what kinds of interview are booked.

Plain functions over a Workspace. Input is checked here (a bad timezone or overlapping hours is a
sentence, not a traceback) so the Schedule page and the CLI get the same rules.
"""

from __future__ import annotations

import itertools
import re
import uuid
from collections.abc import Mapping, Sequence
from datetime import time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from core import audit
from core.errors import AlreadyExists, WorkspaceError
from core.models import EventType, MemberRole, TeamMember
from core.permissions.access import authorize_action
from core.permissions.actor import Actor
from core.permissions.policy import Action
from core.single_line import single_line
from core.workspace import Workspace

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
OFFICE_HOURS = {str(day): [["09:00", "17:00"]] for day in range(5)}

# What a fresh workspace can book straight away; each maps an interview kind to a length.
DEFAULT_EVENT_TYPES = (
    EventType(id="", title="System design interview", kind="system_design", length_minutes=60),
    EventType(id="", title="Customer discovery interview", kind="customer_discovery", length_minutes=45),
)


class TeamInputError(WorkspaceError):
    """A team member or event type the form cannot store as typed.

    `problems` maps each bad field (add_member's keyword: name, email, timezone, working_hours) to what is
    wrong with it, so a form can say which field to fix and keep the rest as typed.
    """

    def __init__(self, message: str, *, field: str | None = None, problems: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.problems = dict(problems) if problems else ({field: message} if field else {})

    @classmethod
    def of(cls, problems: Mapping[str, str]) -> TeamInputError:
        """One error for every bad field, its message their sentences in order."""
        return cls(" ".join(problems.values()), problems=problems)


def check_timezone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise TeamInputError(
            f"“{name}” is not a time zone name; use one like Europe/Rome or America/New_York.", field="timezone"
        ) from None
    return name


def check_working_hours(hours: Mapping[str, Sequence[Sequence[str]]]) -> dict[str, list[list[str]]]:
    """{weekday "0".."6": [["HH:MM", "HH:MM"], …]} with each span forward and spans not overlapping."""
    clean: dict[str, list[list[str]]] = {}
    for day, spans in hours.items():
        if day not in {str(d) for d in range(7)}:
            raise TeamInputError(
                f"Working hours name an unknown weekday {day!r}; use 0 (Monday) to 6 (Sunday).", field="working_hours"
            )
        label = WEEKDAYS[int(day)]
        parsed: list[tuple[time, time]] = []
        for span in spans:
            try:
                start, end = (time.fromisoformat(part) for part in span)
            except ValueError:
                raise TeamInputError(
                    f"Working hours on {label}: {span!r} is not HH:MM to HH:MM.", field="working_hours"
                ) from None
            if end <= start:
                raise TeamInputError(
                    f"Working hours on {label}: {span[0]}–{span[1]} ends before it starts.", field="working_hours"
                )
            parsed.append((start, end))
        parsed.sort()
        for (_, first_end), (second_start, _) in itertools.pairwise(parsed):
            if second_start < first_end:
                raise TeamInputError(
                    f"Working hours on {label} overlap; merge them into one span.", field="working_hours"
                )
        if parsed:
            clean[day] = [[s.strftime("%H:%M"), e.strftime("%H:%M")] for s, e in parsed]
    return clean


def add_member(
    ws: Workspace,
    *,
    name: str,
    email: str,
    role: MemberRole = MemberRole.INTERVIEWER,
    timezone: str = "UTC",
    working_hours: Mapping[str, Sequence[Sequence[str]]] | None = None,
    calcom_username: str | None = None,
    actor: Actor,
) -> TeamMember:
    """Add someone to the team; every bad field is named at once (TeamInputError.problems), so a form
    can ask for all of them to be fixed in one go."""
    name, email = single_line(name), single_line(email)  # both end up in mail and calendar headers
    problems: dict[str, str] = {}
    if not name:
        problems["name"] = "A team member needs a name."
    if not email:
        problems["email"] = "A team member needs an email address."
    elif not EMAIL.match(email):
        problems["email"] = f"“{email}” is not an email address."
    try:
        check_timezone(timezone)
    except TeamInputError as exc:
        problems.update(exc.problems)
    hours: dict[str, list[list[str]]] = {}
    try:
        hours = check_working_hours(OFFICE_HOURS if working_hours is None else working_hours)
    except TeamInputError as exc:
        problems.update(exc.problems)
    if problems:
        raise TeamInputError.of(problems)
    member = TeamMember(
        id=uuid.uuid4().hex,
        name=name,
        email=email.lower(),
        role=MemberRole(role),
        timezone=timezone,
        working_hours=hours,
        calcom_username=single_line(calcom_username) or None,
        created_at=ws.clock(),
    )
    authorize_action(ws.settings, actor, Action.SCHEDULE)
    with ws.uow_factory() as uow:
        if uow.team_members.by_email(member.email) is not None:
            raise AlreadyExists(f"{member.email} is already on the team.")
        member = uow.team_members.add(member)
        audit.record(uow, "member_added", actor=actor.name, detail={"member": member.id, "role": member.role})
        uow.commit()
    return member


def update_member(ws: Workspace, member: TeamMember, *, actor: Actor) -> TeamMember:
    member.name = single_line(member.name)
    if not member.name:
        raise TeamInputError("A team member needs a name.", field="name")
    member.calcom_username = single_line(member.calcom_username) or None
    check_timezone(member.timezone)
    member.working_hours = check_working_hours(member.working_hours)
    authorize_action(ws.settings, actor, Action.SCHEDULE)
    with ws.uow_factory() as uow:
        stored = uow.team_members.update(member)
        audit.record(uow, "member_updated", actor=actor.name, detail={"member": member.id})
        uow.commit()
    return stored


def list_members(ws: Workspace, *, active_only: bool = True) -> list[TeamMember]:
    with ws.uow_factory() as uow:
        return uow.team_members.all(active_only=active_only)


def event_types(ws: Workspace) -> list[EventType]:
    """The workspace's event types; a fresh workspace gets the defaults on first use."""
    with ws.uow_factory() as uow:
        found = uow.event_types.all()
        if found:
            return found
        for template in DEFAULT_EVENT_TYPES:
            uow.event_types.add(
                EventType(
                    id=uuid.uuid4().hex,
                    title=template.title,
                    kind=template.kind,
                    length_minutes=template.length_minutes,
                    created_at=ws.clock(),
                )
            )
        uow.commit()
        return uow.event_types.all()


def save_event_type(ws: Workspace, event_type: EventType, *, actor: Actor) -> EventType:
    event_type.title = single_line(event_type.title)
    if not event_type.title:
        raise TeamInputError("An event type needs a title.")
    if not 5 <= event_type.length_minutes <= 480:
        raise TeamInputError("An interview lasts between 5 and 480 minutes.")
    if event_type.buffer_before_minutes < 0 or event_type.buffer_after_minutes < 0:
        raise TeamInputError("Buffers cannot be negative.")
    if event_type.problem_id is not None:
        ws.problems.get(event_type.problem_id)  # NotFound names the unknown problem
    authorize_action(ws.settings, actor, Action.SCHEDULE)
    with ws.uow_factory() as uow:
        if event_type.id:
            stored = uow.event_types.update(event_type)
        else:
            event_type.id = uuid.uuid4().hex
            event_type.created_at = ws.clock()
            stored = uow.event_types.add(event_type)
        audit.record(uow, "event_type_saved", actor=actor.name, detail={"event_type": stored.id})
        uow.commit()
    return stored
