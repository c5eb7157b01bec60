"""One person, one record over real databases: uploads find the person by email, merges move everything."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.candidates.merge import merge_candidates
from core.candidates.services import create_candidate, get_profile, register_resume
from core.config import Settings
from core.errors import InvalidInput, NotFound
from core.interview.services import create_interview
from core.models import Level, PipelineChange
from core.permissions.actor import Actor
from core.workspace import Workspace
from entry.bootstrap import build_workspace
from tests.actors import CANDIDATE

FIRST = b"""Jordan Lee
jordan.lee@example.com
Senior Software Engineer, payments platform. 7 years of experience building payment
processing, ledgers and billing with Python, Kafka and PostgreSQL.
"""
# the same person, another spelling of the email, no name line the reader can use and no years
SECOND = b"""JORDAN.LEE@EXAMPLE.COM
Built streaming pipelines with Kafka.
"""


@pytest.fixture
def ws(database_url: str, tmp_path: Path) -> Workspace:
    return build_workspace(Settings(database_url=database_url, runtime_dir=tmp_path / "runtime"))


def test_a_second_upload_with_the_same_email_updates_the_one_record(ws: Workspace) -> None:
    first = register_resume(ws, filename="jordan.txt", data=FIRST, actor=CANDIDATE)
    second = register_resume(ws, filename="jordan-2026.txt", data=SECOND, actor=CANDIDATE)

    assert second.candidate.id == first.candidate.id
    with ws.uow_factory() as uow:
        assert [c.id for c in uow.candidates.all()] == [first.candidate.id]
        uploads = [e.detail for e in uow.audit.latest() if e.action == "resume_uploaded"]
    assert [d["returning"] for d in uploads] == [False, True]
    profile = get_profile(ws, first.candidate.id)
    assert profile.candidate.name == "Jordan Lee"  # the new upload has no name: the known one stays
    assert profile.resume is not None and profile.resume.filename == "jordan-2026.txt"
    assert profile.resume.profile.years_experience == 7  # kept from the first upload
    assert profile.resume.profile.level is Level.SENIOR
    # both files are kept: the second upload did not overwrite the first
    assert first.resume is not None and second.resume is not None
    assert ws.files.read(first.resume.file_path or "") == FIRST
    assert ws.files.read(second.resume.file_path or "") == SECOND


def test_a_typed_candidate_with_a_known_email_is_the_known_one(ws: Workspace) -> None:
    uploaded = register_resume(ws, filename="jordan.txt", data=FIRST, actor=CANDIDATE)
    typed = create_candidate(ws, name="J. Lee", email="  Jordan.Lee@Example.com")
    assert typed.id == uploaded.candidate.id
    assert create_candidate(ws, name="Sam").id != create_candidate(ws, name="Sam").id  # no email: no match


def test_merging_moves_sessions_resumes_and_pipeline_and_is_audited(ws: Workspace) -> None:
    kept = create_candidate(ws, name="Candidate")
    other = register_resume(ws, filename="jordan.txt", data=FIRST, actor=CANDIDATE).candidate
    session = create_interview(ws, problem_id="url_shortener", candidate_id=other.id, level=Level.MID, actor=CANDIDATE)
    with ws.uow_factory() as uow:
        uow.pipeline.add(PipelineChange(other.id, "next_round", "manual", "Zoe"))
        uow.commit()

    result = merge_candidates(ws, kept.id, other.id, actor=Actor.workspace("admin"))

    assert result.moved == {"pipeline_changes": 1, "resumes": 1, "sessions": 1}
    assert result.filled == ("name", "email")
    with ws.uow_factory() as uow:
        assert [c.id for c in uow.candidates.all()] == [kept.id]
        merged = uow.candidates.get(kept.id)
        assert (merged.name, merged.email) == ("Jordan Lee", "jordan.lee@example.com")
        assert uow.sessions.get(session.id).candidate_id == kept.id
        assert [p.status for p in uow.pipeline.history(kept.id)] == ["next_round"]
        found = uow.candidates.by_email("JORDAN.LEE@example.com")
        assert found is not None and found.id == kept.id
        (entry,) = [e for e in uow.audit.latest() if e.action == "candidates_merged"]
    assert entry.actor == "admin"
    assert entry.detail["kept"] == kept.id and entry.detail["merged"] == other.id
    profile = get_profile(ws, kept.id)
    assert profile.resume is not None and profile.resume.filename == "jordan.txt"


def test_a_refused_merge_changes_nothing(ws: Workspace) -> None:
    one = create_candidate(ws, name="Ana", email="ana@example.com")
    with pytest.raises(InvalidInput, match="itself"):
        merge_candidates(ws, one.id, one.id, actor=Actor.workspace("admin"))
    with pytest.raises(NotFound):
        merge_candidates(ws, one.id, "ghost", actor=Actor.workspace("admin"))
    with ws.uow_factory() as uow:
        assert [c.id for c in uow.candidates.all()] == [one.id]
        assert [e for e in uow.audit.latest() if e.action == "candidates_merged"] == []
