"""The interviewers that ran interviews, kept apart: History's interviewer filter reads a handful of rows instead
of every interview (a DISTINCT over 10,000 interviews cost 2-6 ms per rerun on PostgreSQL).

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-11
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0026"
down_revision: str | Sequence[str] | None = "0025"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "interviewer_choices",
        sa.Column("provider", sa.String(length=50), nullable=False),
        sa.Column("model", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("provider", "model", name="pk_interviewer_choices"),
    )
    op.execute(
        "INSERT INTO interviewer_choices (provider, model) "
        "SELECT DISTINCT interviewer_provider, COALESCE(interviewer_model, '') FROM sessions"
    )


def downgrade() -> None:
    op.drop_table("interviewer_choices")
