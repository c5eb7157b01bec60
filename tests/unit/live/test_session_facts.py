"""A session's facts gathered from the facts tab, the notes and the transcript: each with its source
(facts tab / note at m:ss / transcript at m:ss with the words), the same fact said twice merged, and
the text the scoring rules read."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.content.templates import InterviewTemplate, load_templates
from core.live.fact_reader import NONE_STATED, Money
from core.live.session_facts import FactSource, fact_quotes, fact_text, gather_facts
from core.models import LiveNote, TranscriptEntry

EXAMPLE = "Decision-maker is VP Ops (Karen); budget approx 50k EUR/yr; wants pilot in Q1"


@pytest.fixture(scope="module")
def discovery() -> InterviewTemplate:
    return load_templates(Path(__file__).resolve().parents[3] / "data" / "templates").get("customer_discovery")


def note(text: str, at: float, **kw: object) -> LiveNote:
    return LiveNote(session_id="s", text=text, at_seconds=at, **kw)  # type: ignore[arg-type]


def line(speaker: str, text: str, start: float, entry_id: int = 0) -> TranscriptEntry:
    return TranscriptEntry(session_id="s", speaker=speaker, text=text, start=start, end=start + 4, id=entry_id)


def test_the_example_note_gives_three_facts_with_the_note_as_source(discovery: InterviewTemplate) -> None:
    found = gather_facts(discovery, {}, [note(EXAMPLE, 125.0, id=7)])
    assert list(found) == ["decision_makers", "budget", "timeline", "alternatives"]
    [who], [budget], [when] = found["decision_makers"], found["budget"], found["timeline"]
    assert (who.value, budget.value, when.value) == ("VP Ops (Karen)", "approx. 50,000 EUR per year", "pilot in Q1")
    assert budget.money == Money(50_000, 50_000, "EUR", "year", approximate=True)
    assert found["alternatives"] == []
    for fact in (who, budget, when):
        [source] = fact.sources
        assert (source.kind, source.label, source.note_id, source.quote) == ("note", "note at 2:05", 7, EXAMPLE)
    assert fact_text("budget", found["budget"]) == "approx. 50,000 EUR per year"


def test_transcript_lines_of_both_sides_count_but_questions_do_not(discovery: InterviewTemplate) -> None:
    transcript = [
        line("interviewer", "What's your budget for this?", 600, 1),
        line("candidate", "About 50k a year, from the ops line.", 604, 2),
        line("interviewer", "So the CFO signs off, right?", 640, 3),
        line("candidate", "Karen doesn't decide, the CFO does.", 650, 4),
        line("interviewer", "Got it: the CFO signs off. We'd start a pilot in Q1.", 700, 5),
        line("candidate", "Today we use spreadsheets for this.", 760, 6),
    ]
    found = gather_facts(discovery, {}, [], transcript, other_side="customer")
    [budget] = found["budget"]
    assert budget.value == "approx. 50,000 per year"
    assert [s.label for s in budget.sources] == ["transcript at 10:04, customer"]
    assert budget.sources[0].quote == "About 50k a year, from the ops line."
    [cfo] = found["decision_makers"]
    assert cfo.value == "the CFO"
    assert [(s.label, s.quote, s.entry_id) for s in cfo.sources] == [
        ("transcript at 10:50, customer", "Karen doesn't decide, the CFO does.", 4),
        ("transcript at 11:40, interviewer", "Got it: the CFO signs off.", 5),
    ]
    assert [f.value for f in found["timeline"]] == ["pilot in Q1"]
    assert [f.value for f in found["alternatives"]] == ["spreadsheets (used today)"]


def test_the_same_fact_from_several_places_is_one_fact_with_every_source(discovery: InterviewTemplate) -> None:
    facts = {"budget": "About 50,000 EUR a year", "decision_makers": "Karen (VP Ops)"}
    notes = [note(EXAMPLE, 60.0), note("Budget: €50k per year", 90.0)]
    transcript = [line("candidate", "Karen decides, and the budget is 50k euros a year.", 80)]
    found = gather_facts(discovery, facts, notes, transcript, other_side="customer")
    [budget] = found["budget"]
    assert budget.value == "About 50,000 EUR a year"  # the facts tab's words
    assert [s.label for s in budget.sources] == [
        "facts tab",
        "note at 1:00",
        "transcript at 1:20, customer",
        "note at 1:30",
    ]
    [karen] = found["decision_makers"]
    assert [s.kind for s in karen.sources] == ["facts_tab", "note", "transcript"]
    assert fact_quotes(found["budget"]) == ("About 50,000 EUR a year",)


def test_a_fuller_wording_replaces_a_shorter_one(discovery: InterviewTemplate) -> None:
    notes = [note("Karen decides", 10.0), note("Decision-maker is VP Ops (Karen)", 20.0), note("The CFO signs off", 30)]
    found = gather_facts(discovery, {}, notes)
    assert [(f.value, len(f.sources)) for f in found["decision_makers"]] == [("VP Ops (Karen)", 2), ("The CFO", 1)]
    assert fact_text("decision_makers", found["decision_makers"]) == "VP Ops (Karen); The CFO"
    alternatives = gather_facts(discovery, {}, [note("evaluating Acme", 1), note("They tried Acme last year", 2)])
    assert [f.value for f in alternatives["alternatives"]] == ["Acme (evaluating)"]


def test_no_budget_is_recorded_as_none_and_a_later_amount_replaces_it(discovery: InterviewTemplate) -> None:
    none = gather_facts(discovery, {}, [note("we have no budget yet", 10.0)])
    [fact] = none["budget"]
    assert fact.stated_none and fact.value == NONE_STATED
    assert fact_text("budget", none["budget"]) == NONE_STATED
    later = gather_facts(discovery, {}, [note("we have no budget yet", 10.0), note("Could pay $20k a year", 50.0)])
    assert [f.value for f in later["budget"]] == [NONE_STATED, "20,000 USD per year"]
    assert fact_text("budget", later["budget"]) == "20,000 USD per year"


def test_drafts_are_not_sources_and_a_note_quote_is_read_as_their_words(discovery: InterviewTemplate) -> None:
    notes = [
        note("Budget 10k EUR", 10.0, draft=True),
        note("Who signs", 20.0, fields={"quote": "In the end our CFO signs off on tools"}),
    ]
    found = gather_facts(discovery, {}, notes)
    assert found["budget"] == []
    [cfo] = found["decision_makers"]
    assert cfo.value == "our CFO" and cfo.sources[0].quote == "In the end our CFO signs off on tools"


def test_a_template_without_session_fields_has_no_facts() -> None:
    templates = load_templates(Path(__file__).resolve().parents[3] / "data" / "templates")
    design = templates.get("system_design_human")
    assert gather_facts(design, {}, [note(EXAMPLE, 1.0)]) == {}


def test_source_labels() -> None:
    assert FactSource("facts_tab", "x").label == "facts tab"
    assert FactSource("note", "x", 3725.0).label == "note at 1:02:05"
    assert FactSource("transcript", "x", 61.0, "interviewer").label == "transcript at 1:01, interviewer"
