"""The transcript-quality gate: too short or too garbled → "not enough to judge", never invented scores."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from core.content.problems import load_problem
from core.content.prompts import load_prompt
from core.content.rubrics import load_rubric
from core.evaluation.llm_evaluator import LLMEvaluator
from core.evaluation.offline_evaluator import OfflineEvaluator
from core.evaluation.transcript_quality import MIN_CANDIDATE_WORDS, assess
from core.llm.chat_models import ChatResult
from core.models import Level, Utterance
from tests.unit.evaluation.test_offline_evaluator import STRONG, transcript

DATA = Path(__file__).resolve().parents[3] / "data"
RUBRIC = load_rubric(DATA / "rubrics" / "system_design.yaml")
PROBLEM = load_problem(DATA / "problems" / "url_shortener.yaml")

GARBLED = [
    "thx brrrr the the the the cache cache cache qwrtzp xkcd",
    "sdfgh kjhgf you you you you thank you thank you thank you",
    "mnbvc zxcvb the the the so so so so lkjhg poiuy trewq",
    "and and and and the the the the dbfg hjkl qwrt zxcv bnm",
    "you you you you you you the the the the cache cache cache",
]
FRAGMENTS = [
    "Yes.",
    "Cache.",
    "A database.",
    "Maybe sharding.",
    "Not sure.",
    "Load balancer.",
    "Kafka queue.",
    "I think so.",
    "Redis cluster here.",
    "Then replicas.",
    "Users paste a long URL and we store it with a short code in a key-value store for fast lookups.",
    "Okay.",
    "Sure thing.",
    "Fine.",
    "Thanks.",
    "Done.",
]


def candidate(lines: list[str]) -> list[Utterance]:
    return [Utterance("candidate", line) for line in lines]


def test_enough_clear_text_is_judgeable() -> None:
    quality = assess(candidate(STRONG))
    assert quality.judgeable and quality.reason == ""
    assert quality.candidate_words > 500 and quality.garbled_share < 0.05 and quality.fragment_share == 0.0


@pytest.mark.parametrize("words", [0, 1, MIN_CANDIDATE_WORDS - 1])
def test_too_few_words_are_not_judgeable(words: int) -> None:
    quality = assess(candidate([" ".join(["caching"] * words)] if words else []))
    assert not quality.judgeable
    assert quality.reason.startswith("Not enough to judge") and f"only {words} word(s)" in quality.reason


def test_the_threshold_is_inclusive() -> None:
    real_words = re.findall(r"[A-Za-z][A-Za-z']*", " ".join(STRONG))
    enough = assess(candidate([" ".join(real_words[:MIN_CANDIDATE_WORDS])]))
    assert enough.candidate_words == MIN_CANDIDATE_WORDS and enough.judgeable
    assert not assess(candidate([" ".join(real_words[: MIN_CANDIDATE_WORDS - 1])])).judgeable


def test_garbled_text_is_not_judgeable() -> None:
    quality = assess(candidate(GARBLED))
    assert quality.candidate_words >= MIN_CANDIDATE_WORDS
    assert quality.garbled_share > 0.35
    assert not quality.judgeable and "unreadable or stuttered" in quality.reason


def test_acronyms_numbers_and_hums_are_not_garble() -> None:
    line = "We need QPS, TTL, CDN and SQL numbers: 40 writes per second, hmm, 4,000 reads, 3 TB over 5 years."
    quality = assess(candidate([line] * 4))
    assert quality.garbled_share == 0.0 and quality.judgeable


def test_mostly_fragments_are_not_judgeable() -> None:
    quality = assess(candidate(FRAGMENTS))
    assert quality.candidate_words >= MIN_CANDIDATE_WORDS
    assert quality.fragment_share > 0.6
    assert not quality.judgeable and "fragments" in quality.reason


def test_the_interviewers_words_do_not_count() -> None:
    utterances = [Utterance("interviewer", " ".join(STRONG)), *candidate(["I'd use a cache."])]
    assert not assess([u for u in utterances if u.speaker == "candidate"]).judgeable
    evaluation = OfflineEvaluator(RUBRIC, PROBLEM).evaluate("s", utterances)
    assert evaluation.overall_score is None


@pytest.mark.parametrize("lines", [GARBLED, FRAGMENTS], ids=["garbled", "fragments"])
def test_the_evaluator_does_not_score_a_garbled_transcript(lines: list[str]) -> None:
    evaluation = OfflineEvaluator(RUBRIC, PROBLEM).evaluate("g", transcript(lines))
    assert evaluation.overall_score is None
    assert all(c.score is None and c.confidence == 0.0 for c in evaluation.competencies)
    assert evaluation.notes[0].startswith("Not enough to judge")
    assert evaluation.communication["transcript_quality"]["judgeable"] is False
    assert evaluation.communication["candidate_words"] > 0  # measured all the same


def test_a_judgeable_transcript_is_scored_and_records_its_quality() -> None:
    evaluation = OfflineEvaluator(RUBRIC, PROBLEM).evaluate("ok", transcript(STRONG))
    assert evaluation.overall_score is not None
    assert all(c.score is not None for c in evaluation.competencies)
    assert evaluation.communication["transcript_quality"]["judgeable"] is True


class _NeverCalled:
    provider, model = "fake", "fake-1"

    def complete(self, *args: object, **kwargs: object) -> ChatResult:
        raise AssertionError("the LLM must not be asked to score a transcript the gate refused")


def test_the_llm_evaluator_is_not_asked_when_there_is_nothing_to_judge() -> None:
    prompt = load_prompt(DATA / "prompts", "evaluator")
    evaluator = LLMEvaluator(_NeverCalled(), RUBRIC, PROBLEM, prompt, label="Fake")  # type: ignore[arg-type]
    outcome = evaluator.evaluate("s", transcript(["I'd use a cache."]), level=Level.MID)
    assert outcome.usage is None and outcome.evaluation.overall_score is None
    assert outcome.evaluation.notes[0].startswith("Not enough to judge")
    assert any("was not asked" in n for n in outcome.evaluation.notes)
