"""How many sessions there are, kept in one row by triggers: History counts every interview on each rerun, and an
index count of 10,000 sessions cost PostgreSQL about a millisecond a time (ten at 100,000).

The triggers are created before the row is counted: on PostgreSQL they lock sessions against writes until this
migration commits, so no session is added between the count and the first trigger.

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0028"
down_revision: str | Sequence[str] | None = "0027"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_POSTGRES_FUNCTION = """
CREATE FUNCTION session_tally_follow() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE session_tally SET sessions = sessions + CASE TG_OP WHEN 'INSERT' THEN 1 ELSE -1 END WHERE id = 1;
    RETURN NULL;
END
$$
"""
_POSTGRES_TRIGGER = (
    "CREATE TRIGGER session_tally_follow AFTER INSERT OR DELETE ON sessions "
    "FOR EACH ROW EXECUTE FUNCTION session_tally_follow()"
)
_SQLITE_TRIGGERS = (
    "CREATE TRIGGER session_tally_added AFTER INSERT ON sessions "
    "BEGIN UPDATE session_tally SET sessions = sessions + 1 WHERE id = 1; END",
    "CREATE TRIGGER session_tally_removed AFTER DELETE ON sessions "
    "BEGIN UPDATE session_tally SET sessions = sessions - 1 WHERE id = 1; END",
)


def upgrade() -> None:
    op.create_table(
        "session_tally",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("sessions", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_session_tally"),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_POSTGRES_FUNCTION)
        op.execute(_POSTGRES_TRIGGER)
    else:
        for trigger in _SQLITE_TRIGGERS:
            op.execute(trigger)
    op.execute("INSERT INTO session_tally (id, sessions) SELECT 1, COUNT(*) FROM sessions")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER session_tally_follow ON sessions")
        op.execute("DROP FUNCTION session_tally_follow()")
    else:
        op.execute("DROP TRIGGER session_tally_added")
        op.execute("DROP TRIGGER session_tally_removed")
    op.drop_table("session_tally")
