"""Transactions: nothing without commit, all-or-nothing with it; the fake behaves the same."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from sqlalchemy.exc import IntegrityError

from core.errors import NotFound
from core.models import AuditEntry, Evaluation, Message, Role, Session, SessionStatus, Stage
from core.unit_of_work import UnitOfWork
from storage.unit_of_work import SqlAlchemyUnitOfWork
from tests.fakes import FakeUnitOfWork

UowFactory = Callable[[], SqlAlchemyUnitOfWork]


def make_session(**changes: object) -> Session:
    values: dict[str, object] = {"id": uuid.uuid4().hex, "problem_id": "rate-limiter"}
    values.update(changes)
    return Session(**values)  # type: ignore[arg-type]


def stored(uow_factory: Callable[[], UnitOfWork], session_id: str) -> Session | None:
    with uow_factory() as uow:
        try:
            return uow.sessions.get(session_id)
        except NotFound:
            return None


def test_changes_without_commit_vanish(uow_factory: UowFactory) -> None:
    session = make_session()
    with uow_factory() as uow:
        uow.sessions.add(session)
        uow.audit.add(AuditEntry(action="session.created", session_id=session.id))
    assert stored(uow_factory, session.id) is None
    with uow_factory() as uow:
        assert uow.audit.latest() == []


def test_an_exception_inside_with_rolls_back_and_propagates(uow_factory: UowFactory) -> None:
    session = make_session()
    with pytest.raises(RuntimeError, match="boom"), uow_factory() as uow:
        uow.sessions.add(session)
        raise RuntimeError("boom")
    assert stored(uow_factory, session.id) is None


def test_commit_persists_and_work_after_it_is_discarded(uow_factory: UowFactory) -> None:
    session = make_session()
    with uow_factory() as uow:
        uow.sessions.add(session)
        uow.commit()
        session.status = SessionStatus.ACTIVE
        uow.sessions.update(session)  # never committed
    loaded = stored(uow_factory, session.id)
    assert loaded is not None and loaded.status is SessionStatus.READY


def test_rollback_discards_and_the_unit_of_work_stays_usable(uow_factory: UowFactory) -> None:
    discarded, kept = make_session(), make_session()
    with uow_factory() as uow:
        uow.sessions.add(discarded)
        uow.rollback()
        uow.sessions.add(kept)
        uow.commit()
    assert stored(uow_factory, discarded.id) is None
    assert stored(uow_factory, kept.id) is not None


def test_ending_an_interview_is_all_or_nothing(uow_factory: UowFactory) -> None:
    """Status + evaluation + audit entry: a failing evaluation insert must undo the other two."""
    session = make_session(status=SessionStatus.ACTIVE)
    with uow_factory() as uow:
        uow.sessions.add(session)
        uow.evaluations.add(Evaluation(session_id=session.id, overall_score=2.0, competencies=[]))
        uow.commit()

    session.status = SessionStatus.COMPLETED
    session.ended_at = datetime.now(UTC)
    with pytest.raises(IntegrityError), uow_factory() as uow:
        uow.sessions.update(session)
        uow.audit.add(AuditEntry(action="session.completed", session_id=session.id))
        uow.evaluations.add(Evaluation(session_id=session.id, overall_score=4.0, competencies=[]))  # duplicate
        uow.commit()

    with uow_factory() as uow:
        loaded = uow.sessions.get(session.id)
        assert loaded.status is SessionStatus.ACTIVE and loaded.ended_at is None
        assert uow.audit.latest(session_id=session.id) == []
        evaluation = uow.evaluations.for_session(session.id)
        assert evaluation is not None and evaluation.overall_score == 2.0


def test_the_unit_of_work_must_be_entered(uow_factory: UowFactory) -> None:
    uow = uow_factory()
    with pytest.raises(RuntimeError, match="with uow_factory"):
        uow.commit()
    with uow:
        pass
    with uow:  # reusable after it closed
        uow.sessions.add(make_session())
        uow.commit()


def test_each_factory_call_is_independent(uow_factory: UowFactory) -> None:
    session = make_session()
    with uow_factory() as writer:
        writer.sessions.add(session)
        # A second unit of work is its own transaction: it cannot see uncommitted work.
        with uow_factory() as reader, pytest.raises(NotFound):
            reader.sessions.get(session.id)
        writer.commit()
    assert stored(uow_factory, session.id) is not None


# --- the fake keeps the same contract -----------------------------------------------------


@pytest.fixture
def any_uow_factory(backend: str, request: pytest.FixtureRequest) -> Callable[[], UnitOfWork]:
    if backend == "fake":
        fake = FakeUnitOfWork()
        return lambda: fake
    return request.getfixturevalue("uow_factory")  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    "backend", ["fake", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)
def test_contract_seq_notfound_and_rollback(any_uow_factory: Callable[[], UnitOfWork]) -> None:
    session = make_session(created_at=datetime(2025, 1, 1, tzinfo=UTC))
    with any_uow_factory() as uow:
        uow.sessions.add(session)
        uow.commit()
    with any_uow_factory() as uow:
        first = uow.messages.add(Message(session.id, Role.INTERVIEWER, "Hi", stage=Stage.REQUIREMENTS))
        second = uow.messages.add(Message(session.id, Role.CANDIDATE, "Hello", meta={"k": [1]}))
        uow.commit()
    assert (first.seq, second.seq) == (1, 2)
    assert first.id is not None and first.created_at is not None
    with any_uow_factory() as uow:
        uow.messages.add(Message(session.id, Role.CANDIDATE, "never committed"))
    with any_uow_factory() as uow:
        assert [m.content for m in uow.messages.in_session(session.id)] == ["Hi", "Hello"]
        assert uow.messages.add(Message(session.id, Role.SYSTEM, "x")).seq == 3
        with pytest.raises(NotFound, match="No interview with id missing"):
            uow.sessions.get("missing")
        with pytest.raises(NotFound):
            uow.messages.add(Message("missing", Role.SYSTEM, "x"))
        summaries = uow.sessions.list_summaries()
        assert [s.id for s in summaries] == [session.id]
        assert summaries[0].duration_seconds == 0.0 and summaries[0].overall_score is None


def test_fake_records_commits() -> None:
    fake = FakeUnitOfWork()
    with fake:
        fake.sessions.add(make_session())
    assert not fake.committed and fake.sessions.count() == 0
    with fake:
        fake.sessions.add(make_session())
        fake.commit()
    assert fake.committed and fake.commits == 1 and fake.sessions.count() == 1
