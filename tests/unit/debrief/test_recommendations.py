"""Computing a recommendation from scores (the threshold ladder and its confidence), checking the
debrief settings against the templates, and the pure scorecard arithmetic it rests on. Then the
recommendation services over the in-memory unit of work: computed or overridden, stored with their
effects in one transaction, and read back as the debrief shows them."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from core.config import DebriefSettings, Threshold
from core.content.problems import load_problem_bank
from core.content.rubrics import load_rubrics
from core.content.templates import FollowUpSpec, TemplateLibrary, load_templates
from core.debrief.recommendations import (
    MAX_JUSTIFICATION_CHARS,
    ComputedRecommendation,
    compute_recommendation,
    override_recommendation,
    recommend,
    recommendation_view,
)
from core.debrief.scorecards import agreement, check_score, group_scores, weighted_mean
from core.debrief.settings import check_debrief
from core.errors import ConfigError, ContentError, InvalidInput, NotFound
from core.evaluation.offline_evaluator import OfflineEvaluator
from core.models import Utterance
from core.permissions.actor import Actor
from core.workspace import Workspace
from tests.actors import INTERVIEWER
from tests.clock import Clock
from tests.discovery_data import ANA, AS_ANA, accept_suggestions, fixture, seed
from tests.fakes import FakeUnitOfWork
from tests.unit.debrief.test_synthesis import load_fixture
from tests.unit.fake_workspace import START

ROOT = Path(__file__).resolve().parents[3]
RUBRICS = load_rubrics(ROOT / "data" / "rubrics")
TEMPLATES = load_templates(ROOT / "data" / "templates", rubrics=RUBRICS)
DISCOVERY = TEMPLATES.get("customer_discovery")
SYSTEM_DESIGN = TEMPLATES.get("system_design_human")
LADDER = DebriefSettings().thresholds


def discovery(
    solution: float | None, commercial: float | None, *, scored: float = 1.0, goals: float = 1.0
) -> ComputedRecommendation:
    return compute_recommendation(
        DISCOVERY,
        {"solution_fit": solution, "commercial_viability": commercial, "overall": None},
        LADDER["customer_discovery"],
        scored_fraction=scored,
        goal_fraction=goals,
    )


# --- the ladder ----------------------------------------------------------------------------------------


def test_the_first_rung_whose_minimums_all_hold_wins() -> None:
    assert discovery(4.5, 4.0).key == "activation_candidate"
    assert discovery(4.5, 2.9).key == "follow_up_needed"  # commercial viability misses the first rung
    assert discovery(3.0, 4.0).key == "follow_up_needed"
    assert discovery(2.4, 4.5).key == "not_a_fit"  # no rung: the template's last recommendation


def test_minimums_are_inclusive() -> None:
    assert discovery(3.5, 3.0).key == "activation_candidate"
    assert discovery(2.5, 1.0).key == "follow_up_needed"


def test_an_unscored_group_cannot_meet_a_minimum() -> None:
    result = discovery(4.5, None)
    assert result.key == "follow_up_needed"
    assert "Commercial viability is not scored yet; Activation Candidate needs at least 3." in result.reasons


def test_reasons_say_why_in_sentences() -> None:
    result = discovery(3.0, 4.0)
    assert result.label == "Follow-up Needed"
    assert result.reasons == [
        "Solution fit 3.00 is below the Activation Candidate minimum of 3.5.",
        "Solution fit 3.00 meets the Follow-up Needed minimum of 2.5.",
        "100% of the competencies are scored and 100% of the goals were covered.",
    ]
    fallback = discovery(2.0, 2.0)
    assert fallback.reasons[-2] == "No threshold was met, so the weakest recommendation, Not a Fit, applies."


def test_the_basis_records_scores_thresholds_and_fractions() -> None:
    result = discovery(3.456, 3.0, scored=0.75, goals=0.5)
    assert result.basis["scores"] == {"solution_fit": 3.46, "commercial_viability": 3.0, "overall": None}
    assert result.basis["thresholds"] == [
        {"key": "activation_candidate", "minimums": {"solution_fit": 3.5, "commercial_viability": 3.0}},
        {"key": "follow_up_needed", "minimums": {"solution_fit": 2.5}},
    ]
    assert result.basis["scored_fraction"] == 0.75
    assert result.basis["goal_fraction"] == 0.5
    assert result.basis["margin"] == 0.04  # 3.456 is 0.044 short of activation


# --- confidence = scored × (0.5 + 0.5 × goals) × (0.5 + 0.5 × min(margin, 1)) -------------------------------


def test_confidence_is_full_when_everything_is_scored_covered_and_clear() -> None:
    assert discovery(5.0, 5.0).confidence == 1.0  # margins 1.5 and 2.0
    assert discovery(1.0, 1.0).confidence == 1.0  # 1.5 below the nearest rung


def test_confidence_halves_on_a_boundary() -> None:
    assert discovery(3.5, 4.5).confidence == 0.5  # solution fit exactly at the activation minimum


def test_confidence_combines_the_three_factors() -> None:
    # margin: activation met by 0.5 (solution) and 0.5 (commercial) -> 0.75; goals 0.5 -> 0.75; scored 0.8
    assert discovery(4.0, 3.5, scored=0.8, goals=0.5).confidence == pytest.approx(0.8 * 0.75 * 0.75, abs=0.005)
    # follow-up: 0.25 above its own minimum, but 0.2 short of activation's -> margin 0.2 -> 0.6
    assert discovery(3.3, 3.2).confidence == 0.6


def test_no_measurable_boundary_keeps_half_confidence() -> None:
    assert discovery(None, None).key == "not_a_fit"
    assert discovery(None, None).confidence == 0.5
    assert discovery(None, None, scored=0.0).confidence == 0.0


def test_system_design_ladder_uses_the_overall_score() -> None:
    def sd(overall: float) -> str:
        return compute_recommendation(
            SYSTEM_DESIGN,
            {"overall": overall},
            LADDER["system_design_human"],
            scored_fraction=1.0,
            goal_fraction=1.0,
        ).key

    assert [sd(x) for x in (4.5, 4.2, 3.6, 3.0, 2.4, 2.3)] == [
        "strong_hire",
        "strong_hire",
        "hire",
        "lean_hire",
        "lean_no_hire",
        "no_hire",
    ]


def test_system_design_fixture_accepting_the_evaluators_suggestions_is_a_hire() -> None:
    data = load_fixture("system_design_hire")
    rubric = RUBRICS["system_design"]
    problem = load_problem_bank(ROOT / "data" / "problems").get(data["problem"])
    utterances = [Utterance(s, text, start=float(at), end=float(at) + 10) for s, at, text in data["transcript"]]
    evaluation = OfflineEvaluator(rubric, problem).evaluate("s", utterances)
    scores = {c.key: round(c.score * 2) / 2 for c in evaluation.competencies if c.score is not None}
    assert set(scores) == {c.key for c in rubric.competencies}
    overall = weighted_mean(scores, {c.key: c.weight for c in rubric.competencies})
    result = compute_recommendation(
        SYSTEM_DESIGN, {"overall": overall}, LADDER["system_design_human"], scored_fraction=1.0, goal_fraction=1.0
    )
    assert result.key == data["expected"]["recommendation"]


# --- checking the settings -------------------------------------------------------------------------------


def test_the_default_settings_agree_with_the_shipped_templates() -> None:
    check_debrief(DebriefSettings(), TEMPLATES)


def test_a_threshold_key_that_is_not_a_recommendation_is_refused() -> None:
    settings = DebriefSettings(
        thresholds={"customer_discovery": [Threshold(key="activate", minimums={"solution_fit": 3})]}
    )
    with pytest.raises(ConfigError, match=r"debrief\.thresholds\.customer_discovery\[0\]\.key 'activate'") as exc:
        check_debrief(settings, TEMPLATES)
    assert "activation_candidate, follow_up_needed, not_a_fit" in str(exc.value)


def test_a_score_name_that_is_no_group_nor_overall_is_refused() -> None:
    settings = DebriefSettings(
        thresholds={
            "system_design_human": [
                Threshold(key="hire", minimums={"overall": 3.5}),
                Threshold(key="lean_hire", minimums={"solution_fit": 3}),
            ]
        }
    )
    with pytest.raises(ConfigError, match=r"system_design_human\[1\]\.minimums names 'solution_fit'"):
        check_debrief(settings, TEMPLATES)


def test_an_unknown_template_and_out_of_range_minimums_are_refused() -> None:
    with pytest.raises(ConfigError, match=r"debrief\.thresholds\.sales_call: No interview template 'sales_call'"):
        check_debrief(DebriefSettings(thresholds={"sales_call": []}), TEMPLATES)
    settings = DebriefSettings(thresholds={"system_design_human": [Threshold(key="hire", minimums={"overall": 7})]})
    with pytest.raises(ConfigError, match=r"minimums\.overall must be between 1 and 5 \(got 7\)"):
        check_debrief(settings, TEMPLATES)


def test_score_weights_must_name_groups_and_their_competencies() -> None:
    with pytest.raises(ConfigError, match="names 'solution', which is not a score group"):
        check_debrief(DebriefSettings(score_weights={"solution": {"budget": 1}}), TEMPLATES)
    with pytest.raises(ConfigError, match=r"score_weights\.solution_fit names 'budget'"):
        check_debrief(DebriefSettings(score_weights={"solution_fit": {"budget": 1}}), TEMPLATES)


# --- scorecard arithmetic -------------------------------------------------------------------------------


@pytest.mark.parametrize("score", [1, 1.5, 3.0, 4.5, 5])
def test_scores_are_one_to_five_in_half_steps(score: float) -> None:
    assert check_score(score) == float(score)


@pytest.mark.parametrize("score", [0.5, 5.5, 3.2, float("nan"), True, "4"])
def test_other_scores_are_refused(score: object) -> None:
    with pytest.raises(InvalidInput, match="1 to 5"):
        check_score(score)  # type: ignore[arg-type]


def test_agreement_bands() -> None:
    assert [agreement(4, s) for s in (4, 3.5, 5, 3, 2.5)] == ["agrees", "agrees", "close", "close", "differs"]
    assert agreement(None, 3) == ""
    assert agreement(3, None) == ""


def test_group_scores_use_the_settings_weights_and_skip_unscored_competencies() -> None:
    rubric = RUBRICS["customer_discovery"]
    weights = DebriefSettings().score_weights
    scores = {"problem_solution_mapping": 5.0, "feature_alignment": 3.0, "decision_process": None}
    solution, commercial = group_scores(DISCOVERY, rubric, scores, weights)
    assert solution.score == round((5 * 0.35 + 3 * 0.25) / 0.6, 2)
    assert (solution.scored, solution.total) == (2, 4)
    assert solution.weights == weights["solution_fit"]
    assert commercial.score is None


def test_group_scores_fall_back_to_rubric_weights_when_the_settings_miss_a_competency() -> None:
    rubric = RUBRICS["customer_discovery"]
    partial = {"solution_fit": {"problem_solution_mapping": 10.0}}
    scores = {"problem_solution_mapping": 5.0, "feature_alignment": 3.0}
    solution = group_scores(DISCOVERY, rubric, scores, partial)[0]
    assert solution.weights["problem_solution_mapping"] == 0.20  # the rubric's weight, not 10
    assert solution.score == round((5 * 0.20 + 3 * 0.15) / 0.35, 2)


def test_weighted_mean_of_nothing_is_none() -> None:
    assert weighted_mean({}, {"a": 1.0}) is None
    assert weighted_mean({"a": None}, {"a": 1.0}) is None
    assert weighted_mean({"a": 4.0, "b": 2.0}, {"a": 3.0, "b": 1.0}) == 3.5


# --- the services ----------------------------------------------------------------------------------------

T0 = START  # the clock fixture's time


def actions(uow: FakeUnitOfWork, session_id: str) -> list[str]:
    return [e.action for e in uow.audit.latest(session_id=session_id)]


def test_nothing_scored_means_no_recommendation_and_nothing_stored(ws: Workspace, uow: FakeUnitOfWork) -> None:
    session = seed(ws, fixture("activation_candidate"))
    with pytest.raises(InvalidInput, match="Nothing is scored yet"):
        recommend(ws, session.id, actor=AS_ANA)
    view = recommendation_view(ws, session.id, actor=INTERVIEWER)
    assert (view.current, view.label, view.computed, view.history, view.tasks, view.audit) == (
        None,
        "",
        None,
        [],
        [],
        [],
    )
    assert view.choices == [
        ("activation_candidate", "Activation Candidate"),
        ("follow_up_needed", "Follow-up Needed"),
        ("not_a_fit", "Not a Fit"),
    ]
    assert actions(uow, session.id) == ["live_session_created"]


def test_recommending_stores_the_record_its_tasks_and_the_pipeline_move_together(
    ws: Workspace, uow: FakeUnitOfWork, clock: Clock
) -> None:
    session = seed(ws, fixture("follow_up_needed"))
    accept_suggestions(ws, session.id)
    clock.advance(seconds=90)
    record = recommend(ws, session.id, actor=AS_ANA)
    assert (record.key, record.source, record.actor, record.created_at) == (
        "follow_up_needed",
        "computed",
        ANA,
        T0 + timedelta(seconds=90),
    )
    assert 0 < record.confidence <= 1 and record.basis["reasons"]
    computed = [e for e in uow.audit.latest(session_id=session.id) if e.action == "recommendation_computed"]
    assert [e.detail for e in computed] == [
        {"key": "follow_up_needed", "confidence": record.confidence, "scores": record.basis["scores"]}
    ]

    view = recommendation_view(ws, session.id, actor=INTERVIEWER)
    choice = ws.templates.get("customer_discovery").recommendation("follow_up_needed")
    assert (view.current, view.label, view.description) == (record, choice.label, choice.description)
    assert view.computed is not None and view.computed.key == record.key
    assert len(view.tasks) == len(choice.follow_ups) and {t.recommendation for t in view.tasks} == {record.key}
    assert all("Sam Okafor" in t.title for t in view.tasks)
    assert session.candidate_id is not None
    assert [c.status for c in uow.pipeline.history(session.candidate_id)] == ["follow_up"]
    assert [a.action for a in view.audit] == ["pipeline_moved", "follow_ups_created", "recommendation_computed"]


@pytest.mark.parametrize(
    ("key", "justification", "error", "message"),
    [
        ("activation_candidate", "  \n ", InvalidInput, "An override needs a justification"),
        ("activation_candidate", "x" * (MAX_JUSTIFICATION_CHARS + 1), InvalidInput, "Keep the justification under"),
        ("hire", "Because.", NotFound, "has no recommendation 'hire'; its recommendations are activation_candidate"),
    ],
)
def test_a_refused_override_stores_nothing_and_sets_nothing_in_motion(
    ws: Workspace, uow: FakeUnitOfWork, key: str, justification: str, error: type[Exception], message: str
) -> None:
    session = seed(ws, fixture("follow_up_needed"))
    accept_suggestions(ws, session.id)
    computed = recommend(ws, session.id, actor=AS_ANA)
    before = recommendation_view(ws, session.id, actor=INTERVIEWER)
    with pytest.raises(error, match=message):
        override_recommendation(ws, session.id, key=key, justification=justification, actor=Actor.workspace("ben"))
    after = recommendation_view(ws, session.id, actor=INTERVIEWER)
    assert after.history == [computed] and after.tasks == before.tasks and after.audit == before.audit


def test_an_override_replaces_the_standing_recommendation_and_its_effects(
    ws: Workspace, uow: FakeUnitOfWork, clock: Clock
) -> None:
    session = seed(ws, fixture("follow_up_needed"))
    accept_suggestions(ws, session.id)
    recommend(ws, session.id, actor=AS_ANA)
    clock.advance(seconds=120)
    why = "Their CFO joined the last ten minutes and asked for a pilot proposal by Friday."
    record = override_recommendation(
        ws, session.id, key="activation_candidate", justification=f" {why} ", actor=Actor.workspace("ben")
    )
    assert (record.key, record.source, record.actor, record.justification, record.confidence) == (
        "activation_candidate",
        "override",
        "ben",
        why,
        1.0,
    )
    assert (record.basis["from"], record.basis["computed"]) == ("follow_up_needed", "follow_up_needed")
    [entry] = [e for e in uow.audit.latest(session_id=session.id) if e.action == "recommendation_overridden"]
    assert (entry.actor, entry.detail) == (
        "ben",
        {"from": "follow_up_needed", "to": "activation_candidate", "justification": why},
    )

    view = recommendation_view(ws, session.id, actor=INTERVIEWER)
    assert view.current == record and view.label == "Activation Candidate"
    assert [(r.key, r.source) for r in view.history] == [
        ("activation_candidate", "override"),
        ("follow_up_needed", "computed"),
    ]
    assert view.computed is not None and view.computed.key == "follow_up_needed"  # the scores have not changed
    open_tasks = [t for t in view.tasks if t.status == "open"]
    assert {t.recommendation for t in open_tasks} == {"activation_candidate"} and len(open_tasks) == 2
    assert {t.status for t in view.tasks if t.recommendation == "follow_up_needed"} == {"cancelled"}
    assert session.candidate_id is not None
    assert [c.status for c in uow.pipeline.history(session.candidate_id)] == ["follow_up", "activation"]


def test_an_override_before_any_computation_comes_from_nothing(ws: Workspace) -> None:
    session = seed(ws, fixture("not_a_fit"))
    record = override_recommendation(
        ws, session.id, key="not_a_fit", justification="She told us she is closing the agency.", actor=AS_ANA
    )
    assert record.basis == {"from": None, "computed": None, "scores": {}}


def test_when_an_effect_fails_the_recommendation_is_not_stored_either(ws: Workspace, uow: FakeUnitOfWork) -> None:
    template = ws.templates.get("customer_discovery")
    broken = template.recommendation("follow_up_needed").model_copy(
        update={"follow_ups": [FollowUpSpec(title="Call {{candidate.phone}}")]}
    )
    recommendations = [broken if r.key == broken.key else r for r in template.recommendations]
    library = TemplateLibrary([template.model_copy(update={"recommendations": recommendations})])
    session = seed(ws, fixture("follow_up_needed"))
    accept_suggestions(ws, session.id)
    broken_ws = replace(ws, templates=library)
    with pytest.raises(ContentError, match=r"Unknown merge tag candidate\.phone"):
        recommend(broken_ws, session.id, actor=AS_ANA)
    assert uow.recommendations.in_session(session.id) == [] and uow.follow_ups.in_session(session.id) == []
    assert "recommendation_computed" not in actions(uow, session.id)
    assert session.candidate_id is not None and uow.pipeline.history(session.candidate_id) == []
