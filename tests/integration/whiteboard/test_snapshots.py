"""Whiteboard snapshots against real SQLite and PostgreSQL: stored, deduplicated, restored after a restart."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from core.config import Settings
from core.errors import SessionClosed
from core.interview.services import create_interview, end_interview, send_message, start_interview
from core.whiteboard.snapshots import latest_analysis, latest_snapshot, save_snapshot
from core.workspace import Workspace
from entry.bootstrap import build_workspace
from tests.actors import CANDIDATE

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "whiteboard"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def drawing(name: str) -> dict:
    return json.loads((FIXTURES / f"{name}.json").read_text())


@pytest.fixture
def ws(database_url: str, tmp_path: Path) -> Workspace:
    return build_workspace(Settings(database_url=database_url, runtime_dir=tmp_path / "runtime"))


def test_snapshot_round_trip_and_restart(ws: Workspace) -> None:
    session = create_interview(ws, problem_id="url_shortener", actor=CANDIDATE)
    start_interview(ws, session.id, actor=CANDIDATE)
    board = drawing("url_shortener")
    stored = save_snapshot(ws, session.id, board, PNG, actor=CANDIDATE)
    assert save_snapshot(ws, session.id, board, PNG, actor=CANDIDATE).id == stored.id  # unchanged: not stored twice

    restarted = build_workspace(ws.settings)  # a new process: what a reload sees
    latest = latest_snapshot(restarted, session.id, actor=CANDIDATE)
    assert latest is not None and latest.fabric_json == board and latest.id == stored.id
    assert latest.png_path is not None and restarted.files.read(latest.png_path) == PNG
    analysis = latest_analysis(restarted, session.id, actor=CANDIDATE)
    assert analysis is not None and ("database", "replica") in analysis.edges


def test_the_reply_reads_the_latest_drawing_and_an_ended_interview_takes_no_more(ws: Workspace) -> None:
    session = create_interview(ws, problem_id="url_shortener", actor=CANDIDATE)
    start_interview(ws, session.id, actor=CANDIDATE)
    save_snapshot(ws, session.id, drawing("two_boxes_unconnected"), PNG, actor=CANDIDATE)
    reply = send_message(
        ws, session.id, "Users paste a long URL and get a short link that redirects to it.", actor=CANDIDATE
    )
    assert reply.meta.get("board") == "unconnected:cache|database"
    end_interview(ws, session.id, actor=CANDIDATE)
    with pytest.raises(SessionClosed):
        save_snapshot(ws, session.id, drawing("url_shortener"), PNG, actor=CANDIDATE)
