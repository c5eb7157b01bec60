"""Only admins (or the workspace itself, e.g. the command line) change accounts: the services ask the policy,
so a page that forgot to hide a button still cannot add, change, reset or unlock anyone."""

from __future__ import annotations

import copy

import pytest

from core.accounts.services import SETUP_ACTOR, add_account, create_first_admin, set_password, unlock, update_account
from core.errors import AccessDenied
from core.models import Account, AccountRole
from core.permissions.access import NOT_ALLOWED
from core.permissions.actor import Actor
from core.workspace import Workspace
from tests.fakes import FakeUnitOfWork

PASSWORD = "a long enough password"
CLI = Actor.workspace("cli")


@pytest.fixture
def ada(ws: Workspace) -> Account:
    return create_first_admin(ws, email="ada@example.com", name="Ada", password=PASSWORD)


@pytest.mark.parametrize("role", [AccountRole.CANDIDATE, AccountRole.INTERVIEWER, AccountRole.REVIEWER])
def test_a_person_who_is_not_an_admin_is_refused_and_nothing_changes(
    ws: Workspace, uow: FakeUnitOfWork, ada: Account, role: AccountRole
) -> None:
    rita = add_account(
        ws, email="rita@example.com", name="Rita", roles=[role], team="core", password=PASSWORD, actor=CLI
    )
    before = copy.deepcopy(uow.state)
    rita_acts = Actor.person(rita)
    refused = [
        lambda: add_account(ws, email="eve@example.com", name="Eve", roles=["admin"], actor=rita_acts),
        lambda: update_account(ws, rita.id, roles=["admin"], actor=rita_acts),  # not even for herself
        lambda: update_account(ws, ada.id, active=False, actor=rita_acts),
        lambda: set_password(ws, ada.id, "rita knows this one now", actor=rita_acts),
        lambda: unlock(ws, ada.id, actor=rita_acts),
    ]
    for attempt in refused:
        with pytest.raises(AccessDenied, match=NOT_ALLOWED):
            attempt()
    assert uow.state == before  # no account, sign-in or audit entry changed


def test_a_disabled_admin_is_refused(ws: Workspace, uow: FakeUnitOfWork, ada: Account) -> None:
    """The actor is the account as this page run read it; a disabled one may do nothing."""
    bob = add_account(ws, email="bob@example.com", name="Bob", roles=["admin"], actor=CLI)
    bob.active = False
    before = copy.deepcopy(uow.state)
    with pytest.raises(AccessDenied):
        update_account(ws, ada.id, team="core", actor=Actor.person(bob))
    assert uow.state == before


def test_an_admin_and_the_command_line_may_and_the_audit_log_names_them(
    ws: Workspace, uow: FakeUnitOfWork, ada: Account
) -> None:
    bob = add_account(ws, email="bob@example.com", name="Bob", roles=["interviewer"], actor=Actor.person(ada))
    update_account(ws, bob.id, team="core", actor=Actor.person(ada))
    set_password(ws, bob.id, PASSWORD, actor=CLI)
    unlock(ws, bob.id, actor=CLI)
    assert uow.accounts.get(bob.id).team == "core"
    actors = [(e.action, e.actor) for e in uow.audit.latest() if e.actor != SETUP_ACTOR]
    assert actors == [
        ("account_created", ada.audit_name),
        ("account_updated", ada.audit_name),
        ("password_set", "cli"),
        ("account_unlocked", "cli"),
    ]
