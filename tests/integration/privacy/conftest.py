"""A workspace over each backend's test database, with a clock the test sets, and the engine for scanning it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine

from core.config import Settings
from core.workspace import Workspace
from entry.bootstrap import build_workspace
from storage.database import make_engine
from storage.files import LocalFileStore
from storage.unit_of_work import make_uow_factory
from tests.clock import Clock

NOW = datetime(2031, 3, 10, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="session")
def privacy_content(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    """Problems and rubrics loaded once per run: loading them is most of a build."""
    return build_workspace(Settings(runtime_dir=tmp_path_factory.mktemp("content")))


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


@pytest.fixture
def scan_engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    try:
        yield engine
    finally:
        engine.dispose()


@pytest.fixture
def ws(privacy_content: Workspace, database_url: str, tmp_path: Path, clock: Clock, scan_engine: Engine) -> Workspace:
    settings = Settings(database_url=database_url, runtime_dir=tmp_path / "runtime")
    return replace(
        privacy_content,
        settings=settings,
        uow_factory=make_uow_factory(scan_engine),
        files=LocalFileStore(settings.runtime_path),
        clock=clock,
    )
