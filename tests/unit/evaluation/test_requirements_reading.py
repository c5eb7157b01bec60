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
