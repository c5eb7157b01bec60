"""Scheduling: team members, event types, bookings, interviewers per session, webhook events.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _when(name: str, *, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "team_members",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("working_hours", sa.JSON(), nullable=False),
        sa.Column("calcom_username", sa.String(100), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        _when("created_at"),
        sa.PrimaryKeyConstraint("id", name="pk_team_members"),
        sa.UniqueConstraint("email", name="uq_team_members_email"),
    )
    op.create_table(
        "event_types",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(50), nullable=False),
        sa.Column("length_minutes", sa.Integer(), nullable=False),
        sa.Column("buffer_before_minutes", sa.Integer(), nullable=False),
        sa.Column("buffer_after_minutes", sa.Integer(), nullable=False),
        sa.Column("problem_id", sa.String(100), nullable=True),
        sa.Column("calcom_event_type_id", sa.Integer(), nullable=True),
        _when("created_at"),
        sa.PrimaryKeyConstraint("id", name="pk_event_types"),
    )
    op.create_table(
        "bookings",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("session_id", sa.String(36), nullable=False),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("external_uid", sa.String(200), nullable=True),
        sa.Column("previous_uids", sa.JSON(), nullable=False),
        sa.Column("ical_uid", sa.String(300), nullable=False),
        sa.Column("ical_sequence", sa.Integer(), nullable=False),
        sa.Column("event_type_id", sa.String(36), nullable=True),
        _when("start_at"),
        _when("end_at"),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("meeting_url", sa.String(2000), nullable=True),
        sa.Column("meeting_provider", sa.String(30), nullable=True),
        sa.Column("attendee_name", sa.String(200), nullable=False),
        sa.Column("attendee_email", sa.String(320), nullable=False),
        sa.Column("guests", sa.JSON(), nullable=False),
        sa.Column("cancellation_reason", sa.Text(), nullable=True),
        _when("meeting_started_at", nullable=True),
        _when("meeting_ended_at", nullable=True),
        _when("created_at"),
        _when("updated_at"),
        sa.ForeignKeyConstraint(
            ["event_type_id"], ["event_types.id"], name="fk_bookings_event_type_id_event_types", ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(["session_id"], ["sessions.id"], name="fk_bookings_session_id_sessions", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_bookings"),
        sa.UniqueConstraint("external_uid", name="uq_bookings_external_uid"),
        sa.UniqueConstraint("session_id", name="uq_bookings_session_id"),
    )
    op.create_index("ix_bookings_ical_uid", "bookings", ["ical_uid"])
    op.create_index("ix_bookings_start_at", "bookings", ["start_at"])
    op.create_table(
        "session_interviewers",
        sa.Column("session_id", sa.String(36), nullable=False),
        sa.Column("member_id", sa.String(36), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"], ["team_members.id"], name="fk_session_interviewers_member_id_team_members", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["session_id"], ["sessions.id"], name="fk_session_interviewers_session_id_sessions", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("session_id", "member_id", name="pk_session_interviewers"),
    )
    op.create_index("ix_session_interviewers_member_id", "session_interviewers", ["member_id"])
    op.create_table(
        "webhook_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("trigger", sa.String(60), nullable=True),
        sa.Column("booking_uid", sa.String(200), nullable=True),
        sa.Column("dedupe_key", sa.String(300), nullable=True),
        sa.Column("body_sha256", sa.String(64), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("outcome", sa.Text(), nullable=False),
        sa.Column("session_id", sa.String(36), nullable=True),
        _when("received_at"),
        _when("processed_at", nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_webhook_events"),
        sa.UniqueConstraint("dedupe_key", name="uq_webhook_events_dedupe_key"),
    )
    op.create_index("ix_webhook_events_received_at", "webhook_events", ["received_at"])
    op.create_index("ix_webhook_events_status", "webhook_events", ["status"])


def downgrade() -> None:
    op.drop_index("ix_webhook_events_status", table_name="webhook_events")
    op.drop_index("ix_webhook_events_received_at", table_name="webhook_events")
    op.drop_table("webhook_events")
    op.drop_index("ix_session_interviewers_member_id", table_name="session_interviewers")
    op.drop_table("session_interviewers")
    op.drop_index("ix_bookings_start_at", table_name="bookings")
    op.drop_index("ix_bookings_ical_uid", table_name="bookings")
    op.drop_table("bookings")
    op.drop_table("event_types")
    op.drop_table("team_members")
