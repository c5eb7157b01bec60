"""Reminders in the outbox: when a message is due and when it is of no more use, the key of its send job, and
the messages of a booking found by its id (a cancellation or a move withdraws the booking's reminders).

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-09
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | Sequence[str] | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    stamp = sa.DateTime(timezone=True)
    with op.batch_alter_table("outbox_messages") as batch:
        batch.add_column(sa.Column("send_after", stamp, nullable=True))
        batch.add_column(sa.Column("send_before", stamp, nullable=True))
        batch.add_column(sa.Column("job_key", sa.String(300), nullable=False, server_default=""))
    op.create_index("ix_outbox_messages_booking_id", "outbox_messages", ["booking_id"])


def downgrade() -> None:
    op.drop_index("ix_outbox_messages_booking_id", table_name="outbox_messages")
    with op.batch_alter_table("outbox_messages") as batch:
        batch.drop_column("job_key")
        batch.drop_column("send_before")
        batch.drop_column("send_after")
