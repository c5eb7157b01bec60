"""The hand-written migration builds exactly the schema storage/tables.py describes."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, inspect, text
from sqlalchemy.exc import IntegrityError

from core.models import (
    AuditEntry,
    CachedAnswer,
    DeliveryAttempt,
    DeliveryStatus,
    Evaluation,
    HistoryQuery,
    MediaFile,
    Message,
    OutboxMessage,
    OutboxStatus,
    Role,
    ScoreOverride,
    Session,
    SessionConsent,
    SortKey,
    TokenUsage,
    TranscriptEntry,
    WebhookDelivery,
    WebhookSubscription,
    WhiteboardSnapshot,
)
from storage.database import make_engine
from storage.migrate import current_revision, downgrade, head_revision, upgrade
from storage.tables import metadata
from storage.unit_of_work import make_uow_factory

REPO_ROOT = Path(__file__).resolve().parents[3]

TABLES = {
    "candidates",
    "resumes",
    "sessions",
    "messages",
    "transcript_entries",
    "whiteboard_snapshots",
    "media_files",
    "evaluations",
    "earlier_evaluations",
    "token_usage",
    "score_overrides",
    "audit_log",
    "team_members",
    "event_types",
    "bookings",
    "session_interviewers",
    "webhook_events",
    "webhook_refusals",
    "live_sessions",
    "live_notes",
    "scorecard_entries",
    "recommendations",
    "follow_up_tasks",
    "pipeline_changes",
    "accounts",
    "sign_in_sessions",
    "sign_in_failures",
    "session_consents",
    "data_requests",
    "jobs",
    "outbox_messages",
    "answer_cache",
    "webhook_subscriptions",
    "webhook_deliveries",
    "webhook_delivery_attempts",
    "interviewer_choices",
    "session_tally",
}

# (table, columns) -> unique?
INDEXES = {
    ("sessions", ("created_at",)): False,
    ("sessions", ("status", "created_at")): False,
    ("sessions", ("candidate_id", "status", "overall_score", "created_at", "id")): False,
    ("sessions", ("overall_score", "created_at")): False,
    ("messages", ("session_id", "seq")): True,
    ("transcript_entries", ("session_id", "start")): False,
    ("evaluations", ("session_id",)): True,
    ("audit_log", ("session_id", "created_at")): False,
    ("audit_log", ("actor", "created_at")): False,
    ("audit_log", ("action", "created_at")): False,
    ("token_usage", ("created_at",)): False,
    ("token_usage", ("session_id",)): False,
    ("resumes", ("candidate_id", "created_at")): False,
    ("score_overrides", ("session_id", "created_at")): False,
    ("earlier_evaluations", ("session_id", "replaced_at")): False,
    ("bookings", ("session_id",)): True,
    ("bookings", ("external_uid",)): True,
    ("bookings", ("start_at",)): False,
    ("session_interviewers", ("member_id",)): False,
    ("webhook_events", ("dedupe_key",)): True,
    ("team_members", ("email",)): True,
    ("live_notes", ("session_id", "at_seconds")): False,
    ("scorecard_entries", ("session_id", "competency")): False,
    ("recommendations", ("session_id", "created_at")): False,
    ("follow_up_tasks", ("session_id",)): False,
    ("pipeline_changes", ("candidate_id", "created_at")): False,
    ("candidates", ("email_key",)): True,
    ("webhook_refusals", ("source", "status_code", "reason", "hour")): True,
    ("webhook_refusals", ("last_at",)): False,
    ("accounts", ("email_key",)): True,
    ("sign_in_sessions", ("account_id",)): False,
    ("sign_in_failures", ("expires_at",)): False,
    ("sessions", ("owner_id",)): False,
    ("jobs", ("key",)): True,
    ("jobs", ("status", "run_after")): False,
    ("outbox_messages", ("status", "created_at")): False,
    ("outbox_messages", ("session_id",)): False,
    ("outbox_messages", ("booking_id",)): False,
    ("answer_cache", ("session_id",)): False,
    ("webhook_deliveries", ("message_id", "subscription_id")): True,
    ("webhook_deliveries", ("status", "created_at")): False,
    ("webhook_deliveries", ("subscription_id", "created_at")): False,
    ("webhook_deliveries", ("session_id",)): False,
    ("webhook_delivery_attempts", ("delivery_id", "attempted_at")): False,
}

SESSION_CHILDREN = [
    "messages",
    "transcript_entries",
    "whiteboard_snapshots",
    "media_files",
    "evaluations",
    "earlier_evaluations",
    "token_usage",
    "answer_cache",
    "score_overrides",
    "bookings",
    "live_sessions",
    "live_notes",
    "scorecard_entries",
    "recommendations",
    "follow_up_tasks",
    "outbox_messages",
    "webhook_deliveries",
]


def schema_snapshot(url: str) -> dict[str, object]:
    engine = make_engine(url)
    try:
        inspector = inspect(engine)
        snapshot: dict[str, object] = {}
        for table in sorted(inspector.get_table_names()):
            snapshot[table] = (
                [(c["name"], str(c["type"]), c["nullable"]) for c in inspector.get_columns(table)],
                sorted((i["name"], tuple(i["column_names"]), bool(i["unique"])) for i in inspector.get_indexes(table)),
                sorted((u["name"], tuple(u["column_names"])) for u in inspector.get_unique_constraints(table)),
                sorted(
                    (f["name"], f["referred_table"], f["options"].get("ondelete"))
                    for f in inspector.get_foreign_keys(table)
                ),
            )
        return snapshot
    finally:
        engine.dispose()


def insert_sessions(connection: Connection, ids: Iterable[str], *, status: str, stage: str, at: datetime) -> None:
    """Bare system-design sessions written with SQL, as an older schema stores them (the models follow head)."""
    connection.execute(
        text(
            "INSERT INTO sessions (id, problem_id, problem_title, kind, interviewer_provider, rubric_id, level,"
            " modes, status, stage, duration_minutes, created_at, paused_seconds, updated_at, team) VALUES"
            " (:id, 'url_shortener', 'URL', 'system_design', 'offline', 'system_design', 'mid', '[\"chat\"]',"
            " :status, :stage, 45, :now, 0, :now, '')"
        ),
        [{"id": sid, "status": status, "stage": stage, "now": at} for sid in ids],
    )


def indexed_columns(url: str) -> dict[tuple[str, tuple[str, ...]], bool]:
    """Every index and unique constraint, as (table, columns) -> unique (of the tables an older revision has)."""
    engine = make_engine(url)
    try:
        inspector = inspect(engine)
        found: dict[tuple[str, tuple[str, ...]], bool] = {}
        for table in TABLES & set(inspector.get_table_names()):  # an older revision lacks the newer tables
            for index in inspector.get_indexes(table):
                found[(table, tuple(index["column_names"]))] = bool(index["unique"])
            for constraint in inspector.get_unique_constraints(table):
                found[(table, tuple(constraint["column_names"]))] = True
        return found
    finally:
        engine.dispose()


def test_upgrade_creates_every_table_index_and_cascade(empty_database_url: str) -> None:
    assert current_revision(empty_database_url) is None
    upgrade(empty_database_url)

    assert current_revision(empty_database_url) == head_revision() == "0028"
    engine = make_engine(empty_database_url)
    try:
        inspector = inspect(engine)
        assert set(inspector.get_table_names()) == TABLES | {"alembic_version"}
        for child in SESSION_CHILDREN:
            [fk] = [fk for fk in inspector.get_foreign_keys(child) if fk["referred_table"] == "sessions"]
            assert (fk["referred_table"], fk["constrained_columns"]) == ("sessions", ["session_id"])
            assert fk["options"].get("ondelete") == "CASCADE"
        assert inspector.get_foreign_keys("audit_log") == []
    finally:
        engine.dispose()
    found = indexed_columns(empty_database_url)
    for key, unique in INDEXES.items():
        assert key in found, f"missing index on {key}"
        assert found[key] == unique, key


def test_a_second_upgrade_is_a_no_op(empty_database_url: str) -> None:
    upgrade(empty_database_url)
    before = schema_snapshot(empty_database_url)
    upgrade(empty_database_url)
    assert schema_snapshot(empty_database_url) == before
    engine = make_engine(empty_database_url)
    try:
        with engine.connect() as connection:
            assert connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all() == ["0028"]
    finally:
        engine.dispose()


def test_the_migration_matches_the_table_definitions(database_url: str) -> None:
    """Autogenerate finds nothing to do: tables.py and the hand-written migration agree."""
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, metadata) == []
    finally:
        engine.dispose()


def test_downgrade_to_base_and_back(empty_database_url: str) -> None:
    upgrade(empty_database_url)
    downgrade(empty_database_url, "base")
    assert current_revision(empty_database_url) is None
    engine = make_engine(empty_database_url)
    try:
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    finally:
        engine.dispose()
    upgrade(empty_database_url)
    assert current_revision(empty_database_url) == "0028"


def test_deleting_a_session_deletes_what_hangs_off_it(database_url: str) -> None:
    engine = make_engine(database_url)
    session = Session(id=uuid.uuid4().hex, problem_id="p")
    try:
        with make_uow_factory(engine)() as uow:
            uow.sessions.add(session)
            uow.messages.add(Message(session.id, Role.CANDIDATE, "hi"))
            uow.transcripts.add(TranscriptEntry(session.id, "candidate", "hi", 0.0, 1.0))
            uow.whiteboards.add(WhiteboardSnapshot(session.id, None, {}))
            uow.media.add(MediaFile(session.id, "audio", "a.wav", 1, "audio/wav"))
            uow.evaluations.add(Evaluation(session.id, 3.0, []))
            uow.token_usage.add(TokenUsage(session.id, "p", "m", "o", 1, 1, 0.0, 1))
            uow.answer_cache.add(CachedAnswer("0" * 64, "p", "m", "evaluator_part/v1", "{}", 1, 1, session.id))
            uow.score_overrides.add(ScoreOverride(session.id, "estimation", 2.0, 3.5, "numbers were right", "Ana"))
            uow.audit.add(AuditEntry(action="session.created", session_id=session.id))
            uow.outbox.add(OutboxMessage("follow_up", "ana@example.com", "Thanks", "Thank you.", session_id=session.id))
            uow.webhook_subscriptions.add(WebhookSubscription("ats", "https://ats.example.com/h", ["x"], "whsec_AA=="))
            sent = uow.webhook_deliveries.add(WebhookDelivery("ats", "msg_1", "x", "{}", session_id=session.id))
            uow.delivery_attempts.add(DeliveryAttempt(sent.id or 0, datetime.now(UTC), 12, 500, "answered 500"))
            uow.commit()
        with engine.begin() as connection:
            connection.execute(text("DELETE FROM sessions WHERE id = :id"), {"id": session.id})
        with engine.connect() as connection:
            for table in SESSION_CHILDREN:
                assert connection.execute(text(f"SELECT count(*) FROM {table}")).scalar() == 0, table
            assert connection.execute(text("SELECT count(*) FROM audit_log")).scalar() == 1
            assert connection.execute(text("SELECT count(*) FROM webhook_delivery_attempts")).scalar() == 0
            assert connection.execute(text("SELECT count(*) FROM webhook_subscriptions")).scalar() == 1
            with pytest.raises(IntegrityError):  # foreign keys are enforced (SQLite needs the PRAGMA)
                connection.execute(
                    text(
                        "INSERT INTO token_usage (session_id, provider, model, operation, input_tokens,"
                        " output_tokens, cost_usd, duration_ms, created_at)"
                        " VALUES ('ghost', 'p', 'm', 'o', 1, 1, 0, 1, CURRENT_TIMESTAMP)"
                    )
                )
    finally:
        engine.dispose()


def test_a_programmatic_upgrade_leaves_logging_alone(tmp_path: Path) -> None:
    root = logging.getLogger()
    app_logger = logging.getLogger("interview_workspace.test")
    handlers, level = list(root.handlers), root.level
    upgrade(f"sqlite:///{tmp_path / 'logging.db'}")
    assert root.handlers == handlers and root.level == level
    assert not app_logger.disabled


def test_the_alembic_cli_works_from_any_directory(tmp_path: Path) -> None:
    database = tmp_path / "cli.db"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}"}
    alembic = [sys.executable, "-m", "alembic", "-c", str(REPO_ROOT / "alembic.ini")]
    result = subprocess.run([*alembic, "upgrade", "head"], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "Running upgrade  -> 0001" in result.stderr  # the CLI (only) logs through alembic.ini
    assert current_revision(f"sqlite:///{database}") == "0028"


def test_upgrading_from_0001_keeps_existing_interviews(empty_database_url: str) -> None:
    """A workspace created before 0002 keeps its sessions; the new columns start empty."""
    upgrade(empty_database_url, "0001")
    engine = make_engine(empty_database_url)
    try:
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO sessions (id, problem_id, problem_title, kind, interviewer_provider, rubric_id, level,"
                    " modes, status, stage, duration_minutes, created_at, paused_seconds, updated_at) VALUES"
                    " ('old', 'url_shortener', 'URL', 'system_design', 'offline', 'system_design', 'mid', '[\"chat\"]',"
                    " 'completed', 'wrap_up', 45, :now, 0, :now)"
                ),
                {"now": datetime(2026, 1, 1, tzinfo=UTC)},
            )
        upgrade(empty_database_url)
        with make_uow_factory(engine)() as uow:
            old = uow.sessions.get("old")
        assert old.problem_id == "url_shortener" and old.interviewer_model is None
    finally:
        engine.dispose()


def test_upgrading_from_0002_keeps_media_files_without_an_offset(empty_database_url: str) -> None:
    upgrade(empty_database_url, "0002")
    engine = make_engine(empty_database_url)
    try:
        now = datetime(2026, 1, 1, tzinfo=UTC)
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO sessions (id, problem_id, problem_title, kind, interviewer_provider, rubric_id, level,"
                    " modes, status, stage, duration_minutes, created_at, paused_seconds, updated_at) VALUES"
                    " ('old', 'url_shortener', 'URL', 'system_design', 'offline', 'system_design', 'mid', '[\"chat\"]',"
                    " 'completed', 'wrap_up', 45, :now, 0, :now)"
                ),
                {"now": now},
            )
            connection.execute(
                text(
                    "INSERT INTO media_files (session_id, kind, path, size_bytes, content_type, created_at) VALUES"
                    " ('old', 'audio', 'sessions/old/upload.wav', 44, 'audio/wav', :now)"
                ),
                {"now": now},
            )
        upgrade(empty_database_url)
        with make_uow_factory(engine)() as uow:
            (media,) = uow.media.in_session("old")
        assert media.path == "sessions/old/upload.wav" and media.offset_seconds is None
    finally:
        engine.dispose()


def test_upgrading_from_0003_keeps_evaluations_and_allows_unscored_ones(empty_database_url: str) -> None:
    """0004 adds score_overrides and lets overall_score be NULL (the quality gate's "not scored")."""
    upgrade(empty_database_url, "0003")
    engine = make_engine(empty_database_url)
    try:
        now = datetime(2026, 1, 1, tzinfo=UTC)
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO sessions (id, problem_id, problem_title, kind, interviewer_provider, rubric_id, level,"
                    " modes, status, stage, duration_minutes, created_at, paused_seconds, updated_at) VALUES"
                    " (:id, 'url_shortener', 'URL', 'system_design', 'offline', 'system_design', 'mid', '[\"chat\"]',"
                    " 'completed', 'wrap_up', 45, :now, 0, :now)"
                ),
                [{"id": "old", "now": now}, {"id": "new", "now": now}],
            )
            connection.execute(
                text(
                    "INSERT INTO evaluations (session_id, overall_score, competencies, went_well, went_okay,"
                    " needs_improvement, improvement_plan, communication, notes, rubric_id, rubric_version, engine,"
                    " created_at) VALUES ('old', 3.2, '[]', '[]', '[]', '[]', '[]', '{}', '[]', 'system_design', '1',"
                    " 'offline', :now)"
                ),
                {"now": now},
            )
        upgrade(empty_database_url)
        with make_uow_factory(engine)() as uow:
            old = uow.evaluations.for_session("old")
            uow.evaluations.add(Evaluation("new", None, [], notes=["Not enough to judge"]))
            uow.commit()
        with make_uow_factory(engine)() as uow:
            new = uow.evaluations.for_session("new")
            assert uow.score_overrides.in_session("old") == []
        assert old is not None and old.overall_score == 3.2
        assert new is not None and new.overall_score is None
    finally:
        engine.dispose()


def test_upgrading_from_0014_copies_each_evaluations_score_onto_its_session(empty_database_url: str) -> None:
    """0015 gives sessions the overall score History sorts and filters by, filled from the evaluations."""
    upgrade(empty_database_url, "0014")
    engine = make_engine(empty_database_url)
    try:
        now = datetime(2026, 1, 1, tzinfo=UTC)
        with engine.begin() as connection:
            insert_sessions(connection, ("scored", "refused", "running"), status="completed", stage="wrap_up", at=now)
            connection.execute(
                text(
                    "INSERT INTO evaluations (session_id, overall_score, competencies, went_well, went_okay,"
                    " needs_improvement, improvement_plan, communication, notes, rubric_id, rubric_version, engine,"
                    " created_at) VALUES (:id, :score, '[]', '[]', '[]', '[]', '[]', '{}', '[]', 'system_design',"
                    " '1', 'offline', :now)"
                ),
                [{"id": "scored", "score": 3.2, "now": now}, {"id": "refused", "score": None, "now": now}],
            )
        upgrade(empty_database_url)
        with engine.connect() as connection:
            scores = {sid: score for sid, score in connection.execute(text("SELECT id, overall_score FROM sessions"))}
        assert scores == {"scored": 3.2, "refused": None, "running": None}
        with make_uow_factory(engine)() as uow:
            assert [s.id for s in uow.sessions.search(HistoryQuery(score_min=3.0))] == ["scored"]
            best_first = uow.sessions.search(HistoryQuery(sort=SortKey.SCORE))
        assert [(s.id, s.overall_score) for s in best_first] == [("scored", 3.2), ("running", None), ("refused", None)]

        downgrade(empty_database_url, "0014")
        inspector = inspect(engine)
        assert "overall_score" not in {c["name"] for c in inspector.get_columns("sessions")}
        assert ("evaluations", ("overall_score",)) in indexed_columns(empty_database_url)
        with engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM evaluations")).scalar() == 2
    finally:
        engine.dispose()


def test_upgrading_from_0015_keeps_every_consent_given_and_a_downgrade_asks_again_after_a_withdrawal(
    empty_database_url: str,
) -> None:
    """0016 lets a consent row be a withdrawal: the rows stored before are consents given; going back, a session
    with a withdrawal loses its consents, so a withdrawal never reads as a consent."""
    upgrade(empty_database_url, "0015")
    engine = make_engine(empty_database_url)
    try:
        now = datetime(2026, 1, 1, tzinfo=UTC)
        with engine.begin() as connection:
            insert_sessions(connection, ("kept", "taken_back"), status="active", stage="requirements", at=now)
            connection.execute(
                text(
                    "INSERT INTO session_consents (session_id, actor, kinds, notice_version, given_at)"
                    " VALUES (:id, 'candidate', '[\"audio\"]', '1/media-90d/records-730d', :now)"
                ),
                [{"id": "kept", "now": now}, {"id": "taken_back", "now": now}],
            )
        upgrade(empty_database_url)
        with make_uow_factory(engine)() as uow:
            assert [c.withdrawn for c in uow.consents.in_session("kept")] == [False]
            uow.consents.add(
                SessionConsent("taken_back", "candidate", ["audio"], "2/media-90d/records-730d", now, withdrawn=True)
            )
            uow.commit()

        downgrade(empty_database_url, "0015")
        assert "withdrawn" not in {c["name"] for c in inspect(engine).get_columns("session_consents")}
        with engine.connect() as connection:
            left = connection.execute(text("SELECT session_id FROM session_consents")).scalars().all()
        assert left == ["kept"]
    finally:
        engine.dispose()


def test_upgrading_from_0016_adds_an_empty_outbox_that_holds_a_message_with_its_invitation(
    empty_database_url: str,
) -> None:
    upgrade(empty_database_url, "0016")
    engine = make_engine(empty_database_url)
    try:
        with engine.begin() as connection:
            insert_sessions(
                connection, ["kept"], status="scheduled", stage="requirements", at=datetime(2026, 1, 1, tzinfo=UTC)
            )
        upgrade(empty_database_url)
        ics = b"BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n"
        with make_uow_factory(engine)() as uow:
            assert uow.sessions.get("kept").status.value == "scheduled"
            assert uow.outbox.latest() == []
            stored = uow.outbox.add(
                OutboxMessage(
                    "booking_confirmation",
                    "Grace Hopper <grace@example.com>",
                    "Interview booked",
                    "See you then.",
                    attachment=ics,
                    attachment_type="text/calendar; method=REQUEST; charset=UTF-8",
                    session_id="kept",
                )
            )
            uow.commit()
        with make_uow_factory(engine)() as uow:
            again = uow.outbox.get(stored.id or 0)
        assert (again.attachment, again.status, again.attempts) == (ics, OutboxStatus.QUEUED, 0)
        downgrade(empty_database_url, "0016")
        assert "outbox_messages" not in inspect(engine).get_table_names()
    finally:
        engine.dispose()


def test_upgrading_from_0017_counts_no_answers_for_earlier_usage_and_a_downgrade_drops_the_cache(
    empty_database_url: str,
) -> None:
    """0018 adds the answer cache and, on token usage, the answers a record stands for and how many the cache gave:
    usage recorded before counted none (0, 0). Going back drops the cache, which is only ever a saving."""
    upgrade(empty_database_url, "0017")
    engine = make_engine(empty_database_url)
    try:
        now = datetime(2026, 1, 1, tzinfo=UTC)
        with engine.begin() as connection:
            insert_sessions(connection, ("earlier",), status="completed", stage="wrap_up", at=now)
            connection.execute(
                text(
                    "INSERT INTO token_usage (session_id, provider, model, operation, input_tokens, output_tokens,"
                    " cost_usd, duration_ms, created_at) VALUES ('earlier', 'openai', 'gpt', 'evaluation', 900, 300,"
                    " 0.01, 1200, :now)"
                ),
                {"now": now},
            )
        upgrade(empty_database_url)
        with make_uow_factory(engine)() as uow:
            [usage] = uow.token_usage.in_session("earlier")
            assert (usage.input_tokens, usage.answers, usage.cached_answers) == (900, 0, 0)
            uow.answer_cache.add(CachedAnswer("a" * 64, "openai", "gpt", "evaluator/v3", "{}", 900, 300, "earlier"))
            uow.commit()
        with make_uow_factory(engine)() as uow:
            kept = uow.answer_cache.get("a" * 64)
            assert kept is not None and kept.session_id == "earlier" and kept.created_at is not None

        downgrade(empty_database_url, "0017")
        assert "answer_cache" not in inspect(engine).get_table_names()
        assert "answers" not in {c["name"] for c in inspect(engine).get_columns("token_usage")}
        with engine.connect() as connection:
            assert connection.execute(text("SELECT input_tokens FROM token_usage")).scalars().all() == [900]
    finally:
        engine.dispose()


def test_upgrading_from_0018_indexes_the_activity_log_and_the_months_spend(empty_database_url: str) -> None:
    """0021 adds indexes only: the audit log by who acted and by action, token usage by time. What was stored
    stays, and a downgrade takes the indexes away again."""
    upgrade(empty_database_url, "0018")
    engine = make_engine(empty_database_url)
    added = {("audit_log", ("actor", "created_at")), ("audit_log", ("action", "created_at"))}
    added.add(("token_usage", ("created_at",)))
    try:
        now = datetime(2026, 1, 1, tzinfo=UTC)
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO audit_log (action, actor, session_id, detail, created_at)"
                    " VALUES ('signed_in', 'account:a1', NULL, '{}', :now)"
                ),
                {"now": now},
            )
        assert not added & set(indexed_columns(empty_database_url))
        upgrade(empty_database_url)
        assert added <= set(indexed_columns(empty_database_url))
        with make_uow_factory(engine)() as uow:
            [entry] = uow.audit.latest()
            assert (entry.action, entry.actor) == ("signed_in", "account:a1")
        downgrade(empty_database_url, "0018")
        assert not added & set(indexed_columns(empty_database_url))
    finally:
        engine.dispose()


def test_upgrading_from_0018_adds_outgoing_webhooks_and_a_downgrade_drops_only_them(empty_database_url: str) -> None:
    """0020 only adds tables (it may be renumbered when parallel migrations merge): interviews stored before
    stay, a delivery goes with its subscription, and going back drops the three tables alone."""
    upgrade(empty_database_url, "0018")
    engine = make_engine(empty_database_url)
    try:
        now = datetime(2026, 1, 1, tzinfo=UTC)
        with engine.begin() as connection:
            insert_sessions(connection, ("earlier",), status="completed", stage="wrap_up", at=now)
        upgrade(empty_database_url)
        with make_uow_factory(engine)() as uow:
            uow.webhook_subscriptions.add(
                WebhookSubscription("ats", "https://ats.example.com/h", ["interview.completed"], "whsec_AA==")
            )
            sent = uow.webhook_deliveries.add(
                WebhookDelivery("ats", "msg_1", "interview.completed", '{"type":"interview.completed"}', "earlier")
            )
            uow.delivery_attempts.add(DeliveryAttempt(sent.id or 0, now, 40, None, "Could not connect"))
            uow.commit()
        with make_uow_factory(engine)() as uow:
            [kept] = uow.webhook_deliveries.in_session("earlier")
            assert kept.status is DeliveryStatus.QUEUED and kept.body == '{"type":"interview.completed"}'
            assert [a.error for a in uow.delivery_attempts.for_delivery(kept.id or 0)] == ["Could not connect"]
            uow.webhook_subscriptions.delete("ats")
            uow.commit()
        with engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM webhook_deliveries")).scalar() == 0
            assert connection.execute(text("SELECT count(*) FROM webhook_delivery_attempts")).scalar() == 0

        downgrade(empty_database_url, "0018")
        assert current_revision(empty_database_url) == "0018"
        tables = set(inspect(engine).get_table_names())
        assert not tables & {"webhook_subscriptions", "webhook_deliveries", "webhook_delivery_attempts"}
        with engine.connect() as connection:
            assert connection.execute(text("SELECT id FROM sessions")).scalars().all() == ["earlier"]
    finally:
        engine.dispose()


def test_upgrading_from_0018_keeps_the_outbox_and_reads_earlier_emails_as_due_at_once_under_their_usual_job(
    empty_database_url: str,
) -> None:
    """0019 gives the outbox a due time, a no-use-after time and a job key (reminders): a message written before
    reads with none of them, so it is sent at once by its send_email:<id> job, as it would have been."""
    upgrade(empty_database_url, "0018")
    engine = make_engine(empty_database_url)
    try:
        now = datetime(2026, 1, 1, tzinfo=UTC)
        with engine.begin() as connection:
            insert_sessions(connection, ("booked",), status="scheduled", stage="requirements", at=now)
            connection.execute(
                text(
                    "INSERT INTO outbox_messages (kind, recipient, subject, text_body, html_body, sender, reply_to,"
                    " attachment_name, attachment_type, message_id, session_id, actor, status, attempts, last_error,"
                    " created_at, updated_at) VALUES ('booking_confirmation', 'grace@example.com', 'Booked', 'Hi', '',"
                    " '', '', '', '', '<m@x>', 'booked', 'system', 'queued', 0, '', :now, :now)"
                ),
                {"now": now},
            )
        upgrade(empty_database_url)
        with make_uow_factory(engine)() as uow:
            [earlier] = uow.outbox.in_session("booked")
            assert (earlier.send_after, earlier.send_before, earlier.job_key) == (None, None, "")
            earlier.status = OutboxStatus.WITHDRAWN
            uow.outbox.update(earlier)
            uow.commit()
        with make_uow_factory(engine)() as uow:
            assert uow.outbox.get(earlier.id or 0).status is OutboxStatus.WITHDRAWN
        downgrade(empty_database_url, "0018")
        assert "job_key" not in {c["name"] for c in inspect(engine).get_columns("outbox_messages")}
        with engine.connect() as connection:
            assert connection.execute(text("SELECT subject FROM outbox_messages")).scalars().all() == ["Booked"]
    finally:
        engine.dispose()


def test_upgrading_from_0022_counts_failed_sign_ins_per_hashed_address_and_a_downgrade_drops_only_that(
    empty_database_url: str,
) -> None:
    """0023 adds one table: accounts stored before stay, a failure is counted (and expired ones deleted) by key,
    and going back drops the table alone."""
    upgrade(empty_database_url, "0022")
    engine = make_engine(empty_database_url)
    try:
        now = datetime(2026, 1, 1, tzinfo=UTC)
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO accounts (id, email, email_key, name, roles, team, active, failed_sign_ins,"
                    " created_at, notify, phone, timezone, quiet_hours)"
                    " VALUES ('ada', 'ada@example.com', 'ada@example.com', 'Ada', '[]', '', true, 2, :now, '{}',"
                    " '', '', '')"
                ),
                {"now": now},
            )
        upgrade(empty_database_url)
        with make_uow_factory(engine)() as uow:
            held = uow.sign_in_failures.hold("k" * 64, at=now)
            held.failures, held.expires_at = 1, now
            uow.sign_in_failures.save(held)
            uow.sign_in_failures.hold("j" * 64, at=now + timedelta(hours=1))
            assert uow.sign_in_failures.remove_expired(now) == 1  # the first: its expiry has come
            uow.commit()
        with make_uow_factory(engine)() as uow:
            assert uow.sign_in_failures.find("k" * 64) is None and uow.sign_in_failures.find("j" * 64) is not None
            assert uow.accounts.get("ada").failed_sign_ins == 2
        downgrade(empty_database_url, "0022")
        assert "sign_in_failures" not in inspect(engine).get_table_names()
        with engine.connect() as connection:
            assert connection.execute(text("SELECT id FROM accounts")).scalars().all() == ["ada"]
    finally:
        engine.dispose()


def test_upgrading_from_0025_lists_the_interviewers_of_the_interviews_already_stored(empty_database_url: str) -> None:
    """0026 keeps History's interviewer choices apart, filled from the sessions there are; going back drops them."""
    upgrade(empty_database_url, "0025")
    engine = make_engine(empty_database_url)
    try:
        now = datetime(2026, 1, 1, tzinfo=UTC)
        with engine.begin() as connection:
            insert_sessions(connection, ("a", "b"), status="completed", stage="wrap_up", at=now)  # offline, no model
            insert_sessions(connection, ("c",), status="active", stage="requirements", at=now)
            connection.execute(
                text("UPDATE sessions SET interviewer_provider = 'openai', interviewer_model = 'gpt-4o' WHERE id = 'c'")
            )
        upgrade(empty_database_url)
        with make_uow_factory(engine)() as uow:
            assert uow.sessions.interviewers() == [("offline", None), ("openai", "gpt-4o")]
            uow.sessions.delete("c")
            uow.commit()
        with make_uow_factory(engine)() as uow:
            assert uow.sessions.interviewers() == [("offline", None)]
        downgrade(empty_database_url, "0025")
        assert "interviewer_choices" not in inspect(engine).get_table_names()
    finally:
        engine.dispose()


def test_upgrading_from_0027_tallies_the_sessions_there_are_and_triggers_follow_every_insert_and_delete(
    empty_database_url: str,
) -> None:
    """0028 counts the stored sessions once; triggers keep the count with any write, SQL included; going back
    drops the tally and its triggers, and sessions are still written."""
    upgrade(empty_database_url, "0027")
    engine = make_engine(empty_database_url)
    now = datetime(2026, 1, 1, tzinfo=UTC)

    def tally() -> int:
        with engine.connect() as connection:
            return int(connection.execute(text("SELECT sessions FROM session_tally WHERE id = 1")).scalar_one())

    try:
        with engine.begin() as connection:
            insert_sessions(connection, ("a", "b", "c"), status="completed", stage="wrap_up", at=now)
        upgrade(empty_database_url)
        assert tally() == 3
        with engine.begin() as connection:
            insert_sessions(connection, ("d", "e"), status="active", stage="requirements", at=now)
            connection.execute(text("DELETE FROM sessions WHERE id = 'a'"))
        assert tally() == 4
        with engine.begin() as connection:
            connection.execute(text("DELETE FROM sessions WHERE id IN ('b', 'd')"))
        assert tally() == 2
        with engine.begin() as connection:  # a write that is rolled back leaves the tally as it was
            insert_sessions(connection, ("f",), status="active", stage="requirements", at=now)
            connection.rollback()
        assert tally() == 2
        downgrade(empty_database_url, "0027")
        assert "session_tally" not in inspect(engine).get_table_names()
        with engine.begin() as connection:
            insert_sessions(connection, ("g",), status="active", stage="requirements", at=now)
            assert connection.execute(text("SELECT COUNT(*) FROM sessions")).scalar_one() == 3
    finally:
        engine.dispose()
