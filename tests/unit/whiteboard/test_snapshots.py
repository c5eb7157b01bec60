"""Whiteboard snapshots over the in-memory unit of work and a real file store; the interviewer reads the
latest drawing when it replies."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from core.config import Settings
from core.content.problems import load_problem_bank
from core.content.rubrics import load_rubrics
from core.errors import InvalidInput, NotFound, SessionClosed
from core.interview.services import (
    cancel_interview,
    create_interview,
    end_interview,
    send_message,
    start_interview,
)
from core.models import WhiteboardSnapshot
from core.whiteboard.snapshots import latest_analysis, latest_snapshot, save_snapshot
from core.workspace import Workspace
from storage.files import LocalFileStore
from tests.actors import CANDIDATE
from tests.fakes import FakeUnitOfWork

ROOT = Path(__file__).resolve().parents[3]
PROBLEMS = load_problem_bank(ROOT / "data" / "problems")
RUBRICS = load_rubrics(ROOT / "data" / "rubrics")
FIXTURES = ROOT / "tests" / "fixtures" / "whiteboard"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def drawing(name: str) -> dict:
    return json.loads((FIXTURES / f"{name}.json").read_text())


@pytest.fixture
def uow() -> FakeUnitOfWork:
    return FakeUnitOfWork()


@pytest.fixture
def ws(uow: FakeUnitOfWork, tmp_path: Path) -> Workspace:
    return Workspace(
        settings=Settings(interview_minutes=45),
        uow_factory=lambda: uow,
        files=LocalFileStore(tmp_path),
        problems=PROBLEMS,
        rubrics=RUBRICS,
        clock=lambda: datetime(2026, 11, 2, 10, 0, tzinfo=UTC),
    )


@pytest.fixture
def session_id(ws: Workspace) -> str:
    session = create_interview(ws, problem_id="url_shortener", actor=CANDIDATE)
    start_interview(ws, session.id, actor=CANDIDATE)
    return session.id


def test_save_stores_png_and_json_in_the_session_folder(ws: Workspace, session_id: str) -> None:
    board = drawing("two_boxes_unconnected")
    snapshot = save_snapshot(ws, session_id, board, PNG, actor=CANDIDATE)
    assert snapshot.id is not None and snapshot.fabric_json == board
    assert snapshot.png_path is not None and ws.files.read(snapshot.png_path) == PNG
    folder = ws.files.session_dir(session_id)
    (stored_json,) = folder.glob("whiteboard-*.json")
    assert json.loads(stored_json.read_text()) == board
    assert latest_snapshot(ws, session_id, actor=CANDIDATE) == snapshot


def test_an_unchanged_drawing_is_not_stored_again(ws: Workspace, session_id: str, uow: FakeUnitOfWork) -> None:
    board = drawing("two_boxes_unconnected")
    first = save_snapshot(ws, session_id, board, PNG, actor=CANDIDATE)
    again = save_snapshot(ws, session_id, {**board, "version": "7.9.9"}, PNG, actor=CANDIDATE)
    assert again == first and len(uow.whiteboards.in_session(session_id)) == 1
    changed = save_snapshot(ws, session_id, drawing("url_shortener"), None, actor=CANDIDATE)
    assert changed.id != first.id and changed.png_path is None
    assert len(uow.whiteboards.in_session(session_id)) == 2


def test_latest_analysis_compares_with_the_problems_reference(ws: Workspace, session_id: str) -> None:
    assert (
        latest_snapshot(ws, session_id, actor=CANDIDATE) is None
        and latest_analysis(ws, session_id, actor=CANDIDATE) is None
    )
    save_snapshot(ws, session_id, drawing("url_shortener"), actor=CANDIDATE)
    analysis = latest_analysis(ws, session_id, actor=CANDIDATE)
    assert analysis is not None
    assert {"load balancer", "api server", "cache", "database"} <= set(analysis.present)
    assert "id generator" in analysis.missing and "object store" not in analysis.missing  # not in the reference


def test_closed_unknown_and_malformed_are_refused(ws: Workspace, session_id: str) -> None:
    with pytest.raises(InvalidInput):
        save_snapshot(ws, session_id, {"objects": "not a list"}, actor=CANDIDATE)
    with pytest.raises(NotFound):
        save_snapshot(ws, "no-such-session", {"objects": []}, actor=CANDIDATE)
    cancel_interview(ws, session_id, actor=CANDIDATE)
    with pytest.raises(SessionClosed):
        save_snapshot(ws, session_id, drawing("two_boxes_unconnected"), PNG, actor=CANDIDATE)
    assert not list(ws.files.session_dir(session_id).glob("whiteboard-*"))


def test_the_interviewer_refers_to_the_drawing(ws: Workspace, session_id: str) -> None:
    save_snapshot(ws, session_id, drawing("two_boxes_unconnected"), PNG, actor=CANDIDATE)
    reply = send_message(
        ws,
        session_id,
        "Users paste a long URL and get a short link back; opening the short link redirects them to the "
        "original page, and redirects must stay fast and available.",
        actor=CANDIDATE,
    )
    assert "cache and the database aren't connected" in reply.content
    assert reply.meta["board"] == "unconnected:cache|database"


MALFORMED = [
    {"type": "Path", "path": [["M", 0, 0], ["L", 50, 50]], "pathOffset": "12,4"},
    {"type": "Path", "path": [["M", 0, 0], ["L", 50, 50]], "pathOffset": {"x": None, "y": "3"}},
    {"type": "Group", "objects": None},
    {"type": "Group", "objects": 7},
    {"type": "Rect", "left": 10**400, "top": 0, "width": 10, "height": 10},
    {"type": "Path", "path": [["M", 10**400, 0], ["L", 1, 1]]},
    {"type": "Line", "x1": 10**400, "y1": 0, "x2": 0, "y2": 0, "stroke": "rgb(31, 41, 55)"},
]


def test_a_malformed_drawing_is_refused_and_nothing_is_stored(
    ws: Workspace, session_id: str, uow: FakeUnitOfWork
) -> None:
    for obj in MALFORMED:
        board = drawing("two_boxes_unconnected")
        with pytest.raises(InvalidInput, match="not kept"):
            save_snapshot(ws, session_id, {**board, "objects": [*board["objects"], obj]}, PNG, actor=CANDIDATE)
    assert uow.whiteboards.in_session(session_id) == []
    assert not list(ws.files.session_dir(session_id).glob("whiteboard-*"))


def test_replies_and_the_end_still_work_with_a_malformed_board_kept_before_it_was_refused(
    ws: Workspace, session_id: str, uow: FakeUnitOfWork
) -> None:
    """A board stored by an older version (no checks then) made every reply and the end of the interview raise."""
    board = drawing("two_boxes_unconnected")
    with uow:
        uow.whiteboards.add(
            WhiteboardSnapshot(session_id, None, {**board, "objects": [*MALFORMED, *board["objects"], *MALFORMED]})
        )
        uow.commit()
    analysis = latest_analysis(ws, session_id, actor=CANDIDATE)
    assert analysis is not None and analysis.components == ["cache", "database"]
    reply = send_message(
        ws,
        session_id,
        "Users paste a long URL and get a short link back; opening the short link redirects them to the "
        "original page, and redirects must stay fast and available.",
        actor=CANDIDATE,
    )
    assert "cache and the database aren't connected" in reply.content
    evaluation = end_interview(ws, session_id, actor=CANDIDATE)
    assert evaluation.session_id == session_id
