"""Failed sign-ins counted per typed address, whether or not an account has it, under a hash of the address:
an address nobody has now counts, slows down and locks like an account's, so neither tells who has one.

Locks and counts held on accounts before this revision are not carried over (their keys need the workspace's
failure key, which only the running application knows): they start again from none.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-08
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0023"
down_revision: str | Sequence[str] | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sign_in_failures",
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_sign_in_failures"),
    )
    op.create_index("ix_sign_in_failures_expires_at", "sign_in_failures", ["expires_at"])


def downgrade() -> None:
    op.drop_index("ix_sign_in_failures_expires_at", "sign_in_failures")
    op.drop_table("sign_in_failures")
