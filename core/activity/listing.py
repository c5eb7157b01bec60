"""The activity log, a page at a time, for one person: admins see everyone's, anyone else only what they did.

Built on the audit log every feature writes (core.audit): the filters (person, kind, dates) become one
ActivityQuery the repository answers with LIMIT/OFFSET and a COUNT over indexed columns, so a log of a
hundred thousand entries is never read whole. Entries name people by account id; rows carry the current
name beside it. A detail key that names a secret is shown redacted, should a feature ever put one there.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from core.activity.kinds import Kind, action_label, actions_of, kind_of
from core.errors import AccessDenied, InvalidInput
from core.models import Account, ActivityQuery, AuditEntry
from core.permissions.access import NOT_ALLOWED, authorize_action
from core.permissions.actor import Actor
from core.permissions.policy import Action, activity_actor
from core.unit_of_work import UnitOfWork
from core.workspace import Workspace

PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
REDACTED = "[redacted]"
_SECRET_WORDS = frozenset({"password", "secret", "token", "apikey", "authorization", "cookie", "credentials"})


@dataclass(frozen=True)
class ActivityFilter:
    """What a person asked to see. `person` is an account id (admins only); times are aware, [since, until)."""

    person: str | None = None
    kind: Kind | None = None
    since: datetime | None = None
    until: datetime | None = None


@dataclass(frozen=True)
class ActivityRow:
    """One audit entry as people read it."""

    id: int
    at: datetime
    actor: str  # as the audit log names them: "account:<id>", or a part of the workspace ("system", "calcom")
    actor_name: str  # the account's current name; a workspace part as it is named
    kind: Kind
    action: str
    action_label: str
    session_id: str | None
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ActivityPage:
    rows: list[ActivityRow]
    total: int  # entries the filter holds, on every page
    page: int  # 1-based
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


def activity_query(wanted: ActivityFilter, *, actor: Actor) -> ActivityQuery:
    """The filter as the repository takes it, narrowed to what `actor` may see (core.permissions.policy)."""
    if wanted.since is not None and wanted.until is not None and wanted.since >= wanted.until:
        raise InvalidInput("The start of the date range is after its end: choose a start before the end.")
    for moment in (wanted.since, wanted.until):
        if moment is not None and moment.tzinfo is None:
            raise InvalidInput("A date range needs its time zone.")
    whose = _whose(actor, wanted.person)
    actions, other_than = actions_of(wanted.kind)
    return ActivityQuery(actor=whose, actions=actions, other_than=other_than, since=wanted.since, until=wanted.until)


def list_activity(
    ws: Workspace, wanted: ActivityFilter, *, actor: Actor, page: int = 1, page_size: int = PAGE_SIZE
) -> ActivityPage:
    """One page of the activity `wanted` holds, newest first, with the total for paging. A page past the last
    shows the last."""
    query = activity_query(wanted, actor=actor)
    size = min(max(page_size, 1), MAX_PAGE_SIZE)
    with ws.uow_factory() as uow:
        total = uow.audit.count(query)
        last = max(1, -(-total // size))
        page = min(max(page, 1), last)
        entries = uow.audit.search(query, limit=size, offset=(page - 1) * size)
        names = names_of(uow)
    return ActivityPage([row_of(entry, names) for entry in entries], total, page, size)


def people(ws: Workspace, *, actor: Actor) -> list[Account]:
    """Whom an admin may filter the activity by: every account, by name."""
    authorize_action(ws.settings, actor, Action.VIEW_ALL_ACTIVITY)
    with ws.uow_factory() as uow:
        return uow.accounts.all()


def row_of(entry: AuditEntry, names: Mapping[str, str]) -> ActivityRow:
    assert entry.id is not None and entry.created_at is not None  # stored entries have both
    actor = entry.actor
    name = names.get(actor, "a removed account") if actor.startswith("account:") else actor
    return ActivityRow(
        id=entry.id,
        at=entry.created_at,
        actor=actor,
        actor_name=name,
        kind=kind_of(entry.action),
        action=entry.action,
        action_label=action_label(entry.action),
        session_id=entry.session_id,
        detail=_without_secrets(entry.detail),
    )


def names_of(uow: UnitOfWork) -> dict[str, str]:
    """audit name → the account's current name."""
    return {account.audit_name: account.name for account in uow.accounts.all()}


def _whose(actor: Actor, person: str | None) -> str | None:
    """The actor column the listing is narrowed to: the person asked for, or the asker themselves when they may
    see only their own. The workspace itself (the command line) sees everything."""
    if actor.account is None:
        return f"account:{person}" if person else None
    own = activity_actor(actor.account)
    if own is None:
        return f"account:{person}" if person else None
    if person and f"account:{person}" != own:
        raise AccessDenied(NOT_ALLOWED)
    return own


def _without_secrets(detail: Mapping[str, Any]) -> dict[str, Any]:
    return {key: REDACTED if _names_a_secret(key) else _redacted(value) for key, value in detail.items()}


def _redacted(value: Any) -> Any:
    if isinstance(value, Mapping):
        return _without_secrets(value)
    if isinstance(value, list):
        return [_redacted(item) for item in value]
    return value


def _names_a_secret(key: object) -> bool:
    words = re.split(r"[^a-z0-9]+", str(key).lower())
    return bool(_SECRET_WORDS & set(words)) or str(key).lower().replace("_", "").endswith("apikey")
