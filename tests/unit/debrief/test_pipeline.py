"""A person's pipeline over the in-memory unit of work: history oldest first, manual overrides that
need a known status and a reason (and store nothing when refused), and moves by recommendation that
skip a status the person is already at. Every change is audited."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from core.debrief.pipeline import (
    MAX_REASON_CHARS,
    current_status,
    for_session,
    history,
    move_with_recommendation,
    set_status,
)
from core.errors import InvalidInput, NotFound
from core.models import Candidate, Session
from core.permissions.actor import Actor
from core.workspace import Workspace
from tests.actors import INTERVIEWER
from tests.clock import Clock
from tests.fakes import FakeUnitOfWork
from tests.unit.fake_workspace import fake_workspace


@pytest.fixture
def uow() -> FakeUnitOfWork:
    fake = FakeUnitOfWork()
    with fake:
        fake.candidates.add(Candidate(id="c1", name="Ana Rossi"))
        fake.sessions.add(Session(id="s1", problem_id="", kind="customer_discovery", candidate_id="c1"))
        fake.sessions.add(Session(id="s2", problem_id="", kind="customer_discovery"))  # nobody named
        fake.commit()
    return fake


@pytest.fixture
def ws(uow: FakeUnitOfWork) -> Workspace:
    return fake_workspace(uow, Clock(datetime(2026, 11, 20, 16, tzinfo=UTC)))


def move(uow: FakeUnitOfWork, session_id: str, status: str) -> object:
    with uow:
        change = move_with_recommendation(
            uow, session=uow.sessions.get(session_id), status=status, actor="lead", reason=f"Recommendation: {status}"
        )
        uow.commit()
    return change


def test_a_person_never_moved_has_no_status(ws: Workspace) -> None:
    assert history(ws, "c1") == [] and current_status(ws, "c1") is None
    pipeline = for_session(ws, "s1", actor=INTERVIEWER)
    assert pipeline is not None and (pipeline.candidate.name, pipeline.current, pipeline.history) == (
        "Ana Rossi",
        None,
        [],
    )
    assert for_session(ws, "s2", actor=INTERVIEWER) is None
    with pytest.raises(NotFound, match="No candidate with id nobody"):
        history(ws, "nobody")


def test_recommendations_move_the_person_once_per_status_and_are_audited(ws: Workspace, uow: FakeUnitOfWork) -> None:
    moved = move(uow, "s1", "follow_up")
    assert move(uow, "s1", "follow_up") is None  # already there
    move(uow, "s1", "activation")
    assert [(c.status, c.source, c.actor, c.session_id) for c in history(ws, "c1")] == [
        ("follow_up", "recommendation", "lead", "s1"),
        ("activation", "recommendation", "lead", "s1"),
    ]
    assert history(ws, "c1")[0] == moved
    assert current_status(ws, "c1").status == "activation"  # type: ignore[union-attr]
    assert [(e.action, e.detail["from"], e.detail["to"]) for e in uow.audit.latest(session_id="s1")] == [
        ("pipeline_moved", None, "follow_up"),
        ("pipeline_moved", "follow_up", "activation"),
    ]
    assert move(uow, "s2", "activation") is None  # no candidate: nobody to move
    assert uow.audit.latest(session_id="s2") == []


def test_a_manual_override_is_stored_with_its_reason_and_audited(ws: Workspace, uow: FakeUnitOfWork) -> None:
    move(uow, "s1", "follow_up")
    change = set_status(
        ws, "c1", status="withdrawn", reason=" Chose another vendor ", session_id="s1", actor=Actor.workspace("maya")
    )
    assert (change.status, change.source, change.actor, change.reason, change.session_id) == (
        "withdrawn",
        "manual",
        "maya",
        "Chose another vendor",
        "s1",
    )
    pipeline = for_session(ws, "s1", actor=INTERVIEWER)
    assert pipeline is not None and pipeline.current == change and len(pipeline.history) == 2
    entry = uow.audit.latest(session_id="s1")[-1]
    assert (entry.action, entry.actor, entry.detail) == (
        "pipeline_overridden",
        "maya",
        {"candidate": "c1", "from": "follow_up", "to": "withdrawn", "reason": "Chose another vendor"},
    )
    without_session = set_status(ws, "c1", status="new", reason="Reopened", actor=Actor.workspace("maya"))
    assert without_session.session_id is None
    assert [e.detail["to"] for e in uow.audit.latest() if e.action == "pipeline_overridden"] == ["withdrawn", "new"]


@pytest.mark.parametrize(
    ("candidate_id", "status", "reason", "session_id", "error", "message"),
    [
        (
            "c1",
            "hired",
            "Signed",
            None,
            InvalidInput,
            "'hired' is not a pipeline status; the statuses are new, interviewing, ",
        ),
        ("c1", "withdrawn", "   ", None, InvalidInput, "a manual move needs a reason"),
        ("c1", "withdrawn", "x" * (MAX_REASON_CHARS + 1), None, InvalidInput, f"at most {MAX_REASON_CHARS} characters"),
        ("c1", "follow_up", "No change", None, InvalidInput, "Ana Rossi is already at Follow-up"),
        ("nobody", "withdrawn", "Gone", None, NotFound, "No candidate with id nobody"),
        ("c1", "withdrawn", "Gone", "no-such-session", NotFound, "No interview with id no-such-session"),
    ],
)
def test_a_refused_override_stores_nothing(
    ws: Workspace,
    uow: FakeUnitOfWork,
    candidate_id: str,
    status: str,
    reason: str,
    session_id: str | None,
    error: type[Exception],
    message: str,
) -> None:
    move(uow, "s1", "follow_up")
    with pytest.raises(error, match=message):
        set_status(ws, candidate_id, status=status, reason=reason, session_id=session_id, actor=Actor.workspace("maya"))
    assert [c.status for c in history(ws, "c1")] == ["follow_up"]
    assert [e.action for e in uow.audit.latest()] == ["pipeline_moved"]
