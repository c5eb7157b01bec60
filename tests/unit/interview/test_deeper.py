"""Harder questions for time to spare come from the problem's own data."""

from __future__ import annotations

from pathlib import Path

from core.content.problems import load_problem
from core.interview.deeper import deeper_questions
from core.models import Stage

DATA = Path(__file__).resolve().parents[3] / "data" / "problems"


def test_covered_topics_get_their_hardest_follow_ups_first_then_load_and_failure_drills() -> None:
    problem = load_problem(DATA / "url_shortener.yaml")
    topics = problem.stages[Stage.DEEP_DIVE].topics
    questions = deeper_questions(problem, topics, ["caching", "sharding"], Stage.DEEP_DIVE)
    assert [q.question for q in questions[:2]] == [
        problem.follow_ups["caching"][-1],
        problem.follow_ups["sharding"][-1],
    ]
    scale = next(q for q in questions if q.drill == "scale")
    assert "200,000 redirects per second at peak" in scale.question and scale.topic == "hotspots"
    failures = [q for q in questions if q.drill == "failure"]
    assert len(failures) == len(problem.components) and failures[0].topic == "failure_handling"
    assert "the load balancer goes down at peak traffic" in failures[0].question


def test_high_level_design_gets_follow_ups_but_no_drills() -> None:
    problem = load_problem(DATA / "url_shortener.yaml")
    questions = deeper_questions(problem, problem.stages[Stage.HIGH_LEVEL_DESIGN].topics, ["api_design"],
                                 Stage.HIGH_LEVEL_DESIGN)  # fmt: skip
    assert questions and all(q.drill is None and q.topic == "api_design" for q in questions)
