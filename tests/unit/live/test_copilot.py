"""The offline copilot, on the shipped templates: cues from the candidate's latest words, questions for
open goals (not ones already asked), one carry-over from an earlier stage, deduplicated and capped."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import pytest

from core.content.templates import InterviewTemplate, TemplateLibrary, load_templates
from core.errors import NotFound
from core.live.copilot import Suggestion, suggest
from core.live.goal_coverage import goal_coverage
from core.models import LiveNote, TranscriptEntry

ROOT = Path(__file__).resolve().parents[3]

WORKAROUND = "Ask them to walk through the workaround step by step and how much time it takes each week."
VAGUE_AMOUNT = "Put a number on it — how many times last month, and how long did it take each time?"
DATE_CUE = "Ask what happens on that date if nothing changes."


@pytest.fixture(scope="module")
def library() -> TemplateLibrary:
    return load_templates(ROOT / "data" / "templates")


@pytest.fixture(scope="module")
def discovery(library: TemplateLibrary) -> InterviewTemplate:
    return library.get("customer_discovery")


@pytest.fixture(scope="module")
def design(library: TemplateLibrary) -> InterviewTemplate:
    return library.get("system_design_human")


def said(*lines: tuple[str, str]) -> list[TranscriptEntry]:
    """Transcript entries ten seconds apart: (speaker, text)."""
    return [TranscriptEntry("s1", who, text, start=10.0 * i, end=10.0 * i + 8) for i, (who, text) in enumerate(lines)]


def run(
    template: InterviewTemplate,
    stage: str,
    transcript: Sequence[TranscriptEntry] = (),
    *,
    notes: Sequence[LiveNote] = (),
    marks: Mapping[str, bool] | None = None,
    limit: int = 20,
) -> list[Suggestion]:
    coverage = goal_coverage(template, transcript=transcript, notes=notes, marks=marks)
    return suggest(template, stage=stage, transcript=transcript, notes=notes, coverage=coverage, limit=limit)


def of(suggestions: list[Suggestion], source: str) -> list[Suggestion]:
    return [s for s in suggestions if s.source == source]


def earlier_goals_ticked(template: InterviewTemplate, stage: str) -> dict[str, bool]:
    index = template.stage_keys().index(stage)
    return {g.key: True for s in template.stages[:index] for g in s.goals}


# --- cues ----------------------------------------------------------------------------------------------


def test_the_candidates_words_trigger_the_workaround_and_vague_amount_cues(discovery: InterviewTemplate) -> None:
    transcript = said(
        ("interviewer", "How do you reconcile the invoices today?"),
        ("candidate", "we do it in a spreadsheet, it takes forever"),
    )
    found = run(discovery, "current_workflow_and_pains", transcript)

    cues = of(found, "cue")
    assert {c.text for c in cues} == {WORKAROUND, VAGUE_AMOUNT}
    by_text = {c.text: c for c in cues}
    assert by_text[WORKAROUND].why == 'They said "spreadsheet" — a workaround'
    assert by_text[VAGUE_AMOUNT].why == 'They said "forever" — a vague amount'
    assert all(c.goal is None for c in cues)
    assert found[: len(cues)] == cues  # what was just said comes before everything else


def test_a_cue_quotes_the_whole_word_a_phrase_begins(discovery: InterviewTemplate) -> None:
    found = run(discovery, "current_workflow_and_pains", said(("candidate", "Honestly it is Frustrating every month")))
    pain = [c for c in of(found, "cue") if c.why.endswith("a pain without a cost")]
    assert [c.why for c in pain] == ['They said "frustrating" — a pain without a cost']


def test_a_cue_limited_to_some_stages_stays_quiet_in_the_others(discovery: InterviewTemplate) -> None:
    transcript = said(("candidate", "Our contract ends in March, so it has to be settled by then."))

    assert DATE_CUE not in [s.text for s in run(discovery, "context_and_role", transcript)]
    assert DATE_CUE not in [s.text for s in run(discovery, "current_workflow_and_pains", transcript)]
    late = of(run(discovery, "decision_and_next_steps", transcript), "cue")
    assert [c.text for c in late] == [DATE_CUE]
    assert late[0].why == 'They said "contract ends" — a date that may drive the decision'


def test_the_interviewers_own_words_never_trigger_a_cue(discovery: InterviewTemplate) -> None:
    transcript = said(
        ("interviewer", "Some teams do it in a spreadsheet and it takes forever. Is that you?"),
        ("interviewer", "I would love to hear about your boss too."),
    )
    assert of(run(discovery, "current_workflow_and_pains", transcript), "cue") == []


def test_lines_without_a_candidate_label_are_heard_when_none_has_one(discovery: InterviewTemplate) -> None:
    """A recording that could not tell the speakers apart still gets cues, but never from the interviewer."""
    transcript = said(("interviewer", "It takes forever, right?"), ("speaker_2", "we do it by hand in excel"))
    cues = of(run(discovery, "current_workflow_and_pains", transcript), "cue")
    assert [(c.text, c.why) for c in cues] == [(WORKAROUND, 'They said "excel" — a workaround')]


def test_only_the_latest_candidate_words_count_newest_first(discovery: InterviewTemplate) -> None:
    transcript = said(
        ("candidate", "We keep it all in a spreadsheet."),  # four candidate lines ago: old news
        ("candidate", "It happens a lot."),
        ("interviewer", "Go on."),
        ("candidate", "My manager hates it."),
        ("candidate", "And it happens a lot, really."),
    )
    cues = of(run(discovery, "current_workflow_and_pains", transcript), "cue")
    assert [c.why for c in cues] == [
        'They said "a lot" — a vague amount',  # the newest line first
        'They said "my manager" — another stakeholder',
    ]
    assert WORKAROUND not in [c.text for c in cues]


def test_a_quote_typed_into_a_note_counts_as_their_words(discovery: InterviewTemplate) -> None:
    notes = [
        LiveNote("s1", "Invoices reconciled by hand", at_seconds=30, fields={"quote": "I copy paste it every Friday"}),
        LiveNote("s1", "typing… we use excel", at_seconds=40, draft=True),  # not a note yet
    ]
    cues = of(run(discovery, "current_workflow_and_pains", notes=notes), "cue")
    assert [(c.text, c.why) for c in cues] == [(WORKAROUND, 'They noted "copy paste" — a workaround')]


def test_a_cue_the_interviewer_already_followed_up_is_dropped(discovery: InterviewTemplate) -> None:
    transcript = said(
        ("candidate", "It takes forever."),
        ("interviewer", "OK. How many times last month, and how long did it take each time?"),
    )
    assert VAGUE_AMOUNT not in [s.text for s in run(discovery, "current_workflow_and_pains", transcript)]


# --- open goals ----------------------------------------------------------------------------------------


def test_questions_for_open_goals_skip_covered_goals_and_the_ones_already_asked(discovery: InterviewTemplate) -> None:
    stage = "current_workflow_and_pains"
    transcript = said(("interviewer", "And what happens when it goes wrong: has it ever cost you a customer or money?"))
    marks = {**earlier_goals_ticked(discovery, stage), "workarounds": True}
    found = run(discovery, stage, transcript, marks=marks)

    assert of(found, "cue") == [] and of(found, "carry_over") == []
    questions = of(found, "goal")
    assert [(q.goal, q.text) for q in questions] == [
        ("last_occurrence", "Tell me about the last time you had to do this. What happened first?"),
        ("pain_quantified", "How much time did that take the last time — and how many times a month does it happen?"),
        ("last_occurrence", "Then what? Where did you get stuck or have to wait?"),
    ]  # not the one about what happens when it goes wrong: it was just asked, in other words
    assert questions[1].why == "Open goal: The cost of the pain in time, money or risk, and how often it happens."


def test_the_first_question_of_each_open_goal_comes_before_the_second_ones(discovery: InterviewTemplate) -> None:
    stage = "jobs_and_outcomes"
    questions = of(run(discovery, stage, marks=earlier_goals_ticked(discovery, stage)), "goal")
    assert [q.goal for q in questions] == ["functional_job", "social_emotional_jobs", "success_measures"] * 2


def test_a_goal_covered_by_what_was_said_gets_no_questions(design: InterviewTemplate) -> None:
    transcript = said(("candidate", "Users can shorten a link; analytics is out of scope for the MVP."))
    questions = of(run(design, "requirements", transcript), "goal")
    assert questions and "functional_scope" not in {q.goal for q in questions}


# --- carry-over ----------------------------------------------------------------------------------------


def test_one_goal_left_open_by_an_earlier_stage_is_carried_over(design: InterviewTemplate) -> None:
    marks = {"functional_scope": True, "non_functional_goals": True}  # scale_inputs still open
    found = run(design, "high_level_design", marks=marks)

    carried = of(found, "carry_over")
    assert len(carried) == 1 and found[-1] == carried[0]
    assert carried[0].goal == "scale_inputs"
    assert carried[0].text.startswith("Still open from Requirements: The candidate asks for")
    assert "What numbers do you need from me to size this?" in carried[0].why


def test_nothing_is_carried_over_in_the_first_stage_or_when_earlier_goals_are_covered(
    discovery: InterviewTemplate,
) -> None:
    assert of(run(discovery, "context_and_role"), "carry_over") == []
    stage = "solution_reaction"
    assert of(run(discovery, stage, marks=earlier_goals_ticked(discovery, stage)), "carry_over") == []


# --- the list as a whole -------------------------------------------------------------------------------


def test_the_list_is_capped_at_the_limit_keeping_the_most_relevant(discovery: InterviewTemplate) -> None:
    transcript = said(("candidate", "we do it in a spreadsheet, it takes forever"))
    full = run(discovery, "current_workflow_and_pains", transcript)
    assert len(full) > 2
    assert run(discovery, "current_workflow_and_pains", transcript, limit=2) == full[:2]
    assert run(discovery, "current_workflow_and_pains", transcript, limit=0) == []
    assert len(run(discovery, "current_workflow_and_pains", transcript, limit=4)) == 4  # the default cap


def test_no_suggestion_appears_twice(library: TemplateLibrary) -> None:
    chatty = "; ".join(phrase for t in library.all() for cue in t.cues for phrase in cue.when)
    transcript = said(("candidate", chatty), ("candidate", chatty), ("candidate", chatty))
    for template in library.all():
        for stage in template.stage_keys():
            texts = [s.text for s in run(template, stage, transcript)]
            assert len(texts) == len(set(texts)), (template.id, stage)


def test_an_unknown_stage_is_refused(discovery: InterviewTemplate) -> None:
    with pytest.raises(NotFound, match="no stage 'coffee'"):
        run(discovery, "coffee")
