"""Accounts, sign-in sessions and who sees which interview, side by side on the fake, SQLite and PostgreSQL.

The policy (core.permissions.policy.scope) says whose sessions a person may list; storage turns that into one
WHERE. The same people and sessions must give the same lists everywhere, or a page would show a reviewer
another team's interviews on one database and not on the other.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from core.errors import AlreadyExists
from core.models import (
    Account,
    AccountRole,
    Candidate,
    HistoryQuery,
    Session,
    SessionScope,
    SignInSession,
    TeamMember,
)
from core.permissions.policy import scope
from core.unit_of_work import UnitOfWork
from tests.fakes import FakeUnitOfWork

Factory = Callable[[], UnitOfWork]
T0 = datetime(2030, 6, 4, 10, 0, tzinfo=UTC)


@pytest.fixture(params=["fake", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def factory(backend: str, request: pytest.FixtureRequest) -> Factory:
    if backend == "fake":
        fake = FakeUnitOfWork()
        return lambda: fake
    sql: Factory = request.getfixturevalue("uow_factory")
    return sql


def person(key: str, *roles: AccountRole, team: str = "", email: str | None = None) -> Account:
    return Account(id=key, email=email or f"{key}@example.com", name=key.title(), roles=list(roles), team=team)


def test_accounts_round_trip_and_one_per_email(factory: Factory) -> None:
    with factory() as uow:
        stored = uow.accounts.add(person("ada", AccountRole.ADMIN, AccountRole.REVIEWER, team="core"))
        uow.commit()
    assert stored.roles == [AccountRole.ADMIN, AccountRole.REVIEWER] and stored.created_at is not None
    with factory() as uow:
        found = uow.accounts.by_email("  ADA@example.com")
        assert found is not None and found.team == "core" and uow.accounts.count() == 1
        found.locked_until = T0
        found.failed_sign_ins = 3
        uow.accounts.update(found)
        uow.commit()
    with factory() as uow:
        assert uow.accounts.get("ada").locked_until == T0
        with pytest.raises(AlreadyExists):
            uow.accounts.add(person("ada2", AccountRole.CANDIDATE, email="Ada@Example.com"))


def test_sign_in_sessions_are_found_touched_and_swept(factory: Factory) -> None:
    with factory() as uow:
        uow.accounts.add(person("ada", AccountRole.ADMIN))
        uow.sign_ins.add(SignInSession("h1", "ada", expires_at=T0 + timedelta(hours=1), created_at=T0))
        uow.sign_ins.add(SignInSession("h2", "ada", expires_at=T0 - timedelta(minutes=1), created_at=T0))
        uow.commit()
    with factory() as uow:
        uow.sign_ins.touch("h1", seen_at=T0 + timedelta(minutes=5), expires_at=T0 + timedelta(hours=2))
        assert uow.sign_ins.remove_expired(T0) == 1
        uow.commit()
    with factory() as uow:
        held = uow.sign_ins.find("h1")
        assert held is not None and held.expires_at == T0 + timedelta(hours=2) and uow.sign_ins.find("h2") is None
        assert uow.sign_ins.remove_for_account("ada") == 1


def listed(factory: Factory, who: SessionScope) -> list[str]:
    with factory() as uow:
        query = HistoryQuery(scope=who, page_size=50)
        ids = sorted(s.id for s in uow.sessions.search(query))
        assert uow.sessions.count_matching(query) == len(ids)
        return ids


def test_each_person_lists_exactly_the_sessions_the_policy_gives_them(factory: Factory) -> None:
    ana = person("ana", AccountRole.CANDIDATE, email="Ana.Rossi@example.com")
    ivan = person("ivan", AccountRole.INTERVIEWER, team="core")
    rita = person("rita", AccountRole.REVIEWER, team="core")
    otto = person("otto", AccountRole.REVIEWER, team="growth")
    ada = person("ada", AccountRole.ADMIN)
    with factory() as uow:
        for account in (ana, ivan, rita, otto, ada):
            uow.accounts.add(account)
        uow.candidates.add(Candidate(id="c-ana", name="Ana Rossi", email="ana.rossi@EXAMPLE.com", created_at=T0))
        uow.candidates.add(Candidate(id="c-bo", name="Bo", email="bo@example.com", created_at=T0))
        uow.team_members.add(TeamMember(id="m-ivan", name="Ivan", email="IVAN@example.com"))
        sessions = {
            "ana-practice": Session(id="ana-practice", problem_id="p", candidate_id="c-ana", owner_id="ana"),
            "ivan-led": Session(id="ivan-led", problem_id="p", candidate_id="c-bo", owner_id="ivan", team="core"),
            "booked-for-ivan": Session(id="booked-for-ivan", problem_id="p", candidate_id="c-ana", team="growth"),
            "growth-only": Session(id="growth-only", problem_id="p", candidate_id="c-bo", team="growth"),
            "nobody": Session(id="nobody", problem_id="p"),
        }
        for session in sessions.values():
            session.created_at = T0
            uow.sessions.add(session)
        uow.session_interviewers.set("booked-for-ivan", ["m-ivan"])
        uow.commit()
    assert listed(factory, scope(ana)) == ["ana-practice", "booked-for-ivan"]  # hers, and where she is the candidate
    assert listed(factory, scope(ivan)) == ["booked-for-ivan", "ivan-led"]  # his, and where he is assigned
    assert listed(factory, scope(rita)) == ["ivan-led"]  # her team's
    assert listed(factory, scope(otto)) == ["booked-for-ivan", "growth-only"]
    assert listed(factory, scope(ada)) == sorted(sessions)
    assert listed(factory, SessionScope()) == []  # a scope that names nobody lists nothing
