"""Reading uploads within bounds (issue 15): cleaning work that follows the text kept, not the file;
hostile files stopped by the child process's hard limits; and no resume file left without its row."""

from __future__ import annotations

import logging
import random
import subprocess
import time
import tracemalloc
import unicodedata
from dataclasses import replace
from pathlib import Path

import pytest

import core.candidates.resume_file as resume_file
import core.candidates.resume_process as resume_process
from core.candidates.resume_file import MAX_TEXT_CHARS, clean_text, clean_text_bounded, read_resume
from core.candidates.resume_process import read_resume_isolated
from core.candidates.services import register_resume
from core.errors import ResumeError
from core.models import Candidate, Resume, ResumeProfile
from core.workspace import Workspace
from storage.files import LocalFileStore
from tests.actors import CANDIDATE
from tests.clock import Clock
from tests.fakes import FakeUnitOfWork
from tests.resume_data import heavy_pdf_page, normal_resume_pdf, normal_resume_text, wide_character_text
from tests.unit.fake_workspace import START, fake_workspace


def assert_user_facing(exc: pytest.ExceptionInfo[ResumeError]) -> str:
    message = str(exc.value)
    assert message.endswith("."), message
    assert "Traceback" not in message and "Error" not in message, message
    return message


# --------------------------------------------------------------------------------------------
# Cleaning is bounded by the text kept
# --------------------------------------------------------------------------------------------


def test_five_megabytes_of_one_wide_character_read_quickly_into_a_bounded_text():
    data = wide_character_text()  # 5 MB; each character is 18 after NFKC
    tracemalloc.start()
    started = time.perf_counter()
    try:
        result = read_resume("wide.txt", data)
        elapsed = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert len(result.text) == MAX_TEXT_CHARS
    assert result.truncated
    assert set(result.text) <= set(unicodedata.normalize("NFKC", "\ufdfa"))
    assert elapsed < 3.0  # was 16 s of CPU (~0.1 s now)
    assert peak < 100 * 2**20  # was 2.5 GB (~25 MB now)


@pytest.mark.parametrize("window", [8, 16, 64])
def test_bounded_cleaning_is_the_whole_text_cleaned_then_cut(monkeypatch, window):
    # Small windows put the window ends everywhere: mid-line, mid-space-run, between \r and \n.
    monkeypatch.setattr(resume_file, "_CLEAN_WINDOW", window)
    pieces = [*"ab cd\t\n\n\r  xyz", "\u00a0", "\ufb01", "\u200b", "\x07", "é", "\u3000", "\ufdfa", "\r\n", "\u2028"]
    rng = random.Random(window)
    for _ in range(400):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 200)))
        whole = clean_text(text)
        for max_chars in (1, 7, 50, 1000):
            assert clean_text_bounded(text, max_chars) == (whole[:max_chars], len(whole) > max_chars), (text, max_chars)


def test_a_long_line_without_white_space_is_cut_anywhere_and_joined_again(monkeypatch):
    monkeypatch.setattr(resume_file, "_CLEAN_WINDOW", 64)
    text = "Jane Doe\n" + "x" * 1000 + " tail"
    assert clean_text_bounded(text, 10_000) == (clean_text(text), False)


# --------------------------------------------------------------------------------------------
# The child process: same answers, hard limits
# --------------------------------------------------------------------------------------------


def test_the_child_gives_the_same_answer_as_reading_in_process():
    for name, data in [("cv.pdf", normal_resume_pdf()), ("cv.txt", normal_resume_text())]:
        assert read_resume_isolated(name, data) == read_resume(name, data)
    capped = read_resume_isolated("cv.txt", normal_resume_text(), max_chars=40)
    assert len(capped.text) == 40 and capped.truncated


def test_a_refusal_in_the_child_reaches_the_user_and_the_log(caplog):
    caplog.set_level(logging.INFO)
    with pytest.raises(ResumeError) as exc:
        read_resume_isolated("broken.pdf", b"%PDF-1.4\n garbage that is not a pdf")
    assert assert_user_facing(exc).startswith("broken.pdf could not be read: the file seems damaged")
    ours = [r for r in caplog.records if r.name == "core.candidates.resume_file"]
    assert any("damaged" in r.getMessage() for r in ours)


def test_size_refusals_need_no_child(monkeypatch):
    def no_child(*args, **kwargs):
        raise AssertionError("no child process for a refusal by size")

    monkeypatch.setattr(subprocess, "run", no_child)
    with pytest.raises(ResumeError, match=r"cv\.txt is empty"):
        read_resume_isolated("cv.txt", b"")
    with pytest.raises(ResumeError, match="over the 1 KB limit"):
        read_resume_isolated("cv.txt", b"x" * 4096, max_bytes=1024)


def test_a_pdf_page_over_the_time_limit_is_refused_clearly(caplog):
    caplog.set_level(logging.INFO)
    started = time.perf_counter()
    with pytest.raises(ResumeError) as exc:
        read_resume_isolated("heavy.pdf", heavy_pdf_page(), time_limit=1.0)  # ~9 s of pypdf in process
    elapsed = time.perf_counter() - started

    message = assert_user_facing(exc)
    assert message.startswith("This PDF (heavy.pdf) took too long to read, so it was not used.")
    assert "plain text" in message
    assert elapsed < 4.0
    assert any("too-slow" in r.getMessage() for r in caplog.records)


def test_a_file_over_the_memory_limit_is_refused_clearly():
    data = b"Jane Doe writes Python services. " * 120_000  # 4 MB: several MB to decode and clean
    with pytest.raises(ResumeError) as exc:
        read_resume_isolated("cv.txt", data, memory_limit=1024 * 1024)
    message = assert_user_facing(exc)
    assert message.startswith("This file (cv.txt) needs too much memory to read, so it was not used.")


def test_the_wide_character_text_fits_the_default_limits():
    result = read_resume_isolated("wide.txt", wide_character_text())
    assert len(result.text) == MAX_TEXT_CHARS and result.truncated


@pytest.mark.parametrize(
    "child",
    [
        "import sys; sys.stderr.write('boom'); sys.exit(3)",
        "import sys; sys.stdin.buffer.read(); print('not json')",
        "import json; print(json.dumps({'status': 'unheard of'}))",
    ],
    ids=["exits", "garbage", "unknown-status"],
)
def test_a_child_without_a_proper_answer_is_a_plain_refusal(monkeypatch, caplog, child):
    monkeypatch.setattr(resume_process, "_CHILD_CODE", child)
    with pytest.raises(ResumeError) as exc:
        read_resume_isolated("cv.txt", normal_resume_text())
    assert assert_user_facing(exc).startswith("cv.txt could not be read.")
    assert any(r.levelno == logging.WARNING and r.name == resume_process.__name__ for r in caplog.records)


def test_limits_must_be_positive():
    for bad in ({"time_limit": 0}, {"memory_limit": -1}, {"max_chars": 0}):
        with pytest.raises(ValueError):
            read_resume_isolated("cv.txt", b"Jane", **bad)  # type: ignore[arg-type]


# --------------------------------------------------------------------------------------------
# No file without its committed row
# --------------------------------------------------------------------------------------------


class CommitFails(FakeUnitOfWork):
    """Everything is written as usual; the commit itself fails (disk full, connection lost...)."""

    def commit(self) -> None:
        raise RuntimeError("disk I/O error")


@pytest.fixture
def store(tmp_path: Path) -> LocalFileStore:
    return LocalFileStore(tmp_path / "files")


def workspace(uow: FakeUnitOfWork, store: LocalFileStore) -> Workspace:
    return replace(fake_workspace(uow, Clock(START)), files=store)


def stored_files(store: LocalFileStore) -> list[str]:
    return sorted(str(p.relative_to(store.root)) for p in store.root.rglob("*") if p.is_file())


def test_a_failed_commit_leaves_no_resume_file(store: LocalFileStore):
    uow = CommitFails()
    with pytest.raises(RuntimeError, match="disk I/O error"):
        register_resume(workspace(uow, store), filename="priya.txt", data=normal_resume_text(), actor=CANDIDATE)

    assert stored_files(store) == []
    assert list((store.root / "candidates").iterdir()) == []  # nor the new candidate's folder
    assert uow.candidates.all() == []  # and the rows were rolled back


def test_a_failed_commit_for_a_returning_person_keeps_their_earlier_file(store: LocalFileStore):
    uow = CommitFails()
    earlier = store.save_candidate_file("c1", "resume-old.txt", b"earlier upload")
    # written outside any `with` block: counts as committed (the fake's rule for set-up)
    uow.candidates.add(Candidate(id="c1", name="Priya Raman", email="priya.raman@example.com", created_at=START))
    uow.resumes.add(
        Resume(
            id="old",
            candidate_id="c1",
            filename="old.txt",
            content_type="text/plain",
            size_bytes=14,
            text="earlier upload",
            profile=ResumeProfile(name="Priya Raman", email="priya.raman@example.com"),
            file_path=earlier,
            created_at=START,
        )
    )
    with pytest.raises(RuntimeError):
        register_resume(workspace(uow, store), filename="priya-2030.txt", data=normal_resume_text(), actor=CANDIDATE)

    assert stored_files(store) == [earlier]
    assert [r.id for r in uow.state.resumes.values()] == ["old"]


def test_a_successful_upload_keeps_its_file_next_to_its_row(store: LocalFileStore):
    uow = FakeUnitOfWork()
    profile = register_resume(workspace(uow, store), filename="priya.txt", data=normal_resume_text(), actor=CANDIDATE)
    assert profile.resume is not None and profile.resume.file_path is not None
    assert stored_files(store) == [profile.resume.file_path]
    assert store.read(profile.resume.file_path) == normal_resume_text()
    assert uow.commits == 1
