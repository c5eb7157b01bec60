"""Outgoing webhooks: subscriptions (receiver, events, signing secret), one delivery per event and subscription,
and every attempt to deliver it.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-09

Self-contained (only new tables): it may be renumbered when migrations written in parallel are merged.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | Sequence[str] | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    stamp = sa.DateTime(timezone=True)
    op.create_table(
        "webhook_subscriptions",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("url", sa.String(2000), nullable=False),
        sa.Column("description", sa.String(500), nullable=False),
        sa.Column("events", sa.JSON(), nullable=False),
        sa.Column("secret", sa.String(200), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("created_at", stamp, nullable=False),
        sa.Column("updated_at", stamp, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_webhook_subscriptions"),
    )
    op.create_table(
        "webhook_deliveries",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("subscription_id", sa.String(36), nullable=False),
        sa.Column("message_id", sa.String(60), nullable=False),
        sa.Column("event", sa.String(60), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("session_id", sa.String(36), nullable=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("retry_until", stamp, nullable=True),
        sa.Column("next_attempt_at", stamp, nullable=True),
        sa.Column("delivered_at", stamp, nullable=True),
        sa.Column("created_at", stamp, nullable=False),
        sa.Column("updated_at", stamp, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_webhook_deliveries"),
        sa.UniqueConstraint("message_id", "subscription_id", name="uq_webhook_deliveries_message_id_subscription_id"),
        sa.ForeignKeyConstraint(
            ["subscription_id"],
            ["webhook_subscriptions.id"],
            name="fk_webhook_deliveries_subscription_id_webhook_subscriptions",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["session_id"], ["sessions.id"], name="fk_webhook_deliveries_session_id_sessions", ondelete="CASCADE"
        ),
    )
    op.create_index("ix_webhook_deliveries_status_created_at", "webhook_deliveries", ["status", "created_at"])
    op.create_index(
        "ix_webhook_deliveries_subscription_id_created_at", "webhook_deliveries", ["subscription_id", "created_at"]
    )
    op.create_index("ix_webhook_deliveries_session_id", "webhook_deliveries", ["session_id"])
    op.create_table(
        "webhook_delivery_attempts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("delivery_id", sa.Integer(), nullable=False),
        sa.Column("attempted_at", stamp, nullable=False),
        sa.Column("duration_ms", sa.Integer(), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("response_excerpt", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_webhook_delivery_attempts"),
        sa.ForeignKeyConstraint(
            ["delivery_id"],
            ["webhook_deliveries.id"],
            name="fk_webhook_delivery_attempts_delivery_id_webhook_deliveries",
            ondelete="CASCADE",
        ),
    )
    op.create_index(
        "ix_webhook_delivery_attempts_delivery_id_attempted_at",
        "webhook_delivery_attempts",
        ["delivery_id", "attempted_at"],
    )


def downgrade() -> None:
    op.drop_index("ix_webhook_delivery_attempts_delivery_id_attempted_at", table_name="webhook_delivery_attempts")
    op.drop_table("webhook_delivery_attempts")
    op.drop_index("ix_webhook_deliveries_session_id", table_name="webhook_deliveries")
    op.drop_index("ix_webhook_deliveries_subscription_id_created_at", table_name="webhook_deliveries")
    op.drop_index("ix_webhook_deliveries_status_created_at", table_name="webhook_deliveries")
    op.drop_table("webhook_deliveries")
    op.drop_table("webhook_subscriptions")
