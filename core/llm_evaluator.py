"""Evaluation by an LLM, held to the same schema as the offline evaluator.

The model's JSON is validated (every competency once, scores in range, evidence quoted word
for word from the candidate); the overall score is computed from the rubric weights, not
taken from the model. Anything that fails falls back to the offline evaluator, and the
evaluation says so — never a silent default score.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from pydantic import BaseModel, Field, ValidationError

from core.chat_models import ChatError, ChatMessage, ChatModel, Usage
from core.evaluator import OfflineEvaluator
from core.models import CompetencyScore, Evaluation, Evidence, Level, PlanStep, Utterance
from core.problems import Problem
from core.prompts import Prompt
from core.rubrics import Rubric


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


class LLMEvaluator:
    def __init__(self, chat: ChatModel, rubric: Rubric, problem: Problem | None, prompt: Prompt, *, label: str) -> None:
        self.chat = chat
        self.rubric = rubric
        self.problem = problem
        self.prompt = prompt
        self.label = label  # e.g. "OpenAI", for the note when we fall back
        self.offline = OfflineEvaluator(rubric, problem)

    def evaluate(self, session_id: str, utterances: list[Utterance], *, level: Level) -> EvaluationOutcome:
        offline = self.offline.evaluate(session_id, utterances)
        if offline.overall_score is None:  # the quality gate said "not enough to judge": no model can do better
            offline.notes.append(f"The {self.label} evaluator was not asked, since there is nothing to judge.")
            return EvaluationOutcome(offline, None)
        usage: Usage | None = None
        try:
            result = self.chat.complete(
                self._system(level), [ChatMessage("user", _transcript(utterances))], json_output=True
            )
            usage = result.usage
            report = _Report.model_validate(json.loads(_json_part(result.text)))
            evaluation = self._evaluation(session_id, report, utterances, offline)
        except ChatError as exc:
            return EvaluationOutcome(self._fallback(offline, f"it did not answer: {exc}"), usage)
        except (json.JSONDecodeError, ValidationError, ValueError) as exc:
            reason = f"its answer did not fit the evaluation format ({_short(exc)})"
            return EvaluationOutcome(self._fallback(offline, reason), usage)
        return EvaluationOutcome(evaluation, usage)

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
        self, session_id: str, report: _Report, utterances: list[Utterance], offline: Evaluation
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
                evidence=_verified(by_key[c.key].evidence, candidate_lines),
            )
            for c in self.rubric.competencies
        ]
        return Evaluation(
            session_id=session_id,
            overall_score=self.rubric.overall({s.key: s.score for s in scores}),
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


def _json_part(text: str) -> str:
    """The JSON object in a reply, tolerating a ``` fence some models add despite instructions."""
    start, end = text.find("{"), text.rfind("}")
    if start < 0 or end < start:
        raise ValueError("no JSON object in the answer")
    return text[start : end + 1]


def _normalised(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().lower()


def _verified(quotes: list[str], candidate: list[Utterance]) -> list[Evidence]:
    """Only quotes the candidate really said; each tied to the line it came from."""
    evidence = []
    for quote in quotes:
        wanted = _normalised(quote).strip("\"“”' .")
        if len(wanted) < 8:
            continue
        for u in candidate:
            if wanted in _normalised(u.text):
                evidence.append(Evidence(quote=quote.strip(), message_seq=u.seq, at_seconds=u.start))
                break
    return evidence[:3]


def _short(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        first = exc.errors()[0]
        return f"{'.'.join(str(p) for p in first['loc'])}: {first['msg']}"
    return str(exc)[:160]
