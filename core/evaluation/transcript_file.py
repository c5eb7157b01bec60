"""The transcript interchange format (DESIGN.md): read, validate, evaluate.

`{"problem": "...", "entries": [{"speaker": "interviewer"|"candidate", "text": "...",
"start": 0.0, "end": 4.2}]}` — files from other tools, so every fault gets a clear message.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, ValidationError

from core.config import Settings
from core.content.problems import Problem, load_problem_bank
from core.content.rubrics import load_rubrics
from core.errors import ContentError, WorkspaceError
from core.evaluation.offline_evaluator import OfflineEvaluator
from core.models import Evaluation, Utterance


class TranscriptLine(BaseModel):
    speaker: Literal["interviewer", "candidate"]
    text: str
    start: float = Field(ge=0)
    end: float = Field(ge=0)


class TranscriptFile(BaseModel):
    problem: str = ""
    entries: list[TranscriptLine]


def read_transcript_file(path: Path) -> TranscriptFile:
    try:
        raw = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise WorkspaceError(f"Cannot read {path}: {exc.strerror}.") from None
    try:
        return TranscriptFile.model_validate(json.loads(raw))
    except json.JSONDecodeError as exc:
        raise WorkspaceError(f"{path} is not valid JSON (line {exc.lineno}, column {exc.colno}).") from None
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise WorkspaceError(f"{path} is not a transcript file: {where}: {first['msg']}.") from None


def find_problem(settings: Settings, name: str) -> Problem | None:
    """The problem a transcript names, by id or title; None for free text we don't know."""
    if not name:
        return None
    bank = load_problem_bank(settings.resolve(settings.problems_dir))
    wanted = name.strip().lower()
    for problem in bank.all():
        if wanted in (problem.id.lower(), problem.title.lower()):
            return problem
    return None


def evaluate_transcript_file(path: Path, settings: Settings, *, rubric_id: str = "system_design") -> Evaluation:
    transcript = read_transcript_file(path)
    rubrics = load_rubrics(settings.resolve(settings.rubrics_dir))
    if rubric_id not in rubrics:
        raise ContentError(f"No rubric {rubric_id!r}; available: {', '.join(sorted(rubrics))}.")
    utterances = [Utterance(e.speaker, e.text, e.start, e.end) for e in transcript.entries]
    bank = load_problem_bank(settings.resolve(settings.problems_dir))
    evaluator = OfflineEvaluator(rubrics[rubric_id], find_problem(settings, transcript.problem), bank=bank)
    return evaluator.evaluate(path.stem, utterances)
