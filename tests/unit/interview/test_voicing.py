"""The rules a model voicing a move gets, and the breaches that keep its words out."""

from __future__ import annotations

from pathlib import Path

from core.content.problems import load_problem
from core.interview.offline_interviewer import Turn
from core.interview.voicing import brief, check_voicing
from core.models import Stage

PROBLEM = load_problem(Path(__file__).resolve().parents[3] / "data" / "problems" / "url_shortener.yaml")
CHALLENGE = Turn(
    "You said “400 redirects per second”. Walk me through that arithmetic: how many seconds are there in a month?",
    Stage.ESTIMATION,
    {"kind": "pushback", "reason": "numbers", "claim": "400 redirects per second", "key": "arithmetic:x",
     "question": "Walk me through that arithmetic: how many seconds are there in a month?",
     "reveal": "by your own numbers it's about 3,900 per second, not 400 redirects per second."},
)  # fmt: skip
PROBE = Turn(
    "Good — “Redis in front of Cassandra”: a cache takes most reads off the store. How would you shard the links?",
    Stage.DEEP_DIVE,
    {"kind": "probe", "topic": "sharding", "question": "How would you shard the links?"},
)


def test_a_challenge_brief_keeps_the_answer_back_and_forbids_praise() -> None:
    text = brief(CHALLENGE, PROBLEM, 30)
    assert "“400 redirects per second”" in text and "Do not give the right answer" in text
    assert "Do not praise" in text and "about 30 minutes remain" in text


def test_a_probe_brief_names_the_only_praise_allowed() -> None:
    text = brief(PROBE, PROBLEM, 20)
    assert "name what you acknowledge (“Redis in front of Cassandra”)" in text
    assert "Ask exactly one question, the planned one: How would you shard the links?" in text


def test_breaches_are_an_early_end_a_given_away_answer_and_a_missing_fact() -> None:
    assert check_voicing(PROBE, PROBLEM, "Great. That's the end of the interview.") == [
        "announced the end, which the plan did not"
    ]
    assert check_voicing(CHALLENGE, PROBLEM, "It's about 3,900 per second, not 400.") == [
        "gave away the answer the challenge keeps back"
    ]
    assert check_voicing(CHALLENGE, PROBLEM, "You said 400 a second — how many seconds in a month?") == []
    answer = Turn("…", Stage.REQUIREMENTS, {"kind": "answer", "facts": [0, 6]})
    assert check_voicing(answer, PROBLEM, "About 100 million links a month.") == [
        "left out the answer to a question (fact 6)"
    ]
