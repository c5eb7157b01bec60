"""The providers' prompt cache in token usage (tokens read from and written to it), and earlier evaluations: an
"Evaluate again" keeps the evaluation it replaces, with its approval.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-09
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0024"
down_revision: str | Sequence[str] | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("token_usage") as batch:
        batch.add_column(sa.Column("cache_read_tokens", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("cache_write_tokens", sa.Integer(), nullable=False, server_default="0"))
    op.create_table(
        "earlier_evaluations",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("session_id", sa.String(length=36), nullable=False),
        sa.Column("evaluation_id", sa.Integer(), nullable=False),
        sa.Column("evaluation", sa.JSON(), nullable=False),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("approved_by", sa.String(length=200), nullable=True),
        sa.Column("replaced_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("replaced_by", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["sessions.id"],
            name="fk_earlier_evaluations_session_id_sessions",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_earlier_evaluations"),
    )
    op.create_index(
        "ix_earlier_evaluations_session_id_replaced_at",
        "earlier_evaluations",
        ["session_id", "replaced_at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_earlier_evaluations_session_id_replaced_at", table_name="earlier_evaluations")
    op.drop_table("earlier_evaluations")
    with op.batch_alter_table("token_usage") as batch:
        batch.drop_column("cache_write_tokens")
        batch.drop_column("cache_read_tokens")
