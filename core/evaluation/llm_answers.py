"""The shape an evaluating model must answer in, for the whole interview and for one part of a long one.

Both are validated the same way (the schema, every rubric competency exactly once), so an answer that does
not fit is refused whichever way the interview was sent. A part's answer adds, per competency, whether that
part shows it at all (core.evaluation.chunked_evaluation merges the parts by it).

The same shape goes to the provider as a JSON schema (report_schema, part_schema), which OpenAI's structured
outputs, llama.cpp and vLLM hold the model to (core.llm.answer_formats). There the competencies are an object
keyed by the rubric's keys, so that "every competency exactly once" is the grammar's, not the model's, to keep;
scores and confidences are enums (grammars bound no other numbers), and every string and list has a maximum,
so a model that never stops writing still closes its object. The prompts' list of competencies is read too.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, Field, ValidationError

from core.content.rubrics import Rubric
from core.llm.chat_models import AnswerSchema, json_part

SCORES = [1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5]
CONFIDENCES = [round(tenth / 10, 1) for tenth in range(11)]


@dataclass(frozen=True)
class Bounds:
    """The most an answer may hold, as its schema says: the prompt's own limits, with room, so that even an answer
    that fills every field fits the output limit (measured on the real servers' small model)."""

    rationale: int  # characters
    quotes: int  # per competency
    quote: int  # characters each
    points: int  # per feedback list
    point: int
    steps: int  # improvement-plan steps (at least one)
    title: int
    detail: int
    resources: int  # per step
    resource: int


WHOLE = Bounds(  # filled to the brim about 9,400 characters: within MAX_ANSWER_TOKENS even at under 5 a token
    rationale=240, quotes=3, quote=160, points=4, point=160, steps=4, title=80, detail=200, resources=2, resource=80
)
PART = Bounds(  # "one sentence", two quotes, two points, one or two steps: within PART_ANSWER_TOKENS
    rationale=100, quotes=2, quote=100, points=2, point=100, steps=2, title=50, detail=100, resources=1, resource=60
)


class CompetencyAnswer(BaseModel):
    key: str
    score: float = Field(ge=1, le=5)
    confidence: float = Field(ge=0, le=1)
    rationale: str = ""
    evidence: list[str] = Field(default_factory=list)


class PartCompetencyAnswer(CompetencyAnswer):
    # false: the candidate does not get to this competency in the part judged (requirements late in an hour,
    # reliability early): its score there says nothing of the interview and must not drag the merged one down
    shown: bool = True


class StepAnswer(BaseModel):
    title: str
    detail: str
    resources: list[str] = Field(default_factory=list)


class Feedback(BaseModel):
    went_well: list[str] = Field(default_factory=list)
    went_okay: list[str] = Field(default_factory=list)
    needs_improvement: list[str] = Field(default_factory=list)
    improvement_plan: list[StepAnswer] = Field(min_length=1)


class ReportAnswer(Feedback):
    competencies: list[CompetencyAnswer]

    def of(self, key: str) -> CompetencyAnswer:
        return next(c for c in self.competencies if c.key == key)


class PartAnswer(Feedback):
    competencies: list[PartCompetencyAnswer]

    def of(self, key: str) -> PartCompetencyAnswer:
        return next(c for c in self.competencies if c.key == key)


ANSWER_ERRORS = (json.JSONDecodeError, ValidationError, ValueError)
"""What parsing an answer raises when it does not fit (short_reason says why in a few words)."""


def parsed_report(text: str, rubric: Rubric) -> ReportAnswer:
    """A whole-interview answer, validated; raises one of ANSWER_ERRORS."""
    report = ReportAnswer.model_validate(_listed(json.loads(json_part(text))))
    _check_keys([c.key for c in report.competencies], rubric)
    return report


def parsed_part(text: str, rubric: Rubric) -> PartAnswer:
    """One part's answer, validated; raises one of ANSWER_ERRORS."""
    report = PartAnswer.model_validate(_listed(json.loads(json_part(text))))
    _check_keys([c.key for c in report.competencies], rubric)
    return report


def report_schema(rubric: Rubric) -> AnswerSchema:
    """The whole-interview answer as a JSON schema a provider can hold its model to."""
    return AnswerSchema("evaluation", _schema(rubric, WHOLE, part=False))


def part_schema(rubric: Rubric) -> AnswerSchema:
    """One part's answer as a JSON schema (each competency also says whether the part shows it)."""
    return AnswerSchema("evaluation_part", _schema(rubric, PART, part=True))


def _schema(rubric: Rubric, bounds: Bounds, *, part: bool) -> dict[str, Any]:
    competency = _object(
        {
            **({"shown": {"type": "boolean"}} if part else {}),
            "score": {"type": "number", "enum": SCORES},
            "confidence": {"type": "number", "enum": CONFIDENCES},
            "rationale": _text(bounds.rationale),
            "evidence": _list(_text(bounds.quote), bounds.quotes),
        }
    )
    step = _object(
        {
            "title": _text(bounds.title),
            "detail": _text(bounds.detail),
            "resources": _list(_text(bounds.resource), bounds.resources),
        }
    )
    return _object(
        {
            "competencies": _object({c.key: competency for c in rubric.competencies}),
            "went_well": _list(_text(bounds.point), bounds.points),
            "went_okay": _list(_text(bounds.point), bounds.points),
            "needs_improvement": _list(_text(bounds.point), bounds.points),
            "improvement_plan": _list(step, bounds.steps, least=1),
        }
    )


def _object(properties: dict[str, Any]) -> dict[str, Any]:
    """Every property required, no others: what strict structured outputs ask for."""
    return {"type": "object", "properties": properties, "required": list(properties), "additionalProperties": False}


def _text(most: int) -> dict[str, Any]:
    return {"type": "string", "maxLength": most}


def _list(items: dict[str, Any], most: int, *, least: int = 0) -> dict[str, Any]:
    return {"type": "array", "items": items, "maxItems": most, **({"minItems": least} if least else {})}


def _listed(answer: Any) -> Any:
    """An answer whose competencies are an object keyed by competency (the schema's shape) as the list the
    prompts describe; any other answer as it is."""
    if isinstance(answer, dict) and isinstance(answer.get("competencies"), dict):
        keyed = answer["competencies"]
        listed = [{**value, "key": key} if isinstance(value, dict) else value for key, value in keyed.items()]
        return {**answer, "competencies": listed}
    return answer


def short_reason(exc: Exception) -> str:
    """Why an answer did not fit, in a few words a note can carry."""
    if isinstance(exc, ValidationError):
        first = exc.errors()[0]
        return f"{'.'.join(str(p) for p in first['loc'])}: {first['msg']}"
    return str(exc)[:160]


def _check_keys(given: list[str], rubric: Rubric) -> None:
    expected = [c.key for c in rubric.competencies]
    if sorted(given) != sorted(expected):
        missing = [k for k in expected if k not in given]
        wrong = [k for k in given if k not in expected or given.count(k) > 1]
        found = f"missing {', '.join(missing)}" if missing else f"not {', '.join(dict.fromkeys(wrong))}"
        raise ValueError(f"competencies must be exactly {', '.join(expected)}; {found}")
