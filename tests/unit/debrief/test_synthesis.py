"""The customer-discovery synthesis: jobs by type, top pains and outcomes, conflicts, gaps, and the
suggested scores, over fixture sessions with known outcomes (tests/fixtures/discovery) and small
hand-made cases for each rule."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from core.config import DebriefSettings
from core.content.rubrics import load_rubrics
from core.content.templates import InterviewTemplate, load_templates
from core.debrief.recommendations import compute_recommendation
from core.debrief.scorecards import group_scores, weighted_mean
from core.debrief.synthesis import DiscoverySynthesis, synthesize
from core.live.goal_coverage import goal_coverage
from core.models import LiveNote, TranscriptEntry

ROOT = Path(__file__).resolve().parents[3]
FIXTURES = ROOT / "tests" / "fixtures" / "discovery"
RUBRICS = load_rubrics(ROOT / "data" / "rubrics")
TEMPLATES = load_templates(ROOT / "data" / "templates", rubrics=RUBRICS)
DISCOVERY = TEMPLATES.get("customer_discovery")
DISCOVERY_FIXTURES = ["activation_candidate", "follow_up_needed", "not_a_fit"]


def load_fixture(name: str) -> dict[str, Any]:
    return yaml.safe_load((FIXTURES / f"{name}.yaml").read_text(encoding="utf-8"))


def fixture_notes(data: dict[str, Any]) -> list[LiveNote]:
    notes = []
    for index, n in enumerate(data["notes"]):
        fields = {k: str(n[source]) for k, source in _FIELDS.items() if source in n}
        notes.append(
            LiveNote(
                session_id="s",
                text=n["text"],
                at_seconds=float(n["at"]),
                stage=n["stage"],
                tag=n.get("tag"),
                jtbd_type=n.get("jtbd"),
                importance=n.get("importance"),
                fields=fields,
                id=index + 1,
            )
        )
    return notes


_FIELDS = {"quote": "quote", "frequency": "frequency", "current_workaround": "workaround"}


def fixture_transcript(data: dict[str, Any]) -> list[TranscriptEntry]:
    return [
        TranscriptEntry(session_id="s", speaker=speaker, text=text, start=float(at), end=float(at) + 5)
        for speaker, at, text in data.get("transcript", [])
    ]


def synthesis_of(data: dict[str, Any], template: InterviewTemplate = DISCOVERY) -> DiscoverySynthesis:
    notes = fixture_notes(data)
    coverage = goal_coverage(
        template, transcript=fixture_transcript(data), notes=notes, marks=data.get("goal_marks") or {}
    )
    return synthesize(template, notes, data.get("facts") or {}, coverage)


def note(text: str, **kw: Any) -> LiveNote:
    fields = kw.pop("fields", {})
    return LiveNote(session_id="s", text=text, at_seconds=kw.pop("at", 0.0), fields=fields, **kw)


def quick(notes: list[LiveNote], facts: dict[str, str] | None = None, covered: tuple[str, ...] = ()) -> Any:
    coverage = goal_coverage(DISCOVERY, marks={g.key: g.key in covered for s in DISCOVERY.stages for g in s.goals})
    return synthesize(DISCOVERY, notes, facts or {}, coverage)


# --- the fixture sessions --------------------------------------------------------------------------


@pytest.mark.parametrize("name", DISCOVERY_FIXTURES)
def test_fixture_sessions_synthesise_as_expected(name: str) -> None:
    data = load_fixture(name)
    expected = data["expected"]
    result = synthesis_of(data)

    assert {k: len(v) for k, v in result.jobs.items()} == expected["jobs"]
    assert list(result.jobs) == ["functional", "social", "emotional"]  # template order, empty types kept
    assert result.top_pains[0].text == expected["top_pain"]
    assert result.top_outcomes[0].text == expected["top_outcome"]
    assert [c.key for c in result.conflicts] == expected["conflicts"]
    assert [g.key for g in result.missing_facts] == expected["missing_facts"]
    assert {k: s.score for k, s in result.suggestions.items()} == expected["suggestions"]
    assert set(result.suggestions) == {c.key for c in RUBRICS["customer_discovery"].competencies}
    for suggestion in result.suggestions.values():
        assert suggestion.rationale.endswith(".")


@pytest.mark.parametrize("name", DISCOVERY_FIXTURES)
def test_fixture_sessions_lead_to_their_recommendation(name: str) -> None:
    """The interviewer accepts every suggestion: the debrief thresholds give the expected next step."""
    data = load_fixture(name)
    result = synthesis_of(data)
    rubric = RUBRICS["customer_discovery"]
    scores = {k: s.score for k, s in result.suggestions.items()}
    settings = DebriefSettings()
    names = {
        "overall": weighted_mean(scores, {c.key: c.weight for c in rubric.competencies}),
        **{g.key: g.score for g in group_scores(DISCOVERY, rubric, scores, settings.score_weights)},
    }
    computed = compute_recommendation(
        DISCOVERY, names, settings.thresholds["customer_discovery"], scored_fraction=1.0, goal_fraction=0.8
    )
    assert computed.key == data["expected"]["recommendation"]


def test_activation_fixture_in_detail() -> None:
    result = synthesis_of(load_fixture("activation_candidate"))
    functional = result.jobs["functional"]
    assert [j.importance for j in functional] == [5, 5, 3, 3]
    # equal importance: the more frequent first (monthly pain before an unrated-frequency outcome), then time
    assert functional[0].text.startswith("Month-end close")
    assert functional[0].quotes == (
        "Last month we spent six days on the close, most of it matching bank lines in Excel",
    )
    assert functional[0].workaround == "Two analysts match lines in a shared spreadsheet"
    assert [f.text for f in functional[2:]] == [
        "Chasing people for sign-offs by email",
        "Match the obvious bank lines without her",
    ]

    speed = result.conflicts[0]
    assert speed.label == "Speed vs accuracy"
    assert (speed.side_a.text, speed.phrase_a) == ("Close the books in two days", "faster")
    assert speed.side_b.text.startswith("Be the one who made the numbers trustworthy")
    assert speed.phrase_b == "accurate"
    control = result.conflicts[1]
    assert (control.phrase_a, control.phrase_b) == ("automatic", "see every")

    assert [o.text for o in result.objections] == ["Will need the NetSuite integration at some point"]
    assert [f.text for f in result.features] == ["Match the obvious bank lines without her"]
    assert result.facts["budget"].startswith("Allocated")
    assert result.suggestions["budget"].evidence == ("Allocated from the finance tooling budget, about $30k a year",)
    assert result.suggestions["problem_solution_mapping"].evidence[0].startswith("Last month we spent six days")


def test_follow_up_fixture_lists_its_gaps() -> None:
    result = synthesis_of(load_fixture("follow_up_needed"))
    assert [g.label for g in result.missing_facts] == [
        "Decision-makers and approvers",
        "Budget",
        "Alternatives and competitors",
    ]
    open_goals = [g.key for g in result.open_goals]
    assert "stakeholders_and_process" in open_goals
    assert "next_step_agreed" in open_goals
    assert "pain_quantified" not in open_goals  # "three hours every day" was said
    assert all(g.stage for g in result.open_goals)
    assert result.suggestions["decision_process"].rationale == "Unknown who decides."


# --- ranking and grouping ------------------------------------------------------------------------------


def test_pains_rank_by_importance_then_frequency_then_time_and_keep_five() -> None:
    notes = [
        note("rare but big", tag="pain", importance=4, fields={"frequency": "rarely"}, at=10),
        note("daily and big", tag="pain", importance=4, fields={"frequency": "daily"}, at=50),
        note("weekly and big", tag="pain", importance=4, fields={"frequency": "weekly"}, at=5),
        note("small", tag="pain", importance=2, at=1),
        note("unrated", tag="pain", at=2),
        note("huge", tag="pain", importance=5, at=99),
        note("big, no frequency, early", tag="pain", importance=4, at=3),
        note("a draft is ignored", tag="pain", importance=5, draft=True),
        note("an outcome", tag="outcome", importance=5),
    ]
    result = quick(notes)
    assert [p.text for p in result.top_pains] == [
        "huge",
        "daily and big",
        "weekly and big",
        "rare but big",
        "big, no frequency, early",
    ]
    assert [o.text for o in result.top_outcomes] == ["an outcome"]
    assert result.jobs == {"functional": [], "social": [], "emotional": []}


def test_a_note_on_both_sides_of_a_tension_is_no_conflict_by_itself() -> None:
    alone = quick([note("faster, but accurate", tag="outcome")])
    assert alone.conflicts == []
    paired = quick([note("faster, but accurate", tag="outcome"), note("double check everything", tag="outcome")])
    [conflict] = paired.conflicts
    assert conflict.side_a.text == "faster, but accurate"
    assert conflict.side_b.text == "double check everything"


def test_the_quote_counts_for_conflicts() -> None:
    notes = [
        note("Wants it hands-free", fields={"quote": "do it automatically"}),
        note("Wants oversight", fields={"quote": "I approve each one"}),
    ]
    assert [c.key for c in quick(notes).conflicts] == ["automation_vs_control"]


# --- the rules, one by one -------------------------------------------------------------------------


def test_no_notes_and_no_facts_give_low_but_explained_scores() -> None:
    result = quick([])
    assert {k: s.score for k, s in result.suggestions.items()} == {
        "problem_solution_mapping": 1.0,
        "feature_alignment": 2.0,
        "price_fit": 2.5,
        "timing_fit": 2.0,
        "decision_process": 1.0,
        "budget": 2.0,
        "timeline": 1.0,
        "competition": 2.5,
    }
    assert result.suggestions["price_fit"].rationale == "Price never came up."
    assert len(result.missing_facts) == 4
    assert len(result.open_goals) == sum(len(s.goals) for s in DISCOVERY.stages)


def test_problem_solution_mapping_rewards_quotes_workarounds_and_several_pains() -> None:
    unquoted = quick([note("slow reports", tag="pain", importance=4)])
    assert unquoted.suggestions["problem_solution_mapping"].score == 3.0
    quoted = quick([note("slow reports", tag="pain", importance=4, fields={"quote": "it takes all Friday"})])
    assert quoted.suggestions["problem_solution_mapping"].score == 4.0
    worked_around = quick(
        [
            note(
                "slow reports",
                tag="pain",
                importance=4,
                fields={"quote": "all Friday", "current_workaround": "a macro"},
            )
        ]
    )
    assert worked_around.suggestions["problem_solution_mapping"].score == 4.5
    assert "work around" in worked_around.suggestions["problem_solution_mapping"].rationale


def test_feature_alignment_weighs_wants_against_objections() -> None:
    balanced = quick(
        [
            note("a", tag="outcome", importance=4),
            note("b", tag="feature", importance=2),
            note("no", tag="objection", importance=2),
        ]
    )
    assert balanced.suggestions["feature_alignment"].score == 4.0  # 3 + 2 × (6 − 2) / 8
    single = quick([note("a", tag="outcome", importance=5)])
    assert single.suggestions["feature_alignment"].score == 4.0  # 5 is capped with a single want
    only_objections = quick([note("no", tag="objection", importance=3)])
    assert only_objections.suggestions["feature_alignment"].score == 1.0


def test_price_objections_pull_price_fit_down() -> None:
    covered = ("pain_quantified", "value_and_price")
    assert quick([], covered=covered).suggestions["price_fit"].score == 4.5
    objection = note("Too expensive for us", tag="objection", importance=4)
    assert quick([objection], covered=covered).suggestions["price_fit"].score == 3.0
    other = note("Needs SSO", tag="objection", importance=4)
    assert quick([other], covered=covered).suggestions["price_fit"].score == 4.5


@pytest.mark.parametrize(
    ("timeline", "timing", "length"),
    [
        ("", 2.0, 1.0),
        ("Not this year, maybe next year", 2.0, 2.0),
        ("When things calm down", 2.0, 2.0),
        ("Sometime during the year", 3.0, 3.0),
        ("Before the contract ends in Q3", 3.5, 4.0),
        ("Right away, this month", 4.0, 4.5),
    ],
)
def test_timeline_horizons(timeline: str, timing: float, length: float) -> None:
    result = quick([], facts={"timeline": timeline})
    assert result.suggestions["timing_fit"].score == timing
    assert result.suggestions["timeline"].score == length


def test_an_agreed_next_step_lifts_a_near_timeline() -> None:
    result = quick([], facts={"timeline": "This quarter"}, covered=("next_step_agreed",))
    assert result.suggestions["timing_fit"].score == 5.0
    assert result.suggestions["timeline"].score == 5.0


def test_urgent_notes_stand_in_for_a_missing_timeline() -> None:
    result = quick([note("The renewal is coming and we must decide", tag="pain", importance=3)])
    assert result.suggestions["timing_fit"].score == 3.0


@pytest.mark.parametrize(
    ("budget", "score"),
    [
        ("Not budgeted yet", 1.0),
        ("None at all", 1.0),
        ("Approved in the Q2 plan", 5.0),
        ("Around €12,000 from the ops line", 4.0),
        ("The COO owns the ops budget", 3.0),
    ],
)
def test_budget_rules(budget: str, score: float) -> None:
    assert quick([], facts={"budget": budget}).suggestions["budget"].score == score


@pytest.mark.parametrize(
    ("alternatives", "score"),
    [
        ("We gave up on tools, nothing works", 5.0),
        ("Not happy with Acme, it is clunky", 4.0),
        ("Acme works well for us", 1.5),
        ("Also looking at Acme", 3.0),
    ],
)
def test_competition_rules(alternatives: str, score: float) -> None:
    assert quick([], facts={"alternatives": alternatives}).suggestions["competition"].score == score


def test_decision_process_counts_people_and_process() -> None:
    one = quick([], facts={"decision_makers": "Maria"})
    assert one.suggestions["decision_process"].score == 3.0
    several = quick([], facts={"decision_makers": "Maria and the CTO"}, covered=("stakeholders_and_process",))
    assert several.suggestions["decision_process"].score == 4.5
    discussed_only = quick([], covered=("stakeholders_and_process",))
    assert discussed_only.suggestions["decision_process"].score == 2.0


def test_blank_facts_count_as_missing() -> None:
    result = quick([], facts={"budget": "   ", "timeline": "Q3"})
    assert [g.key for g in result.missing_facts] == ["decision_makers", "budget", "alternatives"]
    assert result.facts == {"timeline": "Q3"}
