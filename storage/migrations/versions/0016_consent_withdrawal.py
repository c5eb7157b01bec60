"""Consent can be withdrawn: a withdrawal is a row of its own in session_consents, marked `withdrawn`, so the
log keeps what was agreed and when it was taken back. Consents stored before this were all given.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | Sequence[str] | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("session_consents") as batch:
        batch.add_column(sa.Column("withdrawn", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    # Without the column a withdrawal would read as a consent and allow recording again: the consents of every
    # session that had a withdrawal go first (the person is asked again before anything more is recorded).
    consents = sa.table("session_consents", sa.column("session_id", sa.String), sa.column("withdrawn", sa.Boolean))
    withdrawn = sa.select(consents.c.session_id).where(consents.c.withdrawn == sa.true())
    op.execute(consents.delete().where(consents.c.session_id.in_(withdrawn)))
    with op.batch_alter_table("session_consents") as batch:
        batch.drop_column("withdrawn")
