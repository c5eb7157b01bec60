"""The whiteboard as a scoring input: real drawings (tests/fixtures/whiteboard) credited through the rubric's
`whiteboard:` data, merged into the offline evaluator's scores, cited as evidence — and never scoring alone."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from core.content.problems import Problem, load_problem, load_problem_bank
from core.content.rubrics import Rubric, load_rubric
from core.errors import ContentError
from core.evaluation import offline_evaluator as evaluator_module
from core.evaluation.board_credit import DESIGN_CREDIT, MENTION_CREDIT, PLACED_CREDIT, board_credits, read_for
from core.evaluation.offline_evaluator import OfflineEvaluator
from core.models import Evaluation
from core.whiteboard.analysis import read_board
from tests.unit.evaluation.test_offline_evaluator import STRONG, transcript

ROOT = Path(__file__).resolve().parents[3]
DATA = ROOT / "data"
FIXTURES = ROOT / "tests" / "fixtures" / "whiteboard"
RUBRIC = load_rubric(DATA / "rubrics" / "system_design.yaml")
PROBLEM = load_problem(DATA / "problems" / "url_shortener.yaml")

WORDS_ONLY = STRONG[:8]
"""Requirements and estimates, said well; nothing yet about the design (what the drawing shows)."""


def fixture(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / f"{name}.json").read_text())


def _rect(left: float, top: float, label: str) -> list[dict[str, Any]]:
    return [
        {"type": "Rect", "left": left, "top": top, "width": 120, "height": 60},
        {"type": "IText", "text": label, "left": left + 60, "top": top + 30, "width": 60, "height": 20,
         "originX": "center", "originY": "center"},
    ]  # fmt: skip


def _line(x1: float, y1: float, x2: float, y2: float) -> dict[str, Any]:
    return {"type": "Line", "left": (x1 + x2) / 2, "top": (y1 + y2) / 2, "originX": "center", "originY": "center",
            "x1": (x1 - x2) / 2, "y1": (y1 - y2) / 2, "x2": (x2 - x1) / 2, "y2": (y2 - y1) / 2}  # fmt: skip


def scores(evaluation: Evaluation) -> dict[str, float | None]:
    return {c.key: c.score for c in evaluation.competencies}


def board_quotes(evaluation: Evaluation, key: str) -> list[str]:
    competency = next(c for c in evaluation.competencies if c.key == key)
    return [e.quote for e in competency.evidence if e.source == "whiteboard"]


@pytest.fixture(scope="module")
def evaluator() -> OfflineEvaluator:
    return OfflineEvaluator(RUBRIC, PROBLEM)


@pytest.fixture(scope="module")
def words_only(evaluator: OfflineEvaluator) -> Evaluation:
    return evaluator.evaluate("words", transcript(WORDS_ONLY))


# --- the credit itself -------------------------------------------------------------------------------


def test_a_connected_drawing_credits_its_components_topics_and_the_design() -> None:
    credits = board_credits(read_for(read_board(fixture("url_shortener")), PROBLEM), RUBRIC, PROBLEM)
    assert credits["caching"].strength == PLACED_CREDIT  # "Redis", connected to the API servers
    assert credits["caching"].evidence == "Whiteboard: API servers → Redis"
    assert credits["load_balancing"].evidence == "Whiteboard: Client → ELB; ELB → API servers"
    assert credits["database_choice"].evidence == "Whiteboard: API servers → Postgres; Postgres → read replica"
    assert credits["replication"].strength == PLACED_CREDIT
    # 5 of the 9 reference components drawn, all 5 connected
    assert credits["core_components"].strength == pytest.approx(MENTION_CREDIT * 5 / 9 + (0.6 - 0.25) * 5 / 9, abs=1e-3)
    assert credits["core_components"].evidence.startswith("Whiteboard: 5 of the 9 reference components drawn, 5 conn")
    assert MENTION_CREDIT < credits["request_flow"].strength < DESIGN_CREDIT
    assert credits["request_flow"].evidence.startswith("Whiteboard: Client → ELB; ELB → API servers; API servers →")
    assert all(c.strength <= DESIGN_CREDIT for c in credits.values())  # the why still has to be said
    assert "async_processing" not in credits and "id_generation" not in credits  # not drawn


def test_unconnected_boxes_earn_a_mention_and_no_connection_credit() -> None:
    credits = board_credits(read_for(read_board(fixture("two_boxes_unconnected")), PROBLEM), RUBRIC, PROBLEM)
    assert credits["caching"].strength == MENTION_CREDIT
    assert credits["caching"].evidence == "Whiteboard: cache (not connected to anything)"
    assert "request_flow" not in credits  # nothing is connected
    assert credits["core_components"].strength == pytest.approx(MENTION_CREDIT * 2 / 9, abs=1e-3)


def test_the_problem_adds_its_own_kinds() -> None:
    drawing = {"objects": [*_rect(0, 0, "API servers"), *_rect(300, 0, "KGS"), _line(120, 30, 300, 30)]}
    credits = board_credits(read_for(read_board(drawing), PROBLEM), RUBRIC, PROBLEM)
    assert credits["id_generation"].evidence == "Whiteboard: API servers → KGS"  # url_shortener: board_topics
    other = load_problem(DATA / "problems" / "news_feed.yaml")
    assert "id_generation" not in board_credits(read_for(read_board(drawing), other), RUBRIC, other)


def test_the_mapping_is_rubric_data() -> None:
    plain = Rubric.model_validate({**RUBRIC.model_dump(), "whiteboard": {}})
    board = read_for(read_board(fixture("url_shortener")), PROBLEM)
    assert board_credits(board, plain, PROBLEM) == {}
    only_cache = Rubric.model_validate({**RUBRIC.model_dump(), "whiteboard": {"components": {"cache": ["caching"]}}})
    assert set(board_credits(board, only_cache, PROBLEM)) == {"caching"}


@pytest.mark.parametrize(
    ("whiteboard", "message"),
    [
        ({"components": {"flux capacitor": ["caching"]}}, "unknown component kinds"),
        ({"components": {"cache": ["cache_magic"]}}, "unknown topics"),
        ({"coverage": ["nope"]}, "unknown topics"),
    ],
)
def test_a_rubric_naming_unknown_kinds_or_topics_is_refused(
    tmp_path: Path, whiteboard: dict[str, Any], message: str
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump({**RUBRIC.model_dump(), "whiteboard": whiteboard}))
    with pytest.raises(ContentError, match=message):
        load_rubric(path)


def test_every_problems_board_topics_name_known_kinds_and_topics() -> None:
    for problem in load_problem_bank(DATA / "problems").all():
        for kind, topics in problem.board_topics.items():
            unknown = [t for t in topics if t not in RUBRIC.topics and t not in problem.extra_topics]
            assert not unknown, f"{problem.id} {kind}: {unknown}"


def test_board_mention_credit_is_the_evaluators() -> None:
    assert MENTION_CREDIT == evaluator_module.MENTION_CREDIT


# --- in the evaluation -------------------------------------------------------------------------------


def test_the_same_words_score_higher_with_the_drawing(evaluator: OfflineEvaluator, words_only: Evaluation) -> None:
    drawn = evaluator.evaluate("drawn", transcript(WORDS_ONLY), board=read_board(fixture("url_shortener")))
    before, after = scores(words_only), scores(drawn)
    for key in ("high_level_design", "data_model", "scalability", "reliability"):
        assert after[key] is not None and before[key] is not None and after[key] > before[key], key
    for key in ("requirements", "estimation"):  # nothing drawn shows them
        assert after[key] == before[key], key
    # the delivery is the same; half of communication is what the answers (and the drawing beside them) carried
    assert after["communication"] is not None and before["communication"] is not None
    assert after["communication"] > before["communication"]
    assert drawn.overall_score is not None and words_only.overall_score is not None
    assert drawn.overall_score > words_only.overall_score

    assert board_quotes(words_only, "scalability") == []
    assert "Whiteboard: API servers → Redis" in board_quotes(drawn, "scalability")
    assert board_quotes(drawn, "high_level_design")[0].startswith("Whiteboard: Client → ELB; ELB → API servers")
    design = next(c for c in drawn.competencies if c.key == "high_level_design")
    assert "Shown on the whiteboard: Core components, Request flow." in design.rationale
    assert design.confidence > next(c for c in words_only.competencies if c.key == "high_level_design").confidence
    assert any("You drew the design on the whiteboard" in line for line in drawn.went_well)
    # the communication analysis counts the whiteboard's use
    assert drawn.communication["whiteboard"]["components"][:3] == ["load balancer", "api server", "cache"]
    assert drawn.communication["whiteboard"]["connections"] == 5
    assert "whiteboard" not in words_only.communication


def test_connecting_the_boxes_is_what_earns_more(evaluator: OfflineEvaluator) -> None:
    boxes = [*_rect(0, 0, "Redis"), *_rect(300, 0, "Postgres")]
    apart = evaluator.evaluate("apart", transcript(WORDS_ONLY), board=read_board({"objects": boxes}))
    joined = evaluator.evaluate(
        "joined", transcript(WORDS_ONLY), board=read_board({"objects": [*boxes, _line(120, 30, 300, 30)]})
    )
    assert scores(joined)["scalability"] > scores(apart)["scalability"]  # type: ignore[operator]
    assert scores(joined)["high_level_design"] > scores(apart)["high_level_design"]  # type: ignore[operator]
    assert board_quotes(apart, "scalability") == ["Whiteboard: Redis (not connected to anything)"]
    assert board_quotes(joined, "scalability") == ["Whiteboard: Redis → Postgres"]
    assert any("cache, database are not connected" in line for line in apart.needs_improvement)


def test_a_drawing_never_lowers_what_the_words_earned(evaluator: OfflineEvaluator) -> None:
    said = evaluator.evaluate("said", transcript(STRONG))
    drawn = evaluator.evaluate("said+drawn", transcript(STRONG), board=read_board(fixture("two_boxes_unconnected")))
    for key, score in scores(said).items():
        assert scores(drawn)[key] >= score, key  # type: ignore[operator]


@pytest.mark.parametrize(
    "drawing",
    [
        {"objects": []},
        {"objects": [*_rect(0, 0, "foo"), *_rect(300, 0, "bar"), _line(120, 30, 300, 30)]},  # nothing recognised
        {"objects": [{"type": "Path", "stroke": "#1f2937", "path": [["M", 0, 0], ["L", 80, 5]]}]},  # a doodle
    ],
    ids=["empty", "irrelevant", "doodle"],
)
def test_an_empty_or_irrelevant_board_changes_nothing(
    evaluator: OfflineEvaluator, words_only: Evaluation, drawing: dict[str, Any]
) -> None:
    drawn = evaluator.evaluate("words", transcript(WORDS_ONLY), board=read_board(drawing))
    assert drawn.competencies == words_only.competencies
    assert drawn.overall_score == words_only.overall_score
    assert (drawn.went_well, drawn.went_okay, drawn.needs_improvement) == (
        words_only.went_well,
        words_only.went_okay,
        words_only.needs_improvement,
    )


def test_a_drawing_cannot_lift_a_transcript_the_gate_refused(evaluator: OfflineEvaluator) -> None:
    board = read_board(fixture("url_shortener"))
    for lines in ([], ["I'd use a cache."]):
        evaluation = evaluator.evaluate("gated", transcript(lines), board=board)
        assert evaluation.overall_score is None, lines
        assert all(c.score is None and not c.evidence for c in evaluation.competencies)
        assert evaluation.communication["whiteboard"]["connections"] == 5  # the use is still recorded


def test_an_erased_box_earns_nothing(evaluator: OfflineEvaluator) -> None:
    credits = board_credits(read_for(read_board(fixture("erased_box")), PROBLEM), RUBRIC, PROBLEM)
    assert credits["caching"].evidence == "Whiteboard: Memcached (not connected to anything)"  # not the erased Redis
    assert credits["async_processing"].evidence == "Whiteboard: Postgres → Kafka"


def test_problems_without_a_board_mapping_still_evaluate() -> None:
    problem: Problem = load_problem(DATA / "problems" / "payment_system.yaml")
    assert problem.board_topics == {}
    evaluation = OfflineEvaluator(RUBRIC, problem).evaluate(
        "pay", transcript(WORDS_ONLY), board=read_board(fixture("url_shortener"))
    )
    assert evaluation.overall_score is not None
