"""Pure parts of live notes and stage timing: shorthand, the transcript link, search and filters,
the stage timer's states, and phrase matching for goal checks."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.goal_coverage import goal_coverage, mentions, open_goals, stage_progress
from core.live_notes import filter_notes, parse_shorthand, transcript_at
from core.models import LiveNote, LiveSession, TranscriptEntry
from core.stage_clock import format_duration, stage_timer
from core.templates import TemplateLibrary, load_templates


@pytest.fixture(scope="module")
def templates() -> TemplateLibrary:
    return load_templates(Path(__file__).resolve().parents[2] / "data" / "templates")


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
