"""Pure parts of live notes and stage timing: shorthand, the transcript link, search and filters,
the stage timer's states, and phrase matching for goal checks. Then the note services over the
in-memory unit of work: drafts saved as typed, turned into notes, edited and deleted with an audit trail."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.content.templates import InterviewTemplate, TemplateLibrary, load_templates
from core.errors import InvalidInput, NotFound
from core.live.goal_coverage import goal_coverage, mentions, open_goals, stage_progress
from core.live.notes import (
    MAX_NOTE_CHARS,
    commit_note,
    delete_note,
    filter_notes,
    notes_for,
    parse_shorthand,
    save_draft,
    transcript_at,
    update_note,
)
from core.live.sessions import create_live_session, log_speech, start_live
from core.live.stage_clock import format_duration, stage_timer
from core.models import LiveNote, LiveSession, TranscriptEntry
from core.permissions.actor import Actor
from core.workspace import Workspace
from tests.actors import INTERVIEWER
from tests.clock import Clock
from tests.fakes import FakeUnitOfWork
from tests.unit.fake_workspace import START


@pytest.fixture(scope="module")
def templates() -> TemplateLibrary:
    return load_templates(Path(__file__).resolve().parents[3] / "data" / "templates")


def _line(text: str, start: float, speaker: str = "candidate", entry_id: int = 0) -> TranscriptEntry:
    return TranscriptEntry(session_id="s", speaker=speaker, text=text, start=start, end=start + 3, id=entry_id)


def _note(text: str, **kw: object) -> LiveNote:
    return LiveNote(session_id="s", text=text, at_seconds=float(kw.pop("at", 0)), **kw)  # type: ignore[arg-type]


def test_shorthand_sets_tag_type_and_importance_and_leaves_other_words(templates: TemplateLibrary) -> None:
    discovery = templates.get("customer_discovery")
    short = parse_shorthand("Closing the books #Pain takes 2 days #emotional !4 see #slack", discovery)
    assert (short.text, short.tag, short.jtbd_type, short.importance) == (
        "Closing the books takes 2 days see #slack",
        "pain",
        "emotional",
        4,
    )
    assert parse_shorthand("priority !9 #objection #feature", discovery) == parse_shorthand(
        "priority !9 #objection #feature", discovery
    )
    twice = parse_shorthand("priority !9 #objection #feature", discovery)
    assert twice.tag == "objection" and twice.importance is None and "#feature" in twice.text and "!9" in twice.text
    design = templates.get("system_design_human")
    assert parse_shorthand("Good cache story #strength !5", design).tag == "strength"
    assert parse_shorthand("#pain here", design).tag is None  # not a tag of this template


def test_a_note_links_to_the_line_being_spoken_or_the_last_one_before() -> None:
    lines = [_line("one", 10, entry_id=1), _line("two", 20, entry_id=2), _line("three", 45, entry_id=3)]
    assert transcript_at(lines, 5) is None
    assert transcript_at(lines, 10).id == 1  # type: ignore[union-attr]
    assert transcript_at(lines, 44.9).id == 2  # type: ignore[union-attr]
    assert transcript_at(lines, 300).id == 3  # type: ignore[union-attr]


def test_search_reads_text_quote_and_fields_and_filters_combine() -> None:
    notes = [
        _note("Month-end close is slow", tag="pain", jtbd_type="functional", fields={"quote": "two days of Excel"}),
        _note("Wants approval before posting", tag="outcome", jtbd_type="emotional"),
        _note("Asked for a Slack integration", tag="feature", fields={"current_workaround": "copy paste to Slack"}),
    ]
    assert [n.tag for n in filter_notes(notes, query="excel")] == ["pain"]
    assert [n.tag for n in filter_notes(notes, query="SLACK")] == ["feature"]
    assert [n.tag for n in filter_notes(notes, query="slack copy")] == ["feature"]
    assert [n.tag for n in filter_notes(notes, tags=["pain", "outcome"])] == ["pain", "outcome"]
    assert [n.tag for n in filter_notes(notes, tags=["pain", "outcome"], jtbd_types=["emotional"])] == ["outcome"]
    assert filter_notes(notes, query="nothing like this") == []


@pytest.mark.parametrize(
    ("spent", "state", "text"),
    [
        (60, "on_track", "4:00 left of 5 min."),
        (250, "ending", "0:50 left"),
        (385, "over", "1:25 over the planned 5 min"),
    ],
)
def test_the_stage_timer_warns_gently_near_and_after_the_planned_time(
    templates: TemplateLibrary, spent: float, state: str, text: str
) -> None:
    live = LiveSession(session_id="s", template_id="customer_discovery", template_version="1", stage="context_and_role")
    live.stage_started_seconds = 100
    timer = stage_timer(templates.get("customer_discovery"), live, 100 + spent)
    assert timer.state == state and text in timer.message


def test_durations_read_like_clocks() -> None:
    assert [format_duration(s) for s in (0, 59.9, 61, 3600, 3725)] == ["0:00", "0:59", "1:01", "1:00:00", "1:02:05"]


def test_phrases_match_at_word_starts_only() -> None:
    assert mentions("We hacked a SPREADSHEET together", ["spreadsheet"]) == "spreadsheet"
    assert mentions("it is so frustrating", ["frustrat"]) == "frustrat"
    assert mentions("the bottleneck is", ["neck"]) is None
    assert mentions("I’m responsible for it", ["i'm responsible"]) == "i'm responsible"  # curly apostrophe


def test_goal_coverage_lists_open_goals_per_stage(templates: TemplateLibrary) -> None:
    discovery = templates.get("customer_discovery")
    said = [_line("Last week I spent hours on it, first I export the data", 30)]
    coverage = goal_coverage(discovery, transcript=said, notes=[_note("a draft about budget", draft=True)])
    assert coverage["last_occurrence"].covered and coverage["last_occurrence"].at_seconds == 30
    assert coverage["pain_quantified"].covered  # "hours"
    assert not coverage["budget_and_timeline"].covered  # drafts are not evidence yet
    assert [g.key for g in open_goals(coverage, "current_workflow_and_pains")] == ["workarounds"]
    assert stage_progress(coverage, "current_workflow_and_pains") == (2, 3)


# --- the note services ---------------------------------------------------------------------------------

T0 = START  # the clock fixture's time


@pytest.fixture
def sid(ws: Workspace) -> str:
    """A customer-discovery session, started at T0."""
    session = create_live_session(ws, template_id="customer_discovery", candidate_name="Dana Ruiz", actor=INTERVIEWER)
    start_live(ws, session.id, actor=INTERVIEWER)
    return session.id


@pytest.fixture
def discovery(ws: Workspace) -> InterviewTemplate:
    return ws.templates.get("customer_discovery")


def test_a_draft_is_stamped_when_typing_began_and_linked_to_the_line_being_spoken(
    ws: Workspace, uow: FakeUnitOfWork, clock: Clock, sid: str
) -> None:
    clock.advance(seconds=60)
    said = log_speech(ws, sid, text="Reconciliation takes us two full days every month.", actor=INTERVIEWER)
    clock.advance(seconds=5)
    first = save_draft(ws, sid, text="Reconcil", actor=INTERVIEWER)
    assert first is not None and first.draft and first.at_seconds == 65 and first.transcript_entry_id == said.id
    assert first.stage == "context_and_role"
    clock.advance(seconds=20)
    log_speech(ws, sid, text="And then we redo it for the audit.", actor=INTERVIEWER)
    typed = save_draft(ws, sid, text="Reconciliation takes 2 days", actor=INTERVIEWER)
    assert typed is not None and (typed.id, typed.at_seconds, typed.transcript_entry_id) == (first.id, 65, said.id)
    long = save_draft(ws, sid, text="x" * (MAX_NOTE_CHARS + 50), actor=INTERVIEWER)
    assert long is not None and len(long.text) == MAX_NOTE_CHARS
    assert notes_for(ws, sid, actor=INTERVIEWER) == []  # a draft is not a note yet
    assert len(uow.notes.in_session(sid, include_drafts=True)) == 1


def test_clearing_the_box_drops_the_draft_and_each_author_has_their_own(
    ws: Workspace, uow: FakeUnitOfWork, sid: str
) -> None:
    mine = save_draft(ws, sid, text="half a thought", actor=INTERVIEWER)
    theirs = save_draft(ws, sid, text="observer's note", actor=Actor.workspace("observer"))
    assert mine is not None and theirs is not None and mine.id != theirs.id
    assert save_draft(ws, sid, text="   ", actor=INTERVIEWER) is None
    assert [n.author for n in uow.notes.in_session(sid, include_drafts=True)] == ["observer"]
    commits = uow.commits
    assert save_draft(ws, sid, text="", actor=INTERVIEWER) is None  # no draft to drop: nothing to store
    assert uow.commits == commits


def test_enter_turns_the_draft_into_a_note_and_shorthand_wins_over_the_arguments(
    ws: Workspace, uow: FakeUnitOfWork, clock: Clock, sid: str, discovery: InterviewTemplate
) -> None:
    clock.advance(seconds=30)
    draft = save_draft(ws, sid, text="Close takes 6 days #pain #functional !5", actor=INTERVIEWER)
    clock.advance(seconds=40)
    note = commit_note(
        ws,
        sid,
        discovery,
        tag="outcome",
        importance=2,
        fields={"quote": " six days ", "frequency": ""},
        actor=INTERVIEWER,
    )
    assert draft is not None and note.id == draft.id and not note.draft and note.at_seconds == 30
    assert (note.text, note.tag, note.jtbd_type, note.importance) == ("Close takes 6 days", "pain", "functional", 5)
    assert note.fields == {"quote": "six days"}  # trimmed, blanks dropped
    assert uow.notes.draft_for(sid, "interviewer") is None
    assert notes_for(ws, sid, actor=INTERVIEWER) == [note]
    plain = commit_note(
        ws, sid, discovery, text="Uses a shared spreadsheet", tag="pain", importance=3, actor=INTERVIEWER
    )
    assert (plain.tag, plain.importance, plain.at_seconds) == ("pain", 3, 70)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"tag": "praise"}, "Unknown tag 'praise'; the tags are Pain"),
        ({"jtbd_type": "financial"}, "Unknown job type 'financial'"),
        ({"importance": 9}, "Importance runs from 1 to 5"),
        ({"fields": {"frequency": "hourly"}}, "How often must be one of daily"),
        ({"fields": {"budget": "10k"}}, "no field 'budget'"),  # a session field, not a note field
    ],
)
def test_a_refused_note_stores_nothing_and_keeps_the_draft(
    ws: Workspace, uow: FakeUnitOfWork, sid: str, discovery: InterviewTemplate, changes: dict[str, object], message: str
) -> None:
    draft = save_draft(ws, sid, text="Wants approvals", actor=INTERVIEWER)
    with pytest.raises(InvalidInput, match=message):
        commit_note(ws, sid, discovery, **changes, actor=INTERVIEWER)  # type: ignore[arg-type]
    assert uow.notes.in_session(sid, include_drafts=True) == [draft]


def test_an_empty_note_is_refused_and_a_typed_one_leaves_the_draft_alone(
    ws: Workspace, uow: FakeUnitOfWork, sid: str, discovery: InterviewTemplate
) -> None:
    with pytest.raises(InvalidInput, match="Type the note first"):
        commit_note(ws, sid, discovery, actor=INTERVIEWER)
    with pytest.raises(InvalidInput, match="Type the note first"):
        commit_note(
            ws, sid, discovery, text=" #pain ", actor=INTERVIEWER
        )  # nothing left once the shorthand is taken out
    draft = save_draft(ws, sid, text="still typing", actor=INTERVIEWER)
    note = commit_note(ws, sid, discovery, text="Team of six", actor=INTERVIEWER)
    assert note.id != (draft.id if draft else None) and uow.notes.draft_for(sid, "interviewer") == draft


def test_a_quick_edit_keeps_the_stamp_and_audits_what_it_replaced(
    ws: Workspace, uow: FakeUnitOfWork, clock: Clock, sid: str, discovery: InterviewTemplate
) -> None:
    clock.advance(seconds=125)
    note = commit_note(ws, sid, discovery, text="Wants an approval step", tag="feature", actor=INTERVIEWER)
    assert note.id is not None
    clock.advance(seconds=300)
    edited = update_note(
        ws, note.id, discovery, text=" Wants an approval step before posting ", tag="outcome", jtbd_type="emotional",
        importance=4, fields={"quote": "I need to see it first"},
        actor=Actor.workspace("ana"),
    )  # fmt: skip
    assert (edited.id, edited.at_seconds, edited.text) == (note.id, 125, "Wants an approval step before posting")
    assert (edited.tag, edited.jtbd_type, edited.importance, edited.fields) == (
        "outcome",
        "emotional",
        4,
        {"quote": "I need to see it first"},
    )
    entry = uow.audit.latest(session_id=sid)[-1]
    assert (entry.action, entry.actor, entry.detail) == (
        "note_edited",
        "ana",
        {"note": note.id, "text": "Wants an approval step", "tag": "feature", "jtbd_type": None, "importance": None},
    )
    with pytest.raises(InvalidInput, match="cannot be empty"):
        update_note(
            ws, note.id, discovery, text="  ", tag=None, jtbd_type=None, importance=None, fields={}, actor=INTERVIEWER
        )
    with pytest.raises(InvalidInput, match="Unknown tag"):
        update_note(
            ws,
            note.id,
            discovery,
            text="x",
            tag="praise",
            jtbd_type=None,
            importance=None,
            fields={},
            actor=INTERVIEWER,
        )
    with pytest.raises(NotFound, match="No note 999"):
        update_note(
            ws, 999, discovery, text="x", tag=None, jtbd_type=None, importance=None, fields={}, actor=INTERVIEWER
        )
    assert uow.notes.get(note.id) == edited


def test_deleting_is_audited_once_and_harmless_twice(
    ws: Workspace, uow: FakeUnitOfWork, sid: str, discovery: InterviewTemplate
) -> None:
    kept = commit_note(ws, sid, discovery, text="Keep me", actor=INTERVIEWER)
    gone = commit_note(ws, sid, discovery, text="Uses a shared spreadsheet", tag="pain", actor=INTERVIEWER)
    assert gone.id is not None
    delete_note(ws, gone.id, actor=Actor.workspace("ana"))
    delete_note(ws, gone.id, actor=INTERVIEWER)  # a second tab deleting it again
    assert notes_for(ws, sid, actor=INTERVIEWER) == [kept]
    deleted = [e for e in uow.audit.latest(session_id=sid) if e.action == "note_deleted"]
    assert [(e.actor, e.detail) for e in deleted] == [("ana", {"note": gone.id, "text": "Uses a shared spreadsheet"})]


def test_notes_are_listed_in_session_time_order(
    ws: Workspace, clock: Clock, sid: str, discovery: InterviewTemplate
) -> None:
    clock.advance(seconds=50)
    save_draft(ws, sid, text="Started typing at fifty seconds", actor=INTERVIEWER)
    clock.advance(seconds=30)
    later = commit_note(ws, sid, discovery, text="Typed at eighty seconds", actor=INTERVIEWER)
    earlier = commit_note(ws, sid, discovery, actor=INTERVIEWER)  # Enter on the draft begun earlier
    assert [n.id for n in notes_for(ws, sid, actor=INTERVIEWER)] == [earlier.id, later.id]
