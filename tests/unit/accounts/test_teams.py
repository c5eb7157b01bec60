"""Teams on the fake unit of work: the list admins see, and renaming, which must move a team's people and its
past interviews together (a reviewer sees the sessions whose team equals theirs, so moving only one of the two
would hide the team's history from its own reviewers)."""

from __future__ import annotations

import copy

import pytest

from core.accounts.services import create_first_admin, update_account
from core.accounts.teams import TeamPerson, list_teams, rename_team
from core.errors import AccessDenied, AlreadyExists, InvalidInput, NotFound
from core.models import Account, AccountRole, Session
from core.permissions.actor import Actor
from core.permissions.policy import scope
from core.workspace import Workspace
from tests.fakes import FakeUnitOfWork

ADMIN, INTERVIEWER, REVIEWER = AccountRole.ADMIN, AccountRole.INTERVIEWER, AccountRole.REVIEWER


def person(key: str, *roles: AccountRole, team: str, active: bool = True) -> Account:
    return Account(id=key, email=f"{key}@example.com", name=key.title(), roles=list(roles), team=team, active=active)


@pytest.fixture
def admin(ws: Workspace, uow: FakeUnitOfWork) -> Actor:
    """Ada (admin, no team); Ivan and Rita in core, Gus (disabled) in growth; sessions of core, growth and
    an old team nobody is in any more."""
    ada = create_first_admin(ws, email="ada@example.com", name="Ada", password="a long enough password")
    uow.accounts.add(person("ivan", INTERVIEWER, team="core"))
    uow.accounts.add(person("rita", REVIEWER, INTERVIEWER, team="core"))
    uow.accounts.add(person("gus", REVIEWER, team="growth", active=False))
    for i, team in enumerate(["core", "core", "core", "growth", "legacy", ""]):
        uow.sessions.add(Session(id=f"s{i}", problem_id="url_shortener", team=team))
    return Actor.person(ada)


def member(key: str, *roles: AccountRole, active: bool = True) -> TeamPerson:
    return TeamPerson(account_id=key, name=key.title(), roles=tuple(roles), active=active)


def test_the_list_has_every_team_with_its_people_and_interviews(ws: Workspace, admin: Actor) -> None:
    teams = {t.name: t for t in list_teams(ws, admin)}
    assert list(teams) == ["core", "growth", "legacy"]  # legacy: only sessions hold it now
    core = teams["core"]
    assert core.members == (member("ivan", INTERVIEWER), member("rita", INTERVIEWER, REVIEWER))
    assert [m.name for m in core.interviewers] == ["Ivan", "Rita"] and [m.name for m in core.reviewers] == ["Rita"]
    assert core.sessions == 3
    assert teams["growth"].reviewers == (member("gus", REVIEWER, active=False),) and teams["growth"].sessions == 1
    assert teams["legacy"].members == () and teams["legacy"].sessions == 1


def test_renaming_moves_people_and_interviews_together_and_is_audited(
    ws: Workspace, uow: FakeUnitOfWork, admin: Actor
) -> None:
    renamed = rename_team(ws, " core ", "Platform", actor=admin)
    assert (renamed.old, renamed.new, renamed.accounts, renamed.sessions) == ("core", "Platform", 2, 3)
    assert uow.committed
    assert {a.name: a.team for a in uow.accounts.all()} == {
        "Ada": "",
        "Gus": "growth",
        "Ivan": "Platform",
        "Rita": "Platform",
    }
    assert [s.id for s in uow.state.sessions.values() if s.team == "Platform"] == ["s0", "s1", "s2"]
    assert uow.state.sessions["s3"].team == "growth" and uow.state.sessions["s5"].team == ""
    entry = uow.audit.latest()[-1]
    assert (entry.action, entry.actor) == ("team_renamed", admin.name)
    assert entry.detail == {"from": "core", "to": "Platform", "accounts": 2, "sessions": 3}
    rita = uow.accounts.get("rita")
    assert scope(rita).team == "Platform"  # the reviewer still sees the team's interviews: same name on both


def test_a_team_only_sessions_hold_can_be_renamed(ws: Workspace, uow: FakeUnitOfWork, admin: Actor) -> None:
    renamed = rename_team(ws, "legacy", "archive", actor=admin)
    assert (renamed.accounts, renamed.sessions) == (0, 1) and uow.state.sessions["s4"].team == "archive"


def test_changing_only_the_case_of_the_name_is_allowed(ws: Workspace, uow: FakeUnitOfWork, admin: Actor) -> None:
    rename_team(ws, "core", "Core", actor=admin)
    assert uow.accounts.get("ivan").team == "Core"


@pytest.mark.parametrize(
    ("old", "new", "error", "message"),
    [
        ("core", "   ", InvalidInput, "Enter the team's new name."),
        ("core", "core", InvalidInput, "The team is already called core."),
        ("core", "growth", AlreadyExists, "There is already a team called growth. Choose another name."),
        ("core", "GROWTH", AlreadyExists, "There is already a team called growth."),  # any case
        ("core", "legacy", AlreadyExists, "There is already a team called legacy."),  # held by sessions only
        ("", "platform", InvalidInput, "Choose the team to rename."),
        ("nowhere", "platform", NotFound, "There is no team called nowhere"),
    ],
)
def test_a_rename_that_cannot_be_done_is_refused_and_changes_nothing(
    ws: Workspace, uow: FakeUnitOfWork, admin: Actor, old: str, new: str, error: type[Exception], message: str
) -> None:
    before = copy.deepcopy(uow.state)
    with pytest.raises(error) as refused:
        rename_team(ws, old, new, actor=admin)
    assert str(refused.value).startswith(message)
    assert uow.state == before


def test_a_long_name_is_cut_to_what_the_columns_hold(ws: Workspace, uow: FakeUnitOfWork, admin: Actor) -> None:
    assert rename_team(ws, "core", "p" * 150, actor=admin).new == "p" * 100
    assert uow.accounts.get("ivan").team == "p" * 100


def test_only_admins_list_or_rename_teams(ws: Workspace, uow: FakeUnitOfWork, admin: Actor) -> None:
    rita = Actor.person(uow.accounts.get("rita"))
    before = copy.deepcopy(uow.state)
    with pytest.raises(AccessDenied):
        list_teams(ws, rita)
    with pytest.raises(AccessDenied):
        rename_team(ws, "core", "mine", actor=rita)
    assert uow.state == before
    assert [t.name for t in list_teams(ws, Actor.workspace("cli"))] == ["core", "growth", "legacy"]


def test_moving_one_person_leaves_their_earlier_interviews_with_the_old_team(
    ws: Workspace, uow: FakeUnitOfWork, admin: Actor
) -> None:
    update_account(ws, "ivan", team="growth", actor=admin)
    teams = {t.name: t for t in list_teams(ws, admin)}
    assert [m.name for m in teams["core"].members] == ["Rita"] and teams["core"].sessions == 3
    assert [m.name for m in teams["growth"].members] == ["Gus", "Ivan"] and teams["growth"].sessions == 1
