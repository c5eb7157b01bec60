"""Interviewer-led sessions: cockpit state, live notes, scorecards, recommendations, follow-ups, pipeline.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _when(name: str, *, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _session(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["session_id"], ["sessions.id"], name=f"fk_{table}_session_id_sessions", ondelete="CASCADE"
    )


def upgrade() -> None:
    op.create_table(
        "live_sessions",
        sa.Column("session_id", sa.String(36), nullable=False),
        sa.Column("template_id", sa.String(100), nullable=False),
        sa.Column("template_version", sa.String(40), nullable=False),
        sa.Column("stage", sa.String(60), nullable=False),
        sa.Column("stage_started_seconds", sa.Float(), nullable=False),
        sa.Column("stage_log", sa.JSON(), nullable=False),
        sa.Column("goal_marks", sa.JSON(), nullable=False),
        sa.Column("facts", sa.JSON(), nullable=False),
        sa.Column("meeting_url", sa.String(2000), nullable=True),
        _when("created_at"),
        _when("updated_at"),
        _session("live_sessions"),
        sa.PrimaryKeyConstraint("session_id", name="pk_live_sessions"),
    )
    op.create_table(
        "live_notes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("session_id", sa.String(36), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("at_seconds", sa.Float(), nullable=False),
        sa.Column("stage", sa.String(60), nullable=False),
        sa.Column("tag", sa.String(40), nullable=True),
        sa.Column("jtbd_type", sa.String(40), nullable=True),
        sa.Column("importance", sa.Integer(), nullable=True),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("transcript_entry_id", sa.Integer(), nullable=True),
        sa.Column("author", sa.String(200), nullable=False),
        sa.Column("draft", sa.Boolean(), nullable=False),
        _when("created_at"),
        _when("updated_at"),
        _session("live_notes"),
        sa.PrimaryKeyConstraint("id", name="pk_live_notes"),
    )
    op.create_index("ix_live_notes_session_id_at_seconds", "live_notes", ["session_id", "at_seconds"])
    op.create_index("ix_live_notes_session_id_author_draft", "live_notes", ["session_id", "author", "draft"])
    op.create_table(
        "scorecard_entries",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("session_id", sa.String(36), nullable=False),
        sa.Column("competency", sa.String(100), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("set_by", sa.String(200), nullable=False),
        sa.Column("suggested_score", sa.Float(), nullable=True),
        _when("created_at"),
        _session("scorecard_entries"),
        sa.PrimaryKeyConstraint("id", name="pk_scorecard_entries"),
    )
    op.create_index("ix_scorecard_entries_session_id_competency", "scorecard_entries", ["session_id", "competency"])
    op.create_table(
        "recommendations",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("session_id", sa.String(36), nullable=False),
        sa.Column("key", sa.String(60), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("justification", sa.Text(), nullable=False),
        sa.Column("basis", sa.JSON(), nullable=False),
        _when("created_at"),
        _session("recommendations"),
        sa.PrimaryKeyConstraint("id", name="pk_recommendations"),
    )
    op.create_index("ix_recommendations_session_id_created_at", "recommendations", ["session_id", "created_at"])
    op.create_table(
        "follow_up_tasks",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("session_id", sa.String(36), nullable=False),
        sa.Column("title", sa.String(500), nullable=False),
        sa.Column("owner", sa.String(200), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("recommendation", sa.String(60), nullable=True),
        _when("created_at"),
        _when("updated_at"),
        _session("follow_up_tasks"),
        sa.PrimaryKeyConstraint("id", name="pk_follow_up_tasks"),
    )
    op.create_index("ix_follow_up_tasks_session_id", "follow_up_tasks", ["session_id"])
    op.create_index("ix_follow_up_tasks_status_due_on", "follow_up_tasks", ["status", "due_on"])
    op.create_table(
        "pipeline_changes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("candidate_id", sa.String(36), nullable=False),
        sa.Column("status", sa.String(40), nullable=False),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("session_id", sa.String(36), nullable=True),
        _when("created_at"),
        sa.ForeignKeyConstraint(
            ["candidate_id"], ["candidates.id"], name="fk_pipeline_changes_candidate_id_candidates", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["session_id"], ["sessions.id"], name="fk_pipeline_changes_session_id_sessions", ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_pipeline_changes"),
    )
    op.create_index("ix_pipeline_changes_candidate_id_created_at", "pipeline_changes", ["candidate_id", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_pipeline_changes_candidate_id_created_at", table_name="pipeline_changes")
    op.drop_table("pipeline_changes")
    op.drop_index("ix_follow_up_tasks_status_due_on", table_name="follow_up_tasks")
    op.drop_index("ix_follow_up_tasks_session_id", table_name="follow_up_tasks")
    op.drop_table("follow_up_tasks")
    op.drop_index("ix_recommendations_session_id_created_at", table_name="recommendations")
    op.drop_table("recommendations")
    op.drop_index("ix_scorecard_entries_session_id_competency", table_name="scorecard_entries")
    op.drop_table("scorecard_entries")
    op.drop_index("ix_live_notes_session_id_author_draft", table_name="live_notes")
    op.drop_index("ix_live_notes_session_id_at_seconds", table_name="live_notes")
    op.drop_table("live_notes")
    op.drop_table("live_sessions")
