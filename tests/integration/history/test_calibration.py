"""Calibration over real SQLite and PostgreSQL databases: the same figures the fake gives."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.config import Settings
from core.history.calibration import Tendency, evaluator_calibration
from core.workspace import Workspace
from entry.bootstrap import build_workspace
from tests.calibration_data import build_reviews


@pytest.fixture
def ws(database_url: str, tmp_path: Path) -> Workspace:
    return build_workspace(Settings(database_url=database_url, runtime_dir=tmp_path / "runtime"))


def test_reviewed_interviews_calibrate_the_evaluator(ws: Workspace) -> None:
    assert evaluator_calibration(ws).competencies == []
    build_reviews(ws)
    calibration = evaluator_calibration(ws)
    assert (calibration.sessions, calibration.pairs) == (4, 13)
    rows = {
        c.key: (c.count, c.adjusted, c.mean_difference, c.correlation, c.tendency) for c in calibration.competencies
    }
    assert rows == {
        "requirements": (4, 2, -0.25, 0.9487, Tendency.LOW),
        "estimation": (4, 3, 0.625, 0.8944, Tendency.HIGH),
        "tradeoffs": (3, 0, 0.0, None, Tendency.IN_LINE),
        "communication": (2, 1, 0.5, -1.0, Tendency.TOO_FEW),
    }
