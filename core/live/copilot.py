"""The offline copilot: follow-up questions for the interviewer, never spoken to the candidate.

It works from what the interviewer already has on screen, so it needs no network and gives the
same answer for the same session state: the template's cues heard in the candidate's latest words
come first (they are about what was just said), then the current stage's questions for goals still
open (skipping ones the interviewer has already asked), then one reminder of a goal an earlier stage
left open. An LLM copilot (core.live.llm_copilot) may replace these, and falls back to them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from core.content.templates import InterviewTemplate, TemplateStage
from core.live.goal_coverage import GoalStatus, mentions
from core.models import LiveNote, TranscriptEntry

Source = Literal["cue", "goal", "carry_over", "llm"]

RECENT_WORDS = 3  # the candidate's latest lines (and quoted notes) the cues listen to
ASKED_SIMILARITY = 0.5  # Jaccard of content words above which a question counts as already asked
_MAX_QUOTE = 40  # characters of the candidate's words quoted in a cue's "why"

_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_SENTENCE_END = re.compile(r"(?<=[.?!])\s+")
_STOP_LIST = """
    a about after again all also am an and any are as at be been before being but by can could did do does
    doing for from had has have having he her here him his how i if in into is it it's its just me more most
    my no not now of on once one or other our out over own so some such than that that's the their them then
    there these they this those through to too under up very was we were what when where which while who whom
    why will with would you your you're yours
"""
_STOP_WORDS = frozenset(_STOP_LIST.split())  # words too common to tell two questions apart


@dataclass(frozen=True)
class Suggestion:
    """A follow-up for the interviewer, with the reason it is offered (shown under it)."""

    text: str
    why: str
    goal: str | None = None  # the goal it serves, when it serves one
    source: Source = "goal"


def suggest(
    template: InterviewTemplate,
    *,
    stage: str,
    transcript: Sequence[TranscriptEntry],
    notes: Sequence[LiveNote],
    coverage: Mapping[str, GoalStatus],
    limit: int = 4,
) -> list[Suggestion]:
    """Cue follow-ups, then open-goal questions, then one carry-over, deduplicated and capped at `limit`.

    Raises core.errors.NotFound for a stage the template does not have.
    """
    current = template.stage(stage)
    asked = _asked_sentences(transcript)
    found: list[Suggestion] = []
    found += _cue_suggestions(template, stage, transcript, notes)
    found += _goal_questions(current, coverage, asked)
    found += _carry_over(template, current, coverage, asked)
    return _unique(found)[: max(limit, 0)]


# --- 1. cues in the candidate's latest words ------------------------------------------------------------


@dataclass(frozen=True)
class _Heard:
    text: str
    at: float
    noted: bool  # a quote the interviewer typed into a note, not a transcript line


def _recent_words(transcript: Sequence[TranscriptEntry], notes: Sequence[LiveNote] = ()) -> list[_Heard]:
    """The candidate's latest words, newest first: transcript lines and the quotes typed into notes.

    Lines marked "candidate" are used when there are any; otherwise lines from any speaker except the
    interviewer (an unlabelled recording), so the interviewer's own words never trigger a cue.
    """
    spoken = [e for e in transcript if e.text.strip() and e.speaker == "candidate"]
    if not spoken:
        spoken = [e for e in transcript if e.text.strip() and e.speaker != "interviewer"]
    heard = [_Heard(e.text, e.start, False) for e in spoken]
    heard += [_Heard(n.fields["quote"], n.at_seconds, True) for n in notes if not n.draft and n.fields.get("quote")]
    # stable sort: of two lines at the same moment, the later one in the list is newer
    ordered = sorted(enumerate(heard), key=lambda pair: (pair[1].at, pair[0]), reverse=True)
    return [h for _, h in ordered[:RECENT_WORDS]]


def _cue_suggestions(
    template: InterviewTemplate, stage: str, transcript: Sequence[TranscriptEntry], notes: Sequence[LiveNote]
) -> list[Suggestion]:
    cues = [c for c in template.cues if not c.stages or stage in c.stages]
    found: list[Suggestion] = []
    used: set[int] = set()
    for heard in _recent_words(transcript, notes):
        for index, cue in enumerate(cues):
            if index in used or (phrase := mentions(heard.text, cue.when)) is None:
                continue
            if _was_asked(cue.suggest, _asked_sentences(transcript, since=heard.at)):
                continue  # the interviewer already followed up on these words
            used.add(index)
            said = "They noted" if heard.noted else "They said"
            quote = f'{said} "{_quote(heard.text, phrase)}"'
            found.append(Suggestion(cue.suggest, f"{quote} — {cue.why}" if cue.why else quote, None, "cue"))
    return found


def _quote(text: str, phrase: str) -> str:
    """The words that matched, completed to the word's end ("frustrat" → "frustrating")."""
    lowered = text.lower().replace("’", "'")
    match = re.search(r"(?<![a-z0-9])" + re.escape(phrase) + r"[a-z0-9']*", lowered)
    words = match.group(0) if match else phrase
    return words if len(words) <= _MAX_QUOTE else words[: _MAX_QUOTE - 1] + "…"


# --- 2. the current stage's questions for open goals -----------------------------------------------------


def _is_open(coverage: Mapping[str, GoalStatus], key: str) -> bool:
    """A goal nothing has covered yet (one missing from `coverage` has no evidence either)."""
    status = coverage.get(key)
    return status is None or not status.covered


def _goal_questions(
    stage: TemplateStage, coverage: Mapping[str, GoalStatus], asked: list[frozenset[str]]
) -> list[Suggestion]:
    """One question per open goal first, then the second ones: a spread over goals beats three on one."""
    per_goal: dict[str, list[str]] = {}
    for question in stage.questions:
        if question.goal is not None and _is_open(coverage, question.goal) and not _was_asked(question.text, asked):
            per_goal.setdefault(question.goal, []).append(question.text)
    texts = {g.key: g.text for g in stage.goals}
    found: list[Suggestion] = []
    for round_ in range(max((len(q) for q in per_goal.values()), default=0)):
        for goal, questions in per_goal.items():
            if round_ < len(questions):
                found.append(Suggestion(questions[round_], f"Open goal: {texts[goal]}", goal, "goal"))
    return found


# --- 3. a goal an earlier stage left open ---------------------------------------------------------------


def _carry_over(
    template: InterviewTemplate,
    current: TemplateStage,
    coverage: Mapping[str, GoalStatus],
    asked: list[frozenset[str]],
) -> list[Suggestion]:
    """The earliest open goal before the current stage: the longest-standing gap is the likeliest to be forgotten."""
    for stage in template.stages[: template.stages.index(current)]:
        for goal in stage.goals:
            if not _is_open(coverage, goal.key):
                continue
            question = next(
                (q.text for q in stage.questions if q.goal == goal.key and not _was_asked(q.text, asked)),
                None,
            )
            why = "Nothing said or noted covers it yet" + (f'; you could ask: "{question}"' if question else ".")
            return [Suggestion(f"Still open from {stage.title}: {goal.text}", why, goal.key, "carry_over")]
    return []


# --- already asked, and duplicates ---------------------------------------------------------------------


def content_words(text: str) -> frozenset[str]:
    """The words that carry meaning, for comparing a suggestion with what was said."""
    return frozenset(w for w in _WORD.findall(text.lower().replace("’", "'")) if w not in _STOP_WORDS)


def _asked_sentences(transcript: Sequence[TranscriptEntry], *, since: float | None = None) -> list[frozenset[str]]:
    """The interviewer's sentences (since a moment, when given) as word sets: a long turn holds several questions."""
    return [
        words
        for entry in transcript
        if entry.speaker == "interviewer" and (since is None or entry.start >= since)
        for sentence in _SENTENCE_END.split(entry.text)
        if (words := content_words(sentence))
    ]


def _was_asked(question: str, asked: list[frozenset[str]]) -> bool:
    words = content_words(question)
    if not words:
        return False
    for said in asked:
        shared = len(words & said)
        if shared >= 2 and shared / len(words | said) >= ASKED_SIMILARITY:
            return True
    return False


def _unique(suggestions: list[Suggestion]) -> list[Suggestion]:
    """Each text once: the first, most relevant place wins."""
    seen: set[str] = set()
    kept: list[Suggestion] = []
    for suggestion in suggestions:
        key = " ".join(_WORD.findall(suggestion.text.lower()))
        if key in seen:
            continue
        seen.add(key)
        kept.append(suggestion)
    return kept
