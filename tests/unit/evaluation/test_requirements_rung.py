"""The requirements ladder is climbed rung by rung: generic qualities and a "how big?" stay near the bottom,
targeted questions with a numbered, scoped playback reach level 4, and priorities on top reach 5."""

from __future__ import annotations

from core.content.problems import ProblemBank
from core.content.rubrics import Rubric
from core.evaluation.offline_evaluator import OfflineEvaluator, _asks
from core.evaluation.requirements_rung import ScopingEvidence, question_weight, rung
from core.models import Utterance

NOTHING = ScopingEvidence(
    features=False,
    qualities_named=False,
    specific_qualities=0,
    quantified=0,
    targeted_questions=0.0,
    scope_drawn=False,
    ranked=False,
)


def evidence(**said: object) -> ScopingEvidence:
    return ScopingEvidence(**{**NOTHING.__dict__, **said})  # type: ignore[arg-type]


def test_jumping_into_a_solution_is_the_bottom_rung() -> None:
    assert rung(NOTHING) == 1.0


def test_generic_qualities_and_one_size_question_ask_little() -> None:
    said = evidence(features=True, qualities_named=True, targeted_questions=0.5)
    assert rung(said) <= 2.5


def test_features_a_specific_quality_and_a_question_reach_level_three() -> None:
    assert rung(evidence(features=True, qualities_named=True, specific_qualities=1, targeted_questions=1.0)) == 3.0


def test_numbers_and_scope_after_targeted_questions_reach_level_four_and_priorities_five() -> None:
    scoped = evidence(
        features=True,
        qualities_named=True,
        specific_qualities=2,
        quantified=1,
        targeted_questions=2.0,
        scope_drawn=True,
    )
    assert rung(scoped) == 4.0
    assert rung(evidence(**{**scoped.__dict__, "quantified": 3, "ranked": True})) == 5.0


def test_many_questions_never_played_back_stop_below_level_three() -> None:
    assert rung(evidence(targeted_questions=6.0)) == 2.5


def test_a_question_about_behaviour_is_targeted_and_a_late_one_counts_half() -> None:
    assert question_weight("How many users do we have?", names_behaviour=False, names_quality=False, early=True) == 0.5
    assert question_weight("How long is a seat held?", names_behaviour=True, names_quality=False, early=True) == 1.0
    assert question_weight("What p99 target for a hold?", names_behaviour=False, names_quality=True, early=False) == 0.5


def test_a_request_for_information_worded_as_a_statement_is_asked() -> None:
    said = "Functionally: fans pick seats. Non-functionally I'd like the user numbers and the load-time target."
    assert _asks(said) == ["Non-functionally I'd like the user numbers and the load-time target."]


OPENING = "We sell reserved-seat tickets for concerts. What questions do you have before designing the booking backend?"
LATER = "Walk me through a fan choosing two seats and paying for them."
DESIGN = (
    "The hold service writes a hold row with an expiry, the booking service turns a paid hold into tickets in one "
    "transaction, and a sweeper releases expired holds every few seconds because fans must get seats back."
)


def requirements(bank: ProblemBank, rubric: Rubric, scoping: str, design: str = DESIGN) -> float:
    """The requirements score of an interview: the candidate's answer to the opening, then to the design prompt."""
    talk = [
        Utterance("interviewer", OPENING, start=0.0, end=8.0),
        Utterance("candidate", scoping, start=10.0, end=50.0),
        Utterance("interviewer", LATER, start=60.0, end=68.0),
        Utterance("candidate", design, start=70.0, end=110.0),
    ]
    evaluation = OfflineEvaluator(rubric, bank.get("ticket_booking"), bank=bank).evaluate("s1", talk)
    return next(c.score or 0.0 for c in evaluation.competencies if c.key == "requirements")


QUESTIONS = "How long is a seat held while the fan pays, and how many seats may one order take? "


def test_a_playback_without_numbers_or_scope_stays_at_level_three_and_numbers_with_scope_climb(
    bank: ProblemBank, rubric: Rubric
) -> None:
    unquantified = requirements(
        bank,
        rubric,
        QUESTIONS + "So fans pick seats, hold them and pay; a seat must never be sold twice and the hold should "
        "answer quickly.",
    )
    quantified = requirements(
        bank,
        rubric,
        QUESTIONS + "So fans pick seats, hold them for 8 minutes and pay, at most 6 per order; a seat must never be "
        "sold twice and a hold must answer within 300 ms at p99. Resale is out of scope.",
    )
    assert unquantified <= 3.0
    assert quantified >= unquantified + 0.6


def test_questions_asked_only_once_the_design_has_begun_scope_less(bank: ProblemBank, rubric: Rubric) -> None:
    asked = (
        "How long is a seat held while the fan pays? How many seats may one order take? How fast must a hold answer?"
    )
    begin = "Let me go straight to the services: a hold service, a booking service and a seat map cache."

    assert requirements(bank, rubric, asked) > requirements(bank, rubric, begin, asked + " " + DESIGN)


def requirements_of(bank: ProblemBank, rubric: Rubric, *talk: tuple[str, str]) -> float:
    """The requirements score of a ticket-booking interview told as (speaker, text) turns, 20 s apart."""
    turns = [Utterance(who, text, start=20.0 * i, end=20.0 * i + 15) for i, (who, text) in enumerate(talk)]
    evaluation = OfflineEvaluator(rubric, bank.get("ticket_booking"), bank=bank).evaluate("s1", turns)
    return next(c.score or 0.0 for c in evaluation.competencies if c.key == "requirements")


def scoped_after_facts(bank: ProblemBank, rubric: Rubric, playback: str) -> float:
    """Questions, the interviewer's facts (no prompt to scope), then the candidate's next answer, then a design."""
    facts = "Seats are held for 8 minutes, at most 6 per order. A hold answers within 300 ms at p99."
    return requirements_of(
        bank,
        rubric,
        ("interviewer", OPENING),
        ("candidate", QUESTIONS + "And how fast must a hold answer?"),
        ("interviewer", facts),
        ("candidate", playback),
        ("interviewer", LATER),
        ("candidate", DESIGN),
    )


def test_a_playback_in_short_lines_after_the_facts_restates_the_requirements(bank: ProblemBank, rubric: Rubric) -> None:
    """Scoping lasts until the interviewer moves on: a terse playback after the facts still plays the features back,
    although each line names too little of the problem to count alone."""
    playback = "So. Six seats max per order. Eight-minute holds. Never sell a seat twice. Holds answer in 300 ms."
    assert scoped_after_facts(bank, rubric, playback + " Resale is out.") >= 3.5
    assert scoped_after_facts(bank, rubric, "Okay, thanks.") <= 2.5


def skipped_then_confirmed(bank: ProblemBank, rubric: Rubric, first: str) -> float:
    """The first answer, a second invitation to scope answered in passing, then the design."""
    return requirements_of(
        bank,
        rubric,
        ("interviewer", OPENING),
        ("candidate", first),
        ("interviewer", "Before we go further, anything about the product you want to confirm?"),
        (
            "candidate",
            "Not really, it's the usual: fans pick seats, hold them and pay. How many seats can one order take?",
        ),
        ("interviewer", LATER),
        ("candidate", DESIGN),
    )


def test_saying_it_skips_the_scoping_is_the_bottom_rung_whatever_follows(bank: ProblemBank, rubric: Rubric) -> None:
    skipped = "I know this domain, so I'll skip ahead and get the architecture on the board. " + DESIGN
    assert skipped_then_confirmed(bank, rubric, skipped) <= 2.0
    assert skipped_then_confirmed(bank, rubric, "Let me think about who uses it first.") >= 2.5
    assert (
        rung(evidence(skipped=True, features=True, targeted_questions=2.0))
        == rung(evidence(features=True, targeted_questions=2.0)) - 1
    )


def test_only_how_many_questions_do_not_reach_the_targeted_rung() -> None:
    said = {"features": True, "quantified": 2, "scope_drawn": True, "ranked": True, "targeted_questions": 2.0}
    assert rung(evidence(**said)) >= 4.0
    assert rung(evidence(**said, only_size_asked=True)) == 3.5
