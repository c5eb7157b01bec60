"""The offline interviewer's follow-ups from the whiteboard: what is drawn, what is loose, what is missing."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from core.content.problems import Problem, load_problem
from core.content.rubrics import Rubric, load_rubric
from core.interview.offline_interviewer import OfflineInterviewer, Turn
from core.models import Message, Role, Session, SessionStatus, Stage
from core.whiteboard.analysis import BoardAnalysis, analyse, read_board

ROOT = Path(__file__).resolve().parents[3]
DATA = ROOT / "data"
FIXTURES = ROOT / "tests" / "fixtures" / "whiteboard"
T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)

ANSWERS = [
    "Users paste a long URL and get back a short link; opening the short link redirects to the original.",
    "Redirects must be fast, under 100 ms at p99, and 99.99% available, because a dead link is public.",
    "Out of scope: the web UI and billing. I assume anonymous users can create links.",
]
DESIGN_ANSWERS = [
    "Clients call a load balancer in front of stateless API servers, which read the link from the database "
    "through a cache, because reads dominate writes by about 100 to 1.",
    "The API is POST /links returning the code, and GET /{code} answering with a redirect to the long URL.",
    "A redirect request goes from the browser to the load balancer, then an API server, then the cache, and on "
    "a miss to the database, which returns the long URL.",
]


@pytest.fixture(scope="module")
def rubric() -> Rubric:
    return load_rubric(DATA / "rubrics" / "system_design.yaml")


@pytest.fixture(scope="module")
def problem() -> Problem:
    return load_problem(DATA / "problems" / "url_shortener.yaml")


def board(name: str, problem: Problem) -> BoardAnalysis:
    return analyse(read_board(json.loads((FIXTURES / f"{name}.json").read_text())), problem.reference_components)


def hand_drawn(problem: Problem, *labels: str, connect: bool = True) -> BoardAnalysis:
    """Boxes in a row, each labelled, joined left to right by lines when `connect`."""
    objects: list[dict[str, Any]] = []
    for i, label in enumerate(labels):
        objects.append({"type": "Rect", "left": i * 200, "top": 0, "width": 120, "height": 80})
        objects.append({"type": "IText", "text": label, "left": i * 200 + 60, "top": 40, "width": 50, "height": 20,
                        "originX": "center", "originY": "center"})  # fmt: skip
        if connect and i:
            objects.append({"type": "Line", "left": i * 200 - 40, "top": 40, "originX": "center",
                            "originY": "center", "x1": -40, "y1": 0, "x2": 40, "y2": 0})  # fmt: skip
    return analyse(read_board({"objects": objects}), problem.reference_components)


class Chat:
    def __init__(self, problem: Problem, rubric: Rubric, stage: Stage = Stage.REQUIREMENTS) -> None:
        self.interviewer = OfflineInterviewer(problem, rubric)
        self.session = Session(
            id="s1", problem_id=problem.id, status=SessionStatus.ACTIVE, duration_minutes=60, started_at=T0,
            stage=stage, stage_started_at=T0,
        )  # fmt: skip
        self.now = T0
        opening = self.interviewer.opening(self.session)
        self.history = [Message("s1", Role.INTERVIEWER, opening.text, stage=stage, meta=opening.meta, created_at=T0)]

    def say(self, text: str, board: BoardAnalysis | None = None) -> Turn:
        self.now += timedelta(seconds=20)
        self.history.append(Message("s1", Role.CANDIDATE, text, stage=self.session.stage, created_at=self.now))
        turn = self.interviewer.reply(self.session, list(self.history), self.now, board=board)
        self.history.append(
            Message("s1", Role.INTERVIEWER, turn.text, stage=turn.stage, meta=turn.meta, created_at=self.now)
        )
        if turn.stage is not self.session.stage:
            self.session.stage, self.session.stage_started_at = turn.stage, self.now
        return turn


def test_no_drawing_changes_nothing(problem: Problem, rubric: Rubric) -> None:
    plain, empty = Chat(problem, rubric), Chat(problem, rubric)
    empty_board = analyse(read_board({"objects": []}), problem.reference_components)
    for answer in ANSWERS:
        assert plain.say(answer).text == empty.say(answer, board=empty_board).text


def test_unconnected_boxes_drawn_in_a_real_browser_get_a_how_do_they_talk_question(
    problem: Problem, rubric: Rubric
) -> None:
    chat = Chat(problem, rubric)
    drawn = board("two_boxes_unconnected", problem)
    turn = chat.say(ANSWERS[0], board=drawn)
    assert "On your board the cache and the database aren't connected. How does the cache talk to the database?" in (
        turn.text
    )
    assert turn.meta["kind"] == "probe" and turn.meta["board"] == "unconnected:cache|database"
    assert turn.meta["topic"] == "request_flow"
    # early stages: one question about the drawing per stage, the rest is the stage's own topics
    for answer in ANSWERS[1:]:
        assert "board" not in chat.say(answer, board=drawn).meta


def test_design_stage_alternates_drawing_and_topic_probes(problem: Problem, rubric: Rubric) -> None:
    chat = Chat(problem, rubric, stage=Stage.HIGH_LEVEL_DESIGN)
    drawn = hand_drawn(problem, "Redis cache", "Postgres")
    first = chat.say(DESIGN_ANSWERS[0], board=drawn)
    assert first.meta["board"] == "cache"
    assert "What happens when the cache node holding a hot key fails?" in first.text
    assert "board" not in chat.say(DESIGN_ANSWERS[1], board=drawn).meta
    third = chat.say(DESIGN_ANSWERS[2], board=drawn)
    assert third.meta["board"] == "database"
    assert "The database on your board is a single box" in third.text


def test_replicas_on_the_board_bring_the_replica_lag_question(problem: Problem, rubric: Rubric) -> None:
    chat = Chat(problem, rubric, stage=Stage.DEEP_DIVE)
    drawn = board("url_shortener", problem)
    asked = [chat.say(answer, board=drawn) for answer in DESIGN_ANSWERS * 2]
    board_questions = [t.meta["question"] for t in asked if t.meta.get("board")]
    assert any("replica lags behind the primary" in q for q in board_questions)
    assert any("load balancer on your board" in q for q in board_questions)
    assert len(board_questions) == len(set(board_questions))  # never the same question twice


def test_a_missing_object_store_gets_where_do_the_images_live(rubric: Rubric) -> None:
    video = load_problem(DATA / "problems" / "video_streaming.yaml")
    chat = Chat(video, rubric, stage=Stage.HIGH_LEVEL_DESIGN)
    drawn = analyse(read_board({"objects": []}), video.reference_components)
    assert drawn.is_empty  # an empty board says nothing
    drawn = hand_drawn(video, "mobile app", "API gateway", "video service")
    asked = [chat.say(answer, board=drawn) for answer in DESIGN_ANSWERS * 2]
    questions = [t.meta["question"] for t in asked if t.meta.get("board")]
    assert "Where do the images and other large files live? I don't see an object store on the board." in questions
