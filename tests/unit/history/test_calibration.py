"""Calibration of the evaluator against reviewers, over the in-memory unit of work.

The expected figures are worked by hand from the table in tests/calibration_data.py.
"""

from __future__ import annotations

import pytest

from core.history.calibration import (
    Calibration,
    CompetencyCalibration,
    ScorePair,
    Tendency,
    calibrate,
    evaluator_calibration,
)
from core.models import CompetencyScore, Evaluation, ScoreOverride
from core.workspace import Workspace
from tests.calibration_data import build_reviews


@pytest.fixture
def figures(ws: Workspace) -> dict[str, CompetencyCalibration]:
    build_reviews(ws)
    calibration = evaluator_calibration(ws)
    assert calibration.sessions == 4  # u1 was never adjusted: it does not count
    assert calibration.pairs == 13
    return {c.key: c for c in calibration.competencies}


def test_competencies_come_in_the_rubrics_order(figures: dict[str, CompetencyCalibration]) -> None:
    assert list(figures) == ["requirements", "estimation", "tradeoffs", "communication"]
    assert figures["estimation"].name == "Back-of-the-envelope estimation"


def test_an_evaluator_that_runs_high(figures: dict[str, CompetencyCalibration]) -> None:
    estimation = figures["estimation"]
    # pairs (4, 3) (3.5, 3) (3, 2) (2, 2): r3's later adjustment (2.0) is the one in force
    assert [(p.evaluator, p.reviewer, p.adjusted) for p in estimation.pairs] == [
        (4.0, 3.0, True),
        (3.5, 3.0, True),
        (3.0, 2.0, True),
        (2.0, 2.0, False),  # r4: reviewed, estimation left standing
    ]
    assert (estimation.count, estimation.adjusted) == (4, 3)
    assert (estimation.mean_evaluator, estimation.mean_reviewer) == (3.125, 2.5)
    assert estimation.mean_difference == 0.625  # (1 + 0.5 + 1 + 0) / 4
    # ranks 4,3,2,1 against 3.5,3.5,1.5,1.5: Σdxdy = 4, Σdx² = 5, Σdy² = 4 → 4 / √20
    assert estimation.correlation == 0.8944
    assert estimation.tendency is Tendency.HIGH
    assert estimation.verdict == (
        "The evaluator runs high on Back-of-the-envelope estimation by 0.6 on average over 4 reviewed sessions."
    )


def test_an_evaluator_that_runs_low_by_exactly_the_band(figures: dict[str, CompetencyCalibration]) -> None:
    requirements = figures["requirements"]
    assert [(p.evaluator, p.reviewer) for p in requirements.pairs] == [(3.0, 3.0), (2.0, 2.5), (4.0, 4.0), (3.0, 3.5)]
    assert (requirements.mean_evaluator, requirements.mean_reviewer) == (3.0, 3.25)
    assert requirements.mean_difference == -0.25  # on the edge of the in-line band: outside it
    # ranks 2.5,1,4,2.5 against 2,1,4,3: Σdxdy = 4.5, Σdx² = 4.5, Σdy² = 5 → 4.5 / √22.5
    assert requirements.correlation == 0.9487
    assert requirements.tendency is Tendency.LOW
    assert requirements.verdict == (
        "The evaluator runs low on Requirements gathering by 0.3 on average over 4 reviewed sessions."
    )


def test_agreement_without_variation_has_no_correlation(figures: dict[str, CompetencyCalibration]) -> None:
    tradeoffs = figures["tradeoffs"]  # 3 = 3 in r1, r2, r3; r4 did not score it
    assert (tradeoffs.count, tradeoffs.adjusted, tradeoffs.mean_difference) == (3, 0, 0.0)
    assert tradeoffs.correlation is None  # every score was 3: a rank correlation is undefined
    assert tradeoffs.tendency is Tendency.IN_LINE
    assert tradeoffs.verdict == (
        "The evaluator is in line with reviewers on Trade-off analysis (±0.0 over 3 reviewed sessions)."
    )


def test_too_few_pairs_show_figures_but_no_verdict(figures: dict[str, CompetencyCalibration]) -> None:
    communication = figures["communication"]  # r1's adjustment has no evaluator score: no pair
    assert [(p.evaluator, p.reviewer) for p in communication.pairs] == [(3.0, 2.0), (2.5, 2.5)]
    assert (communication.mean_evaluator, communication.mean_reviewer, communication.mean_difference) == (
        2.75,
        2.25,
        0.5,
    )
    assert communication.correlation == -1.0
    assert communication.tendency is Tendency.TOO_FEW
    assert communication.verdict == "Too few to judge Communication: 2 reviewed, at least 3 needed."


def test_an_empty_workspace_has_nothing_to_calibrate(ws: Workspace) -> None:
    assert evaluator_calibration(ws) == Calibration(sessions=0, competencies=[])


def test_interviews_nobody_adjusted_do_not_count() -> None:
    evaluation = Evaluation("s1", 3.0, [CompetencyScore("estimation", "Estimation", 4.0, 0.7)])
    assert calibrate([(evaluation, [])]) == Calibration(sessions=0, competencies=[])


def test_differences_are_rounded_before_the_band_is_applied() -> None:
    """1.4 − 1.1 is 0.2999999999999998 in floats, so the three differences' mean falls just under 0.25."""
    pairs = [("a", 1.4, 1.1), ("b", 1.2, 1.0), ("c", 3.5, 3.25)]
    reviewed = [
        (
            Evaluation(sid, 3.0, [CompetencyScore("estimation", "Estimation", evaluator, 0.7)]),
            [ScoreOverride(sid, "estimation", evaluator, reviewer, "why", "Dana")],
        )
        for sid, evaluator, reviewer in pairs
    ]
    (estimation,) = calibrate(reviewed).competencies
    assert estimation.mean_difference == 0.25
    assert estimation.tendency is Tendency.HIGH
    assert estimation.correlation == 1.0
    assert estimation.verdict == "The evaluator runs high on Estimation by 0.3 on average over 3 reviewed sessions."
    assert estimation.pairs[0] == ScorePair("a", 1.4, 1.1, adjusted=True)
