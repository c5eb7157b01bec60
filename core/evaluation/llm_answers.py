"""The shape an evaluating model must answer in, for the whole interview and for one part of a long one.

Both are validated the same way (the schema, every rubric competency exactly once), so an answer that does
not fit is refused whichever way the interview was sent. A part's answer adds, per competency, whether that
part shows it at all (core.evaluation.chunked_evaluation merges the parts by it).
"""

from __future__ import annotations

import json

from pydantic import BaseModel, Field, ValidationError

from core.content.rubrics import Rubric
from core.llm.chat_models import json_part


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
    report = ReportAnswer.model_validate(json.loads(json_part(text)))
    _check_keys([c.key for c in report.competencies], rubric)
    return report


def parsed_part(text: str, rubric: Rubric) -> PartAnswer:
    """One part's answer, validated; raises one of ANSWER_ERRORS."""
    report = PartAnswer.model_validate(json.loads(json_part(text)))
    _check_keys([c.key for c in report.competencies], rubric)
    return report


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
