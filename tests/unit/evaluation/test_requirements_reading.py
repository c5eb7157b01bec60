"""Requirements are the candidate's to ask for or to state: a question about tools scopes nothing, a quality
described while designing is not a requirement set, and a targeted question that names the qualities shows
them as much as stating them does."""

from __future__ import annotations

from core.content.problems import ProblemBank
from core.content.rubrics import Rubric
from core.evaluation.offline_evaluator import OfflineEvaluator
from core.models import Utterance

OPENING = "We sell reserved-seat tickets for concerts. What questions do you have before designing the booking backend?"
DESIGN = (
    "The hold service writes a hold row with an expiry, the booking service turns a paid hold into tickets in one "
    "transaction, and a sweeper releases expired holds every few seconds because fans must get seats back."
)
LATER = "Walk me through a fan choosing two seats and paying for them."


def requirements(bank: ProblemBank, rubric: Rubric, *pairs: tuple[str, str]) -> tuple[float, str]:
    talk = []
    for i, (asked, answered) in enumerate(pairs):
        talk.append(Utterance("interviewer", asked, start=60.0 * i, end=60.0 * i + 8))
        talk.append(Utterance("candidate", answered, start=60.0 * i + 10, end=60.0 * i + 50))
    evaluation = OfflineEvaluator(rubric, bank.get("ticket_booking"), bank=bank).evaluate("s1", talk)
    score = next(c for c in evaluation.competencies if c.key == "requirements")
    return score.score or 0.0, score.rationale


def test_questions_about_tools_scope_nothing_and_questions_about_the_problem_do(
    bank: ProblemBank, rubric: Rubric
) -> None:
    tools, why_tools = requirements(
        bank,
        rubric,
        (OPENING, "Is the front end a React web app or native mobile? And are we on AWS or Google Cloud?"),
        (LATER, DESIGN),
    )
    problem, why_problem = requirements(
        bank,
        rubric,
        (OPENING, "How many fans arrive when a big sale opens? How long is a seat held while the fan pays?"),
        (LATER, DESIGN),
    )
    assert "Scope and assumptions" not in why_tools.split("Not covered:")[0]
    assert "Scope and assumptions" in why_problem.split("Not covered:")[0]
    assert problem > tools


def test_a_quality_described_while_designing_is_not_a_requirement_but_the_same_when_scoping_is(
    bank: ProblemBank, rubric: Rubric
) -> None:
    quick = "The seat map refreshes every few seconds, so a fan sees quickly and consistently that a seat has gone."
    in_design, _ = requirements(bank, rubric, (OPENING, DESIGN), (LATER, quick))  # the same words, in turn
    when_asked, why = requirements(bank, rubric, (OPENING, quick), (LATER, DESIGN))
    assert when_asked > in_design
    assert "Non-functional requirements" in why.split("Not covered:")[0]


def test_asking_for_the_latency_and_availability_targets_shows_the_qualities(bank: ProblemBank, rubric: Rubric) -> None:
    asked, why = requirements(
        bank,
        rubric,
        (OPENING, "What latency and availability targets do the hold and the seat map need?"),
        (LATER, DESIGN),
    )
    silent, _ = requirements(bank, rubric, (OPENING, "Let me go straight to the services."), (LATER, DESIGN))
    assert "Non-functional requirements" in why.split("Not covered:")[0]
    assert asked > silent


SCOPED = (
    "How many fans arrive when a big sale opens, and how long is a seat held while the fan pays?",
    "So fans pick seats, hold them for 8 minutes and pay; a seat is never sold twice and a hold answers within "
    "300 ms at p99.",
)


def test_requirements_with_numbers_but_no_scope_stay_below_level_four(bank: ProblemBank, rubric: Rubric) -> None:
    facts = "Holds last 8 minutes, at most 6 seats per order, 300 ms at p99 for a hold, 99.95% availability."
    unscoped, why = requirements(bank, rubric, (OPENING, SCOPED[0]), (facts, SCOPED[1]), (LATER, DESIGN))
    scoped, why_scoped = requirements(
        bank,
        rubric,
        (OPENING, SCOPED[0]),
        (facts, SCOPED[1] + " Season tickets and resale are out of scope, and I assume one venue per event."),
        (LATER, DESIGN),
    )
    assert unscoped <= 3.5
    assert "No scope was drawn" in why
    assert scoped > unscoped
    assert "No scope was drawn" not in why_scoped


def test_no_question_and_no_scope_stay_below_level_three(bank: ProblemBank, rubric: Rubric) -> None:
    told = "A seat is never sold twice, holds last 8 minutes and a hold answers within 300 ms at p99 for 99.95% uptime."
    silent, _ = requirements(bank, rubric, (OPENING, told), (LATER, DESIGN))
    question = "How long is a seat held while the fan pays? "
    asked, _ = requirements(bank, rubric, (OPENING, question + told), (LATER, DESIGN))
    assert silent <= 2.5
    assert asked > silent


LADDER_TOP = (
    "Holds last 8 minutes, at most 6 seats per order, 300 ms at p99 for a hold, 99.95% availability.",
    SCOPED[0] + " What availability do we need, and may the seat map be stale?",
    "Functionally: users can browse the seat map, hold up to 6 seats for 8 minutes, pay, and get tickets. "
    "Non-functional: a seat must never be sold twice, a hold answers within 300 ms at p99, the map loads within "
    "500 ms, and the system stays at 99.95% availability during on-sales. Season tickets and resale are out of scope.",
)
"""The facts given, the questions asked and the requirements listed of a candidate one step below the top."""


PRIORITY = " Never selling a seat twice is the top priority, above the 300 ms target."


def near_the_top(bank: ProblemBank, rubric: Rubric, added: str = "") -> tuple[float, str]:
    """LADDER_TOP's candidate, with `added` said at the end of the requirements."""
    facts, asked, listed = LADDER_TOP
    return requirements(bank, rubric, (OPENING, asked), (facts, listed + added), (LATER, DESIGN))


def test_level_five_needs_a_ranking_or_an_assumption(bank: ProblemBank, rubric: Rubric) -> None:
    plain, why = near_the_top(bank, rubric)
    ranked, why_ranked = near_the_top(bank, rubric, PRIORITY)
    assert plain <= 4.0
    assert "No requirement was ranked" in why
    assert "No requirement was ranked" not in why_ranked
    assert ranked > plain
    for ranking in (
        " In order of importance: no seat sold twice, then the 300 ms hold, then the map.",
        " Selling a seat once matters more than the 300 ms target.",
    ):
        assert "No requirement was ranked" not in near_the_top(bank, rubric, ranking)[1], ranking
    for not_a_ranking in (
        " Each seat row has the seat id as its primary key.",  # a key, not a priority
        " Seat ids are issued in order, one section after another.",  # a sequence, not an order of importance
    ):
        assert "No requirement was ranked" in near_the_top(bank, rubric, not_a_ranking)[1], not_a_ranking


def test_the_top_of_the_ladder_needs_a_priority_an_assumption_alone_does_not_reach_it(
    bank: ProblemBank, rubric: Rubric
) -> None:
    """The rubric's 5 prioritises requirements and states assumptions; an assumption alone draws scope."""
    assumed, _ = near_the_top(bank, rubric, " I'll assume payments go through an external provider.")
    ranked, _ = near_the_top(bank, rubric, PRIORITY)
    assert ranked > assumed


def test_features_said_back_in_the_problems_words_while_scoping_are_functional_requirements(
    bank: ProblemBank, rubric: Rubric
) -> None:
    """A terse playback after the interviewer's facts ("hold seats, pay, issue tickets…") states the features,
    though no sentence says "users can"; the same words said while designing do not."""
    facts = "Seats are held for 8 minutes while the fan pays; at most 6 seats per order."
    playback = "So: fans pick seats on the map, we hold them for 8 minutes, they pay, then we issue the tickets."
    said_back, why = requirements(bank, rubric, (OPENING, "How long is a hold?"), (facts, playback), (LATER, DESIGN))
    late, why_late = requirements(bank, rubric, (OPENING, "How long is a hold?"), (facts, DESIGN), (LATER, playback))
    assert "Functional requirements" in why.split("Not covered:")[0].split("Named without reasoning:")[0]
    assert "Functional requirements" not in why_late.split("Not covered:")[0].split("Named without reasoning:")[0]
    assert said_back > late


def test_asking_whether_a_tool_is_allowed_scopes_nothing(bank: ProblemBank, rubric: Rubric) -> None:
    stack = "Can I use Kafka for the hold events? Is Redis allowed as well? And is there a house language, Java or Go?"
    about_fans = "How many fans arrive when a big sale opens, and how long is a seat held while the fan pays?"
    tools, why_tools = requirements(bank, rubric, (OPENING, stack), (LATER, DESIGN))
    fans, _ = requirements(bank, rubric, (OPENING, about_fans), (LATER, DESIGN))
    assert "Scope and assumptions" not in why_tools.split("Not covered:")[0]
    assert fans > tools


def test_requirements_for_another_product_are_no_requirements_for_this_one(bank: ProblemBank, rubric: Rubric) -> None:
    chat = (
        "For the chat app, the requirements are: users send one-to-one and group messages, see read receipts and "
        "presence, and a message must be delivered within 500 ms; voice calls are out of scope."
    )
    seats = (
        "Fans pick their seats, hold them for 8 minutes while they pay, and a seat is never sold twice; a hold must "
        "answer within 300 ms; refunds are out of scope."
    )
    elsewhere, why = requirements(bank, rubric, (OPENING, chat), (LATER, DESIGN))
    here, _ = requirements(bank, rubric, (OPENING, seats), (LATER, DESIGN))
    assert "Functional requirements" not in why.split("Not covered:")[0]
    assert here >= elsewhere + 1.5


def test_a_design_rule_said_after_scoping_is_not_a_requirement(bank: ProblemBank, rubric: Rubric) -> None:
    rule = "Each hold table must answer a lookup within 5 ms at p99 latency, because the sweeper scans it every second."
    _, why = requirements(
        bank, rubric, (OPENING, "Let me go straight to the services."), (LATER, DESIGN), (LATER, rule)
    )
    assert "Shown with reasoning" not in why  # named in passing at most


def test_features_listed_as_bare_verbs_state_the_requirements(bank: ProblemBank, rubric: Rubric) -> None:
    """ "In scope: browse events, pick seats on the map, pay, receive the tickets" says what the system
    does as surely as "fans can…" does; the verbs need not be ones the reader knows."""
    asked = "How long is a hold, and how many seats per order?"
    facts = "Seats are held for 8 minutes while the fan pays; at most 6 seats per order."
    listed = (
        "In scope, then: browse upcoming events, pick seats on the interactive map, pay before the timer runs out, "
        "and receive the tickets by email. Out of scope: resale and refunds."
    )
    _, why = requirements(bank, rubric, (OPENING, asked), (facts, listed), (LATER, DESIGN))
    assert "Functional requirements" in why.split("Not covered:")[0].split("Named without reasoning:")[0]
