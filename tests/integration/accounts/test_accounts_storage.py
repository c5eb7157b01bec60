"""Accounts, sign-in sessions and who sees which interview, side by side on the fake, SQLite and PostgreSQL.

The policy (core.permissions.policy.scope) says whose sessions a person may list; storage turns that into one
WHERE. The same people and sessions must give the same lists everywhere, or a page would show a reviewer
another team's interviews on one database and not on the other.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from core.errors import AlreadyExists, NotFound
from core.models import (
    Account,
    AccountRole,
    Booking,
    BookingStatus,
    Candidate,
    CandidateScope,
    HistoryQuery,
    Session,
    SessionScope,
    SessionStatus,
    SignInSession,
    TeamMember,
)
from core.permissions.policy import candidate_scope, scope
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
    with factory() as uow, pytest.raises(AlreadyExists):  # the first admin's one id is taken once (accounts.services)
        uow.accounts.add(person("ada", AccountRole.ADMIN, email="eve@example.com"))


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


ANA = person("ana", AccountRole.CANDIDATE, email="Ana.Rossi@example.com")
IVAN = person("ivan", AccountRole.INTERVIEWER, team="core")
RITA = person("rita", AccountRole.REVIEWER, team="core")
OTTO = person("otto", AccountRole.REVIEWER, team="growth")
ADA = person("ada", AccountRole.ADMIN)


def people_and_their_sessions(factory: Factory) -> list[str]:
    """Five people and five sessions, each visible to some of them for one reason; returns the session ids."""
    with factory() as uow:
        for account in (ANA, IVAN, RITA, OTTO, ADA):
            uow.accounts.add(account)
        uow.candidates.add(Candidate(id="c-ana", name="Ana Rossi", email="ana.rossi@EXAMPLE.com", created_at=T0))
        uow.candidates.add(Candidate(id="c-bo", name="Bo", email="bo@example.com", created_at=T0))
        uow.team_members.add(TeamMember(id="m-ivan", name="Ivan", email="IVAN@example.com"))
        sessions = [
            Session(id="ana-practice", problem_id="p", candidate_id="c-ana", owner_id="ana"),
            Session(id="ivan-led", problem_id="p", candidate_id="c-bo", owner_id="ivan", team="core"),
            Session(id="booked-for-ivan", problem_id="p", candidate_id="c-ana", team="growth"),
            Session(id="growth-only", problem_id="p", candidate_id="c-bo", team="growth"),
            Session(id="nobody", problem_id="p"),
        ]
        for session in sessions:
            session.created_at = T0
            uow.sessions.add(session)
        uow.session_interviewers.set("booked-for-ivan", ["m-ivan"])
        uow.commit()
    return sorted(s.id for s in sessions)


def test_each_person_lists_exactly_the_sessions_the_policy_gives_them(factory: Factory) -> None:
    every = people_and_their_sessions(factory)
    assert listed(factory, scope(ANA)) == ["ana-practice", "booked-for-ivan"]  # hers, and where she is the candidate
    assert listed(factory, scope(IVAN)) == ["booked-for-ivan", "ivan-led"]  # his, and where he is assigned
    assert listed(factory, scope(RITA)) == ["ivan-led"]  # her team's
    assert listed(factory, scope(OTTO)) == ["booked-for-ivan", "growth-only"]
    assert listed(factory, scope(ADA)) == every
    assert listed(factory, SessionScope()) == []  # a scope that names nobody lists nothing


def booked(factory: Factory, who: SessionScope | None) -> tuple[list[str], list[str]]:
    """The sessions of the bookings `who` is shown by `between` (the Schedule's list), without and with the
    cancelled ones; `all` (the Schedule's figures) must give the latter, as every booking is in the window."""
    with factory() as uow:
        week = (T0, T0 + timedelta(days=7))
        live = [b.session_id for b in uow.bookings.between(*week, scope=who)]
        every = uow.bookings.between(*week, include_cancelled=True, scope=who)
        assert uow.bookings.all(scope=who) == every
        with_status = uow.bookings.with_session_status(scope=who)  # the Schedule's figures, in one query
        assert [(b, status) for b, status in with_status] == [(b, uow.sessions.get(b.session_id).status) for b in every]
        return live, [b.session_id for b in every]


def test_each_person_is_shown_the_bookings_of_exactly_the_sessions_they_may_list(factory: Factory) -> None:
    """The Schedule page's cards name the candidate, the time and the problem: the same WHERE as History."""
    every = people_and_their_sessions(factory)
    with factory() as uow:
        ran = uow.sessions.get("ivan-led")
        ran.status = SessionStatus.COMPLETED
        uow.sessions.update(ran)
        for hour, session_id in enumerate(every):  # in id order, so earliest first is the same order
            uow.bookings.add(
                Booking(
                    id=f"b-{session_id}",
                    session_id=session_id,
                    source="local",
                    ical_uid=f"{session_id}@example.com",
                    start_at=T0 + timedelta(hours=hour),
                    end_at=T0 + timedelta(hours=hour, minutes=45),
                    attendee_name="Someone",
                    attendee_email="someone@example.com",
                    status=BookingStatus.CANCELLED if session_id == "growth-only" else BookingStatus.CONFIRMED,
                )
            )
        uow.commit()
    assert booked(factory, scope(ANA)) == (["ana-practice", "booked-for-ivan"],) * 2
    assert booked(factory, scope(IVAN)) == (["booked-for-ivan", "ivan-led"],) * 2
    assert booked(factory, scope(RITA)) == (["ivan-led"],) * 2
    assert booked(factory, scope(OTTO)) == (["booked-for-ivan"], ["booked-for-ivan", "growth-only"])
    live = [sid for sid in every if sid != "growth-only"]
    assert booked(factory, scope(ADA)) == booked(factory, None) == (live, every)
    assert booked(factory, SessionScope()) == ([], [])


def candidates_shown(factory: Factory, who: CandidateScope | None) -> list[str]:
    """The candidate records `who` is shown by `all` (the Book tab's picker); `get` must agree on each one."""
    with factory() as uow:
        shown = sorted(c.id for c in uow.candidates.all(scope=who))
        for candidate in uow.candidates.all():
            if candidate.id in shown:
                assert uow.candidates.get(candidate.id, scope=who).id == candidate.id
            else:
                with pytest.raises(NotFound, match=f"No candidate with id {candidate.id}"):
                    uow.candidates.get(candidate.id, scope=who)
        return shown


def test_each_person_is_shown_the_candidates_of_exactly_the_sessions_they_may_list(factory: Factory) -> None:
    """A picker names people with their emails: only those of the interviews the person may open (the same
    WHERE as History), and their own record; an admin every one."""
    people_and_their_sessions(factory)
    with factory() as uow:
        uow.candidates.add(Candidate(id="c-rita", name="Rita", email="RITA@example.com", created_at=T0))  # her own
        uow.candidates.add(Candidate(id="c-cy", name="Cy", created_at=T0))  # in no interview
        uow.commit()
    assert candidates_shown(factory, candidate_scope(ANA)) == ["c-ana"]  # herself
    assert candidates_shown(factory, candidate_scope(IVAN)) == ["c-ana", "c-bo"]  # booked-for-ivan, ivan-led
    assert candidates_shown(factory, candidate_scope(RITA)) == ["c-bo", "c-rita"]  # her team's, and her own
    assert candidates_shown(factory, candidate_scope(OTTO)) == ["c-ana", "c-bo"]
    every = ["c-ana", "c-bo", "c-cy", "c-rita"]
    assert candidates_shown(factory, candidate_scope(ADA)) == candidates_shown(factory, None) == every
    assert candidates_shown(factory, CandidateScope()) == []  # a scope that names nobody shows nobody
    assert candidates_shown(factory, candidate_scope(replace(IVAN, active=False))) == []
