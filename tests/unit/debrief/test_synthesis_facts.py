"""Session facts in the customer-discovery synthesis come from the facts tab, the notes and the transcript:
a note that only states facts is filed as facts (not as the outcome it was tagged), the scores read
facts wherever they were stated, and the debrief services report each fact with its source."""

from __future__ import annotations

from pathlib import Path

from core.content.rubrics import load_rubrics
from core.content.templates import load_templates
from core.debrief.scorecards import suggestions, synthesis_for
from core.debrief.synthesis import DiscoverySynthesis, synthesize
from core.live.fact_reader import NONE_STATED
from core.live.goal_coverage import goal_coverage
from core.live.notes import commit_note
from core.live.sessions import create_live_session, end_live, live_template, start_live
from core.models import LiveNote, TranscriptEntry
from core.workspace import Workspace
from tests.actors import INTERVIEWER
from tests.clock import Clock

ROOT = Path(__file__).resolve().parents[3]
DISCOVERY = load_templates(ROOT / "data" / "templates", rubrics=load_rubrics(ROOT / "data" / "rubrics")).get(
    "customer_discovery"
)
EXAMPLE = "Decision-maker is VP Ops (Karen); budget approx 50k EUR/yr; wants pilot in Q1"


def note(text: str, at: float = 0.0, **kw: object) -> LiveNote:
    return LiveNote(session_id="s", text=text, at_seconds=at, **kw)  # type: ignore[arg-type]


def line(speaker: str, text: str, start: float) -> TranscriptEntry:
    return TranscriptEntry(session_id="s", speaker=speaker, text=text, start=start, end=start + 4)


def synth(
    notes: list[LiveNote], facts: dict[str, str] | None = None, transcript: list[TranscriptEntry] | None = None
) -> DiscoverySynthesis:
    coverage = goal_coverage(DISCOVERY, transcript=transcript or [], notes=notes)
    return synthesize(DISCOVERY, notes, facts or {}, coverage, transcript=transcript or [])


def test_the_example_note_is_filed_as_three_facts_not_as_a_desired_outcome() -> None:
    result = synth([note(EXAMPLE, 300.0, tag="outcome", jtbd_type="functional", importance=4, id=1)])
    assert result.top_outcomes == [] and result.jobs["functional"] == []
    [filed] = result.fact_notes
    assert filed.text == EXAMPLE and filed.fact_keys == ("decision_makers", "budget", "timeline")
    assert result.facts == {
        "decision_makers": "VP Ops (Karen)",
        "budget": "approx. 50,000 EUR per year",
        "timeline": "pilot in Q1",
    }
    assert [g.key for g in result.missing_facts] == ["alternatives"]
    for key in ("decision_makers", "budget", "timeline"):
        [fact] = result.found_facts[key]
        assert [(s.kind, s.label, s.quote) for s in fact.sources] == [("note", "note at 5:00", EXAMPLE)]

    budget = result.suggestions["budget"]
    assert (budget.score, budget.rationale) == (4.0, "Money is available and an amount was named.")
    assert budget.evidence == (EXAMPLE,)
    # known decision-maker 3, the note's "decision" and "pilot" cover the process and a next step: +1 +0.5
    assert result.suggestions["decision_process"].score == 4.5
    assert result.suggestions["timeline"].score == 4.0  # Q1: within the next quarters
    rationales = " ".join(s.rationale for s in result.suggestions.values())
    assert "No budget was recorded" not in rationales and "nobody was recorded" not in rationales
    assert "Unknown who decides" not in rationales and "No timeline was recorded" not in rationales


def test_a_note_with_an_outcome_and_a_fact_stays_an_outcome_and_says_so() -> None:
    result = synth([note("Close the books in two days. Budget is about $20k a year.", tag="outcome", importance=5)])
    [outcome] = result.top_outcomes
    assert outcome.fact_keys == ("budget",)
    assert result.fact_notes == []
    assert result.facts["budget"] == "approx. 20,000 USD per year"


def test_facts_said_in_the_transcript_count_and_questions_do_not() -> None:
    transcript = [
        line("interviewer", "What's your budget? Who decides? When would you start?", 100),
        line("candidate", "We have no budget yet.", 110),
        line("candidate", "Karen doesn't decide, the CFO does.", 130),
        line("candidate", "We'd want to go live within 6 weeks. Today we use spreadsheets.", 160),
    ]
    result = synth([], transcript=transcript)
    assert result.facts == {
        "budget": NONE_STATED,
        "decision_makers": "the CFO",
        "timeline": "go live within 6 weeks",
        "alternatives": "spreadsheets (used today)",
    }
    assert result.missing_facts == []
    budget = result.suggestions["budget"]
    assert (budget.score, budget.rationale) == (1.0, "They said there is no budget for this.")
    assert budget.evidence == ("We have no budget yet.",)
    assert result.suggestions["timeline"].score == 4.5  # six weeks: within the quarter
    assert result.suggestions["competition"].score == 4.0  # spreadsheets fall short
    [source] = result.found_facts["decision_makers"][0].sources
    assert (source.label, source.quote) == ("transcript at 2:10, customer", "Karen doesn't decide, the CFO does.")


def test_only_the_interviewers_question_is_no_fact() -> None:
    result = synth(
        [], transcript=[line("interviewer", "What's your budget?", 5), line("interviewer", "Who decides?", 9)]
    )
    assert result.facts == {}
    assert result.suggestions["budget"].rationale == "No budget was recorded."


def test_the_facts_tab_is_what_the_rules_read_and_other_sources_join_it() -> None:
    result = synth([note("Budget approx 50k EUR/yr", 30.0)], facts={"budget": "Allocated: 50,000 EUR a year"})
    [budget] = result.found_facts["budget"]
    assert budget.value == "Allocated: 50,000 EUR a year"
    assert [s.label for s in budget.sources] == ["facts tab", "note at 0:30"]
    assert result.facts["budget"] == "Allocated: 50,000 EUR a year"
    assert result.suggestions["budget"].score == 5.0
    assert result.suggestions["budget"].evidence == ("Allocated: 50,000 EUR a year",)


# --- through the services ------------------------------------------------------------------------------


def test_a_debrief_of_a_session_with_only_the_example_note_reports_its_facts(ws: Workspace, clock: Clock) -> None:
    session = create_live_session(
        ws, template_id="customer_discovery", candidate_name="Karen's colleague", actor=INTERVIEWER
    )
    start_live(ws, session.id, actor=INTERVIEWER)
    clock.advance(minutes=12, seconds=4)
    commit_note(ws, session.id, live_template(ws, session.id), text=f"{EXAMPLE} #outcome !4", actor=INTERVIEWER)
    end_live(ws, session.id, actor=INTERVIEWER)

    found = synthesis_for(ws, session.id, actor=INTERVIEWER)
    assert found.top_outcomes == []
    for key, value in [
        ("decision_makers", "VP Ops (Karen)"),
        ("budget", "approx. 50,000 EUR per year"),
        ("timeline", "pilot in Q1"),
    ]:
        [fact] = found.found_facts[key]
        assert fact.value == value
        assert [(s.kind, s.label) for s in fact.sources] == [("note", "note at 12:04")]
    assert [g.key for g in found.missing_facts] == ["alternatives"]

    suggested = suggestions(ws, session.id, actor=INTERVIEWER)
    assert suggested["budget"].score == 4.0 and suggested["budget"].evidence == (EXAMPLE,)
    assert suggested["decision_process"].rationale != "The process was discussed but nobody was recorded as deciding."
    assert suggested["decision_process"].evidence == (EXAMPLE,)
