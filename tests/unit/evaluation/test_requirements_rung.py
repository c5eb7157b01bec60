"""The requirements ladder is climbed rung by rung: generic qualities and a "how big?" stay near the bottom,
targeted questions with a numbered, scoped playback reach level 4, and priorities on top reach 5."""

from __future__ import annotations

from core.content.problems import ProblemBank
from core.content.rubrics import Rubric
from core.evaluation.offline_evaluator import OfflineEvaluator, _asks, _before_sizing
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
    assert scoped_after_facts(bank, rubric, playback + " Resale is out.") >= 3.25
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


FEATURES = "So fans pick seats, hold them for 8 minutes and pay, at most 6 per order; a seat is never sold twice. "
TARGETS = "A hold answers within 300 ms at p99. "


def test_an_assumed_figure_sizes_the_system_and_draws_no_scope(bank: ProblemBank, rubric: Rubric) -> None:
    assumed = requirements(bank, rubric, QUESTIONS + FEATURES + TARGETS + "I'll assume 20,000 holds a second at peak.")
    out = requirements(bank, rubric, QUESTIONS + FEATURES + TARGETS + "Resale and refunds are out of scope.")
    assert assumed <= 3.5 < out


def test_scope_drawn_in_a_bare_list_or_in_plain_words_counts(bank: ProblemBank, rubric: Rubric) -> None:
    unscoped = requirements(bank, rubric, QUESTIONS + FEATURES + TARGETS)
    for scope in (
        "Out of scope: resale, refunds, seat maps.",
        "I'd leave resale, refunds and seat maps out.",
        "Paying out to venues is the finance team's job; we only sell.",
    ):
        assert requirements(bank, rubric, QUESTIONS + FEATURES + TARGETS + scope) > unscoped + 0.4, scope


def test_a_version_in_an_api_path_draws_no_scope(bank: ProblemBank, rubric: Rubric) -> None:
    design = "POST /v1/holds with the seat ids returns a hold id. " + DESIGN
    assert requirements(bank, rubric, QUESTIONS + FEATURES + TARGETS, design) <= 3.5


def test_targets_for_the_paths_named_state_no_features(bank: ProblemBank, rubric: Rubric) -> None:
    """Scoping only the qualities ("holds in 300 ms, four nines on checkout") leaves out what the system does."""
    asked = "How long is a seat held while the fan pays? What happens to a hold the fan abandons? "
    qualities = "So my targets: seat holds in 300 ms at p99, booking tickets at 99.99%, paying for held seats in 2 s."
    assert (
        requirements(bank, rubric, asked + qualities) < requirements(bank, rubric, asked + FEATURES + qualities) - 0.3
    )


BRIEF = (
    "We sell reserved-seat tickets for concerts. Fans pick specific seats on a map, the seats are held while they "
    "pay, and a seat must never be sold twice. Resale and refunds are out of scope. What would you like to clarify?"
)


def test_saying_the_brief_back_in_other_words_adds_nothing(bank: ProblemBank, rubric: Rubric) -> None:
    parroted = "So, fans pick seats on the map, seats are held while fans pay, a seat is never sold twice, and resale "
    parroted += "and refunds are out of scope."
    own = QUESTIONS + FEATURES + TARGETS + "Resale and refunds are out of scope."
    said = requirements_of(bank, rubric, ("interviewer", BRIEF), ("candidate", parroted), ("interviewer", LATER),
                           ("candidate", DESIGN))  # fmt: skip
    worked = requirements_of(bank, rubric, ("interviewer", BRIEF), ("candidate", own), ("interviewer", LATER),
                             ("candidate", DESIGN))  # fmt: skip
    assert said <= 2.5 < worked - 1


def test_asking_for_the_requirements_in_general_asks_nothing() -> None:
    for broad in ("So what are the requirements?", "Anything else I should know?", "What do you expect exactly?"):
        assert question_weight(broad, names_behaviour=False, names_quality=True, early=True) == 0.0, broad
    assert question_weight("What p99 target for a hold?", names_behaviour=False, names_quality=True, early=True) == 1.0


def test_a_design_put_forward_as_a_question_does_not_scope(bank: ProblemBank, rubric: Rubric) -> None:
    proposals = (
        "Maybe we could keep the holds in a Redis table with an expiry? Should we shard the booking service by event? "
        "Could we put the seat map in a cache?"
    )
    questions = "How long is a seat held while the fan pays? How many seats may one order take?"
    assert requirements(bank, rubric, proposals) <= 2.0 < requirements(bank, rubric, questions)


def test_scoping_another_product_counts_for_nothing_once_the_interviewer_redirects(
    bank: ProblemBank, rubric: Rubric
) -> None:
    other = (
        "So for the concert streaming app: viewers watch live shows in HD, chat alongside, and replay for 30 days; "
        "video must start within 2 seconds at p95. Ticketing itself is out of scope."
    )
    redirect = "We're designing the seat booking backend here, not a streaming app."
    talk = [("interviewer", OPENING), ("candidate", other), ("interviewer", redirect), ("candidate", "Okay, got it.")]
    redirected = requirements_of(bank, rubric, *talk, ("interviewer", LATER), ("candidate", DESIGN))
    talk[2] = ("interviewer", "Good, thanks.")
    assert redirected <= 1.5 < requirements_of(bank, rubric, *talk, ("interviewer", LATER), ("candidate", DESIGN))


def test_a_request_for_sizes_ends_the_scoping_and_figures_from_the_interviewer_do_not() -> None:
    def early_answers(prompt: str) -> int:
        turns = [
            Utterance("interviewer", OPENING, 0, 5),
            Utterance("candidate", "How long is a hold?", 6, 8),
            Utterance("interviewer", prompt, 9, 12),
            Utterance("candidate", "Holds: 20,000 a second at peak, 200 bytes each.", 13, 20),
        ]
        return len(_before_sizing(turns) & {id(u) for u in turns})

    assert early_answers("Requests per second, storage and bandwidth, please.") == 1
    assert early_answers("Eight minutes. About 20,000 requests a second at the on-sale peak.") == 2
