"""Migration 0009 on a database seeded with duplicate candidates at 0008: one record per email after it,
every session, resume and pipeline change still there (on the kept record), one audit row per merge."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert, inspect, text
from sqlalchemy.exc import IntegrityError

from core.models import Candidate
from storage.database import make_engine
from storage.migrate import downgrade, upgrade
from storage.tables import PipelineChangeRow, ResumeRow, SessionRow
from storage.unit_of_work import make_uow_factory

T0 = datetime(2026, 1, 1, tzinfo=UTC)

# id, name, email, days after T0 (the oldest of a group is kept)
SEEDED = [
    ("ana-2", "Ana Rossi", "ana@example.com", 2),
    ("ana-1", "Candidate", " Ana@Example.COM ", 1),  # the oldest: kept, and its placeholder name is filled
    ("ana-3", "A. Rossi", "ANA@example.com", 3),
    ("bo-1", "Bo", "bo@example.com", 1),
    ("nomail-1", "Cy", None, 1),
    ("nomail-2", "Cy", None, 2),  # no email: never merged
    ("blank-1", "Di", "  ", 1),  # a blank email is no email
    ("blank-2", "Di", "", 2),
]


def seed(url: str) -> None:
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            for key, name, email, days in SEEDED:
                connection.execute(
                    text("INSERT INTO candidates (id, name, email, created_at) VALUES (:id, :name, :email, :at)"),
                    {"id": key, "name": name, "email": email, "at": T0 + timedelta(days=days)},
                )
            for number, candidate in enumerate(["ana-1", "ana-2", "ana-3", "ana-3", "bo-1", "nomail-2"]):
                connection.execute(
                    insert(SessionRow.__table__).values(
                        id=f"s{number}", problem_id="url_shortener", problem_title="URL", kind="system_design",
                        candidate_id=candidate, interviewer_provider="offline", rubric_id="system_design",
                        level="mid", modes=["chat"], status="completed", stage="wrap_up", duration_minutes=45,
                        created_at=T0, paused_seconds=0.0, updated_at=T0,
                    )
                )  # fmt: skip
            for number, candidate in enumerate(["ana-2", "ana-3"]):
                connection.execute(
                    insert(ResumeRow.__table__).values(
                        id=f"r{number}", candidate_id=candidate, filename="cv.txt", content_type="text/plain",
                        size_bytes=3, text="cv", profile={}, created_at=T0,
                    )
                )  # fmt: skip
            connection.execute(
                insert(PipelineChangeRow.__table__).values(
                    candidate_id="ana-3", status="advanced", source="manual", actor="Zoe", reason="", created_at=T0
                )
            )
    finally:
        engine.dispose()


def test_duplicates_are_merged_into_the_oldest_record_and_nothing_is_lost(empty_database_url: str) -> None:
    upgrade(empty_database_url, "0008")
    seed(empty_database_url)
    upgrade(empty_database_url, "0009")
    upgrade(empty_database_url)  # the unit of work reads today's schema; later revisions leave candidates alone

    engine = make_engine(empty_database_url)
    try:
        with make_uow_factory(engine)() as uow:
            candidates = {c.id: c for c in uow.candidates.all()}
            assert set(candidates) == {"ana-1", "bo-1", "nomail-1", "nomail-2", "blank-1", "blank-2"}
            assert candidates["ana-1"].name == "Ana Rossi"  # filled from the next oldest with a real name
            assert candidates["ana-1"].email == " Ana@Example.COM "  # the kept record's own spelling
            found = uow.candidates.by_email("ana@EXAMPLE.com")
            assert found is not None and found.id == "ana-1"
            assert {f"s{n}": uow.sessions.get(f"s{n}").candidate_id for n in range(6)} == {
                "s0": "ana-1", "s1": "ana-1", "s2": "ana-1", "s3": "ana-1", "s4": "bo-1", "s5": "nomail-2",
            }  # fmt: skip
            latest = uow.resumes.latest_for_candidate("ana-1")
            assert latest is not None
            assert [c.candidate_id for c in uow.pipeline.history("ana-1")] == ["ana-1"]
            merges = [e for e in uow.audit.latest() if e.action == "candidates_merged"]
        with engine.connect() as connection:
            owners = connection.execute(text("SELECT candidate_id FROM resumes ORDER BY id")).scalars().all()
            assert owners == ["ana-1", "ana-1"]
        assert [(e.actor, e.detail["kept"], e.detail["merged"]) for e in merges] == [
            ("migration 0009", "ana-1", "ana-2"),
            ("migration 0009", "ana-1", "ana-3"),
        ]
        assert merges[0].detail["moved"] == {"resumes": 1, "sessions": 1}
        assert merges[0].detail["filled"] == ["name"]
        assert merges[1].detail["moved"] == {"pipeline_changes": 1, "resumes": 1, "sessions": 2}
        assert all("@" not in str(e.detail) for e in merges)  # ids and counts, never an email

        # the key is unique from now on, in any spelling
        with pytest.raises(IntegrityError), make_uow_factory(engine)() as uow:
            uow.candidates.add(Candidate(id="ana-new", name="Ana", email="ANA@example.com ", created_at=T0))
    finally:
        engine.dispose()


def test_the_email_key_index_is_unique_and_the_downgrade_keeps_every_row(empty_database_url: str) -> None:
    upgrade(empty_database_url, "0008")
    seed(empty_database_url)
    upgrade(empty_database_url, "0009")
    engine = make_engine(empty_database_url)
    try:
        indexes = {i["name"]: i for i in inspect(engine).get_indexes("candidates")}
        assert indexes["ix_candidates_email_key"]["unique"]
        assert indexes["ix_candidates_email_key"]["column_names"] == ["email_key"]
    finally:
        engine.dispose()

    downgrade(empty_database_url, "0008")
    engine = make_engine(empty_database_url)
    try:
        assert "email_key" not in {c["name"] for c in inspect(engine).get_columns("candidates")}
        with engine.connect() as connection:  # dropping the column must not cascade to what names candidates
            assert connection.execute(text("SELECT count(*) FROM candidates")).scalar() == 6
            assert connection.execute(text("SELECT count(*) FROM resumes")).scalar() == 2
            assert connection.execute(text("SELECT count(*) FROM pipeline_changes")).scalar() == 1
            assert connection.execute(text("SELECT count(*) FROM sessions WHERE candidate_id IS NULL")).scalar() == 0
    finally:
        engine.dispose()
    upgrade(empty_database_url)  # and back up again: nothing left to merge
