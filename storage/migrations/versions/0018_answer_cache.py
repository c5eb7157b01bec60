"""The answer cache: model answers by the SHA-256 of what was asked, so an evaluation asked again costs nothing;
token usage counts the model answers a record stands for and how many came from the cache.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-08
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | Sequence[str] | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "answer_cache",
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("session_id", sa.String(36), nullable=True),
        sa.Column("provider", sa.String(50), nullable=False),
        sa.Column("model", sa.String(100), nullable=False),
        sa.Column("prompt_version", sa.String(60), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("input_tokens", sa.Integer(), nullable=False),
        sa.Column("output_tokens", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_answer_cache"),
        sa.ForeignKeyConstraint(
            ["session_id"], ["sessions.id"], name="fk_answer_cache_session_id_sessions", ondelete="CASCADE"
        ),
    )
    op.create_index("ix_answer_cache_session_id", "answer_cache", ["session_id"])
    with op.batch_alter_table("token_usage") as batch:
        batch.add_column(sa.Column("answers", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("cached_answers", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("token_usage") as batch:
        batch.drop_column("cached_answers")
        batch.drop_column("answers")
    op.drop_index("ix_answer_cache_session_id", table_name="answer_cache")
    op.drop_table("answer_cache")
