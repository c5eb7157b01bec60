"""The hand-graded transcripts in tests/fixtures/graded/: read and checked in one place.

bench/evaluator_validity.py measures the evaluator against them; tests/unit/evaluation/test_graded_set.py
keeps their shape honest. The `check` half is graded like the `tune` half and never tuned on.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, field_validator

from core.content.rubrics import Rubric
from core.models import Utterance

GRADED = Path(__file__).resolve().parent / "fixtures" / "graded"
Half = Literal["tune", "check"]
HALVES: tuple[Half, ...] = ("tune", "check")


class Line(BaseModel):
    speaker: Literal["interviewer", "candidate"]
    text: str
    start: float = Field(ge=0)
    end: float = Field(ge=0)


class Grade(BaseModel):
    score: float = Field(ge=1, le=5)
    reason: str = Field(min_length=10)

    @field_validator("score")
    @classmethod
    def _half_steps(cls, value: float) -> float:
        if (value * 2) % 1:
            raise ValueError("grades are whole or half points")
        return value


class GradedTranscript(BaseModel):
    problem: str
    level: Literal["junior", "mid", "senior", "staff"]
    profile: str = Field(min_length=3)
    summary: str = Field(min_length=10)
    entries: list[Line] = Field(min_length=6)
    grades: dict[str, Grade]
    name: str = ""  # the file's stem, set when read

    def utterances(self) -> list[Utterance]:
        return [Utterance(e.speaker, e.text, e.start, e.end) for e in self.entries]

    def scores(self) -> dict[str, float]:
        return {key: grade.score for key, grade in self.grades.items()}

    def overall(self, rubric: Rubric) -> float:
        """The grader's overall, weighted by the rubric as the evaluator's is."""
        return rubric.overall(self.scores())


def load(half: Half) -> list[GradedTranscript]:
    """Every graded transcript of one half, in file-name order; a malformed file raises naming it."""
    transcripts = []
    for path in sorted((GRADED / half).glob("*.json")):
        try:
            transcript = GradedTranscript.model_validate(json.loads(path.read_text(encoding="utf-8")))
        except ValueError as exc:
            raise ValueError(f"{path.relative_to(GRADED)}: {exc}") from exc
        transcripts.append(transcript.model_copy(update={"name": path.stem}))
    return transcripts


def long_interview(
    minutes: float, *, half: Half = "tune", problem: str | None = None, words_per_minute: int = 150
) -> list[Utterance]:
    """One long interview: the half's exchanges (only `problem`'s, when given) one after another, each entry timed
    by its length at `words_per_minute`, until `minutes` are filled or the exchanges run out."""
    out: list[Utterance] = []
    clock = 0.0
    for transcript in load(half):
        if problem is not None and transcript.problem != problem:
            continue
        for entry in transcript.entries:
            seconds = max(2.0, len(entry.text.split()) / words_per_minute * 60)
            out.append(Utterance(entry.speaker, entry.text, start=clock, end=clock + seconds, seq=len(out)))
            clock += seconds + 1.0
            if clock >= minutes * 60:
                return out
    return out
