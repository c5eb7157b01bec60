"""Terminal practice mode over a real SQLite workspace: what it prints and what it stores."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest

import entry.terminal_interview as terminal
from core.config import Settings
from core.interview.services import get_interview
from core.models import Level, Role, SessionStatus, Stage
from core.workspace import Workspace
from entry.bootstrap import build_workspace
from entry.terminal_interview import run_terminal_interview
from tests.actors import CANDIDATE

ANSWERS = [
    "How many new links per month should I expect?",
    "Users paste a long URL and get back a short link; opening the short link redirects to the original.",
    "Redirects must be fast, under 100 ms at p99, and 99.99% available, because a dead link is public.",
    "Out of scope: the web UI and billing. I assume anonymous users can create links.",
    "I expect about 1,000 links a day.",
]


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    return build_workspace(Settings(database_url="", runtime_dir=tmp_path))


def run(ws: Workspace, stdin_text: str, **kwargs: Any) -> tuple[str, str]:
    stdout = io.StringIO()
    options: dict[str, Any] = {"problem_id": "url_shortener", "provider": "offline", "level": Level.MID}
    session_id = run_terminal_interview(ws, stdin=io.StringIO(stdin_text), stdout=stdout, **(options | kwargs))
    return session_id, stdout.getvalue()


def test_a_terminal_interview_prints_the_conversation_and_stores_it(ws: Workspace) -> None:
    stdin = "\n".join([ANSWERS[0], "", "   ", *ANSWERS[1:], "/end", "typed after the end"]) + "\n"
    session_id, out = run(ws, stdin)

    lines = out.splitlines()
    assert lines[0].startswith("Design a URL Shortener — mid level, 45 minutes, offline interviewer")
    assert "--- Requirements ---" in lines
    assert any(line.startswith("Interviewer: Hi, I'll be your interviewer today.") for line in lines)
    assert "**" not in out  # plain text, no Markdown
    for answer in ANSWERS:
        assert f"You: {answer}" in lines
    assert "typed after the end" not in out
    you = [i for i, line in enumerate(lines) if line.startswith("You: ")]
    for i in you:  # every answer is followed by the interviewer (a stage heading may come between)
        after = [line for line in lines[i + 1 :] if line.strip() and not line.startswith("---")]
        assert after[0].startswith("Interviewer: ")
    assert "100 million new short links a month" in out  # the clarifying question was answered
    assert "--- Estimation ---" in lines  # the stage change is shown where it happens
    assert lines.index("--- Estimation ---") > you[3]
    assert "“about 1,000 links a day”" in out  # the wrong number is pushed back

    view = get_interview(ws, session_id, actor=CANDIDATE)
    assert view.session.status is SessionStatus.COMPLETED and view.session.ended_at is not None
    assert view.session.level is Level.MID and view.session.interviewer_provider == "offline"
    candidate = [m.content for m in view.messages if m.role is Role.CANDIDATE]
    assert candidate == ANSWERS  # blank lines skipped, nothing after /end
    roles = [m.role for m in view.messages]
    assert roles == [Role.INTERVIEWER] + [Role.CANDIDATE, Role.INTERVIEWER] * len(ANSWERS)
    assert view.messages[-1].meta["kind"] == "pushback" and view.messages[-1].meta["reason"] == "numbers"
    assert view.session.stage is Stage.ESTIMATION

    evaluation = view.evaluation
    assert evaluation is not None
    assert "--- Evaluation ---" in lines
    assert f"Overall: {evaluation.overall_score:.1f} / 5" in lines
    for competency in evaluation.competencies:
        assert any(line.split() == [*competency.name.split(), f"{competency.score:.1f}"] for line in lines)
    assert f"Session: {session_id}" in out and lines[-1].startswith(f"Session: {session_id}")


def test_end_of_input_ends_the_interview_and_the_bank_picks_a_problem(ws: Workspace) -> None:
    session_id, out = run(ws, "Users should be able to book seats.", problem_id=None, level="junior", minutes=30)
    view = get_interview(ws, session_id, actor=CANDIDATE)
    expected = ws.problems.choose(Level.JUNIOR, [])
    assert view.problem.id == expected.id and out.startswith(f"{expected.title} — junior level, 30 minutes")
    assert view.session.status is SessionStatus.COMPLETED and view.session.duration_minutes == 30
    assert [m.role for m in view.messages] == [Role.INTERVIEWER, Role.CANDIDATE, Role.INTERVIEWER]
    assert "I'll give you a hint" in out  # the junior opening
    assert "Overall:" in out


def test_no_answers_at_all_still_ends_with_an_evaluation(ws: Workspace) -> None:
    session_id, out = run(ws, "/end\n")
    view = get_interview(ws, session_id, actor=CANDIDATE)
    assert view.session.status is SessionStatus.COMPLETED and len(view.messages) == 1
    assert view.evaluation is not None and "Overall:" in out


def test_a_rejected_line_is_reported_and_the_interview_goes_on(ws: Workspace) -> None:
    session_id, out = run(ws, "x" * 9000 + "\n" + ANSWERS[1] + "\n")
    assert "error: That message is too long" in out
    view = get_interview(ws, session_id, actor=CANDIDATE)
    assert [m.content for m in view.messages if m.role is Role.CANDIDATE] == [ANSWERS[1]]


def test_the_provider_is_handed_to_the_services(ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, Any] = {}
    real_create = terminal.create_interview

    def create_spy(ws: Workspace, **kwargs: Any) -> Any:
        seen.update(kwargs)
        return real_create(ws, **(kwargs | {"provider": "offline"}))  # the real engines are wired elsewhere

    monkeypatch.setattr(terminal, "create_interview", create_spy)
    _, out = run(ws, ANSWERS[1] + "\n", provider="anthropic", level=Level.STAFF)
    assert seen["provider"] == "anthropic" and seen["level"] is Level.STAFF
    assert "anthropic interviewer" in out.splitlines()[0]
