"""Interviewer-led sessions on SQLite and PostgreSQL: stages and their timer on the session clock,
goal checks, session facts, and live notes — drafts saved as typed, stamped when typing began,
linked to the transcript, turned into notes on Enter, edited and deleted with an audit trail."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from core.config import Settings
from core.errors import InvalidInput, NotFound
from core.live.notes import commit_note, delete_note, notes_for, save_draft, update_note
from core.live.sessions import (
    HUMAN,
    change_stage,
    cockpit,
    create_live_session,
    end_live,
    ensure_live,
    is_live,
    log_speech,
    mark_goal,
    pause_live,
    resume_live,
    set_fact,
    start_live,
)
from core.live.stage_clock import stage_plan
from core.models import Candidate, Session, SessionStatus
from core.workspace import Workspace
from entry.bootstrap import build_workspace
from tests.actors import INTERVIEWER
from tests.clock import Clock
from tests.integration.live_workspace import workspace_on

T0 = datetime(2030, 6, 4, 14, 0, tzinfo=UTC)


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


def _discovery(ws: Workspace) -> str:
    return create_live_session(
        ws,
        template_id="customer_discovery",
        candidate_name="Dana Ruiz",
        candidate_email="dana@example.com",
        actor=INTERVIEWER,
    ).id


def test_a_discovery_session_runs_through_stages_on_the_session_clock(ws: Workspace, clock: Clock) -> None:
    sid = _discovery(ws)
    assert is_live(ws, sid)
    view = cockpit(ws, sid, actor=INTERVIEWER)
    assert view.session.interviewer_provider == HUMAN and view.session.kind == "customer_discovery"
    assert view.session.status is SessionStatus.READY and view.live.stage == "context_and_role"
    assert view.candidate is not None and view.candidate.email == "dana@example.com"

    start_live(ws, sid, actor=INTERVIEWER)
    clock.advance(4 * 60)
    assert cockpit(ws, sid, actor=INTERVIEWER).timer.state == "ending"  # 5-minute stage, 1 minute left
    clock.advance(2 * 60)
    timer = cockpit(ws, sid, actor=INTERVIEWER).timer
    assert timer.state == "over" and round(timer.remaining_seconds) == -60
    assert "1:00 over" in timer.message

    change_stage(ws, sid, "current_workflow_and_pains", actor=INTERVIEWER)
    pause_live(ws, sid, actor=INTERVIEWER)
    clock.advance(600)  # a ten-minute pause does not count
    resume_live(ws, sid, actor=INTERVIEWER)
    clock.advance(90)
    view = cockpit(ws, sid, actor=INTERVIEWER)
    assert view.timer.spent_seconds == pytest.approx(90)
    assert view.elapsed == pytest.approx(6 * 60 + 90)
    plan = {slot.key: slot for slot in stage_plan(view.template, view.live, view.elapsed)}
    assert plan["context_and_role"].status == "done" and plan["context_and_role"].spent_seconds == pytest.approx(360)
    assert plan["current_workflow_and_pains"].status == "current"
    assert plan["jobs_and_outcomes"].status == "upcoming"

    with pytest.raises(NotFound, match="its stages are context_and_role"):
        change_stage(ws, sid, "pricing", actor=INTERVIEWER)
    end_live(ws, sid, actor=INTERVIEWER)
    view = cockpit(ws, sid, actor=INTERVIEWER)
    assert view.session.status is SessionStatus.COMPLETED
    assert [visit["stage"] for visit in view.live.stage_log] == ["context_and_role", "current_workflow_and_pains"]
    with pytest.raises(InvalidInput):
        change_stage(ws, sid, "jobs_and_outcomes", actor=INTERVIEWER)


def test_goals_are_covered_by_what_is_said_noted_or_ticked(ws: Workspace, clock: Clock) -> None:
    sid = _discovery(ws)
    start_live(ws, sid, actor=INTERVIEWER)
    clock.advance(30)
    assert not cockpit(ws, sid, actor=INTERVIEWER).coverage["role_and_responsibilities"].covered
    log_speech(ws, sid, text="I'm responsible for month-end close at a 40-person firm.", actor=INTERVIEWER)
    commit_note(
        ws,
        sid,
        cockpit(ws, sid, actor=INTERVIEWER).template,
        text="Team of 6 accountants, all on Excel #pain",
        actor=INTERVIEWER,
    )
    coverage = cockpit(ws, sid, actor=INTERVIEWER).coverage
    assert coverage["role_and_responsibilities"].how == "said"
    assert coverage["team_and_company"].how == "noted"

    mark_goal(
        ws, sid, "role_and_responsibilities", False, actor=INTERVIEWER
    )  # the interviewer disagrees: their mark wins
    mark_goal(ws, sid, "last_occurrence", True, actor=INTERVIEWER)
    coverage = cockpit(ws, sid, actor=INTERVIEWER).coverage
    assert not coverage["role_and_responsibilities"].covered and coverage["role_and_responsibilities"].how == "unticked"
    assert coverage["last_occurrence"].how == "ticked"
    mark_goal(ws, sid, "role_and_responsibilities", None, actor=INTERVIEWER)
    assert cockpit(ws, sid, actor=INTERVIEWER).coverage["role_and_responsibilities"].how == "said"
    with pytest.raises(NotFound):
        mark_goal(ws, sid, "no_such_goal", True, actor=INTERVIEWER)


def test_a_note_is_saved_as_typed_stamped_when_typing_began_and_linked_to_the_transcript(
    ws: Workspace, clock: Clock
) -> None:
    sid = _discovery(ws)
    start_live(ws, sid, actor=INTERVIEWER)
    clock.advance(60)
    said = log_speech(
        ws, sid, text="Honestly the reconciliation takes us two full days every month.", actor=INTERVIEWER
    )
    clock.advance(5)
    first = save_draft(ws, sid, text="Reconcil", actor=INTERVIEWER)
    assert first is not None and first.draft and first.at_seconds == pytest.approx(65)
    clock.advance(20)  # still typing: the stamp stays where typing began
    save_draft(ws, sid, text="Reconciliation takes 2 days a month #pain #functional !5", actor=INTERVIEWER)
    view = cockpit(ws, sid, actor=INTERVIEWER)  # what a reload (or another tab, or a restarted server) reads
    assert view.draft is not None and view.draft.text.startswith("Reconciliation takes 2 days")
    assert view.notes == []  # a draft is not a note yet

    note = commit_note(
        ws, sid, view.template, tag="outcome", fields={"quote": "two full days every month"}, actor=INTERVIEWER
    )
    assert note.id == first.id and not note.draft
    assert note.text == "Reconciliation takes 2 days a month"
    assert (note.tag, note.jtbd_type, note.importance) == ("pain", "functional", 5)  # the shorthand wins
    assert note.at_seconds == pytest.approx(65) and note.transcript_entry_id == said.id
    assert note.fields == {"quote": "two full days every month"}
    assert cockpit(ws, sid, actor=INTERVIEWER).draft is None

    assert save_draft(ws, sid, text="half a thought", actor=INTERVIEWER) is not None
    assert save_draft(ws, sid, text="   ", actor=INTERVIEWER) is None  # clearing the box drops the draft
    assert cockpit(ws, sid, actor=INTERVIEWER).draft is None
    with pytest.raises(InvalidInput, match="Type the note first"):
        commit_note(ws, sid, view.template, actor=INTERVIEWER)


def test_notes_refuse_what_the_template_does_not_know(ws: Workspace) -> None:
    sid = _discovery(ws)
    template = cockpit(ws, sid, actor=INTERVIEWER).template
    with pytest.raises(InvalidInput, match="Unknown tag 'praise'"):
        commit_note(ws, sid, template, text="x", tag="praise", actor=INTERVIEWER)
    with pytest.raises(InvalidInput, match="Importance runs from 1 to 5"):
        commit_note(ws, sid, template, text="x", importance=9, actor=INTERVIEWER)
    with pytest.raises(InvalidInput, match="How often must be one of"):
        commit_note(ws, sid, template, text="x", fields={"frequency": "hourly"}, actor=INTERVIEWER)
    with pytest.raises(InvalidInput, match="no field 'budget'"):
        commit_note(
            ws, sid, template, text="x", fields={"budget": "10k"}, actor=INTERVIEWER
        )  # a session field, not a note field
    assert notes_for(ws, sid, actor=INTERVIEWER) == []


def test_quick_edit_and_delete_keep_the_stamp_and_are_audited(ws: Workspace, clock: Clock) -> None:
    sid = _discovery(ws)
    start_live(ws, sid, actor=INTERVIEWER)
    clock.advance(125)
    template = cockpit(ws, sid, actor=INTERVIEWER).template
    note = commit_note(ws, sid, template, text="Wants an approval step", tag="feature", actor=INTERVIEWER)
    clock.advance(300)
    edited = update_note(
        ws, note.id, template, text="Wants an approval step before posting", tag="outcome", jtbd_type="emotional",
        importance=4, fields={"quote": "I need to see it before it goes out"},
        actor=INTERVIEWER,
    )  # fmt: skip
    assert edited.at_seconds == pytest.approx(125) and edited.tag == "outcome" and edited.importance == 4
    other = commit_note(ws, sid, template, text="Uses a shared spreadsheet", tag="pain", actor=INTERVIEWER)
    delete_note(ws, other.id, actor=INTERVIEWER)
    delete_note(ws, other.id, actor=INTERVIEWER)  # a second tab deleting it again is harmless
    assert [n.text for n in notes_for(ws, sid, actor=INTERVIEWER)] == ["Wants an approval step before posting"]
    with ws.uow_factory() as uow:
        actions = [(a.action, a.detail.get("note")) for a in uow.audit.latest(session_id=sid)]
    assert ("note_edited", note.id) in actions and ("note_deleted", other.id) in actions


def test_session_facts_and_a_half_typed_note_survive_the_end(ws: Workspace, clock: Clock) -> None:
    sid = _discovery(ws)
    start_live(ws, sid, actor=INTERVIEWER)
    set_fact(ws, sid, "budget", "  Ops budget, about 20k a year ", actor=INTERVIEWER)
    set_fact(ws, sid, "timeline", "Before the Q3 audit", actor=INTERVIEWER)
    set_fact(ws, sid, "timeline", "", actor=INTERVIEWER)
    with pytest.raises(NotFound, match="no session field 'quote'"):
        set_fact(ws, sid, "quote", "x", actor=INTERVIEWER)
    clock.advance(40)
    save_draft(ws, sid, text="CFO signs anything over 10k", actor=INTERVIEWER)
    end_live(ws, sid, actor=INTERVIEWER)
    view = cockpit(ws, sid, actor=INTERVIEWER)
    assert view.live.facts == {"budget": "Ops budget, about 20k a year"}
    assert [n.text for n in view.notes] == ["CFO signs anything over 10k"] and view.draft is None


def test_a_booked_session_gets_the_cockpit_of_its_kind(ws: Workspace) -> None:
    with ws.uow_factory() as uow:
        uow.candidates.add(Candidate(id="c1", name="Lee Park", created_at=T0))
        uow.sessions.add(
            Session(
                id="s1", problem_id="url_shortener", problem_title="URL shortener", candidate_id="c1",
                status=SessionStatus.SCHEDULED, created_at=T0, updated_at=T0,
            )
        )  # fmt: skip
        uow.commit()
    assert not is_live(ws, "s1")
    ensure_live(ws, "s1", actor=INTERVIEWER)
    ensure_live(ws, "s1", actor=INTERVIEWER)  # opening it twice changes nothing
    view = cockpit(ws, "s1", actor=INTERVIEWER)
    assert view.template.id == "system_design_human" and view.live.stage == "requirements"
    assert view.session.status is SessionStatus.READY and view.session.interviewer_provider == HUMAN
    assert view.problem is not None and view.problem.id == "url_shortener"


def test_starting_needs_a_name_and_a_problem_when_the_kind_uses_the_bank(ws: Workspace) -> None:
    with pytest.raises(InvalidInput, match="name of the person"):
        create_live_session(ws, template_id="customer_discovery", candidate_name="  ", actor=INTERVIEWER)
    with pytest.raises(InvalidInput, match="needs a problem"):
        create_live_session(ws, template_id="system_design_human", candidate_name="Kim", actor=INTERVIEWER)
    with pytest.raises(InvalidInput, match="web address"):
        create_live_session(
            ws, template_id="customer_discovery", candidate_name="Kim", meeting_url="zoom meeting", actor=INTERVIEWER
        )
    with pytest.raises(NotFound, match="No interview template 'nope'"):
        create_live_session(ws, template_id="nope", candidate_name="Kim", actor=INTERVIEWER)
    again = create_live_session(
        ws, template_id="customer_discovery", candidate_name="D", candidate_email="dana@x.io", actor=INTERVIEWER
    )
    other = create_live_session(
        ws, template_id="customer_discovery", candidate_name="D", candidate_email="dana@x.io", actor=INTERVIEWER
    )
    assert again.candidate_id == other.candidate_id  # the same person, found by email
