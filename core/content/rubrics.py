"""Rubrics: competencies, weights, level descriptors and the topics that show them.

The evaluator and the offline interviewer are driven by this data, so a new interview kind
is a new YAML file in data/rubrics/, not new code.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from core.content.components import KINDS
from core.content.misconceptions import Misconception
from core.content.yaml_text import load_yaml
from core.errors import ContentError


class Topic(BaseModel):
    """Something a candidate can show, recognised by phrases in what they say or draw."""

    name: str
    competency: str
    stage: str  # a core.models.Stage value
    phrases: list[str] = Field(min_length=1)  # lower-case; matched on word boundaries
    not_phrases: list[str] = Field(default_factory=list)  # look-alikes that are not the topic ("primary key")
    probe: str  # a generic follow-up that asks the candidate to cover it
    hint: str = ""  # a nudge for a stuck candidate


class Competency(BaseModel):
    key: str
    name: str
    weight: float = Field(gt=0)
    description: str
    descriptors: dict[int, str]  # score (1..5) -> what that level looks like
    resources: list[str] = Field(default_factory=list)  # for the improvement plan


class BoardTopics(BaseModel):
    """Which topics a whiteboard drawing shows (core.evaluation.board_credit): data, so a new rubric needs no code.

    Component kinds are core.content.components.KINDS; topics are this rubric's topic keys.
    """

    model_config = ConfigDict(extra="forbid")

    components: dict[str, list[str]] = Field(default_factory=dict)  # kind -> topics a drawn box of it shows
    coverage: list[str] = Field(default_factory=list)  # topics the problem's reference design, drawn, shows
    connections: list[str] = Field(default_factory=list)  # topics connections between components show

    def topic_keys(self) -> set[str]:
        return {t for topics in self.components.values() for t in topics} | set(self.coverage) | set(self.connections)


def unknown_kinds(mapping: Mapping[str, object]) -> list[str]:
    """The keys of a kind → topics mapping that name no whiteboard component kind."""
    return [kind for kind in mapping if kind not in KINDS]


class Rubric(BaseModel):
    id: str
    version: str
    name: str
    competencies: list[Competency] = Field(min_length=1)
    topics: dict[str, Topic]
    # Words of the trade that speech recognition should expect ("cache", not "cash"), most
    # important first: the recogniser's prompt is short, so only the first few dozen count.
    vocabulary: list[str] = Field(default_factory=list)
    whiteboard: BoardTopics = Field(default_factory=BoardTopics)  # what a drawing shows
    misconceptions: list[Misconception] = Field(default_factory=list)  # wrong claims any design can make

    @model_validator(mode="after")
    def _topics_name_known_competencies(self) -> Rubric:
        keys = {c.key for c in self.competencies}
        for topic_key, topic in self.topics.items():
            if topic.competency not in keys:
                raise ValueError(f"topic {topic_key!r} names unknown competency {topic.competency!r}")
        return self

    @model_validator(mode="after")
    def _whiteboard_names_known_kinds_and_topics(self) -> Rubric:
        if unknown := unknown_kinds(self.whiteboard.components):
            raise ValueError(f"whiteboard.components names unknown component kinds {unknown}; known: {list(KINDS)}")
        if unknown := sorted(self.whiteboard.topic_keys() - set(self.topics)):
            raise ValueError(f"whiteboard names unknown topics {unknown}")
        return self

    def overall(self, scores: dict[str, float]) -> float:
        """The weighted mean of per-competency scores, one decimal; computed here, never by an LLM."""
        total_weight = sum(c.weight for c in self.competencies)
        weighted = sum(scores[c.key] * c.weight for c in self.competencies)
        return round(weighted / total_weight, 1)

    def overall_if_scored(self, scores: Mapping[str, float | None]) -> float | None:
        """The overall score, or None while any competency has no score (a partial mean would mislead)."""
        known = {k: v for k, v in scores.items() if v is not None}
        if any(c.key not in known for c in self.competencies):
            return None
        return self.overall(known)

    def score_range(self, key: str) -> tuple[float, float]:
        """The lowest and highest level the competency's descriptors define (1–5 when none are given)."""
        levels = self.competency(key).descriptors
        return (float(min(levels)), float(max(levels))) if levels else (1.0, 5.0)

    def competency(self, key: str) -> Competency:
        for c in self.competencies:
            if c.key == key:
                return c
        raise KeyError(key)


def load_rubric(path: Path) -> Rubric:
    """Read one rubric file; a bad file raises ContentError naming the file and the field."""
    try:
        data = load_yaml(path.read_text(encoding="utf-8"))
        return Rubric.model_validate(data)
    except (OSError, yaml.YAMLError, ValidationError) as exc:
        raise ContentError(f"rubric {path.name}: {exc}") from exc


def load_rubrics(directory: Path) -> dict[str, Rubric]:
    rubrics = [load_rubric(p) for p in sorted(directory.glob("*.yaml"))]
    return {r.id: r for r in rubrics}
