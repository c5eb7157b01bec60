"""Resume uploads over real databases (issue 15): a hostile file stores nothing, and a write that the
database refuses or a commit that fails leaves no resume file behind."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy.exc import IntegrityError

import core.candidates.resume_process as resume_process
from core.candidates.services import register_resume
from core.config import Settings
from core.errors import ResumeError
from core.unit_of_work import UnitOfWork
from core.workspace import Workspace
from entry.bootstrap import build_workspace
from tests.actors import CANDIDATE
from tests.resume_data import heavy_pdf_page, normal_resume_text


@pytest.fixture
def ws(database_url: str, tmp_path: Path) -> Workspace:
    return build_workspace(Settings(database_url=database_url, runtime_dir=tmp_path / "runtime"))


def stored_files(ws: Workspace) -> list[str]:
    return sorted(str(p.relative_to(ws.files.root)) for p in ws.files.root.rglob("*") if p.is_file())


def nothing_stored(ws: Workspace) -> bool:
    with ws.uow_factory() as uow:
        return uow.candidates.all() == [] and uow.audit.latest() == []


def with_factory(ws: Workspace, wrap: Callable[[int, Callable[[], UnitOfWork]], UnitOfWork]) -> Workspace:
    """The workspace whose n-th unit of work (1, 2, ...) is `wrap(n, real_factory)`."""
    calls = 0
    real = ws.uow_factory

    def factory() -> UnitOfWork:
        nonlocal calls
        calls += 1
        return wrap(calls, real)

    return replace(ws, uow_factory=factory)


def test_a_pdf_over_the_time_limit_stores_nothing(ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(resume_process, "PARSE_TIME_LIMIT_SECONDS", 1.0)
    with pytest.raises(ResumeError, match=r"^This PDF \(heavy\.pdf\) took too long to read"):
        register_resume(ws, filename="heavy.pdf", data=heavy_pdf_page(), actor=CANDIDATE)
    assert nothing_stored(ws)
    assert stored_files(ws) == []


def test_an_upload_that_loses_a_race_for_the_same_email_leaves_no_file(ws: Workspace) -> None:
    """Two tabs upload the same new person at once: both find no one by email; the other one commits
    first, so the database's unique email key refuses this one's candidate row."""
    winner: list[str] = []

    def wrap(n: int, real: Callable[[], UnitOfWork]) -> UnitOfWork:
        if n == 2:  # between this upload's lookup (1) and its writes (2)
            other = register_resume(ws, filename="other-tab.txt", data=normal_resume_text(), actor=CANDIDATE)
            assert other.resume is not None and other.resume.file_path is not None
            winner.append(other.resume.file_path)
        return real()

    with pytest.raises(IntegrityError, match="email_key"):
        register_resume(with_factory(ws, wrap), filename="this-tab.txt", data=normal_resume_text(), actor=CANDIDATE)

    assert stored_files(ws) == winner  # the other tab's file only
    with ws.uow_factory() as uow:
        assert len(uow.candidates.all()) == 1


def test_a_failed_commit_leaves_no_file_and_no_rows(ws: Workspace) -> None:
    def wrap(n: int, real: Callable[[], UnitOfWork]) -> UnitOfWork:
        uow = real()
        if n == 2:  # the writes: rows are flushed for real, then the commit fails

            def commit() -> None:
                raise RuntimeError("commit failed")

            uow.commit = commit  # type: ignore[method-assign]
        return uow

    with pytest.raises(RuntimeError, match="commit failed"):
        register_resume(with_factory(ws, wrap), filename="priya.txt", data=normal_resume_text(), actor=CANDIDATE)

    assert nothing_stored(ws)
    assert stored_files(ws) == []
    assert not any((ws.files.root / "candidates").iterdir())  # nor the new candidate's folder


def test_a_stored_upload_has_its_file(ws: Workspace) -> None:
    profile = register_resume(ws, filename="priya.txt", data=normal_resume_text(), actor=CANDIDATE)
    assert profile.resume is not None and profile.resume.file_path is not None
    assert stored_files(ws) == [profile.resume.file_path]
    assert ws.files.read(profile.resume.file_path) == normal_resume_text()
