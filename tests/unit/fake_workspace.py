"""A Workspace around a FakeUnitOfWork for service unit tests: content from data/, a clock the test moves."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from pathlib import Path

from core.config import Settings
from core.content.problems import ProblemBank, load_problem_bank
from core.content.rubrics import Rubric, load_rubrics
from core.content.templates import TemplateLibrary, load_templates
from core.workspace import Workspace
from storage.files import LocalFileStore
from tests.clock import Clock
from tests.fakes.unit_of_work import FakeUnitOfWork

DATA = Path(__file__).resolve().parents[2] / "data"
START = datetime(2030, 6, 4, 14, 0, tzinfo=UTC)  # where the `clock` fixture starts


@cache
def content() -> tuple[ProblemBank, dict[str, Rubric], TemplateLibrary]:
    """Problems, rubrics and templates, loaded once per test run: loading is most of a workspace's cost."""
    rubrics = load_rubrics(DATA / "rubrics")
    return load_problem_bank(DATA / "problems"), rubrics, load_templates(DATA / "templates", rubrics=rubrics)


def fake_workspace(uow: FakeUnitOfWork, clock: Clock, settings: Settings | None = None) -> Workspace:
    """Every unit of work the services open is `uow`; no file is ever written (the store's root does not exist)."""
    problems, rubrics, templates = content()
    return Workspace(
        settings=settings or Settings(),
        uow_factory=lambda: uow,
        files=LocalFileStore(Path("/nonexistent-unused")),
        problems=problems,
        rubrics=rubrics,
        templates=templates,
        clock=clock,
    )
