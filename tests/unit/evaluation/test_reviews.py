"""Reviewer overrides over the in-memory unit of work: validation, both scores kept, overall recomputed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from core.config import Settings
from core.content.problems import load_problem_bank
from core.content.rubrics import load_rubrics
from core.errors import NotFound, SessionClosed
from core.evaluation.reviews import InvalidOverride, effective_scores, list_overrides, override_score, session_scores
from core.interview.services import create_interview, end_interview, send_message, start_interview
from core.models import CompetencyScore, Evaluation, Level, ScoreOverride
from core.permissions.actor import Actor
from core.workspace import Workspace
from storage.files import LocalFileStore
from tests.actors import ADMIN, CANDIDATE
from tests.fakes import FakeUnitOfWork
from tests.unit.evaluation.test_offline_evaluator import STRONG

ROOT = Path(__file__).resolve().parents[3]
PROBLEMS = load_problem_bank(ROOT / "data" / "problems")
RUBRICS = load_rubrics(ROOT / "data" / "rubrics")
RUBRIC = RUBRICS["system_design"]


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


@pytest.fixture
def uow() -> FakeUnitOfWork:
    return FakeUnitOfWork()


@pytest.fixture
def ws(uow: FakeUnitOfWork) -> Workspace:
    return Workspace(
        settings=Settings(),
        uow_factory=lambda: uow,
        files=LocalFileStore(Path("/nonexistent-unused")),
        problems=PROBLEMS,
        rubrics=RUBRICS,
        clock=Clock(),
    )


def interview(ws: Workspace, lines: list[str], *, end: bool = True) -> str:
    session = create_interview(ws, problem_id="url_shortener", level=Level.MID, actor=CANDIDATE)
    start_interview(ws, session.id, actor=CANDIDATE)
    for line in lines:
        send_message(ws, session.id, line, actor=CANDIDATE)
    if end:
        end_interview(ws, session.id, actor=CANDIDATE)
    return session.id


def test_an_override_keeps_the_original_and_recomputes_the_overall(ws: Workspace, uow: FakeUnitOfWork) -> None:
    session_id = interview(ws, STRONG)
    before = session_scores(ws, session_id, actor=ADMIN)
    assert before is not None and not before.overridden and before.overall == before.original_overall
    original = before.get("estimation").original
    assert original is not None

    stored = override_score(
        ws,
        session_id,
        "estimation",
        1.0,
        "  Numbers were  copied from the prompt. ",
        actor=Actor.workspace("Ana Reviewer"),
    )
    assert (stored.original_score, stored.new_score, stored.reviewer) == (original, 1.0, "Ana Reviewer")
    assert stored.justification == "Numbers were copied from the prompt."
    assert stored.id is not None and stored.created_at is not None

    after = session_scores(ws, session_id, actor=ADMIN)
    assert after is not None and after.overridden
    row = after.get("estimation")
    assert (row.original, row.score, row.override) == (original, 1.0, stored)
    assert after.original_overall == before.overall
    expected = RUBRIC.overall({c.key: c.score for c in after.competencies if c.score is not None})
    assert after.overall == expected and after.overall < before.overall  # type: ignore[operator]
    stored_evaluation = uow.evaluations.for_session(session_id)
    assert stored_evaluation is not None and stored_evaluation.overall_score == before.original_overall


def test_the_latest_override_wins_and_every_one_stays_on_record(ws: Workspace, uow: FakeUnitOfWork) -> None:
    session_id = interview(ws, STRONG)
    override_score(ws, session_id, "communication", 2.0, "Rambled.", actor=Actor.workspace("Ana"))
    override_score(
        ws, session_id, "communication", 4.5, "On replay the answers were clear.", actor=Actor.workspace("Ben")
    )
    scores = session_scores(ws, session_id, actor=ADMIN)
    assert scores is not None
    row = scores.get("communication")
    assert row.score == 4.5 and [o.new_score for o in row.history] == [2.0, 4.5]
    assert row.override is not None and row.override.reviewer == "Ben"
    assert [o.competency for o in list_overrides(ws, session_id, actor=ADMIN)] == ["communication", "communication"]
    audit = [e for e in uow.audit.latest(session_id=session_id) if e.action == "score_overridden"]
    assert [(e.actor, e.detail["previous_score"], e.detail["new_score"]) for e in audit] == [
        ("Ana", row.original, 2.0),
        ("Ben", 2.0, 4.5),
    ]
    assert audit[0].detail["justification"] == "Rambled."


@pytest.mark.parametrize(
    ("competency", "score", "justification", "reviewer", "message"),
    [
        ("estimation", 3.0, "", "Ana", "justification is required"),
        ("estimation", 3.0, "   \n ", "Ana", "justification is required"),
        ("estimation", 3.0, "x" * 2001, "Ana", "under 2000"),
        ("estimation", 0.5, "Too low.", "Ana", "between 1 and 5"),
        ("estimation", 5.5, "Too high.", "Ana", "between 1 and 5"),
        ("estimation", float("nan"), "Not a number.", "Ana", "between 1 and 5"),
        ("charisma", 3.0, "Not in the rubric.", "Ana", "no competency 'charisma'"),
    ],
)
def test_invalid_overrides_are_refused_and_nothing_is_stored(
    ws: Workspace, uow: FakeUnitOfWork, competency: str, score: float, justification: str, reviewer: str, message: str
) -> None:
    session_id = interview(ws, STRONG)
    with pytest.raises(InvalidOverride, match=message):
        override_score(ws, session_id, competency, score, justification, actor=Actor.workspace(reviewer))
    assert list_overrides(ws, session_id, actor=ADMIN) == []
    assert not any(e.action == "score_overridden" for e in uow.audit.latest(session_id=session_id))


def test_an_open_interview_cannot_be_adjusted(ws: Workspace) -> None:
    session_id = interview(ws, STRONG[:3], end=False)
    with pytest.raises(SessionClosed, match="once it is completed"):
        override_score(ws, session_id, "estimation", 3.0, "Early.", actor=Actor.workspace("Ana"))
    assert session_scores(ws, session_id, actor=ADMIN) is None
    with pytest.raises(NotFound):
        override_score(ws, "no-such-session", "estimation", 3.0, "Why.", actor=Actor.workspace("Ana"))


def test_an_unscored_evaluation_can_be_scored_by_a_reviewer(ws: Workspace) -> None:
    session_id = interview(ws, ["I'd use a cache."])
    scores = session_scores(ws, session_id, actor=ADMIN)
    assert scores is not None and scores.original_overall is None and scores.overall is None
    override_score(
        ws,
        session_id,
        "estimation",
        2.0,
        "Watched the recording: one estimate, no numbers.",
        actor=Actor.workspace("Ana"),
    )
    partial = session_scores(ws, session_id, actor=ADMIN)
    assert partial is not None and partial.get("estimation").score == 2.0 and partial.get("estimation").original is None
    assert partial.overall is None  # an overall needs every competency
    for c in RUBRIC.competencies:
        override_score(ws, session_id, c.key, 3.0, "Scored from the recording.", actor=Actor.workspace("Ana"))
    full = session_scores(ws, session_id, actor=ADMIN)
    assert full is not None and full.overall == 3.0 and full.original_overall is None


def test_effective_scores_is_pure_and_orders_by_time() -> None:
    evaluation = Evaluation("s", 3.0, [CompetencyScore(c.key, c.name, 3.0, 0.5) for c in RUBRIC.competencies])
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    later = ScoreOverride("s", "estimation", 3.0, 5.0, "later", "B", id=1, created_at=t0 + timedelta(minutes=1))
    earlier = ScoreOverride("s", "estimation", 3.0, 1.0, "earlier", "A", id=2, created_at=t0)
    scores = effective_scores(RUBRIC, evaluation, [later, earlier])
    assert scores.get("estimation").score == 5.0 and scores.get("estimation").history == [earlier, later]
    assert scores.original_overall == 3.0 and scores.overall is not None and scores.overall > 3.0
