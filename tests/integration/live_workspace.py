"""A Workspace over the test database with a clock the test moves: shared by the interviewer-led session tests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from core.config import Settings
from core.workspace import Workspace
from storage.database import make_engine
from storage.files import LocalFileStore
from storage.unit_of_work import make_uow_factory
from tests.clock import Clock


@contextmanager
def workspace_on(content: Workspace, database_url: str, runtime_dir: Path, clock: Clock) -> Iterator[Workspace]:
    """`content`'s problems, rubrics and templates (loading them is most of a build) over this database."""
    settings = Settings(database_url=database_url, runtime_dir=runtime_dir)
    engine = make_engine(settings.effective_database_url)
    try:
        yield replace(
            content,
            settings=settings,
            uow_factory=make_uow_factory(engine),
            files=LocalFileStore(settings.runtime_path),
            clock=clock,
        )
    finally:
        engine.dispose()
