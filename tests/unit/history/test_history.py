"""History services over the in-memory unit of work: the fake must answer like the databases do."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from core.config import Settings
from core.content.problems import load_problem_bank
from core.content.rubrics import load_rubrics
from core.errors import WorkspaceError
from core.history.services import (
    CompetencyDelta,
    candidate_trend,
    compare_sessions,
    search_history,
    session_detail,
)
from core.models import HistoryQuery
from core.workspace import Workspace
from storage.files import LocalFileStore
from tests.actors import CANDIDATE
from tests.fakes import FakeUnitOfWork
from tests.history_data import CASES, History, build_history

ROOT = Path(__file__).resolve().parents[3]
PROBLEMS = load_problem_bank(ROOT / "data" / "problems")
RUBRICS = load_rubrics(ROOT / "data" / "rubrics")


@pytest.fixture
def ws() -> Workspace:
    uow = FakeUnitOfWork()
    return Workspace(
        settings=Settings(),
        uow_factory=lambda: uow,
        files=LocalFileStore(Path("/nonexistent-unused")),
        problems=PROBLEMS,
        rubrics=RUBRICS,
    )


@pytest.fixture
def history(ws: Workspace) -> History:
    return build_history(ws.uow_factory)


@pytest.mark.parametrize(("query", "expected"), [(q, e) for _, q, e in CASES], ids=[name for name, _, _ in CASES])
def test_the_fake_filters_sorts_and_pages_like_sql(
    ws: Workspace, history: History, query: HistoryQuery, expected: list[str]
) -> None:
    assert [s.id for s in search_history(ws, query).items] == history.ids(*expected)


def test_detail_trend_and_comparison(ws: Workspace, history: History) -> None:
    detail = session_detail(ws, history.sessions["s1"], actor=CANDIDATE)
    assert [len(s.fabric_json["objects"]) for s in detail.snapshots] == [1, 2, 3]
    assert [a.overall_score for a in candidate_trend(ws, history.candidates["ada"]).attempts] == [4.5, 2.0]
    assert compare_sessions(ws, history.sessions["s3"], history.sessions["s1"], actor=CANDIDATE).overall.delta == 1.0


def test_a_session_whose_problem_left_the_bank_still_opens(ws: Workspace, history: History) -> None:
    with ws.uow_factory() as uow:
        session = uow.sessions.get(history.sessions["s2"])
        session.problem_id = "retired_problem"
        uow.sessions.update(session)
        uow.commit()
    detail = session_detail(ws, history.sessions["s2"], actor=CANDIDATE)
    assert detail.problem is None and detail.title == "Design a Payment System"


def test_a_delta_needs_both_scores() -> None:
    assert CompetencyDelta("k", "K", 3.0, 4.5).delta == 1.5
    assert CompetencyDelta("k", "K", None, 4.5).delta is None
    assert CompetencyDelta("k", "K", 3.0, None).delta is None


def test_date_bounds_need_a_timezone_and_an_order() -> None:
    with pytest.raises(WorkspaceError, match="timezone"):
        HistoryQuery(created_from=datetime(2025, 1, 1))
    with pytest.raises(WorkspaceError, match="ends before"):
        HistoryQuery(
            created_from=datetime.fromisoformat("2025-02-01T00:00+00:00"),
            created_to=datetime.fromisoformat("2025-01-01T00:00+00:00"),
        )
