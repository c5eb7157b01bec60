"""The real problem bank and system-design rubric, loaded once per module for the evaluator's tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.content.problems import ProblemBank, load_problem_bank
from core.content.rubrics import Rubric, load_rubric

DATA = Path(__file__).resolve().parents[3] / "data"


@pytest.fixture(scope="module")
def bank() -> ProblemBank:
    return load_problem_bank(DATA / "problems")


@pytest.fixture(scope="module")
def rubric() -> Rubric:
    return load_rubric(DATA / "rubrics" / "system_design.yaml")
