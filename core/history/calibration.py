"""Calibration for reviewers: where the evaluator's scores sit against the scores reviewers settled on.

An interview counts once a reviewer has adjusted at least one of its scores. From then on its scores
are the reviewer's view: the adjustment in force where there is one, the evaluator's own score where
the reviewer looked and left it standing. Each competency the evaluator scored in such an interview
gives one pair (evaluator, reviewer). Interviews nobody adjusted are left out: nobody may have read
them, so their silence is not agreement.

Per competency: the number of pairs, the mean difference (evaluator − reviewer: positive means the
evaluator runs high), Spearman's rank correlation (scores are rubric levels, so ranks, not distances),
and a verdict once there are enough pairs to judge.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

import pandas as pd

from core.evaluation.reviews import by_competency
from core.models import Evaluation, ScoreOverride

if TYPE_CHECKING:
    from core.workspace import Workspace

MIN_PAIRS = 3  # fewer reviewed interviews than this: the figures are shown, no verdict is drawn
IN_LINE_WITHIN = 0.25  # a mean difference smaller than this (a quarter of a level) is "in line"


class Tendency(StrEnum):
    HIGH = "runs high"
    LOW = "runs low"
    IN_LINE = "in line"
    TOO_FEW = "too few to judge"


@dataclass(frozen=True)
class ScorePair:
    session_id: str
    evaluator: float
    reviewer: float  # the adjustment in force, or the evaluator's score when the reviewer kept it
    adjusted: bool  # a reviewer changed this score (even if back to the evaluator's)


@dataclass(frozen=True)
class CompetencyCalibration:
    key: str
    name: str
    pairs: tuple[ScorePair, ...]  # one per reviewed interview, in the order they were first adjusted
    mean_evaluator: float
    mean_reviewer: float
    mean_difference: float  # evaluator − reviewer
    correlation: float | None  # Spearman's ρ; None with under two pairs or when a side never varies

    @property
    def count(self) -> int:
        return len(self.pairs)

    @property
    def adjusted(self) -> int:
        return sum(p.adjusted for p in self.pairs)

    @property
    def tendency(self) -> Tendency:
        if self.count < MIN_PAIRS:
            return Tendency.TOO_FEW
        if abs(self.mean_difference) < IN_LINE_WITHIN:
            return Tendency.IN_LINE
        return Tendency.HIGH if self.mean_difference > 0 else Tendency.LOW

    @property
    def verdict(self) -> str:
        """One sentence a reviewer can act on, e.g. "…runs high on Estimation by 0.8 on average…"."""
        over = f"over {self.count} reviewed session{'s' if self.count != 1 else ''}"
        match self.tendency:
            case Tendency.TOO_FEW:
                return f"Too few to judge {self.name}: {self.count} reviewed, at least {MIN_PAIRS} needed."
            case Tendency.IN_LINE:
                difference = _signed(self.mean_difference)
                return f"The evaluator is in line with reviewers on {self.name} ({difference} {over})."
            case tendency:
                size = _one_decimal(abs(self.mean_difference))
                return f"The evaluator {tendency.value} on {self.name} by {size} on average {over}."


@dataclass(frozen=True)
class Calibration:
    sessions: int  # reviewed interviews (at least one adjusted score)
    competencies: list[CompetencyCalibration]  # in the rubric's order, as first met

    @property
    def pairs(self) -> int:
        return sum(c.count for c in self.competencies)


def evaluator_calibration(ws: Workspace) -> Calibration:
    """Every reviewed interview in the workspace, read in one transaction."""
    with ws.uow_factory() as uow:
        reviewed: dict[str, list[ScoreOverride]] = {}
        for override in uow.score_overrides.all():
            reviewed.setdefault(override.session_id, []).append(override)
        evaluations = [(uow.evaluations.for_session(session_id), found) for session_id, found in reviewed.items()]
    return calibrate((evaluation, found) for evaluation, found in evaluations if evaluation is not None)


def calibrate(reviewed: Iterable[tuple[Evaluation, list[ScoreOverride]]]) -> Calibration:
    """Pure: the figures from each reviewed interview's evaluation and its overrides."""
    names: dict[str, str] = {}
    pairs: dict[str, list[ScorePair]] = {}
    sessions = 0
    for evaluation, overrides in reviewed:
        if not overrides:
            continue
        sessions += 1
        in_force = {key: history[-1] for key, history in by_competency(overrides).items()}
        for competency in evaluation.competencies:
            if competency.score is None:  # the evaluator did not score it: nothing to compare
                continue
            override = in_force.get(competency.key)
            reviewer = competency.score if override is None else override.new_score
            names.setdefault(competency.key, competency.name)
            pairs.setdefault(competency.key, []).append(
                ScorePair(evaluation.session_id, float(competency.score), float(reviewer), override is not None)
            )
    return Calibration(sessions, [_figures(key, names[key], found) for key, found in pairs.items()])


def _figures(key: str, name: str, pairs: list[ScorePair]) -> CompetencyCalibration:
    evaluator = [p.evaluator for p in pairs]
    reviewer = [p.reviewer for p in pairs]
    return CompetencyCalibration(
        key=key,
        name=name,
        pairs=tuple(pairs),
        mean_evaluator=_mean(evaluator),
        mean_reviewer=_mean(reviewer),
        # rounded to strip float noise (3.5 − 2.7 is 0.7999…), so the verdict's threshold is exact
        mean_difference=_mean([e - r for e, r in zip(evaluator, reviewer, strict=True)]),
        correlation=_spearman(evaluator, reviewer),
    )


def _mean(values: list[float]) -> float:
    return round(sum(values) / len(values), 4)


def _spearman(x: list[float], y: list[float]) -> float | None:
    """Pearson's r of the ranks (ties share their mean rank), which is Spearman's ρ.

    Undefined when a side never varies (every pair agrees on "3", say): None, not a made-up 0 or 1.
    """
    if len(x) < 2 or len(set(x)) < 2 or len(set(y)) < 2:
        return None
    rho = pd.Series(x).rank().corr(pd.Series(y).rank())
    return None if math.isnan(rho) else round(float(rho), 4)


def _one_decimal(value: float) -> str:
    """Half up (0.25 → 0.3), so a difference just outside the in-line band never reads 0.2."""
    return f"{math.floor(value * 10 + 0.5) / 10:.1f}"


def _signed(value: float) -> str:
    text = _one_decimal(abs(value))
    return f"±{text}" if text == "0.0" else f"{'+' if value > 0 else '−'}{text}"
