"""Managing accounts: the first admin, adding people, roles and teams, password resets, unlocking.

Every change names the acting person (or the workspace, for the command line) and asks the policy first, so
a page that forgot to hide a button still cannot change anyone. Changes are audited under the actor's audit
name; no email or name is logged.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable

from core import audit
from core.accounts import failed_sign_ins, passwords
from core.errors import AlreadyExists, InvalidInput, NotFound
from core.models import Account, AccountRole, email_key
from core.permissions.access import authorize_action
from core.permissions.actor import Actor
from core.permissions.policy import Action
from core.single_line import single_line
from core.workspace import Workspace

log = logging.getLogger(__name__)

SETUP_ACTOR = "first visit"  # who created the first admin: nobody was signed in yet
# The first admin's account id. Every first visit stores its admin under this one key, so when several people
# set up a new workspace at the same moment (each found no account yet) the database's primary key lets exactly
# one of them in, on SQLite and PostgreSQL alike, with no lock and no extra table.
FIRST_ADMIN_ID = "first-admin"
JUST_SET_UP = "This workspace already has an administrator: someone has just set it up. Sign in instead."


def needs_first_admin(ws: Workspace) -> bool:
    """A new workspace has no account: the first visitor creates the admin (there is no default password)."""
    with ws.uow_factory() as uow:
        return uow.accounts.count() == 0


def create_first_admin(ws: Workspace, *, email: str, name: str, password: str) -> Account:
    """Creates the admin of a new workspace; refused (AlreadyExists, JUST_SET_UP) once any account exists, also
    to a visitor who checked at the same moment as the one who won (the same account id cannot be stored twice)."""
    account = new_account(email, name, [AccountRole.ADMIN, AccountRole.INTERVIEWER, AccountRole.REVIEWER], "")
    account.id = FIRST_ADMIN_ID
    account.password_hash = passwords.hash_password(password)
    with ws.uow_factory() as uow:
        if uow.accounts.count() > 0:
            raise AlreadyExists(JUST_SET_UP)
        try:
            stored = uow.accounts.add(account)
        except AlreadyExists:  # another first visit stored its admin between our check and our write
            raise AlreadyExists(JUST_SET_UP) from None
        failed_sign_ins.forget(uow, ws.settings.accounts, stored.email)  # tries before it existed do not count
        audit.record(uow, "account_created", actor=SETUP_ACTOR, detail={"account": stored.id, "roles": ["admin"]})
        uow.commit()
    log.info("first admin created", extra={"account": stored.id})
    return stored


def add_account(
    ws: Workspace,
    *,
    email: str,
    name: str,
    roles: Iterable[AccountRole | str],
    team: str = "",
    password: str | None = None,
    actor: Actor,
) -> Account:
    """Adds a person. Without a password it is an invitation: they sign in through the identity provider
    with this verified email (or an admin sets a password later)."""
    authorize_action(ws.settings, actor, Action.MANAGE_PEOPLE)
    account = new_account(email, name, _roles(roles), team)
    if password:
        account.password_hash = passwords.hash_password(password)
    with ws.uow_factory() as uow:
        if uow.accounts.by_email(account.email) is not None:
            raise AlreadyExists("Someone already has an account with that email.")
        stored = uow.accounts.add(account)
        failed_sign_ins.forget(uow, ws.settings.accounts, stored.email)  # tries before it existed do not count
        detail = {"account": stored.id, "roles": [str(r) for r in stored.roles], "invitation": not password}
        audit.record(uow, "account_created", actor=actor.name, detail=detail, logger=log)
        uow.commit()
    return stored


def update_account(
    ws: Workspace,
    account_id: str,
    *,
    actor: Actor,
    name: str | None = None,
    roles: Iterable[AccountRole | str] | None = None,
    team: str | None = None,
    active: bool | None = None,
) -> Account:
    """Changes name, roles, team or whether the account may sign in; disabling also ends its sign-ins.
    The last active admin cannot lose the role or be disabled: someone must be able to manage people.
    Moving someone to another team leaves their earlier sessions with the old team (rename_team moves both)."""
    authorize_action(ws.settings, actor, Action.MANAGE_PEOPLE)
    with ws.uow_factory() as uow:
        account = uow.accounts.get(account_id)
        changed: dict[str, object] = {}
        if name is not None and single_line(name) != account.name:
            account.name = _name(name)
            changed["name"] = True
        if roles is not None and sorted(_roles(roles)) != sorted(account.roles):
            account.roles = _roles(roles)
            changed["roles"] = [str(r) for r in account.roles]
        if team is not None and single_line(team) != account.team:
            account.team = single_line(team)[:100]
            changed["team"] = account.team
        if active is not None and active != account.active:
            account.active = active
            changed["active"] = active
        if not changed:
            return account
        if not (account.active and account.has(AccountRole.ADMIN)):
            others = [a for a in uow.accounts.all() if a.id != account.id and a.active and a.has(AccountRole.ADMIN)]
            if not others:
                raise InvalidInput("This is the last active administrator: give someone else the admin role first.")
        stored = uow.accounts.update(account)
        if not stored.active:
            uow.sign_ins.remove_for_account(stored.id)
        audit.record(uow, "account_updated", actor=actor.name, detail={"account": stored.id, **changed}, logger=log)
        uow.commit()
    return stored


def set_password(ws: Workspace, account_id: str, password: str, *, actor: Actor) -> Account:
    """A new password (reset by an admin or the CLI): unlocks the account and ends its other sign-ins."""
    authorize_action(ws.settings, actor, Action.MANAGE_PEOPLE)
    password_hash = passwords.hash_password(password)
    with ws.uow_factory() as uow:
        account = uow.accounts.get(account_id)
        account.password_hash = password_hash
        account.failed_sign_ins = 0
        account.locked_until = None
        stored = uow.accounts.update(account)
        failed_sign_ins.forget(uow, ws.settings.accounts, stored.email)
        ended = uow.sign_ins.remove_for_account(account_id)
        audit.record(uow, "password_set", actor=actor.name, detail={"account": account_id, "sign_ins_ended": ended})
        uow.commit()
    return stored


def unlock(ws: Workspace, account_id: str, *, actor: Actor) -> Account:
    """Lifts a lock after too many wrong passwords, before it would end by itself, and clears the count."""
    authorize_action(ws.settings, actor, Action.MANAGE_PEOPLE)
    with ws.uow_factory() as uow:
        account = uow.accounts.get(account_id)
        account.failed_sign_ins = 0
        account.locked_until = None
        stored = uow.accounts.update(account)
        failed_sign_ins.forget(uow, ws.settings.accounts, stored.email)  # the count the lock came from, too
        audit.record(uow, "account_unlocked", actor=actor.name, detail={"account": account_id})
        uow.commit()
    return stored


def find_account(ws: Workspace, email: str) -> Account:
    with ws.uow_factory() as uow:
        account = uow.accounts.by_email(email)
    if account is None:
        raise NotFound("No account has that email.")
    return account


def list_accounts(ws: Workspace) -> list[Account]:
    with ws.uow_factory() as uow:
        return uow.accounts.all()


def names_by_audit_name(ws: Workspace) -> dict[str, str]:
    """audit name → display name, so the audit log can show who acted without storing names in it."""
    return {a.audit_name: a.name for a in list_accounts(ws)}


def new_account(email: str, name: str, roles: list[AccountRole], team: str) -> Account:
    """A not-yet-stored account with a clean email and name (refused with a message when unusable)."""
    email = single_line(email)
    if email_key(email) is None or "@" not in email or len(email) > 320:
        raise InvalidInput("Enter an email address like name@example.com.")
    return Account(id=uuid.uuid4().hex, email=email, name=_name(name), roles=roles, team=single_line(team)[:100])


def _name(name: str) -> str:
    cleaned = single_line(name)[:200]
    if not cleaned:
        raise InvalidInput("Enter the person's name.")
    return cleaned


def _roles(roles: Iterable[AccountRole | str]) -> list[AccountRole]:
    try:
        chosen = sorted({AccountRole(str(role).strip().lower()) for role in roles})
    except ValueError:
        known = ", ".join(r.value for r in AccountRole)
        raise InvalidInput(f"Roles are {known}.") from None
    if not chosen:
        raise InvalidInput("Give the person at least one role.")
    return chosen
