"""Evaluation by an LLM, held to the same schema as the offline evaluator.

The model's JSON is validated (every competency once, scores in range, evidence quoted word
for word from the candidate); the overall score is computed from the rubric weights, not
taken from the model. Anything that fails falls back to the offline evaluator, and the
evaluation says so — never a silent default score.

The whiteboard goes along: the offline reading of the drawing (core.evaluation.board_credit) with the
"Whiteboard: …" lines the model may cite, and, when the provider reads images, the model's own
reading of the picture (core.whiteboard.vision), asked first in a call of its own so that its
failure costs only that reading.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass

from pydantic import BaseModel, Field, ValidationError

from core.content.problems import Problem
from core.content.prompts import Prompt
from core.content.rubrics import Rubric
from core.evaluation.board_credit import board_credits, read_for
from core.evaluation.offline_evaluator import MAX_BOARD_EVIDENCE, OfflineEvaluator
from core.llm.chat_models import ChatError, ChatMessage, ChatModel, Usage, json_part
from core.models import CompetencyScore, Evaluation, Evidence, Level, PlanStep, Utterance
from core.whiteboard.analysis import BoardGraph
from core.whiteboard.vision import PictureOutcome, read_picture


class _Competency(BaseModel):
    key: str
    score: float = Field(ge=1, le=5)
    confidence: float = Field(ge=0, le=1)
    rationale: str = ""
    evidence: list[str] = Field(default_factory=list)


class _Step(BaseModel):
    title: str
    detail: str
    resources: list[str] = Field(default_factory=list)


class _Report(BaseModel):
    competencies: list[_Competency]
    went_well: list[str] = Field(default_factory=list)
    went_okay: list[str] = Field(default_factory=list)
    needs_improvement: list[str] = Field(default_factory=list)
    improvement_plan: list[_Step] = Field(min_length=1)


@dataclass
class EvaluationOutcome:
    evaluation: Evaluation
    usage: Usage | None  # tokens the LLM used, also when its answer was rejected
    duration_ms: int = 0
    picture_usage: Usage | None = None  # tokens the whiteboard picture's reading used (a call of its own)
    picture_ms: int = 0


class LLMEvaluator:
    def __init__(
        self,
        chat: ChatModel,
        rubric: Rubric,
        problem: Problem | None,
        prompt: Prompt,
        *,
        label: str,
        picture_prompt: Prompt | None = None,
    ) -> None:
        self.chat = chat
        self.rubric = rubric
        self.problem = problem
        self.prompt = prompt
        self.picture_prompt = picture_prompt  # data/prompts/whiteboard.v*.md, for a provider that reads images
        self.label = label  # e.g. "OpenAI", for the note when we fall back
        self.offline = OfflineEvaluator(rubric, problem)

    def evaluate(
        self,
        session_id: str,
        utterances: list[Utterance],
        *,
        level: Level,
        board: BoardGraph | None = None,
        picture: bytes | None = None,
    ) -> EvaluationOutcome:
        """`board` is the latest drawing; `picture` its PNG, given only when the provider reads images."""
        offline = self.offline.evaluate(session_id, utterances, board=board)
        if offline.overall_score is None:  # the quality gate said "not enough to judge": no model can do better
            offline.notes.append(f"The {self.label} evaluator was not asked, since there is nothing to judge.")
            return EvaluationOutcome(offline, None)
        seen, picture_ms = None, 0
        if picture is not None and self.picture_prompt is not None:
            started = time.perf_counter()
            seen = read_picture(self.chat, picture, self.picture_prompt, self.problem, label=self.label)
            picture_ms = int((time.perf_counter() - started) * 1000)
        board_text, board_lines = self._board(board, seen)
        usage: Usage | None = None
        try:
            result = self.chat.complete(
                self._system(level), [ChatMessage("user", _transcript(utterances) + board_text)], json_output=True
            )
            usage = result.usage
            report = _Report.model_validate(json.loads(json_part(result.text)))
            evaluation = self._evaluation(session_id, report, utterances, board_lines, offline)
        except ChatError as exc:
            evaluation = self._fallback(offline, f"it did not answer: {exc}")
        except (json.JSONDecodeError, ValidationError, ValueError) as exc:
            evaluation = self._fallback(offline, f"its answer did not fit the evaluation format ({_short(exc)})")
        if seen is not None:
            _keep_reading(evaluation, seen)
        return EvaluationOutcome(evaluation, usage, picture_usage=seen.usage if seen else None, picture_ms=picture_ms)

    def _board(self, board: BoardGraph | None, seen: PictureOutcome | None) -> tuple[str, list[str]]:
        """The whiteboard part of the request, and the "Whiteboard: …" lines the model may cite."""
        parts: list[str] = []
        lines: list[str] = []
        if board is not None:
            reading = read_for(board, self.problem)
            if not reading.is_empty:
                credits = board_credits(reading, self.rubric, self.problem)
                lines = list(dict.fromkeys(c.evidence for c in credits.values()))
                parts.append("The candidate's whiteboard at the end, read from the drawing's shapes and labels:")
                parts += [f"- {line}" for line in reading.analysis.summary]
                if lines:
                    parts.append("Whiteboard lines you may cite as evidence (copy them exactly):")
                    parts += [f"- {line}" for line in lines]
        if seen is not None and seen.reading is not None:
            parts.append(f"The whiteboard picture, as a model ({seen.reading.model}) read it:")
            parts += [f"- {line}" for line in seen.reading.lines()]
        return ("\n\n" + "\n".join(parts) if parts else ""), lines

    def _system(self, level: Level) -> str:
        competencies = "\n".join(
            f"- {c.key} ({c.name}, weight {c.weight:g}): {c.description} "
            + " ".join(f"[{score}: {text}]" for score, text in sorted(c.descriptors.items()))
            for c in self.rubric.competencies
        )
        return self.prompt.render(
            level=level.value,
            problem_title=self.problem.title if self.problem else "a system-design problem",
            competencies=competencies,
        )

    def _evaluation(
        self, session_id: str, report: _Report, utterances: list[Utterance], board_lines: list[str], offline: Evaluation
    ) -> Evaluation:
        by_key = {c.key: c for c in report.competencies}
        expected = [c.key for c in self.rubric.competencies]
        missing = [k for k in expected if k not in by_key]
        if missing or len(report.competencies) != len(expected):
            raise ValueError(f"competencies must be exactly {', '.join(expected)}; missing {', '.join(missing)}")
        candidate_lines = [u for u in utterances if u.speaker.lower() == "candidate"]
        scores = [
            CompetencyScore(
                key=c.key,
                name=c.name,
                score=round(by_key[c.key].score, 1),
                confidence=round(by_key[c.key].confidence, 2),
                rationale=by_key[c.key].rationale,
                evidence=_verified(by_key[c.key].evidence, candidate_lines, board_lines),
            )
            for c in self.rubric.competencies
        ]
        return Evaluation(
            session_id=session_id,
            overall_score=self.rubric.overall({s.key: s.score for s in scores if s.score is not None}),
            competencies=scores,
            went_well=report.went_well,
            went_okay=report.went_okay,
            needs_improvement=report.needs_improvement,
            improvement_plan=[PlanStep(s.title, s.detail, s.resources) for s in report.improvement_plan],
            communication=offline.communication,  # measured, not judged: the offline numbers are exact
            rubric_id=self.rubric.id,
            rubric_version=self.rubric.version,
            engine=self.chat.provider,
            model=self.chat.model,
            prompt_version=self.prompt.label,
        )

    def _fallback(self, offline: Evaluation, reason: str) -> Evaluation:
        offline.notes.insert(
            0, f"The {self.label} evaluator could not be used ({reason}); this evaluation is the offline evaluator's."
        )
        return offline


def _transcript(utterances: list[Utterance]) -> str:
    lines = []
    for u in utterances:
        when = f"[{int(u.start // 60):02d}:{int(u.start % 60):02d}] " if u.start is not None else ""
        lines.append(f"{when}{u.speaker.upper()}: {u.text}")
    return "The interview transcript:\n\n" + "\n".join(lines)


def _keep_reading(evaluation: Evaluation, seen: PictureOutcome) -> None:
    """The picture's reading goes with the whiteboard's part of the communication analysis; a failure, in the notes."""
    if seen.reading is not None:
        evaluation.communication.setdefault("whiteboard", {})["model_reading"] = seen.reading.to_dict()
    if seen.note:
        evaluation.notes.append(seen.note)


def _normalised(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().lower()


def _quoted(text: str) -> str:
    """A quote as compared: normalised, without the quotation marks or full stop a model may add."""
    return _normalised(text).strip("\"“”' .")


def _verified(quotes: list[str], candidate: list[Utterance], board_lines: Sequence[str] = ()) -> list[Evidence]:
    """Only quotes the candidate really said, each tied to the line it came from; and whiteboard lines we offered."""
    evidence: list[Evidence] = []
    drawn: list[Evidence] = []
    offered = {_quoted(line): line for line in board_lines}
    for quote in quotes:
        wanted = _quoted(quote)
        if wanted in offered:
            if len(drawn) < MAX_BOARD_EVIDENCE and offered[wanted] not in [e.quote for e in drawn]:
                drawn.append(Evidence(quote=offered[wanted], source="whiteboard"))
            continue
        if len(wanted) < 8:
            continue
        for u in candidate:
            if wanted in _normalised(u.text):
                evidence.append(Evidence(quote=quote.strip(), message_seq=u.seq, at_seconds=u.start))
                break
    return evidence[:3] + drawn


def _short(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        first = exc.errors()[0]
        return f"{'.'.join(str(p) for p in first['loc'])}: {first['msg']}"
    return str(exc)[:160]
