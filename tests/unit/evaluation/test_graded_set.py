"""The graded set the evaluator is measured against: big and varied enough, every competency graded."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from core.content.problems import load_problem_bank
from core.content.rubrics import load_rubrics
from tests.graded_set import HALVES, GradedTranscript, load

DATA = Path(__file__).resolve().parents[3] / "data"


@pytest.fixture(scope="module")
def graded() -> dict[str, list[GradedTranscript]]:
    return {half: load(half) for half in HALVES}


def test_the_set_is_large_and_spans_problems(graded: dict[str, list[GradedTranscript]]) -> None:
    everything = graded["tune"] + graded["check"]
    assert len(everything) >= 48
    assert len({t.problem for t in everything}) >= 6
    assert len(graded["check"]) >= 20 and len(graded["tune"]) >= 20  # both halves can be measured
    assert not {t.name for t in graded["tune"]} & {t.name for t in graded["check"]}


def test_every_transcript_names_a_known_problem_and_grades_every_competency(
    graded: dict[str, list[GradedTranscript]],
) -> None:
    rubric = load_rubrics(DATA / "rubrics")["system_design"]
    bank = load_problem_bank(DATA / "problems")
    keys = {c.key for c in rubric.competencies}
    for transcript in graded["tune"] + graded["check"]:
        bank.get(transcript.problem)
        assert set(transcript.grades) == keys, transcript.name
        assert 1 <= transcript.overall(rubric) <= 5


def test_transcripts_read_in_time_order_with_both_speakers(graded: dict[str, list[GradedTranscript]]) -> None:
    for transcript in graded["tune"] + graded["check"]:
        starts = [e.start for e in transcript.entries]
        assert starts == sorted(starts), transcript.name
        assert all(e.start <= e.end for e in transcript.entries), transcript.name
        assert Counter(e.speaker for e in transcript.entries).keys() == {"interviewer", "candidate"}, transcript.name


def test_grades_spread_over_the_scale_in_each_half(graded: dict[str, list[GradedTranscript]]) -> None:
    """A set of only good (or only bad) interviews cannot show whether an evaluator ranks them."""
    rubric = load_rubrics(DATA / "rubrics")["system_design"]
    for half in HALVES:
        overalls = [t.overall(rubric) for t in graded[half]]
        assert min(overalls) <= 2.0 and max(overalls) >= 4.0, half
