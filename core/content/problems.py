"""The problem bank: system-design problems with the facts and follow-ups an interviewer needs."""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

import yaml
from pydantic import BaseModel, Field, ValidationError, field_validator

from core.content.misconceptions import Misconception
from core.content.rubrics import Topic, unknown_kinds
from core.content.text_signals import figure_claim
from core.content.yaml_text import load_yaml
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
    # rubric topics that are this problem's own subject (a rate limiter's rate limiting): talking about them is the
    # design itself, so they show the competencies of the design, not the rubric competency they belong to elsewhere
    subject_topics: list[str] = Field(default_factory=list)
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
        data = load_yaml(path.read_text(encoding="utf-8"))
        return Problem.model_validate(data)
    except (OSError, yaml.YAMLError, ValidationError) as exc:
        raise ContentError(f"problem {path.name}: {exc}") from exc


def load_problem_bank(directory: Path) -> ProblemBank:
    return ProblemBank([load_problem(p) for p in sorted(directory.glob("*.yaml"))])
