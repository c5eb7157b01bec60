"""Each clarifying question of a message matched to the problem's facts on its own."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.content.problems import Problem, load_problem
from core.content.text_signals import question_sentences
from core.interview.clarifying import facts_for, match_questions, stem

DATA = Path(__file__).resolve().parents[3] / "data" / "problems"


@pytest.fixture(scope="module")
def shortener() -> Problem:
    return load_problem(DATA / "url_shortener.yaml")


def _fact(problem: Problem, words: str) -> int:
    return next(i for i, f in enumerate(problem.facts) if words in f.answer)


def test_every_question_gets_its_own_fact(shortener: Problem) -> None:
    text = "How many new links per month? What's the latency target for redirects? And can users pick a custom alias?"
    matched = match_questions(question_sentences(text), shortener.facts, text)
    assert matched.facts == [_fact(shortener, "100 million"), _fact(shortener, "100 ms"), _fact(shortener, "alias")]
    assert matched.unanswered == []


def test_two_questions_in_one_sentence_are_split(shortener: Problem) -> None:
    found = facts_for("How long do links live and how many redirects per second should I plan for?", shortener.facts)
    assert _fact(shortener, "5 years") in found and _fact(shortener, "4,000 redirects") in found


def test_a_question_no_fact_answers_is_reported_unless_the_candidate_answers_it(shortener: Problem) -> None:
    text = "What's the availability target? And should I write the servers in Go or Java?"
    matched = match_questions(question_sentences(text), shortener.facts, text)
    assert matched.unanswered == ["And should I write the servers in Go or Java?"]
    rhetorical = "What if the cache node fails? We fall back to the database with a short timeout."
    assert match_questions(question_sentences(rhetorical), shortener.facts, rhetorical).unanswered == []


def test_the_kind_of_quantity_asked_for_picks_the_fact() -> None:
    tickets = load_problem(DATA / "ticket_booking.yaml")
    found = facts_for("How long is a seat held while the fan pays?", tickets.facts)
    assert found == [_fact(tickets, "8 minutes")]


@pytest.mark.parametrize(("word", "stemmed"), [("opens", "open"), ("opening", "open"), ("messages", "message"),
                                                ("caches", "cache"), ("class", "class"), ("boxes", "box")])  # fmt: skip
def test_stems(word: str, stemmed: str) -> None:
    assert stem(word) == stemmed
