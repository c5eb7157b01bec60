"""Reviewer score overrides, and evaluations the quality gate left unscored (overall_score NULL).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "score_overrides",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("session_id", sa.String(36), nullable=False),
        sa.Column("competency", sa.String(100), nullable=False),
        sa.Column("original_score", sa.Float(), nullable=True),
        sa.Column("new_score", sa.Float(), nullable=False),
        sa.Column("justification", sa.Text(), nullable=False),
        sa.Column("reviewer", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["sessions.id"],
            name="fk_score_overrides_session_id_sessions",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_score_overrides"),
    )
    op.create_index(
        "ix_score_overrides_session_id_created_at", "score_overrides", ["session_id", "created_at"], unique=False
    )
    with op.batch_alter_table("evaluations") as batch:
        batch.alter_column("overall_score", existing_type=sa.Float(), nullable=True)


def downgrade() -> None:
    op.execute("UPDATE evaluations SET overall_score = 1.0 WHERE overall_score IS NULL")
    with op.batch_alter_table("evaluations") as batch:
        batch.alter_column("overall_score", existing_type=sa.Float(), nullable=False)
    op.drop_index("ix_score_overrides_session_id_created_at", table_name="score_overrides")
    op.drop_table("score_overrides")
