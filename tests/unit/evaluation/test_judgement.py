"""Right before fluent: the worst cases of issue 14, pinned through the offline evaluator.

A confident estimate with wrong arithmetic, a fluent answer to another problem and a pasted
paragraph with a script tag each used to score well; each must now score low, say why, and
never be quoted as a strength.
"""

from __future__ import annotations

import pytest

from core.content.problems import ProblemBank
from core.content.rubrics import Rubric
from core.evaluation.judgement import KNOCK_ON, TENFOLD_CEILING, WRONG_BASIS
from core.evaluation.offline_evaluator import OfflineEvaluator
from core.evaluation.report import correctness_text
from core.models import Evaluation, Utterance
from tests.unit.evaluation.exchanges import interview


def _evaluate(bank: ProblemBank, rubric: Rubric, problem: str, talk: list[Utterance]) -> Evaluation:
    return OfflineEvaluator(rubric, bank.get(problem), bank=bank).evaluate("s1", talk)


def _score(evaluation: Evaluation, key: str) -> float:
    return next(c.score for c in evaluation.competencies if c.key == key) or 0.0


def _quoted(evaluation: Evaluation) -> str:
    return " ".join([*evaluation.went_well, *(e.quote for c in evaluation.competencies for e in c.evidence)])


SCOPE = (
    "What would you like to clarify?",
    "Creating short links and redirecting, custom aliases and expiry. How many links and redirects are there?",
)
FACTS = ("About 100 million new links a month and 10 billion redirects a month.", "Got it, so reads dominate.")
DESIGN = (
    "Sketch the design.",
    "A load balancer, stateless API servers, a key-value store keyed by short code, and a Redis cache in front "
    "because reads dominate; a 302 redirect so every click is counted through a queue.",
)
WRONG = (
    "Estimate traffic and storage.",
    "10 billion redirects a month works out to about 400 redirects per second. Over five years that is 6 billion "
    "links, and 6 billion links times 500 bytes is about 300 gigabytes, so one database holds it all.",
)
RIGHT = (
    "Estimate traffic and storage.",
    "10 billion redirects a month works out to about 3,900 redirects per second. Over five years that is 6 billion "
    "links, and 6 billion links times 500 bytes is about 3 terabytes, so we shard the store by short code.",
)


def test_the_400_per_second_estimate_is_a_weakness_with_the_right_figure(bank: ProblemBank, rubric: Rubric) -> None:
    wrong = _evaluate(bank, rubric, "url_shortener", interview(SCOPE, FACTS, WRONG, DESIGN))
    right = _evaluate(bank, rubric, "url_shortener", interview(SCOPE, FACTS, RIGHT, DESIGN))
    assert _score(wrong, "estimation") <= 2.5 < _score(right, "estimation")
    assert _score(right, "estimation") - _score(wrong, "estimation") >= 1.5
    advice = " ".join(wrong.needs_improvement)
    assert "3,900" in advice and "3 TB" in advice
    assert "400 redirects per second" not in " ".join(wrong.went_well)
    assert wrong.communication["correctness"]["mistakes"] == 2


def _traffic_said_three_ways(bank: ProblemBank, rubric: Rubric, competency: str) -> tuple[float, float, float]:
    """The competency's score with the traffic sum right, 3.9x off and 39x off, all else the same."""

    def scored(per_second: str) -> float:
        said = (
            f"10 billion redirects a month works out to about {per_second} redirects per second, 20,000 at peak. "
            "Storage: 6 billion links times 500 bytes is about 3 terabytes."
        )
        talk = interview(SCOPE, FACTS, ("Estimate traffic.", said), DESIGN)
        return _score(_evaluate(bank, rubric, "url_shortener", talk), competency)

    return scored("3,900"), scored("1,000"), scored("100")


def test_a_sum_off_by_an_order_of_magnitude_costs_more_than_one_merely_off(bank: ProblemBank, rubric: Rubric) -> None:
    right, off, far_off = _traffic_said_three_ways(bank, rubric, "estimation")
    assert right > off
    assert off - far_off == pytest.approx(0.5, abs=0.15)  # the same sentence, the same rung: only the cost differs


def test_a_wrong_estimate_unsettles_what_was_sized_from_it(bank: ProblemBank, rubric: Rubric) -> None:
    """A wrong sum costs the design sized from it too, and one off by an order of magnitude counts as two."""
    right, off, far_off = _traffic_said_three_ways(bank, rubric, "scalability")
    assert right - off == pytest.approx(KNOCK_ON["scalability"], abs=0.1)  # scores keep one decimal
    assert off - far_off == pytest.approx(KNOCK_ON["scalability"], abs=0.1)  # scores keep one decimal


def _sized_with_storage(terabytes: str) -> tuple[str, str]:
    """A thorough estimate, every figure worked out right but storage, which is as said."""
    return (
        "Estimate traffic, storage, cache and bandwidth.",
        "10 billion redirects a month works out to about 3,900 redirects per second on average, about 20,000 at "
        f"peak. Over five years that is 6 billion links, and 6 billion links times 500 bytes is about {terabytes}. "
        "Caching a fifth of a day's links: 80 million links times 500 bytes is about 40 gigabytes, one Redis node. "
        "Bandwidth at peak is 20,000 times 500 bytes, about 10 megabytes a second, so one load balancer pair.",
    )


def test_an_estimate_ten_times_off_keeps_estimation_at_level_three_however_thorough_the_rest(
    bank: ProblemBank, rubric: Rubric
) -> None:
    """Level 4 asks for clear arithmetic and level 5 for correct estimates: one left ten times off is level 3 at best;
    put right after a challenge, it is not held against the rest."""
    right = _evaluate(
        bank, rubric, "url_shortener", interview(SCOPE, FACTS, _sized_with_storage("3 terabytes"), DESIGN)
    )
    slip = _sized_with_storage("300 gigabytes")
    wrong = _evaluate(bank, rubric, "url_shortener", interview(SCOPE, FACTS, slip, DESIGN))
    challenge = (
        "Can you re-check the storage?",
        "Sorry, I dropped a zero there: it is 3 terabytes, not 300 gigabytes.",
    )
    corrected = _evaluate(bank, rubric, "url_shortener", interview(SCOPE, FACTS, slip, challenge, DESIGN))
    assert (
        _score(wrong, "estimation") <= TENFOLD_CEILING < _score(corrected, "estimation") <= _score(right, "estimation")
    )
    assert _score(right, "estimation") >= 4.0


def test_a_slip_corrected_after_a_challenge_costs_little(bank: ProblemBank, rubric: Rubric) -> None:
    challenge = (
        "Can you re-check the redirects per second?",
        "You're right, I dropped a zero: it is about 3,900 redirects per second, and the 300 gigabytes should be 3 TB.",
    )
    corrected = _evaluate(bank, rubric, "url_shortener", interview(SCOPE, FACTS, WRONG, challenge, DESIGN))
    right = _evaluate(bank, rubric, "url_shortener", interview(SCOPE, FACTS, RIGHT, DESIGN))
    assert corrected.communication["correctness"]["corrected"] == 2
    assert _score(right, "estimation") - _score(corrected, "estimation") <= 0.5


def test_a_fluent_answer_to_another_problem_scores_at_the_bottom(bank: ProblemBank, rubric: Rubric) -> None:
    talk = interview(
        ("Design a chat service for phones and the web. What do you want to clarify?", SCOPE[1]),
        FACTS,
        RIGHT,
        DESIGN,
        ("How do you keep redirects fast when one link goes viral?", "Hot short codes sit in Redis and the CDN."),
    )
    evaluation = _evaluate(bank, rubric, "chat_messaging", talk)
    assert evaluation.overall_score is not None and evaluation.overall_score <= 1.5
    assert all((c.score or 0) <= 1.5 for c in evaluation.competencies)
    assert evaluation.went_well == []
    assert "url shortener" in evaluation.needs_improvement[0]


def test_a_repeated_paste_with_markup_is_never_evidence(bank: ProblemBank, rubric: Rubric) -> None:
    paste = (
        "Our platform will use a scalable microservices architecture with a CDN for global delivery, object storage "
        "for the videos and a transcoding service, ensuring high availability and low latency for millions of users."
    )
    talk = interview(
        ("What do you want to clarify?", paste),
        ("Estimate storage per day.", paste + " <script>alert(1)</script>"),
        ("Walk me through an upload.", "### Answer\n" + paste + "\n" + paste),
        ("What happens when a transcoder dies?", paste + " <img src=x onerror=alert(document.cookie)>"),
        ("Anything else?", "**" + paste + "**"),
    )
    evaluation = _evaluate(bank, rubric, "video_streaming", talk)
    quoted = _quoted(evaluation)
    assert "<script" not in quoted and "alert(" not in quoted and "onerror" not in quoted
    assert evaluation.communication["correctness"]["repeated_share"] >= 0.7
    assert evaluation.overall_score is None or evaluation.overall_score <= 1.5


def test_confidence_follows_the_evidence_and_is_never_certain(bank: ProblemBank, rubric: Rubric) -> None:
    evaluation = _evaluate(bank, rubric, "url_shortener", interview(SCOPE, FACTS, RIGHT, DESIGN))
    assert all(c.confidence < 1.0 for c in evaluation.competencies)
    assert len({c.confidence for c in evaluation.competencies}) > 1


def test_the_report_says_what_the_reader_found(bank: ProblemBank, rubric: Rubric) -> None:
    evaluation = _evaluate(bank, rubric, "url_shortener", interview(SCOPE, FACTS, WRONG, DESIGN))
    line = correctness_text(evaluation.communication["correctness"])
    assert line.startswith("2 mistake(s) left standing, 0 corrected")


def test_went_okay_is_filled_when_competencies_are_middling(bank: ProblemBank, rubric: Rubric) -> None:
    evaluation = _evaluate(bank, rubric, "url_shortener", interview(SCOPE, FACTS, RIGHT, DESIGN))
    middling = [c for c in evaluation.competencies if c.score is not None and 2.5 <= c.score < 4.0]
    assert middling, "the short interview leaves some competencies middling"
    assert evaluation.went_okay


RIDE_SCOPE = (
    "What would you like to clarify before designing ride matching?",
    "First, the core flow: a rider requests, we offer the trip to one nearby driver at a time, and the driver "
    "accepts within a timeout. Is a driver ever allowed two trips, and how fast must a rider see a driver? "
    "I'll assume payments and ratings are out of scope.",
)
RIDE_DESIGN = (
    "Walk me through a rider requesting a ride.",
    "The trip service stores the request, then matching reads drivers near the pickup from a geo index keyed by "
    "geohash cell, because scanning every driver would be far too slow. It offers the trip to the best driver and "
    "claims that driver with a conditional write, so two trips can never take the same driver. If the driver does "
    "not accept within 15 seconds, the claim expires and we offer the next one. To summarise: geo index, "
    "conditional claims, timeouts.",
)


def test_a_fluent_answer_to_an_easier_question_costs_communication(bank: ProblemBank, rubric: Rubric) -> None:
    """Asked for the load, the dodger talks about the phone and the database's tooling; the same interview with the
    figures given communicates better, and the report says which request went unanswered."""
    asked_load = "About 5 million drivers send a position every 4 seconds. How many updates per second is that?"
    asked_storage = "An update is about 100 bytes and we keep them for 2 years. How much storage is that?"
    answered = interview(
        RIDE_SCOPE,
        (asked_load, "5 million over 4 seconds is about 1.25 million updates a second, so writes dominate the load."),
        (asked_storage, "1.25 million times 100 bytes is 125 MB a second, about 10 TB a day, so 7 PB over 2 years."),
        RIDE_DESIGN,
    )
    dodged = interview(
        RIDE_SCOPE,
        (asked_load, "The phone batches positions so we don't drain the battery, because that's what users notice."),
        (asked_storage, "I'd use PostgreSQL with PostGIS because it's reliable and the team knows the tooling well."),
        RIDE_DESIGN,
    )
    plain, dodger = _evaluate(bank, rubric, "ride_matching", answered), _evaluate(bank, rubric, "ride_matching", dodged)
    assert _score(dodger, "communication") <= _score(plain, "communication") - 1.5
    rationale = next(c.rationale for c in dodger.competencies if c.key == "communication")
    assert "2 request(s) for a figure answered with something else" in rationale
    assert any("Asked for a figure 2 time(s)" in line for line in dodger.needs_improvement)
    assert "for a figure" not in " ".join(c.rationale for c in plain.competencies)


def test_a_requirement_against_the_facts_costs_requirements_not_estimation(bank: ProblemBank, rubric: Rubric) -> None:
    """Told 10 billion redirects a month, the candidate sets the design target at a tenth of it while scoping."""
    told = ("About 100 million new links a month and 10 billion redirects a month. Anything else?", "No, that's it.")
    scoped = (
        "Then state the requirements.",
        "Create short links with custom aliases and expiry, redirect fast; the peak we design for is about 1 billion "
        "redirects a month, p99 under 100 ms, and analytics is out of scope.",
    )
    faithful = (scoped[0], scoped[1].replace("about 1 billion", "about 10 billion"))
    wrong = _evaluate(bank, rubric, "url_shortener", interview(SCOPE, told, scoped, DESIGN))
    right = _evaluate(bank, rubric, "url_shortener", interview(SCOPE, told, faithful, DESIGN))
    assert _score(wrong, "requirements") <= _score(right, "requirements") - 0.4
    [figure] = [f for f in wrong.communication["correctness"]["findings"] if f["kind"] == "figure"]
    assert figure["competency"] == "requirements"
    requirements = next(c for c in wrong.competencies if c.key == "requirements")
    assert "1 billion redirects a month" in requirements.rationale


def test_a_misconception_costs_every_part_of_the_design_that_relies_on_it(bank: ProblemBank, rubric: Rubric) -> None:
    """ "Three replicas survive three failures" is a reliability claim, but the store sized and sharded on it does
    not work as drawn either."""
    replicas = ("How do you keep links safe?", "Each shard has {} so the store keeps serving while nodes fail.")
    right, wrong = (
        _evaluate(
            bank,
            rubric,
            "url_shortener",
            interview(SCOPE, FACTS, RIGHT, DESIGN, (replicas[0], replicas[1].format(said))),
        )
        for said in (
            "three replicas, which survive two node failures,",
            "three replicas, which survive three failures,",
        )
    )
    assert (wrong.communication["correctness"]["mistakes"], right.communication["correctness"]["mistakes"]) == (1, 0)
    for key in ("data_model", "scalability", "high_level_design", "tradeoffs"):
        assert _score(right, key) - _score(wrong, key) >= WRONG_BASIS[key] - 0.1, key
