"""The problem bank: system-design problems with the facts and follow-ups an interviewer needs."""

from __future__ import annotations

import re
from collections.abc import Collection
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, Field, ValidationError, field_validator

from core.content.rubrics import Topic, unknown_kinds
from core.content.text_signals import figure_claim, normalize, sentences
from core.errors import ContentError
from core.models import Level, Stage


class Fact(BaseModel):
    """A number or constraint the interviewer reveals when the candidate asks about it."""

    keywords: list[str] = Field(min_length=1)  # lower-case words/phrases that trigger it
    answer: str
    # Named quantities the answer states, e.g. {"new_links_per_month": 1e8, "peak_redirects_per_second":
    # 20000}: "[peak_]<counted noun>[_per_<second|minute|hour|day|week|month|year>]". A candidate's
    # number for the same thing that is off by 10x or more gets a "re-check that" pushback.
    figures: dict[str, float] = Field(default_factory=dict)

    @field_validator("figures")
    @classmethod
    def _figures_are_readable(cls, figures: dict[str, float]) -> dict[str, float]:
        for name, value in figures.items():
            figure_claim(name, value)  # ValueError names the bad figure
        return figures


_NEGATION = re.compile(
    r"\b(?:not|never|no|don't|dont|doesn't|won't|wouldn't|shouldn't|can't|cannot|isn't|aren't|neither|nor"
    r"|instead of|rather than|wrong|mistake|(?<!to )avoid(?:s|ing)?)\b"
)  # "I'd avoid a 301" denies the claim; "to avoid duplicates, we …" does not


@lru_cache(maxsize=2048)
def _bounded(pattern: str) -> re.Pattern[str]:
    """A misconception pattern that matches whole words only: "301" is not found in "3010"."""
    return re.compile(rf"(?<![a-z0-9])(?:{pattern})(?![a-z0-9])")


class Misconception(BaseModel):
    """A wrong claim candidates often make in this design, and the question that challenges it.

    Patterns are regular expressions matched on word boundaries against the answer as
    core.content.text_signals.normalize leaves it (lower case, hyphens as spaces, "10k" as "10 k").
    """

    patterns: list[str] = Field(min_length=1)  # all must match (in one answer) for the claim to show
    unless: list[str] = Field(default_factory=list)  # any match: the candidate already knows better
    correction: str  # the interviewer's pushback: a question, never a lecture
    topic: str | None = None  # the topic it concerns: a stuck reply to the pushback gets this topic's hint
    example: str = ""  # an answer that makes the mistake (the problem-bank tests check it is caught)

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
        t = normalize(text)
        if any(_bounded(p).search(t) for p in self.unless):
            return False
        if not all(_bounded(p).search(t) for p in self.patterns):
            return False
        claim = _bounded(self.patterns[0])
        return any(claim.search(s) and not _NEGATION.search(s) for s in sentences(t))


class StagePlan(BaseModel):
    topics: list[str] = Field(min_length=1)  # rubric topic keys (or this problem's extra_topics)
    prompt: str  # how the interviewer opens the stage for this problem


class Problem(BaseModel):
    id: str
    title: str
    summary: str
    statement: str
    levels: list[Level] = Field(min_length=1)  # levels this problem suits
    difficulty: dict[Level, str]  # level -> "easy" | "medium" | "hard"
    domains: list[str] = Field(min_length=1)  # e.g. "payments", "social", "ml", "infrastructure"
    components: list[str] = Field(min_length=3)  # reference components of a good design
    # the same design as whiteboard component kinds (core.content.components.KINDS): what a drawing is compared with
    reference_components: list[str] = Field(default_factory=list)
    vocabulary: list[str] = Field(default_factory=list)  # domain words, biases speech recognition
    facts: list[Fact] = Field(min_length=3)
    stages: dict[Stage, StagePlan]
    follow_ups: dict[str, list[str]]  # topic key -> problem-specific probing questions
    hints: dict[str, list[str]] = Field(default_factory=dict)  # topic key -> nudges
    extra_topics: dict[str, Topic] = Field(default_factory=dict)  # topics only this problem has
    misconceptions: list[Misconception] = Field(default_factory=list)  # wrong claims to push back on
    # component kind -> topics (often this problem's extra_topics) a drawn box of that kind shows, on top of
    # the rubric's `whiteboard.components` (core.evaluation.board_credit)
    board_topics: dict[str, list[str]] = Field(default_factory=dict)

    @field_validator("board_topics")
    @classmethod
    def _board_kinds_are_known(cls, board_topics: dict[str, list[str]]) -> dict[str, list[str]]:
        if unknown := unknown_kinds(board_topics):
            raise ValueError(f"names unknown component kinds {unknown}")
        return board_topics


class ProblemBank:
    def __init__(self, problems: list[Problem]) -> None:
        self._by_id = {p.id: p for p in problems}

    def all(self) -> list[Problem]:
        return sorted(self._by_id.values(), key=lambda p: p.title)

    def get(self, problem_id: str) -> Problem:
        try:
            return self._by_id[problem_id]
        except KeyError:
            raise ContentError(f"no problem with id {problem_id!r}") from None

    def choose(self, level: Level, domains: list[str], *, exclude: Collection[str] = frozenset()) -> Problem:
        """Pick the problem that best fits a candidate: domain match first, then level fit.

        Domains come strongest first (as the resume reader ranks them), so the first one
        weighs most. Deterministic (ties broken by id): the same resume gets the same problem.
        """
        weights = {d.lower(): len(domains) - i for i, d in enumerate(domains)}

        def fit(p: Problem) -> tuple[int, int, str]:
            match = sum(weights.get(d.lower(), 0) for d in p.domains)
            return (-match, 0 if level in p.levels else 1, p.id)

        candidates = [p for p in self._by_id.values() if p.id not in exclude] or list(self._by_id.values())
        return min(candidates, key=fit)


def load_problem(path: Path) -> Problem:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        return Problem.model_validate(data)
    except (OSError, yaml.YAMLError, ValidationError) as exc:
        raise ContentError(f"problem {path.name}: {exc}") from exc


def load_problem_bank(directory: Path) -> ProblemBank:
    return ProblemBank([load_problem(p) for p in sorted(directory.glob("*.yaml"))])
