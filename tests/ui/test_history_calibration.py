"""The History page's Calibration section: the evaluator against reviewers, with reviews and without."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Expander

from components.calibration import EMPTY
from core.config import Settings
from entry.bootstrap import build_workspace
from tests.calibration_data import build_reviews
from tests.history_data import build_history
from tests.ui.conftest import AppFactory, assert_clean, page_title


def open_calibration(new_app: AppFactory) -> tuple[AppTest, Expander]:
    at = new_app()
    at.run()
    at.switch_page("pages/history.py").run()
    assert_clean(at)
    assert page_title(at) == "History"
    assert not at.get("plotly_chart"), "nothing is read while the section is closed"
    at.session_state["history_calibration"] = True  # the reader opens the section
    at.run()
    assert_clean(at)
    return at, next(e for e in at.expander if e.label == "Calibration")


def test_the_evaluator_against_reviewers(new_app: AppFactory, app_env: pytest.MonkeyPatch, runtime_dir: Path) -> None:
    build_reviews(build_workspace(Settings(runtime_dir=runtime_dir)))
    _, section = open_calibration(new_app)
    assert section.caption[0].value.startswith("4 reviewed interviews · 13 score pairs.")
    assert [m.value for m in section.markdown] == [
        "- The evaluator runs low on Requirements gathering by 0.3 on average over 4 reviewed sessions.",
        "- The evaluator runs high on Back-of-the-envelope estimation by 0.6 on average over 4 reviewed sessions.",
    ]
    assert section.caption[1].value == (
        "Too few to judge (under 3 reviewed sessions): Communication (2). Their figures are shown."
    )
    assert section.get("plotly_chart"), "a chart of the differences"
    table = section.dataframe[0].value
    assert list(table["Competency"]) == [
        "Requirements gathering",
        "Back-of-the-envelope estimation",
        "Trade-off analysis",
        "Communication",
    ]
    assert list(table["Sessions"]) == [4, 4, 3, 2]
    assert list(table["Adjusted"]) == [2, 3, 0, 1]
    assert list(table["E − R"]) == [-0.25, 0.625, 0.0, 0.5]
    assert list(table["Verdict"]) == ["runs low", "runs high", "in line", "too few to judge"]
    rho = list(table["ρ"])
    assert rho[:2] == [0.9487, 0.8944] and rho[2] != rho[2] and rho[3] == -1.0  # NaN: undefined


def test_no_reviewed_sessions_yet(new_app: AppFactory, app_env: pytest.MonkeyPatch, runtime_dir: Path) -> None:
    build_history(build_workspace(Settings(runtime_dir=runtime_dir)).uow_factory)  # interviews, none adjusted
    at, section = open_calibration(new_app)
    assert [i.value for i in section.info] == [EMPTY]
    assert EMPTY.startswith("No reviewed sessions yet.")
    assert not section.get("plotly_chart") and not section.dataframe
    assert len(at.dataframe) == 1  # the interviews' list still shows
