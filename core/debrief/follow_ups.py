"""Follow-up tasks of a session: planned from its recommendation, or added by hand.

A recommendation names roles ("interviewer", "recruiter", "hiring_manager") and days; planning turns
them into people and working days, so "due in 2 days" on a Friday lands on a Monday, not a Sunday.
Planning is pure; the functions taking a Workspace store the tasks and audit each change.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta
from typing import Any

from core import audit
from core.content.templates import FollowUpSpec
from core.debrief.email_templates import interviewers_of, render_text
from core.errors import InvalidInput
from core.models import FollowUpTask, Session, TeamMember
from core.permissions.access import authorize
from core.permissions.actor import Actor
from core.permissions.policy import SessionAction
from core.unit_of_work import UnitOfWork
from core.workspace import Workspace

OPEN, DONE, CANCELLED = "open", "done", "cancelled"
MANUAL, RECOMMENDATION = "manual", "recommendation"
MAX_TITLE_CHARS = 500  # the column's width
MAX_OWNER_CHARS = 200


def working_day(day: date) -> date:
    """`day`, or the Monday after it when it falls on a weekend."""
    weekday = day.weekday()
    return day + timedelta(days=7 - weekday) if weekday >= 5 else day


def due_date(today: date, due_in_days: int) -> date:
    return working_day(today + timedelta(days=due_in_days))


def role_label(role: str) -> str:
    """'hiring_manager' -> 'Hiring manager': the owner when nobody has the role and no name is configured."""
    return role.replace("_", " ").capitalize()


def role_owners(
    *,
    interviewer_names: Sequence[str],
    members: Iterable[TeamMember],
    fallback: Mapping[str, str],
    actor: str,
    roles: Iterable[str] = ("interviewer", "recruiter", "hiring_manager"),
) -> dict[str, str]:
    """Who owns a task given to a role. "interviewer" is the session's interviewers (else the actor); any
    other role is the first active team member holding it by name, else the configured name, else the role."""
    active = sorted((m for m in members if m.active), key=lambda m: (m.name.casefold(), m.id))
    owners: dict[str, str] = {}
    for role in roles:
        if role == "interviewer":
            names = [n for n in interviewer_names if n.strip()]
            owners[role] = ", ".join(names) if names else actor
            continue
        holder = next((m for m in active if str(m.role) == role), None)
        owners[role] = holder.name if holder else fallback.get(role) or role_label(role)
    return owners


def resolve_owners(uow: UnitOfWork, session: Session, *, fallback: Mapping[str, str], actor: str) -> dict[str, str]:
    """role_owners for a stored session: its interviewers and the team as it is now."""
    return role_owners(
        interviewer_names=[m.name for m in interviewers_of(uow, session.id)],
        members=uow.team_members.all(active_only=True),
        fallback=fallback,
        actor=actor,
    )


def plan_follow_ups(
    specs: Sequence[FollowUpSpec],
    *,
    session: Session,
    context: Mapping[str, Any],
    owners_by_role: Mapping[str, str],
    today: date,
    recommendation: str | None = None,
) -> list[FollowUpTask]:
    """The tasks a recommendation creates, not yet stored: titles with merge tags filled in (ContentError
    for a bad tag), owners resolved, due dates on working days."""
    return [
        FollowUpTask(
            id=uuid.uuid4().hex,
            session_id=session.id,
            title=render_text(spec.title, context).strip()[:MAX_TITLE_CHARS],
            owner=(owners_by_role.get(spec.owner) or role_label(spec.owner))[:MAX_OWNER_CHARS],
            due_on=due_date(today, spec.due_in_days),
            status=OPEN,
            source=RECOMMENDATION,
            recommendation=recommendation,
        )
        for spec in specs
    ]


def tasks_for(ws: Workspace, session_id: str, *, actor: Actor) -> list[FollowUpTask]:
    """Soonest due first."""
    with ws.uow_factory() as uow:
        # NotFound for an unknown session, rather than an empty list
        authorize(uow, ws.settings, actor, SessionAction.VIEW, uow.sessions.get(session_id))
        return uow.follow_ups.in_session(session_id)


def add_task(ws: Workspace, session_id: str, *, title: str, owner: str, due_on: date, actor: Actor) -> FollowUpTask:
    """A task a person adds by hand; a blank owner means the person adding it."""
    title, owner = " ".join(title.split()), " ".join(owner.split()) or actor.name
    if not title:
        raise InvalidInput("A task needs a title: say what has to be done.")
    if len(title) > MAX_TITLE_CHARS:
        raise InvalidInput(f"A task title can be at most {MAX_TITLE_CHARS} characters (this one has {len(title)}).")
    if len(owner) > MAX_OWNER_CHARS:
        raise InvalidInput(f"An owner can be at most {MAX_OWNER_CHARS} characters.")
    with ws.uow_factory() as uow:
        authorize(uow, ws.settings, actor, SessionAction.EDIT, uow.sessions.get(session_id))
        task = uow.follow_ups.add(
            FollowUpTask(
                id=uuid.uuid4().hex,
                session_id=session_id,
                title=title,
                owner=owner,
                due_on=due_on,
                status=OPEN,
                source=MANUAL,
            )
        )
        detail = {"task": task.id, "title": title, "owner": owner, "due_on": due_on.isoformat()}
        audit.record(uow, "follow_up_added", actor=actor.name, session_id=session_id, detail=detail)
        uow.commit()
    return task


def set_task_status(ws: Workspace, task_id: str, *, status: str, actor: Actor) -> FollowUpTask:
    """Mark a task done or open again; a cancelled task (its recommendation was replaced) stays cancelled."""
    if status not in (OPEN, DONE):
        raise InvalidInput(f"A task can be marked {OPEN} or {DONE}, not {status!r}.")
    with ws.uow_factory() as uow:
        task = uow.follow_ups.get(task_id)
        authorize(uow, ws.settings, actor, SessionAction.EDIT, uow.sessions.get(task.session_id))
        if task.status == CANCELLED:
            raise InvalidInput(f"The task “{task.title}” was cancelled when its recommendation changed.")
        if task.status == status:
            return task
        previous, task.status = task.status, status
        task = uow.follow_ups.update(task)
        detail = {"task": task.id, "title": task.title, "from": previous, "to": status}
        audit.record(uow, "follow_up_status", actor=actor.name, session_id=task.session_id, detail=detail)
        uow.commit()
    return task


def cancel_recommended(uow: UnitOfWork, session_id: str) -> list[FollowUpTask]:
    """Cancel the open tasks an earlier recommendation created (manual and finished ones stay); no commit."""
    cancelled = []
    for task in uow.follow_ups.in_session(session_id):
        if task.source == RECOMMENDATION and task.status == OPEN:
            task.status = CANCELLED
            cancelled.append(uow.follow_ups.update(task))
    return cancelled
