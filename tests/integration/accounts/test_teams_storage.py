"""Renaming a team on the fake, SQLite and PostgreSQL: the repositories' bulk renames and per-team counts, and
the service that uses them in one transaction. A reviewer lists the sessions whose team equals theirs, so after
a rename the reviewer must still list exactly the team's sessions on every backend."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from core.accounts.teams import list_teams, rename_team
from core.config import Settings
from core.errors import AlreadyExists
from core.models import Account, AccountRole, HistoryQuery, Session
from core.permissions.actor import Actor
from core.permissions.policy import scope
from core.workspace import Workspace
from entry.bootstrap import build_workspace
from tests.clock import Clock
from tests.fakes import FakeUnitOfWork
from tests.unit.fake_workspace import START, fake_workspace

T0 = datetime(2030, 6, 4, 10, 0, tzinfo=UTC)


@pytest.fixture(params=["fake", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def ws(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Workspace:
    if backend == "fake":
        return fake_workspace(FakeUnitOfWork(), Clock(START))
    database_url: str = request.getfixturevalue("database_url")
    return build_workspace(Settings(database_url=database_url, runtime_dir=tmp_path / "runtime"))


def person(key: str, *roles: AccountRole, team: str) -> Account:
    return Account(id=key, email=f"{key}@example.com", name=key.title(), roles=list(roles), team=team)


@pytest.fixture
def ada(ws: Workspace) -> Account:
    """Ada the admin; Ivan and Rita in core, Otto in growth; three core sessions, one growth, one with no team."""
    ada = person("ada", AccountRole.ADMIN, team="")
    with ws.uow_factory() as uow:
        for account in (
            ada,
            person("ivan", AccountRole.INTERVIEWER, team="core"),
            person("rita", AccountRole.REVIEWER, team="core"),
            person("otto", AccountRole.REVIEWER, team="growth"),
        ):
            uow.accounts.add(account)
        for i, team in enumerate(["core", "core", "core", "growth", ""]):
            uow.sessions.add(Session(id=f"s{i}", problem_id="p", team=team, created_at=T0, updated_at=T0))
        uow.commit()
    return ada


def teams_of(ws: Workspace) -> tuple[dict[str, str], dict[str, str]]:
    """(account id → team, session id → team), as a new unit of work reads them."""
    with ws.uow_factory() as uow:
        accounts = {a.id: a.team for a in uow.accounts.all()}
        sessions = {f"s{i}": uow.sessions.get(f"s{i}").team for i in range(5)}
    return accounts, sessions


def test_the_repositories_count_and_rename_a_team_and_roll_back(ws: Workspace, ada: Account) -> None:
    before = teams_of(ws)
    with ws.uow_factory() as uow:
        assert uow.sessions.team_counts() == {"core": 3, "growth": 1}
        loaded = uow.sessions.get("s0")  # read before the rename, in the same unit of work
        assert uow.accounts.rename_team("core", "platform") == 2
        assert uow.sessions.rename_team("core", "platform") == 3
        assert uow.sessions.get("s0").team == "platform" and loaded.team == "core"
        assert uow.accounts.get("ivan").team == "platform"
        assert uow.sessions.team_counts() == {"platform": 3, "growth": 1}
        assert uow.accounts.rename_team("nowhere", "x") == 0 and uow.sessions.rename_team("nowhere", "x") == 0
    assert teams_of(ws) == before  # left without commit: nothing renamed
    with ws.uow_factory() as uow:
        uow.sessions.rename_team("growth", "Growth")
        uow.commit()
    with ws.uow_factory() as uow:
        renamed = uow.sessions.get("s3")
    assert renamed.team == "Growth" and renamed.updated_at == T0  # the interview itself did not change


def test_renaming_a_team_moves_its_people_and_interviews_in_one_transaction(ws: Workspace, ada: Account) -> None:
    admin = Actor.person(ada)
    renamed = rename_team(ws, "core", "Platform", actor=admin)
    assert (renamed.accounts, renamed.sessions) == (2, 3)
    accounts, sessions = teams_of(ws)
    assert accounts == {"ada": "", "ivan": "Platform", "rita": "Platform", "otto": "growth"}
    assert sessions == {"s0": "Platform", "s1": "Platform", "s2": "Platform", "s3": "growth", "s4": ""}
    with ws.uow_factory() as uow:
        entry = uow.audit.latest()[-1]
        rita = uow.accounts.get("rita")
        listed = sorted(s.id for s in uow.sessions.search(HistoryQuery(scope=scope(rita), page_size=50)))
    assert (entry.action, entry.actor, entry.detail["to"]) == ("team_renamed", ada.audit_name, "Platform")
    assert listed == ["s0", "s1", "s2"]  # the reviewer still sees her team's past interviews
    assert [(t.name, len(t.members), t.sessions) for t in list_teams(ws, admin)] == [
        ("growth", 1, 1),
        ("Platform", 2, 3),
    ]


def test_a_name_in_use_is_refused_and_nothing_moves(ws: Workspace, ada: Account) -> None:
    before = teams_of(ws)
    with pytest.raises(AlreadyExists, match="already a team called growth"):
        rename_team(ws, "core", "Growth", actor=Actor.person(ada))
    assert teams_of(ws) == before
