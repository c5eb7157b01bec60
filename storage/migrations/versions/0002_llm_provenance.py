"""Which LLM a session talks to, and which model and prompt version produced an evaluation.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("sessions") as batch:
        batch.add_column(sa.Column("interviewer_model", sa.String(100), nullable=True))
    with op.batch_alter_table("evaluations") as batch:
        batch.add_column(sa.Column("model", sa.String(100), nullable=True))
        batch.add_column(sa.Column("prompt_version", sa.String(50), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("evaluations") as batch:
        batch.drop_column("prompt_version")
        batch.drop_column("model")
    with op.batch_alter_table("sessions") as batch:
        batch.drop_column("interviewer_model")
