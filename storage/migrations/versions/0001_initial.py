"""Initial schema: candidates, resumes, sessions and everything that hangs off a session.

Revision ID: 0001
Revises:
Create Date: 2025-11-22

Hand-written operations; keep names in step with storage/tables.py (NAMING_CONVENTION).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _ts(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _id() -> sa.Column:
    return sa.Column("id", sa.Integer(), autoincrement=True, nullable=False)


def _session_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["session_id"], ["sessions.id"], name=f"fk_{table}_session_id_sessions", ondelete="CASCADE"
    )


def upgrade() -> None:
    op.create_table(
        "candidates",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("email", sa.String(320), nullable=True),
        _ts("created_at"),
        sa.PrimaryKeyConstraint("id", name="pk_candidates"),
    )

    op.create_table(
        "resumes",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("candidate_id", sa.String(36), nullable=False),
        sa.Column("filename", sa.String(255), nullable=False),
        sa.Column("content_type", sa.String(100), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("profile", sa.JSON(), nullable=False),
        sa.Column("file_path", sa.String(500), nullable=True),
        _ts("created_at"),
        sa.PrimaryKeyConstraint("id", name="pk_resumes"),
        sa.ForeignKeyConstraint(
            ["candidate_id"], ["candidates.id"], name="fk_resumes_candidate_id_candidates", ondelete="CASCADE"
        ),
    )
    op.create_index("ix_resumes_candidate_id_created_at", "resumes", ["candidate_id", "created_at"])

    op.create_table(
        "sessions",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("problem_id", sa.String(100), nullable=False),
        sa.Column("problem_title", sa.String(300), nullable=False),
        sa.Column("kind", sa.String(50), nullable=False),
        sa.Column("candidate_id", sa.String(36), nullable=True),
        sa.Column("interviewer_provider", sa.String(50), nullable=False),
        sa.Column("rubric_id", sa.String(100), nullable=False),
        sa.Column("level", sa.String(20), nullable=False),
        sa.Column("modes", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("stage", sa.String(40), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        _ts("created_at"),
        _ts("started_at", nullable=True),
        _ts("paused_at", nullable=True),
        sa.Column("paused_seconds", sa.Float(), nullable=False),
        _ts("stage_started_at", nullable=True),
        _ts("ended_at", nullable=True),
        _ts("updated_at"),
        sa.PrimaryKeyConstraint("id", name="pk_sessions"),
        sa.ForeignKeyConstraint(
            ["candidate_id"], ["candidates.id"], name="fk_sessions_candidate_id_candidates", ondelete="SET NULL"
        ),
    )
    op.create_index("ix_sessions_created_at", "sessions", ["created_at"])
    op.create_index("ix_sessions_status_created_at", "sessions", ["status", "created_at"])
    op.create_index("ix_sessions_candidate_id", "sessions", ["candidate_id"])

    op.create_table(
        "messages",
        _id(),
        sa.Column("session_id", sa.String(36), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("stage", sa.String(40), nullable=False),
        sa.Column("meta", sa.JSON(), nullable=False),
        _ts("created_at"),
        sa.PrimaryKeyConstraint("id", name="pk_messages"),
        _session_fk("messages"),
        sa.UniqueConstraint("session_id", "seq", name="uq_messages_session_id_seq"),
    )

    op.create_table(
        "transcript_entries",
        _id(),
        sa.Column("session_id", sa.String(36), nullable=False),
        sa.Column("speaker", sa.String(20), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("start", sa.Float(), nullable=False),
        sa.Column("end", sa.Float(), nullable=False),
        sa.Column("source", sa.String(20), nullable=False),
        _ts("created_at"),
        sa.PrimaryKeyConstraint("id", name="pk_transcript_entries"),
        _session_fk("transcript_entries"),
    )
    op.create_index("ix_transcript_entries_session_id_start", "transcript_entries", ["session_id", "start"])

    op.create_table(
        "whiteboard_snapshots",
        _id(),
        sa.Column("session_id", sa.String(36), nullable=False),
        sa.Column("png_path", sa.String(500), nullable=True),
        sa.Column("fabric_json", sa.JSON(), nullable=False),
        _ts("created_at"),
        sa.PrimaryKeyConstraint("id", name="pk_whiteboard_snapshots"),
        _session_fk("whiteboard_snapshots"),
    )
    op.create_index("ix_whiteboard_snapshots_session_id", "whiteboard_snapshots", ["session_id"])

    op.create_table(
        "media_files",
        _id(),
        sa.Column("session_id", sa.String(36), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("path", sa.String(500), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("content_type", sa.String(100), nullable=False),
        _ts("created_at"),
        sa.PrimaryKeyConstraint("id", name="pk_media_files"),
        _session_fk("media_files"),
    )
    op.create_index("ix_media_files_session_id", "media_files", ["session_id"])

    op.create_table(
        "evaluations",
        _id(),
        sa.Column("session_id", sa.String(36), nullable=False),
        sa.Column("overall_score", sa.Float(), nullable=False),
        sa.Column("competencies", sa.JSON(), nullable=False),
        sa.Column("went_well", sa.JSON(), nullable=False),
        sa.Column("went_okay", sa.JSON(), nullable=False),
        sa.Column("needs_improvement", sa.JSON(), nullable=False),
        sa.Column("improvement_plan", sa.JSON(), nullable=False),
        sa.Column("communication", sa.JSON(), nullable=False),
        sa.Column("notes", sa.JSON(), nullable=False),
        sa.Column("rubric_id", sa.String(100), nullable=False),
        sa.Column("rubric_version", sa.String(20), nullable=False),
        sa.Column("engine", sa.String(50), nullable=False),
        _ts("created_at"),
        sa.PrimaryKeyConstraint("id", name="pk_evaluations"),
        _session_fk("evaluations"),
        sa.UniqueConstraint("session_id", name="uq_evaluations_session_id"),
    )

    op.create_table(
        "token_usage",
        _id(),
        sa.Column("session_id", sa.String(36), nullable=False),
        sa.Column("provider", sa.String(50), nullable=False),
        sa.Column("model", sa.String(100), nullable=False),
        sa.Column("operation", sa.String(50), nullable=False),
        sa.Column("input_tokens", sa.Integer(), nullable=False),
        sa.Column("output_tokens", sa.Integer(), nullable=False),
        sa.Column("cost_usd", sa.Float(), nullable=False),
        sa.Column("duration_ms", sa.Integer(), nullable=False),
        _ts("created_at"),
        sa.PrimaryKeyConstraint("id", name="pk_token_usage"),
        _session_fk("token_usage"),
    )
    op.create_index("ix_token_usage_session_id", "token_usage", ["session_id"])

    # No foreign key on session_id: the record that a session was deleted must outlive it.
    op.create_table(
        "audit_log",
        _id(),
        sa.Column("action", sa.String(100), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("session_id", sa.String(36), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        _ts("created_at"),
        sa.PrimaryKeyConstraint("id", name="pk_audit_log"),
    )
    op.create_index("ix_audit_log_session_id_created_at", "audit_log", ["session_id", "created_at"])
    op.create_index("ix_audit_log_created_at", "audit_log", ["created_at"])


def downgrade() -> None:
    for table in (
        "audit_log",
        "token_usage",
        "evaluations",
        "media_files",
        "whiteboard_snapshots",
        "transcript_entries",
        "messages",
        "sessions",
        "resumes",
        "candidates",
    ):
        op.drop_table(table)  # drops the table's indexes with it
