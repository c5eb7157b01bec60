"""Approval before sharing over real databases (SQLite and PostgreSQL): the release, the queue, what follows.

The repository surface is also checked side by side with the in-memory fake that unit tests use.
"""

from __future__ import annotations

import io
import json
import uuid
import zipfile
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from core.accounts.services import new_account
from core.config import PrivacySettings, Settings
from core.errors import AccessDenied, NotFound
from core.evaluation.release import (
    ReleaseStatus,
    approve,
    awaiting_approval,
    is_released,
    release_status,
    released_report,
    withdraw,
)
from core.evaluation.report import load_report
from core.evaluation.report_export import report_markdown
from core.evaluation.reviews import override_score
from core.history.session_export import session_zip
from core.interview.services import create_interview, end_interview, send_message, start_interview
from core.models import AccountRole, Candidate, Evaluation, Level, Session
from core.permissions.actor import Actor
from core.unit_of_work import UnitOfWork
from core.workspace import Workspace
from storage.database import make_engine
from storage.files import LocalFileStore
from storage.migrate import downgrade, upgrade
from storage.unit_of_work import make_uow_factory
from tests.actors import CANDIDATE
from tests.fakes import FakeUnitOfWork
from tests.unit.evaluation.test_offline_evaluator import STRONG
from tests.unit.fake_workspace import content

T0 = datetime(2030, 6, 4, 10, 0, tzinfo=UTC)


@pytest.fixture
def ws(database_url: str, engine: Engine, tmp_path: Path) -> Workspace:
    """The real database and file store; content loaded once per run (build_workspace would reload it)."""
    problems, rubrics, templates = content()
    return Workspace(
        settings=Settings(database_url=database_url, runtime_dir=tmp_path),
        uow_factory=make_uow_factory(engine),
        files=LocalFileStore(tmp_path),
        problems=problems,
        rubrics=rubrics,
        templates=templates,
    )


def without_approval(ws: Workspace) -> Workspace:
    return replace(ws, settings=ws.settings.model_copy(update={"privacy": PrivacySettings(evaluation_approval=False)}))


def completed(ws: Workspace, lines: list[str] = STRONG[:6]) -> str:
    candidate = Candidate(id=uuid.uuid4().hex, name="Ana Rossi")
    with ws.uow_factory() as uow:
        uow.candidates.add(candidate)
        uow.commit()
    session = create_interview(
        ws, problem_id="url_shortener", level=Level.MID, candidate_id=candidate.id, actor=CANDIDATE
    )
    start_interview(ws, session.id, actor=CANDIDATE)
    for line in lines:
        send_message(ws, session.id, line, actor=CANDIDATE)
    end_interview(ws, session.id, actor=CANDIDATE)
    return session.id


def audit_actions(ws: Workspace, session_id: str) -> list[tuple[str, str]]:
    with ws.uow_factory() as uow:
        return [(e.action, e.actor) for e in uow.audit.latest(session_id=session_id) if "release" in e.action]


def test_an_evaluation_waits_in_the_queue_until_a_reviewer_approves_it(ws: Workspace) -> None:
    session_id = completed(ws)
    assert release_status(ws, session_id, actor=CANDIDATE) is ReleaseStatus.AWAITING and not is_released(
        ws, session_id, actor=CANDIDATE
    )
    assert released_report(ws, session_id, actor=CANDIDATE) is None
    [row] = awaiting_approval(ws)
    assert (row.session_id, row.problem_title, row.candidate_name) == (
        session_id,
        "Design a URL Shortener",
        "Ana Rossi",
    )
    assert row.ended_at is not None and row.overall_score is not None and not row.adjusted
    assert "Not yet released to the candidate" in report_markdown(load_report(ws, session_id, actor=CANDIDATE))

    release = approve(ws, session_id, actor=Actor.workspace("Bea Ng"))
    assert (release.session_id, release.approved_by) == (session_id, "Bea Ng")
    assert release.approved_at.tzinfo is not None
    assert release_status(ws, session_id, actor=CANDIDATE) is ReleaseStatus.RELEASED and awaiting_approval(ws) == []
    report = released_report(ws, session_id, actor=CANDIDATE)
    assert report is not None and report.release == release
    assert f"Released to the candidate on {release.approved_at:%Y-%m-%d}" in report_markdown(report)
    with zipfile.ZipFile(io.BytesIO(session_zip(ws, session_id, actor=CANDIDATE))) as archive:
        stored = json.loads(archive.read("evaluation.json"))["release"]
    assert stored["approved_by"] == "Bea Ng" and stored["evaluation_id"] == release.evaluation_id

    assert approve(ws, session_id, actor=Actor.workspace("Carl")) == release, "a second approval keeps the first"
    assert audit_actions(ws, session_id) == [("evaluation_released", "Bea Ng")]


def test_approval_is_refused_to_anyone_but_a_reviewer_and_without_an_evaluation(ws: Workspace) -> None:
    running = create_interview(ws, problem_id="url_shortener", level=Level.MID, actor=CANDIDATE)
    start_interview(ws, running.id, actor=CANDIDATE)
    with pytest.raises(NotFound, match="no evaluation"):
        approve(ws, running.id, actor=Actor.workspace("Bea"))
    with pytest.raises(NotFound):
        approve(ws, "no-such-session", actor=Actor.workspace("Bea"))
    assert release_status(ws, running.id, actor=CANDIDATE) is ReleaseStatus.NOT_EVALUATED and not is_released(
        ws, running.id, actor=CANDIDATE
    )
    session_id = completed(ws)
    interviewer = new_account("ivan@example.com", "Ivan", [AccountRole.INTERVIEWER, AccountRole.CANDIDATE], "core")
    with pytest.raises(AccessDenied):
        approve(ws, session_id, actor=Actor.person(interviewer))
    assert not is_released(ws, session_id, actor=CANDIDATE) and audit_actions(ws, session_id) == []


def test_withdrawing_hides_it_again_and_an_override_after_release_keeps_it_released(ws: Workspace) -> None:
    session_id = completed(ws)
    override_score(
        ws, session_id, "reliability", 5.0, "Failover was discussed at length.", actor=Actor.workspace("Bea")
    )
    [row] = awaiting_approval(ws)
    assert row.adjusted and row.overall_score == load_report(ws, session_id, actor=CANDIDATE).scores.overall

    approve(ws, session_id, actor=Actor.workspace("Bea"))
    override_score(ws, session_id, "scalability", 1.0, "Sharding was never explained.", actor=Actor.workspace("Carl"))
    report = released_report(ws, session_id, actor=CANDIDATE)
    assert report is not None and report.scores.get("scalability").score == 1.0, "the candidate sees the new score"

    withdraw(ws, session_id, actor=Actor.workspace("Carl"))
    withdraw(ws, session_id, actor=Actor.workspace("Carl"))  # nothing left to withdraw: no second entry
    assert release_status(ws, session_id, actor=CANDIDATE) is ReleaseStatus.AWAITING
    assert [r.session_id for r in awaiting_approval(ws)] == [session_id]
    assert audit_actions(ws, session_id) == [("evaluation_released", "Bea"), ("evaluation_release_withdrawn", "Carl")]


def test_with_approval_off_the_candidate_sees_it_at_once(ws: Workspace) -> None:
    open_ws = without_approval(ws)
    session_id = completed(open_ws)
    assert release_status(open_ws, session_id, actor=CANDIDATE) is ReleaseStatus.RELEASED and is_released(
        open_ws, session_id, actor=CANDIDATE
    )
    report = released_report(open_ws, session_id, actor=CANDIDATE)
    assert report is not None and report.release is None
    assert "released to the candidate" not in report_markdown(report).lower()
    assert [r.session_id for r in awaiting_approval(open_ws)] == [session_id], "never reviewed: still listed"


def test_a_new_evaluation_needs_a_new_approval(ws: Workspace) -> None:
    session_id = completed(ws)
    approve(ws, session_id, actor=Actor.workspace("Bea"))
    with ws.uow_factory() as uow:
        old = uow.evaluations.for_session(session_id)
    assert old is not None
    engine = make_engine(ws.settings.effective_database_url)
    try:  # the evaluation is replaced, as a re-evaluation would
        with engine.begin() as connection:
            connection.execute(text("DELETE FROM evaluations WHERE session_id = :id"), {"id": session_id})
    finally:
        engine.dispose()
    with ws.uow_factory() as uow:
        uow.evaluations.add(replace(old, id=None, created_at=None))
        uow.commit()
    assert release_status(ws, session_id, actor=CANDIDATE) is ReleaseStatus.AWAITING
    assert [r.session_id for r in awaiting_approval(ws)] == [session_id]


def test_the_migration_adds_the_release_to_existing_evaluations_and_removes_it_again(ws: Workspace) -> None:
    session_id = completed(ws)
    approve(ws, session_id, actor=Actor.workspace("Bea"))
    url = ws.settings.effective_database_url
    downgrade(url, "0011")
    upgrade(url)
    assert release_status(ws, session_id, actor=CANDIDATE) is ReleaseStatus.AWAITING, (
        "the evaluation stays; its approval is gone"
    )


# --- the repository surface, fake and databases side by side ---------------------------------------


def test_repositories_release_withdraw_and_list_what_waits(uow_factory: Callable[[], UnitOfWork]) -> None:
    fake = FakeUnitOfWork()
    for factory in (uow_factory, lambda: fake):
        release_withdraw_and_queue(factory)


def release_withdraw_and_queue(factory: Callable[[], UnitOfWork]) -> None:
    with factory() as uow:
        uow.candidates.add(Candidate(id="c1", name="Ana Rossi", created_at=T0))
        for number in (1, 2, 3):
            uow.sessions.add(Session(id=f"s{number}", problem_id="url_shortener", candidate_id="c1", created_at=T0))
        for number in (2, 1):  # s2 was evaluated first: it has waited longest
            at = T0 + timedelta(minutes=10 * (3 - number))
            uow.evaluations.add(Evaluation(f"s{number}", 3.0 + number / 10, [], created_at=at))
        uow.commit()
    with factory() as uow:
        assert [s.id for s in uow.sessions.awaiting_release()] == ["s2", "s1"]
        assert uow.evaluations.release_of("s1") is None and uow.evaluations.release_of("s3") is None
        release = uow.evaluations.release("s1", approved_at=T0 + timedelta(hours=1), approved_by="Bea")
        uow.commit()
    with factory() as uow, pytest.raises(NotFound):
        uow.evaluations.release("s3", approved_at=T0, approved_by="Bea")
    with factory() as uow:
        assert uow.evaluations.release_of("s1") == release
        assert (release.session_id, release.approved_at, release.approved_by) == ("s1", T0 + timedelta(hours=1), "Bea")
        [waiting] = uow.sessions.awaiting_release()
        assert (waiting.id, waiting.candidate_name, waiting.overall_score) == ("s2", "Ana Rossi", 3.2)
        uow.evaluations.withdraw_release("s1")
        uow.commit()
    with factory() as uow:
        assert uow.evaluations.release_of("s1") is None
        assert [s.id for s in uow.sessions.awaiting_release(limit=1)] == ["s2"]
