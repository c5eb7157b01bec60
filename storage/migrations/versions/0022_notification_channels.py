"""Slack and SMS beside email: the outbox names each message's channel, and a person's account keeps what they
want to be told and how (events and channels, phone number, time zone, quiet hours).

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022"
down_revision: str | Sequence[str] | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outbox_messages") as batch:
        batch.add_column(sa.Column("channel", sa.String(10), nullable=False, server_default="email"))
    with op.batch_alter_table("accounts") as batch:
        batch.add_column(sa.Column("notify", sa.JSON(), nullable=False, server_default="{}"))
        batch.add_column(sa.Column("phone", sa.String(20), nullable=False, server_default=""))
        batch.add_column(sa.Column("timezone", sa.String(64), nullable=False, server_default=""))
        batch.add_column(sa.Column("quiet_hours", sa.String(11), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("accounts") as batch:
        batch.drop_column("quiet_hours")
        batch.drop_column("timezone")
        batch.drop_column("phone")
        batch.drop_column("notify")
    with op.batch_alter_table("outbox_messages") as batch:
        batch.drop_column("channel")
