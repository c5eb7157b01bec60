"""What the correctness reader finds: one mistake (or sign of one) in what the candidate said.

The interviewer challenges findings as they are said; the evaluator weighs them; the LLM evaluator
receives them as structured input. A finding is plain data so every one of those can use it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any


class FindingKind(StrEnum):
    ARITHMETIC = "arithmetic"  # the candidate's own sum is off by 3x or more
    FIGURE = "figure"  # a figure far from the problem's fact of the same kind
    MISCONCEPTION = "misconception"  # a known wrong claim
    OFF_TOPIC = "off_topic"  # the answer is about another problem
    REFUSAL = "refusal"  # "I won't estimate", "doesn't matter"
    REPETITION = "repetition"  # the same text pasted again
    JUNK = "junk"  # markup, code injection, noise: never evidence
    UNANSWERED = "unanswered"  # an interviewer question or pushback left unanswered


@dataclass(frozen=True)
class Finding:
    kind: FindingKind
    quote: str  # the candidate's words it rests on
    explanation: str  # one sentence a person understands: what is wrong and what is right
    said: str | None = None  # the candidate's figure or claim as written ("400 redirects per second")
    right: str | None = None  # the right figure or the correction ("about 3,900 per second")
    competency: str | None = None  # the rubric competency it bears on, when one clearly does
    topic: str | None = None  # the rubric topic, when known
    message_seq: int | None = None
    at_seconds: float | None = None
    corrected: bool = False  # the candidate put it right later (after a challenge or on their own)
    off_by: float | None = None  # how many times too big or too small the candidate's own result is (arithmetic)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready, for the LLM evaluator's structured input and for exports."""
        data = asdict(self)
        data["kind"] = self.kind.value
        return data
