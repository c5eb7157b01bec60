"""People: accounts (argon2 password hashes, roles, team, lock after failed sign-ins), the sign-in sessions
browsers hold (token hashes only), and who owns each interview session (owner account and team).

Sessions that existed before accounts have no owner: only admins see them until one is assigned.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _when(name: str, *, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "accounts",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("email_key", sa.String(320), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("roles", sa.JSON(), nullable=False),
        sa.Column("team", sa.String(100), nullable=False),
        sa.Column("password_hash", sa.String(200), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("failed_sign_ins", sa.Integer(), nullable=False),
        _when("locked_until", nullable=True),
        _when("created_at"),
        _when("last_sign_in_at", nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_accounts"),
    )
    op.create_index("ix_accounts_email_key", "accounts", ["email_key"], unique=True)
    op.create_table(
        "sign_in_sessions",
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("account_id", sa.String(36), nullable=False),
        sa.Column("method", sa.String(20), nullable=False),
        _when("created_at"),
        _when("last_seen_at"),
        _when("expires_at"),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name="fk_sign_in_sessions_account_id_accounts", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("token_hash", name="pk_sign_in_sessions"),
    )
    op.create_index("ix_sign_in_sessions_account_id", "sign_in_sessions", ["account_id"])
    op.create_index("ix_sign_in_sessions_expires_at", "sign_in_sessions", ["expires_at"])
    with op.batch_alter_table("sessions") as batch:
        batch.add_column(sa.Column("owner_id", sa.String(36), nullable=True))
        batch.add_column(sa.Column("team", sa.String(100), nullable=False, server_default=""))
        batch.create_foreign_key("fk_sessions_owner_id_accounts", "accounts", ["owner_id"], ["id"], ondelete="SET NULL")
    with op.batch_alter_table("sessions") as batch:
        batch.alter_column("team", server_default=None)
    op.create_index("ix_sessions_owner_id", "sessions", ["owner_id"])
    op.create_index("ix_sessions_team", "sessions", ["team"])


def downgrade() -> None:
    op.drop_index("ix_sessions_team", "sessions")
    op.drop_index("ix_sessions_owner_id", "sessions")
    with op.batch_alter_table("sessions") as batch:
        batch.drop_constraint("fk_sessions_owner_id_accounts", type_="foreignkey")
        batch.drop_column("team")
        batch.drop_column("owner_id")
    op.drop_index("ix_sign_in_sessions_expires_at", "sign_in_sessions")
    op.drop_index("ix_sign_in_sessions_account_id", "sign_in_sessions")
    op.drop_table("sign_in_sessions")
    op.drop_index("ix_accounts_email_key", "accounts")
    op.drop_table("accounts")
