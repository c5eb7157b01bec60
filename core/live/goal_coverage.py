"""Which goals of an interviewer-led session look covered, and why.

A goal counts as covered when the person interviewed said one of its signal phrases (transcript) or
the interviewer wrote one in a note, unless the interviewer ticked or unticked it by hand: their mark
always wins. The interviewer's own questions do not count: asking "tell me about the last time" does
not mean it was answered. Signals only
drive the open-goal checks and the copilot; they never score anyone.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from core.content.templates import InterviewTemplate
from core.models import LiveNote, TranscriptEntry


@dataclass(frozen=True)
class GoalStatus:
    key: str
    text: str
    stage: str
    covered: bool
    how: str = ""  # "said" | "noted" | "ticked" (by hand) | "unticked" (by hand) | "" (open)
    evidence: str = ""  # the words that covered it, or the note
    at_seconds: float | None = None  # when it was said or noted


@lru_cache(maxsize=2048)
def _pattern(phrase: str) -> re.Pattern[str]:
    """A phrase at a word start; its end may run on, so "frustrat" also finds "frustrating"."""
    return re.compile(r"(?<![a-z0-9])" + re.escape(phrase))


def mentions(text: str, phrases: Iterable[str]) -> str | None:
    """The first of `phrases` (lower case) found in `text`, or None."""
    lowered = text.lower().replace("’", "'")
    for phrase in phrases:
        if _pattern(phrase).search(lowered):
            return phrase
    return None


def note_text(note: LiveNote) -> str:
    """What a note says, with its quote: both count as evidence."""
    quote = note.fields.get("quote", "")
    return f"{note.text} {quote}".strip()


def goal_coverage(
    template: InterviewTemplate,
    *,
    transcript: Sequence[TranscriptEntry] = (),
    notes: Sequence[LiveNote] = (),
    marks: Mapping[str, bool] | None = None,
) -> dict[str, GoalStatus]:
    """Every goal of the template, in template order, with whether (and how) it is covered."""
    marks = marks or {}
    found: dict[str, GoalStatus] = {}
    for stage in template.stages:
        for goal in stage.goals:
            status = GoalStatus(key=goal.key, text=goal.text, stage=stage.key, covered=False)
            if goal.key in marks:
                status = GoalStatus(
                    key=goal.key,
                    text=goal.text,
                    stage=stage.key,
                    covered=marks[goal.key],
                    how="ticked" if marks[goal.key] else "unticked",
                )
            elif goal.signals:
                status = _from_signals(status, goal.signals, transcript, notes)
            found[goal.key] = status
    return found


def _from_signals(
    status: GoalStatus, signals: list[str], transcript: Sequence[TranscriptEntry], notes: Sequence[LiveNote]
) -> GoalStatus:
    for entry in transcript:
        if entry.speaker != "interviewer" and mentions(entry.text, signals):
            return GoalStatus(status.key, status.text, status.stage, True, "said", entry.text.strip(), entry.start)
    for note in notes:
        if not note.draft and mentions(note_text(note), signals):
            return GoalStatus(status.key, status.text, status.stage, True, "noted", note.text.strip(), note.at_seconds)
    return status


def open_goals(coverage: Mapping[str, GoalStatus], stage: str) -> list[GoalStatus]:
    return [g for g in coverage.values() if g.stage == stage and not g.covered]


def stage_progress(coverage: Mapping[str, GoalStatus], stage: str) -> tuple[int, int]:
    """(covered, total) goals of a stage."""
    goals = [g for g in coverage.values() if g.stage == stage]
    return sum(g.covered for g in goals), len(goals)
