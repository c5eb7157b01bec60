"""A long interview in parts: each part fits the window with its answer, parts overlap by a fifth, the findings
and the whiteboard go where they belong; the parts' answers merge per competency without a part that does not
show a competency dragging it down."""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

import pytest

from core.content.problems import load_problem
from core.content.prompts import load_prompt
from core.content.rubrics import load_rubric
from core.correctness.conversation import clean
from core.correctness.reader import read_transcript
from core.evaluation.chunked_evaluation import (
    PART_ANSWER_TOKENS,
    PART_PREAMBLE,
    NoRoom,
    PartPlan,
    TranscriptPart,
    merged,
    part_competencies,
    plan_parts,
    weight,
)
from core.evaluation.llm_answers import PartAnswer, PartCompetencyAnswer, StepAnswer
from core.evaluation.transcript_parts import OVERLAP
from core.llm.chat_models import ChatMessage
from core.llm.context_budget import FittedRequest, estimate_tokens, fit
from core.models import Level, Utterance
from tests.graded_set import long_interview

DATA = Path(__file__).resolve().parents[3] / "data"
RUBRIC = load_rubric(DATA / "rubrics" / "system_design.yaml")
PROBLEM = load_problem(DATA / "problems" / "url_shortener.yaml")
FULL_PROMPT = load_prompt(DATA / "prompts", "evaluator")
PART_PROMPT = load_prompt(DATA / "prompts", "evaluator_part")
KEYS = [c.key for c in RUBRIC.competencies]
LONG = long_interview(600, problem="url_shortener")  # every url_shortener exchange of the tune half, about 2 hours
BOARD = {"drawing": ["load balancer -> api server -> cache"], "citable_lines": ["Whiteboard: API servers → Redis"]}


def part_system() -> str:
    return PART_PROMPT.render(
        level=Level.MID.value, problem_title=PROBLEM.title, competencies=part_competencies(RUBRIC)
    )


def plan(utterances: list[Utterance], window: int, *, board: dict[str, Any] | None = None) -> PartPlan:
    findings = read_transcript(utterances, PROBLEM, RUBRIC).findings
    planned = plan_parts(part_system(), utterances, findings, board, window=window)
    assert isinstance(planned, PartPlan)
    return planned


def data(part: TranscriptPart) -> dict[str, Any]:
    assert part.message.startswith(PART_PREAMBLE)
    parsed: dict[str, Any] = json.loads(part.message.removeprefix(PART_PREAMBLE))
    return parsed


def test_the_part_prompt_is_half_the_full_one_so_a_small_window_keeps_room_for_the_interview() -> None:
    rubric = "\n".join(  # as the whole-interview request lists it: every descriptor, with the descriptions
        f"- {c.key} ({c.name}, weight {c.weight:g}): {c.description} "
        + " ".join(f"[{score}: {text}]" for score, text in sorted(c.descriptors.items()))
        for c in RUBRIC.competencies
    )
    full = FULL_PROMPT.render(level="mid", problem_title=PROBLEM.title, competencies=rubric)
    part = part_system()
    assert estimate_tokens(part) < 1500 and estimate_tokens(part) < estimate_tokens(full) * 0.6
    assert all(f"- {key} (" in part for key in KEYS) and "[1: " in part and "[5: " in part and "[2: " not in part
    assert '"shown"' in part and "part" in part


@pytest.mark.parametrize("window", [4096, 8192])
def test_every_part_fits_the_window_with_its_whole_answer_and_parts_overlap_by_a_fifth(window: int) -> None:
    planned = plan(LONG, window)
    parts = planned.parts
    assert len(parts) >= (3 if window == 8192 else 8)
    for part in parts:
        fitted = fit(planned.system, [ChatMessage("user", part.message)], window=window, max_tokens=PART_ANSWER_TOKENS)
        assert isinstance(fitted, FittedRequest) and fitted.max_tokens == PART_ANSWER_TOKENS
        assert data(part)["part"] == {"number": part.number, "of": len(parts)}
    assert parts[0].entries.start == 0  # from the first line to the last (a line too long for a part is cut in pieces)
    assert LONG[-1].text.endswith(data(parts[-1])["transcript"][-1]["text"])
    shares = []
    for earlier, later in itertools.pairwise(parts):
        shared = len(range(later.entries.start, earlier.entries.stop))
        assert shared == round(OVERLAP * len(earlier.entries)), (earlier.entries, later.entries)
        shares.append(shared / len(earlier.entries))
        texts = [e["text"] for e in data(earlier)["transcript"]]
        assert data(later)["transcript"][0]["text"] in texts  # the next part starts inside this one
    assert abs(sum(shares) / len(shares) - OVERLAP) < 0.03, shares
    assert planned.shared_entries() == [
        len(range(b.entries.start, a.entries.stop)) for a, b in itertools.pairwise(parts)
    ]


def test_findings_go_with_the_part_holding_their_line_and_the_whiteboard_with_the_last() -> None:
    findings = read_transcript(LONG, PROBLEM, RUBRIC).findings
    assert findings, "the url_shortener transcripts hold mistakes the reader finds"
    planned = plan_parts(part_system(), LONG, findings, BOARD, window=4096)
    assert isinstance(planned, PartPlan)
    sent = [(p, data(p)) for p in planned.parts]
    for finding in findings:
        # the reader quotes a line as it reads it: a recogniser's "seven characters" as "7 characters"
        holding = [
            d for _, d in sent if any(finding.quote.lower() in clean(e["text"]).lower() for e in d["transcript"])
        ]
        carrying = [d for _, d in sent if any(f["quote"] == finding.quote for f in d["findings"])]
        assert carrying and all(d in holding for d in carrying), finding.quote
    for part, sent_data in sent:
        assert sent_data["findings"] == [] or set(sent_data["findings"][0]) <= {
            "kind",
            "quote",
            "explanation",
            "said",
            "right",
            "competency",
            "corrected",
        }
        assert ("whiteboard" in sent_data) == (part.number == len(planned.parts))
    assert sent[-1][1]["whiteboard"] == BOARD


def test_a_line_longer_than_a_part_is_cut_into_pieces_that_fit() -> None:
    pasted = " ".join(f"shard{i} replicates to region {i % 7} with a quorum of two" for i in range(900))
    utterances = [*LONG[:10], Utterance("candidate", pasted, start=900.0, seq=10), *LONG[10:20]]
    planned = plan(utterances, 4096)
    for part in planned.parts:
        fitted = fit(planned.system, [ChatMessage("user", part.message)], window=4096, max_tokens=PART_ANSWER_TOKENS)
        assert isinstance(fitted, FittedRequest) and fitted.max_tokens == PART_ANSWER_TOKENS
    pieces = dict.fromkeys(e["text"] for p in planned.parts for e in data(p)["transcript"] if e["start"] == 900.0)
    assert len(pieces) > 3 and " ".join(pieces) == pasted  # every word sent, in order


@pytest.mark.parametrize("window", [2048, 3072])
def test_a_window_too_small_for_a_part_says_which_window_would_do(window: int) -> None:
    refused = plan_parts(part_system(), LONG, [], None, window=window)
    assert isinstance(refused, NoRoom) and refused.window == window
    assert isinstance(plan_parts(part_system(), LONG, [], None, window=refused.needed), PartPlan)
    assert refused.needed <= 4096  # a 4,096-token model can evaluate in parts
    assert isinstance(plan_parts(part_system(), LONG, [], None, window=refused.needed - 64), NoRoom)


def answer(
    key_scores: dict[str, tuple[float, float, bool, list[str]]],
    *,
    well: list[str] | None = None,
    steps: list[tuple[str, list[str]]] | None = None,
) -> PartAnswer:
    """A part's answer: per competency (score, confidence, shown, quotes); others 2.0, unsure, not shown."""
    competencies = [
        PartCompetencyAnswer(
            key=key,
            score=key_scores.get(key, (2.0, 0.1, False, []))[0],
            confidence=key_scores.get(key, (2.0, 0.1, False, []))[1],
            shown=key_scores.get(key, (2.0, 0.1, False, []))[2],
            rationale=f"{key} in this part",
            evidence=key_scores.get(key, (2.0, 0.1, False, []))[3],
        )
        for key in KEYS
    ]
    plan_steps = [StepAnswer(title=t, detail=f"Practise {t}.", resources=r) for t, r in (steps or [("Scope", [])])]
    return PartAnswer(competencies=competencies, went_well=well or [], improvement_plan=plan_steps)


def test_a_part_that_does_not_show_a_competency_leaves_its_score_alone() -> None:
    early = answer({"requirements": (4.5, 0.9, True, ["How many links a day?", "Reads dominate writes?"])})
    late = answer({"requirements": (1.0, 0.2, False, []), "reliability": (4.0, 0.8, True, ["Replicas fail over."])})
    report = merged([early, late], RUBRIC)
    assert report.of("requirements").score == 4.5 and report.of("requirements").confidence == 0.9
    assert report.of("requirements").evidence == ["How many links a day?", "Reads dominate writes?"]
    assert report.of("reliability").score == 4.0


def test_parts_that_show_a_competency_count_by_confidence_and_quotes() -> None:
    strong = answer({"estimation": (4.0, 0.9, True, ["1,200 writes a second", "500 bytes a link"])})
    thin = answer({"estimation": (2.0, 0.4, True, [])})
    report = merged([strong, thin], RUBRIC)
    w_strong, w_thin = weight(strong.of("estimation")), weight(thin.of("estimation"))
    assert (w_strong, w_thin) == (pytest.approx(2.7), pytest.approx(0.4))
    expected = (4.0 * w_strong + 2.0 * w_thin) / (w_strong + w_thin)
    assert report.of("estimation").score == pytest.approx(round(expected, 2))
    assert report.of("estimation").rationale == "estimation in this part"  # the part that counts most explains


def test_a_competency_no_part_shows_gets_the_parts_own_low_scores_and_their_least_confidence() -> None:
    report = merged([answer({}), answer({"data_model": (1.0, 0.2, False, [])})], RUBRIC)
    assert report.of("data_model").score == 1.5 and report.of("data_model").confidence == 0.1
    assert report.of("data_model").evidence == []


def test_quotes_points_and_steps_are_kept_once_from_every_part() -> None:
    first = answer(
        {"tradeoffs": (3.0, 0.6, True, ["Consistency over latency here."])},
        well=["Clear scope", "Good numbers"],
        steps=[("Estimate peaks", ["Alex Xu ch. 2"]), ("Scope first", [])],
    )
    second = answer(
        {"tradeoffs": (4.0, 0.9, True, ["Cache aside, because reads dominate.", "consistency over latency here"])},
        well=["clear scope.", "Named failure modes"],
        steps=[("Failure drills", []), ("estimate peaks", ["Jeff Dean's latency numbers"])],
    )
    report = merged([first, second], RUBRIC)
    assert report.of("tradeoffs").evidence == ["Cache aside, because reads dominate.", "consistency over latency here"]
    assert report.went_well == ["Clear scope", "Good numbers", "Named failure modes"]
    assert [s.title for s in report.improvement_plan] == ["Estimate peaks", "Scope first", "Failure drills"]
    assert report.improvement_plan[0].resources == ["Alex Xu ch. 2", "Jeff Dean's latency numbers"]
