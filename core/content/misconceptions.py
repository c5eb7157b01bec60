"""Known wrong claims, kept as data beside the rubric and the problems.

A problem lists the mistakes of its own design (a 301 that hides clicks); a rubric lists the ones
any design can make (three replicas surviving three failures). The interviewer challenges them
as they are said and the evaluator counts them against the competency of their topic.
"""

from __future__ import annotations

import re
from functools import lru_cache

from pydantic import BaseModel, Field, field_validator

from core.content.text_signals import normalize, sentences

_NEGATION = re.compile(
    r"\b(?:not|never|no|don't|dont|doesn't|won't|wouldn't|shouldn't|can't|cannot|isn't|aren't|neither|nor"
    r"|instead of|rather than|wrong|mistake|myth|misconception|(?<!to )avoid(?:s|ing)?)\b"
)  # "I'd avoid a 301" denies the claim; "to avoid duplicates, we …" does not


@lru_cache(maxsize=2048)
def _bounded(pattern: str) -> re.Pattern[str]:
    """A misconception pattern that matches whole words only: "301" is not found in "3010"."""
    return re.compile(rf"(?<![a-z0-9])(?:{pattern})(?![a-z0-9])")


class Misconception(BaseModel):
    """A wrong claim candidates often make, and the question that challenges it.

    Patterns are regular expressions matched on word boundaries against the answer as
    core.content.text_signals.normalize leaves it (lower case, hyphens as spaces, "10k" as "10 k").
    """

    patterns: list[str] = Field(min_length=1)  # all must match (in one answer) for the claim to show
    unless: list[str] = Field(default_factory=list)  # any match: the candidate already knows better
    correction: str  # the interviewer's pushback: a question, never a lecture
    topic: str | None = None  # the topic it concerns: a stuck reply to the pushback gets this topic's hint
    example: str = ""  # an answer that makes the mistake (the content tests check it is caught)
    # A claim that is itself a denial ("hashes never collide") cannot be denied by a "not" in its
    # sentence; its denials go in `unless` ("can collide") instead.
    negative_claim: bool = False
    truth: str = ""  # what is right, in one sentence: the evaluator's explanation

    @field_validator("patterns", "unless")
    @classmethod
    def _patterns_compile(cls, patterns: list[str]) -> list[str]:
        for pattern in patterns:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"pattern {pattern!r} does not compile: {exc}") from None
        return patterns

    def found_in(self, text: str) -> bool:
        """Whether text makes this mistake: every pattern matches, no "unless" does, and the claim
        (the first pattern) stands in at least one sentence that does not deny it ("not a 301")."""
        return self.claim_in(text) is not None

    def claim_in(self, text: str) -> str | None:
        """The sentence (normalised) that makes the claim, or None."""
        t = normalize(text)
        if any(_bounded(p).search(t) for p in self.unless):
            return None
        if not all(_bounded(p).search(t) for p in self.patterns):
            return None
        claim = _bounded(self.patterns[0])
        for s in sentences(t):
            if s.rstrip().endswith("?"):
                continue  # "do teams keep writing their own pipelines?" asks; it claims nothing
            if claim.search(s) and (self.negative_claim or not _NEGATION.search(s)):
                return s
        return None
