"""The debrief of interviewer-led sessions on SQLite and PostgreSQL: the scorecard with its suggestions,
the computed recommendation and its effects, and overrides with their audit trail.

The fixture sessions (tests/fixtures/discovery) are stored as an interviewer would leave them — notes,
typed transcript lines, session facts, ticked goals — then scored by accepting every suggestion.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from core.config import DebriefSettings, Settings, Threshold
from core.debrief.recommendations import override_recommendation, recommend, recommendation_view
from core.debrief.scorecards import scorecard, set_score, suggestions, synthesis_for
from core.errors import ConfigError, InvalidInput, NotFound
from core.models import WhiteboardSnapshot
from core.permissions.actor import Actor
from core.workspace import Workspace
from entry.bootstrap import build_workspace
from tests.actors import INTERVIEWER
from tests.clock import Clock
from tests.discovery_data import ANA, AS_ANA, accept_suggestions, fixture, seed
from tests.integration.live_workspace import workspace_on

ROOT = Path(__file__).resolve().parents[3]
T0 = datetime(2030, 6, 4, 14, 0, tzinfo=UTC)
ALL_FIXTURES = ["activation_candidate", "follow_up_needed", "not_a_fit", "system_design_hire"]


@pytest.fixture(scope="module")
def content(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    return build_workspace(Settings(runtime_dir=tmp_path_factory.mktemp("content")))


@pytest.fixture
def clock() -> Clock:
    return Clock(T0)


@pytest.fixture
def ws(database_url: str, tmp_path: Path, content: Workspace, clock: Clock) -> Iterator[Workspace]:
    with workspace_on(content, database_url, tmp_path / "runtime", clock) as workspace:
        yield workspace


def audit(ws: Workspace, session_id: str, action: str) -> list[Any]:
    with ws.uow_factory() as uow:
        return [a for a in uow.audit.latest(session_id=session_id) if a.action == action]


# --- the fixture sessions, end to end -------------------------------------------------------------------


@pytest.mark.parametrize("name", ALL_FIXTURES)
def test_fixture_sessions_are_scored_and_recommended(ws: Workspace, name: str) -> None:
    data = fixture(name)
    session = seed(ws, data)
    template = ws.templates.get(data["template"])

    card = scorecard(ws, session.id, actor=INTERVIEWER)
    assert [r.key for r in card.rows] == [c.key for c in ws.rubric(template.rubric_id).competencies]
    assert card.overall is None and card.scored == 0 and card.agreement_rate is None
    if "suggestions" in data["expected"]:
        assert {r.key: r.suggested_score for r in card.rows} == data["expected"]["suggestions"]
        assert all(r.suggestion_rationale for r in card.rows)

    accept_suggestions(ws, session.id)
    card = scorecard(ws, session.id, actor=INTERVIEWER)
    assert card.scored == len(card.rows)
    assert card.agreement_rate == 1.0
    assert {r.agreement for r in card.rows} == {"agrees"}
    assert all(r.set_by == ANA and r.set_at == T0 for r in card.rows)

    record = recommend(ws, session.id, actor=AS_ANA)
    assert record.key == data["expected"]["recommendation"]
    assert record.source == "computed"
    assert 0 < record.confidence <= 1
    assert record.basis["reasons"]

    # its effects: the template's follow-up tasks, the person's pipeline status, one audit entry each
    choice = template.recommendation(record.key)
    view = recommendation_view(ws, session.id, actor=INTERVIEWER)
    assert view.current == record
    assert view.label == choice.label
    assert view.computed is not None and view.computed.key == record.key
    assert len(view.tasks) == len(choice.follow_ups)
    assert {t.recommendation for t in view.tasks} == {record.key}
    assert all(data["candidate"] in t.title for t in view.tasks)  # merge tags filled in
    with ws.uow_factory() as uow:
        assert session.candidate_id is not None
        assert uow.pipeline.history(session.candidate_id)[-1].status == choice.pipeline_status
    [computed] = audit(ws, session.id, "recommendation_computed")
    assert computed.actor == ANA
    assert computed.detail["key"] == record.key


def test_discovery_groups_and_synthesis(ws: Workspace) -> None:
    session = seed(ws, fixture("activation_candidate"))
    accept_suggestions(ws, session.id)
    card = scorecard(ws, session.id, actor=INTERVIEWER)
    solution, commercial = card.groups
    assert (solution.key, solution.title, solution.scored, solution.total) == ("solution_fit", "Solution fit", 4, 4)
    assert solution.weights == ws.settings.debrief.score_weights["solution_fit"]
    assert solution.score == round(5 * 0.35 + 4.5 * 0.25 + 5 * 0.2 + 5 * 0.2, 2)
    assert commercial.score == round(5 * 0.3 + 5 * 0.3 + 5 * 0.2 + 4 * 0.2, 2)
    assert card.row("budget").group == "commercial_viability"
    assert card.row("budget").descriptors[5].startswith("A budget for this problem is allocated")
    assert card.score_names() == {"overall": card.overall, "solution_fit": 4.88, "commercial_viability": 4.8}

    found = synthesis_for(ws, session.id, actor=INTERVIEWER)
    assert found.top_pains[0].text.startswith("Month-end close takes six days")
    assert [c.key for c in found.conflicts] == ["speed_vs_accuracy", "automation_vs_control"]


# --- the scorecard ---------------------------------------------------------------------------------------


def test_set_score_keeps_history_and_the_suggestion_of_the_moment(ws: Workspace, clock: Clock) -> None:
    session = seed(ws, fixture("follow_up_needed"))
    set_score(ws, session.id, competency="budget", score=4, evidence="Said ops could find the money", actor=AS_ANA)
    clock.advance(60)
    entry = set_score(
        ws, session.id, competency="budget", score=1.5, evidence=" No budget at all ", actor=Actor.workspace("ben")
    )
    assert entry.suggested_score == 2.0  # no budget fact was recorded
    assert entry.evidence == "No budget at all"

    row = scorecard(ws, session.id, actor=INTERVIEWER).row("budget")
    assert (row.score, row.set_by, row.set_at, row.evidence) == (1.5, "ben", T0 + timedelta(seconds=60), entry.evidence)
    assert [h.score for h in row.history] == [1.5, 4.0]  # newest first
    assert row.agreement == "agrees"
    assert scorecard(ws, session.id, actor=INTERVIEWER).row("timeline").agreement == ""

    first, second = audit(ws, session.id, "score_set")
    assert first.detail["previous"] is None
    assert second.detail == {
        "competency": "budget",
        "score": 1.5,
        "previous": 4.0,
        "suggested": 2.0,
        "evidence": "No budget at all",
    }
    assert second.actor == "ben"


def test_set_score_refuses_bad_input_and_stores_nothing(ws: Workspace) -> None:
    session = seed(ws, fixture("not_a_fit"))
    for bad in (0.5, 5.5, 3.2):
        with pytest.raises(InvalidInput, match=r"1 to 5 in steps of 0\.5"):
            set_score(ws, session.id, competency="budget", score=bad, evidence="x", actor=AS_ANA)
    with pytest.raises(InvalidInput, match="Give the evidence"):
        set_score(ws, session.id, competency="budget", score=3, evidence="   ", actor=AS_ANA)
    with pytest.raises(NotFound, match=r"no competency 'charisma'; its competencies are problem_solution_mapping, "):
        set_score(ws, session.id, competency="charisma", score=3, evidence="x", actor=AS_ANA)
    with ws.uow_factory() as uow:
        assert uow.scorecards.in_session(session.id) == []
    assert audit(ws, session.id, "score_set") == []


def test_sessions_that_are_not_interviewer_led_have_no_scorecard(ws: Workspace) -> None:
    session = seed(ws, fixture("system_design_hire"))
    with ws.uow_factory() as uow:
        other = uow.sessions.get(session.id)
        other.id = "ai-led-session"
        uow.sessions.add(other)
        uow.commit()
    with pytest.raises(NotFound, match="not interviewer-led"):
        scorecard(ws, "ai-led-session", actor=INTERVIEWER)
    with pytest.raises(NotFound):
        scorecard(ws, "no-such-session", actor=INTERVIEWER)
    with pytest.raises(InvalidInput, match="customer-discovery sessions; this one is System design"):
        synthesis_for(ws, session.id, actor=INTERVIEWER)


def test_system_design_suggestions_read_the_whiteboard(ws: Workspace) -> None:
    session = seed(ws, fixture("system_design_hire"))
    drawing = json.loads((ROOT / "tests" / "fixtures" / "whiteboard" / "url_shortener.json").read_text())
    before = suggestions(ws, session.id, actor=INTERVIEWER)
    with ws.uow_factory() as uow:
        uow.whiteboards.add(WhiteboardSnapshot(session_id=session.id, png_path=None, fabric_json=drawing))
        uow.commit()
    after = suggestions(ws, session.id, actor=INTERVIEWER)
    assert {s.source for s in after.values()} == {"evaluator"}
    quoted = [q for s in after.values() for q in s.evidence]
    assert any(q.startswith("Whiteboard:") for q in quoted)
    assert after != before


# --- recommendations and overrides ---------------------------------------------------------------------


def test_nothing_scored_means_no_recommendation(ws: Workspace) -> None:
    session = seed(ws, fixture("activation_candidate"))
    with pytest.raises(InvalidInput, match="Nothing is scored yet"):
        recommend(ws, session.id, actor=AS_ANA)
    view = recommendation_view(ws, session.id, actor=INTERVIEWER)
    assert view.current is None and view.computed is None and view.history == []
    assert view.choices == [
        ("activation_candidate", "Activation Candidate"),
        ("follow_up_needed", "Follow-up Needed"),
        ("not_a_fit", "Not a Fit"),
    ]


def test_a_partial_scorecard_lowers_the_confidence(ws: Workspace) -> None:
    session = seed(ws, fixture("activation_candidate"))
    set_score(
        ws, session.id, competency="problem_solution_mapping", score=5, evidence="Six days of close", actor=AS_ANA
    )
    record = recommend(ws, session.id, actor=AS_ANA)
    assert record.key == "follow_up_needed"  # commercial viability is not scored, so activation cannot hold
    assert record.confidence < 0.2  # one of eight competencies scored
    assert "Commercial viability is not scored yet; Activation Candidate needs at least 3." in record.basis["reasons"]


def test_an_override_needs_a_justification_and_is_audited(ws: Workspace, clock: Clock) -> None:
    session = seed(ws, fixture("follow_up_needed"))
    accept_suggestions(ws, session.id)
    computed = recommend(ws, session.id, actor=AS_ANA)
    assert computed.key == "follow_up_needed"
    tasks_before = recommendation_view(ws, session.id, actor=INTERVIEWER).tasks

    # refused: nothing is stored, nothing set in motion
    for blank in ("", "   \n"):
        with pytest.raises(InvalidInput, match="An override needs a justification"):
            override_recommendation(
                ws, session.id, key="activation_candidate", justification=blank, actor=Actor.workspace("ben")
            )
    with pytest.raises(NotFound, match="has no recommendation 'hire'; its recommendations are activation_candidate"):
        override_recommendation(ws, session.id, key="hire", justification="Because.", actor=Actor.workspace("ben"))
    view = recommendation_view(ws, session.id, actor=INTERVIEWER)
    assert view.history == [computed]
    assert view.tasks == tasks_before
    assert audit(ws, session.id, "recommendation_overridden") == []

    clock.advance(120)
    why = "Their CFO joined the last ten minutes and asked for a pilot proposal by Friday."
    record = override_recommendation(
        ws, session.id, key="activation_candidate", justification=f" {why} ", actor=Actor.workspace("ben")
    )
    assert (record.key, record.source, record.actor, record.justification) == (
        "activation_candidate",
        "override",
        "ben",
        why,
    )
    assert record.basis["from"] == "follow_up_needed"
    assert record.basis["computed"] == "follow_up_needed"

    [entry] = audit(ws, session.id, "recommendation_overridden")
    assert entry.actor == "ben"
    assert entry.detail == {"from": "follow_up_needed", "to": "activation_candidate", "justification": why}

    view = recommendation_view(ws, session.id, actor=INTERVIEWER)
    assert view.current == record
    assert view.label == "Activation Candidate"
    assert [(r.key, r.source) for r in view.history] == [
        ("activation_candidate", "override"),
        ("follow_up_needed", "computed"),
    ]
    assert view.computed is not None and view.computed.key == "follow_up_needed"  # the scores have not changed
    assert view.audit[0].action in {"recommendation_overridden", "follow_ups_created", "pipeline_moved"}
    actions = [a.action for a in view.audit]
    assert actions.index("recommendation_overridden") < actions.index("recommendation_computed")  # newest first

    # the override's effects replace the computed one's: activation tasks, activation status
    activation = ws.templates.get("customer_discovery").recommendation("activation_candidate")
    open_tasks = [t for t in view.tasks if t.status == "open"]
    assert {t.recommendation for t in open_tasks} == {"activation_candidate"}
    assert len(open_tasks) == len(activation.follow_ups)
    with ws.uow_factory() as uow:
        assert session.candidate_id is not None
        statuses = [c.status for c in uow.pipeline.history(session.candidate_id)]
    assert statuses[-2:] == ["follow_up", "activation"]


def test_an_override_before_any_computation_comes_from_nothing(ws: Workspace) -> None:
    session = seed(ws, fixture("not_a_fit"))
    record = override_recommendation(
        ws, session.id, key="not_a_fit", justification="She told us she is closing the agency.", actor=AS_ANA
    )
    assert record.basis == {"from": None, "computed": None, "scores": {}}
    [entry] = audit(ws, session.id, "recommendation_overridden")
    assert entry.detail["from"] is None


# --- settings are checked when the workspace is built ---------------------------------------------------


def test_build_workspace_refuses_debrief_settings_the_templates_do_not_match(tmp_path: Path) -> None:
    bad = DebriefSettings(thresholds={"customer_discovery": [Threshold(key="pilot", minimums={"overall": 3})]})
    with pytest.raises(ConfigError, match=r"debrief\.thresholds\.customer_discovery\[0\]\.key 'pilot'"):
        build_workspace(Settings(runtime_dir=tmp_path, debrief=bad))
