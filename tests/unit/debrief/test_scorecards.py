"""The scorecard service over the in-memory unit of work: rows with suggestions from what was stored,
ratings kept as history with the suggestion of the moment, refusals that store nothing, group and
overall scores, and the evaluator's suggestions for system-design sessions (whiteboard included)."""

from __future__ import annotations

import json
import math
from datetime import timedelta
from pathlib import Path

import pytest

from core.debrief.scorecards import MAX_EVIDENCE_CHARS, scorecard, set_score, suggestions, synthesis_for
from core.errors import InvalidInput, NotFound
from core.models import LiveNote, Session, WhiteboardSnapshot
from core.permissions.actor import Actor
from core.workspace import Workspace
from tests.actors import INTERVIEWER
from tests.clock import Clock
from tests.discovery_data import ANA, AS_ANA, FIXTURES, accept_suggestions, fixture, seed
from tests.fakes import FakeUnitOfWork
from tests.unit.fake_workspace import START

T0 = START  # the clock fixture's time


def score_set(uow: FakeUnitOfWork, session_id: str) -> list[dict[str, object]]:
    return [e.detail for e in uow.audit.latest(session_id=session_id) if e.action == "score_set"]


def test_every_competency_has_a_row_with_the_suggestion_of_the_stored_notes(ws: Workspace) -> None:
    session = seed(ws, fixture("follow_up_needed"))
    card = scorecard(ws, session.id, actor=INTERVIEWER)
    assert [r.key for r in card.rows] == [c.key for c in ws.rubric("customer_discovery").competencies]
    assert {r.key: r.suggested_score for r in card.rows} == fixture("follow_up_needed")["expected"]["suggestions"]
    assert all(r.suggestion_rationale for r in card.rows)
    assert (card.overall, card.scored, card.agreement_rate) == (None, 0, None)
    assert [(g.key, g.score, g.scored, g.total) for g in card.groups] == [
        ("solution_fit", None, 0, 4),
        ("commercial_viability", None, 0, 4),
    ]
    assert card.row("budget").group == "commercial_viability" and card.row("budget").agreement == ""


def test_a_draft_is_not_evidence_for_a_suggestion_until_it_is_a_note(ws: Workspace, uow: FakeUnitOfWork) -> None:
    session = seed(ws, fixture("follow_up_needed"))
    before = suggestions(ws, session.id, actor=INTERVIEWER)
    objection = LiveNote(
        session_id=session.id, text="Price is too high for us", at_seconds=1400.0, stage="solution_reaction",
        tag="objection", importance=5, draft=True,
    )  # fmt: skip
    with uow:
        objection = uow.notes.add(objection)
        uow.commit()
    assert suggestions(ws, session.id, actor=INTERVIEWER) == before
    objection.draft = False
    with uow:
        uow.notes.update(objection)
        uow.commit()
    after = suggestions(ws, session.id, actor=INTERVIEWER)
    assert (before["price_fit"].score, after["price_fit"].score) == (5.0, 3.5)


def test_a_rating_keeps_the_earlier_ones_as_history_and_the_suggestion_beside_it(
    ws: Workspace, uow: FakeUnitOfWork, clock: Clock
) -> None:
    session = seed(ws, fixture("follow_up_needed"))
    set_score(ws, session.id, competency="budget", score=4, evidence="Said ops could find the money", actor=AS_ANA)
    clock.advance(seconds=60)
    entry = set_score(
        ws, session.id, competency="budget", score=1.5, evidence=" No budget at all ", actor=Actor.workspace("ben")
    )
    assert (entry.score, entry.evidence, entry.suggested_score, entry.created_at) == (
        1.5,
        "No budget at all",
        2.0,
        T0 + timedelta(seconds=60),
    )

    row = scorecard(ws, session.id, actor=INTERVIEWER).row("budget")
    assert (row.score, row.set_by, row.set_at, row.evidence, row.agreement) == (
        1.5,
        "ben",
        T0 + timedelta(seconds=60),
        "No budget at all",
        "agrees",
    )
    assert [(h.score, h.set_by) for h in row.history] == [(1.5, "ben"), (4.0, ANA)]  # newest first
    assert score_set(uow, session.id) == [
        {
            "competency": "budget",
            "score": 4.0,
            "previous": None,
            "suggested": 2.0,
            "evidence": "Said ops could find the money",
        },
        {"competency": "budget", "score": 1.5, "previous": 4.0, "suggested": 2.0, "evidence": "No budget at all"},
    ]


@pytest.mark.parametrize(
    ("competency", "score", "evidence", "error", "message"),
    [
        ("budget", 3.2, "x", InvalidInput, r"1 to 5 in steps of 0\.5 \(got 3\.2\)"),  # check_score has the rest
        ("budget", math.nan, "x", InvalidInput, r"a number from 1 to 5"),
        ("budget", 3, "   ", InvalidInput, "Give the evidence"),
        ("budget", 3, "x" * (MAX_EVIDENCE_CHARS + 1), InvalidInput, f"under {MAX_EVIDENCE_CHARS} characters"),
        ("charisma", 3, "x", NotFound, r"no competency 'charisma'; its competencies are problem_solution_mapping, "),
    ],
)
def test_bad_ratings_are_refused_and_nothing_is_stored(
    ws: Workspace,
    uow: FakeUnitOfWork,
    competency: str,
    score: float,
    evidence: str,
    error: type[Exception],
    message: str,
) -> None:
    session = seed(ws, fixture("not_a_fit"))
    with pytest.raises(error, match=message):
        set_score(ws, session.id, competency=competency, score=score, evidence=evidence, actor=AS_ANA)
    assert uow.scorecards.in_session(session.id) == [] and score_set(uow, session.id) == []


def test_accepting_every_suggestion_agrees_and_fills_the_groups(ws: Workspace) -> None:
    session = seed(ws, fixture("activation_candidate"))
    accept_suggestions(ws, session.id)
    card = scorecard(ws, session.id, actor=INTERVIEWER)
    assert card.scored == len(card.rows) == 8 and card.scored_fraction == 1.0
    assert card.agreement_rate == 1.0 and {r.agreement for r in card.rows} == {"agrees"}
    solution, commercial = card.groups
    assert solution.weights == ws.settings.debrief.score_weights["solution_fit"]
    assert (solution.score, commercial.score) == (4.88, 4.8)
    weights = {c.key: c.weight for c in ws.rubric("customer_discovery").competencies}
    finals = card.final_scores()
    expected = round(sum((finals[k] or 0.0) * w for k, w in weights.items()) / sum(weights.values()), 2)
    assert card.overall == expected
    assert card.score_names() == {"overall": expected, "solution_fit": 4.88, "commercial_viability": 4.8}


def test_a_session_that_is_not_interviewer_led_has_no_scorecard(ws: Workspace, uow: FakeUnitOfWork) -> None:
    with uow:
        uow.sessions.add(Session(id="ai-led", problem_id="url_shortener"))
        uow.commit()
    with pytest.raises(NotFound, match="not interviewer-led, so it has no scorecard"):
        scorecard(ws, "ai-led", actor=INTERVIEWER)
    with pytest.raises(NotFound, match="not interviewer-led"):
        set_score(ws, "ai-led", competency="requirements", score=3, evidence="x", actor=AS_ANA)
    with pytest.raises(NotFound, match="No interview with id nowhere"):
        scorecard(ws, "nowhere", actor=INTERVIEWER)
    assert uow.scorecards.in_session("ai-led") == []


def test_the_synthesis_is_for_discovery_sessions_only(ws: Workspace) -> None:
    found = synthesis_for(ws, seed(ws, fixture("activation_candidate")).id, actor=INTERVIEWER)
    assert found.top_pains[0].text.startswith("Month-end close takes six days")
    assert [c.key for c in found.conflicts] == ["speed_vs_accuracy", "automation_vs_control"]
    with pytest.raises(InvalidInput, match="customer-discovery sessions; this one is System design"):
        synthesis_for(ws, seed(ws, fixture("system_design_hire")).id, actor=INTERVIEWER)


def test_system_design_suggestions_come_from_the_evaluator_and_read_the_whiteboard(
    ws: Workspace, uow: FakeUnitOfWork
) -> None:
    session = seed(ws, fixture("system_design_hire"))
    before = suggestions(ws, session.id, actor=INTERVIEWER)
    assert before and {s.source for s in before.values()} == {"evaluator"}
    drawing = json.loads(Path(FIXTURES / "whiteboard" / "url_shortener.json").read_text(encoding="utf-8"))
    with uow:
        uow.whiteboards.add(WhiteboardSnapshot(session_id=session.id, png_path=None, fabric_json=drawing))
        uow.commit()
    after = suggestions(ws, session.id, actor=INTERVIEWER)
    assert any(q.startswith("Whiteboard:") for s in after.values() for q in s.evidence)
    assert after != before
