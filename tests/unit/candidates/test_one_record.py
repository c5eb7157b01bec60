"""One person, one record: the email key, the typed-candidate lookup, the profile kept across uploads,
and merging two records by hand (on the fake unit of work)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from core.candidates.merge import merge_candidates
from core.candidates.services import create_candidate, keep_what_is_missing
from core.errors import InvalidInput, NotFound
from core.models import Candidate, Level, PipelineChange, Resume, ResumeProfile, Session, email_key
from core.permissions.actor import Actor
from core.workspace import Workspace
from tests.fakes import FakeUnitOfWork

T0 = datetime(2030, 6, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("email", "key"),
    [
        ("Ana@Example.COM", "ana@example.com"),
        ("  ana@example.com\t", "ana@example.com"),
        ("STRASSE@example.com", "strasse@example.com"),
        ("straße@example.com", "strasse@example.com"),  # casefold, not lower
        ("", None),
        ("   ", None),
        (None, None),
    ],
)
def test_the_email_key(email: str | None, key: str | None) -> None:
    assert email_key(email) == key
    assert Candidate(id="c", name="n", email=email).email_key == key


def test_a_typed_candidate_with_a_known_email_is_the_known_one(ws: Workspace, uow: FakeUnitOfWork) -> None:
    first = create_candidate(ws, name="Ana", email="ana@example.com")
    again = create_candidate(ws, name="Ana Rossi", email=" ANA@example.com")
    assert again.id == first.id and again.name == "Ana"
    assert len(uow.candidates.all()) == 1


def test_a_new_upload_keeps_what_it_does_not_say() -> None:
    old = ResumeProfile("Ana Rossi", "ana@example.com", 7.0, Level.SENIOR, ["payments"], ["Python"])
    bare = keep_what_is_missing(ResumeProfile(email="ANA@example.com"), old)
    assert bare == ResumeProfile("Ana Rossi", "ANA@example.com", 7.0, Level.SENIOR, ["payments"], ["Python"])
    newer = ResumeProfile("Ana R.", None, 9.0, Level.STAFF, ["streaming"], [])
    assert keep_what_is_missing(newer, old) == ResumeProfile(
        "Ana R.", "ana@example.com", 9.0, Level.STAFF, ["streaming"], ["Python"]
    )
    junior_title = ResumeProfile(level=Level.JUNIOR)  # a title without years still says something
    assert keep_what_is_missing(junior_title, old).level is Level.JUNIOR


def seed(uow: FakeUnitOfWork) -> None:
    with uow:
        uow.candidates.add(Candidate(id="keep", name="Candidate", created_at=T0))
        uow.candidates.add(Candidate(id="dup", name="Ana Rossi", email="ana@example.com", created_at=T0))
        uow.sessions.add(Session(id="s1", problem_id="url_shortener", candidate_id="dup", created_at=T0))
        uow.sessions.add(Session(id="s2", problem_id="url_shortener", candidate_id="keep", created_at=T0))
        uow.resumes.add(Resume("r1", "dup", "cv.txt", "text/plain", 2, "cv", ResumeProfile(), created_at=T0))
        uow.pipeline.add(PipelineChange("dup", "offer", "manual", "Zoe", created_at=T0))
        uow.commit()


def test_merging_moves_everything_fills_gaps_and_is_audited(ws: Workspace, uow: FakeUnitOfWork) -> None:
    seed(uow)
    result = merge_candidates(ws, "keep", "dup", actor=Actor.workspace("admin"))

    assert (result.kept.id, result.merged_id) == ("keep", "dup")
    assert result.moved == {"pipeline_changes": 1, "resumes": 1, "sessions": 1}
    assert result.filled == ("name", "email")
    assert [c.id for c in uow.candidates.all()] == ["keep"]
    kept = uow.candidates.get("keep")
    assert (kept.name, kept.email) == ("Ana Rossi", "ana@example.com")
    assert {uow.sessions.get(s).candidate_id for s in ("s1", "s2")} == {"keep"}
    resume = uow.resumes.latest_for_candidate("keep")
    assert resume is not None and resume.id == "r1"
    assert [p.status for p in uow.pipeline.history("keep")] == ["offer"]
    (entry,) = uow.audit.latest()
    assert (entry.action, entry.actor) == ("candidates_merged", "admin")
    assert entry.detail == {
        "kept": "keep",
        "merged": "dup",
        "moved": {"pipeline_changes": 1, "resumes": 1, "sessions": 1},
        "filled": ["name", "email"],
    }


def test_a_kept_record_keeps_its_own_name_and_email(ws: Workspace, uow: FakeUnitOfWork) -> None:
    with uow:
        uow.candidates.add(Candidate(id="a", name="Ana", email="ana@work.example", created_at=T0))
        uow.candidates.add(Candidate(id="b", name="Ana Rossi", email="ana@home.example", created_at=T0))
        uow.commit()
    result = merge_candidates(ws, "a", "b", actor=Actor.workspace("admin"))
    assert (result.kept.name, result.kept.email, result.filled) == ("Ana", "ana@work.example", ())
    assert result.moved == {}


@pytest.mark.parametrize(
    ("keep", "other", "error", "message"),
    [
        ("keep", "keep", InvalidInput, "cannot be merged into itself"),
        (" keep ", "keep", InvalidInput, "cannot be merged into itself"),
        ("", "dup", InvalidInput, "Choose both"),
        ("keep", "ghost", NotFound, "No candidate with id ghost"),
        ("ghost", "dup", NotFound, "No candidate with id ghost"),
    ],
)
def test_a_refused_merge_changes_nothing(
    ws: Workspace, uow: FakeUnitOfWork, keep: str, other: str, error: type[Exception], message: str
) -> None:
    seed(uow)
    with pytest.raises(error, match=message):
        merge_candidates(ws, keep, other, actor=Actor.workspace("admin"))
    assert sorted(c.id for c in uow.candidates.all()) == ["dup", "keep"]
    assert uow.sessions.get("s1").candidate_id == "dup"
    assert uow.audit.latest() == []
