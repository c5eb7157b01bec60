"""Teams: the groups reviewers see the sessions of. A team is only a name held by accounts and, copied when
they start, by sessions; there is no team table, so listing gathers the names and renaming rewrites them.

Renaming moves accounts and sessions together in one transaction: a reviewer of the team keeps seeing its
past interviews under the new name. Moving one person to another team is a People edit (update_account),
which leaves their earlier sessions with the team they were run in.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from core import audit
from core.errors import AlreadyExists, InvalidInput, NotFound
from core.models import Account, AccountRole
from core.permissions.access import authorize_action
from core.permissions.actor import Actor
from core.permissions.policy import Action
from core.single_line import single_line
from core.workspace import Workspace

log = logging.getLogger(__name__)

TEAM_NAME_LENGTH = 100  # the accounts' and sessions' team columns


@dataclass(frozen=True)
class TeamPerson:
    """One person of a team, as the team list shows them."""

    account_id: str
    name: str
    roles: tuple[AccountRole, ...]
    active: bool


@dataclass(frozen=True)
class TeamSummary:
    name: str
    members: tuple[TeamPerson, ...]  # by name
    sessions: int  # interviews started by a member while on this team

    @property
    def interviewers(self) -> tuple[TeamPerson, ...]:
        return tuple(m for m in self.members if AccountRole.INTERVIEWER in m.roles)

    @property
    def reviewers(self) -> tuple[TeamPerson, ...]:
        return tuple(m for m in self.members if AccountRole.REVIEWER in m.roles)


@dataclass(frozen=True)
class TeamRenamed:
    old: str
    new: str
    accounts: int
    sessions: int


def list_teams(ws: Workspace, actor: Actor) -> list[TeamSummary]:
    """Every team a person or a session holds, by name. A team whose members all moved on is listed too
    (with no members): its sessions are still there, and renaming it is how an admin tidies it up."""
    authorize_action(ws.settings, actor, Action.MANAGE_PEOPLE)
    with ws.uow_factory() as uow:
        accounts = uow.accounts.all()
        counts = uow.sessions.team_counts()
    members: dict[str, list[TeamPerson]] = {}
    for account in accounts:  # already by name
        if account.team:
            members.setdefault(account.team, []).append(_member(account))
    names = sorted(set(members) | set(counts), key=lambda n: (n.casefold(), n))
    return [TeamSummary(name=n, members=tuple(members.get(n, ())), sessions=counts.get(n, 0)) for n in names]


def rename_team(ws: Workspace, old: str, new: str, *, actor: Actor) -> TeamRenamed:
    """Renames the team on every account and every session that holds it, in one transaction.

    Refused when the new name is empty, unchanged, or already another team's (in any case: "Core" and
    "core" side by side would read as one team but show reviewers different sessions). Changing only the
    case of the team's own name is allowed.
    """
    authorize_action(ws.settings, actor, Action.MANAGE_PEOPLE)
    old = single_line(old)
    new = single_line(new)[:TEAM_NAME_LENGTH]
    if not old:
        raise InvalidInput("Choose the team to rename.")
    if not new:
        raise InvalidInput("Enter the team's new name.")
    if new == old:
        raise InvalidInput(f"The team is already called {new}.")
    with ws.uow_factory() as uow:
        taken = {a.team for a in uow.accounts.all() if a.team} | set(uow.sessions.team_counts())
        if old not in taken:
            raise NotFound(f"There is no team called {old}: someone may have renamed it. Reload the page.")
        clash = next((t for t in sorted(taken) if t != old and t.casefold() == new.casefold()), None)
        if clash is not None:
            raise AlreadyExists(f"There is already a team called {clash}. Choose another name.")
        accounts = uow.accounts.rename_team(old, new)
        sessions = uow.sessions.rename_team(old, new)
        detail = {"from": old, "to": new, "accounts": accounts, "sessions": sessions}
        audit.record(uow, "team_renamed", actor=actor.name, detail=detail, logger=log)
        uow.commit()
    return TeamRenamed(old=old, new=new, accounts=accounts, sessions=sessions)


def _member(account: Account) -> TeamPerson:
    return TeamPerson(
        account_id=account.id, name=account.name, roles=tuple(sorted(account.roles)), active=account.active
    )
