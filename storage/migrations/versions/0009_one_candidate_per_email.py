"""One person, one candidate: a normalised email key, unique, after merging the duplicates it finds.

Duplicates (the same email in any case or with surrounding space) are merged deterministically:
the oldest record (created_at, then id) is kept; every row naming another one (sessions, resumes,
pipeline changes, whatever has a foreign key onto candidates) moves to it; its placeholder name is
filled from the others; the others are deleted; each merge writes one audit row (ids and counts,
never names or emails). The downgrade drops the key; merged records stay merged.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ACTOR = "migration 0009"
PLACEHOLDER_NAME = "Candidate"  # what a record without a name was given

candidates = sa.table(
    "candidates",
    sa.column("id", sa.String()),
    sa.column("name", sa.String()),
    sa.column("email", sa.String()),
    sa.column("email_key", sa.String()),
    sa.column("created_at", sa.DateTime(timezone=True)),
)
audit_log = sa.table(
    "audit_log",
    sa.column("action", sa.String()),
    sa.column("actor", sa.String()),
    sa.column("session_id", sa.String()),
    sa.column("detail", sa.JSON()),
    sa.column("created_at", sa.DateTime(timezone=True)),
)


def _key(email: str | None) -> str | None:
    """Frozen copy of core.models.email_key as of this revision (a migration never imports app code)."""
    key = (email or "").strip().casefold()
    return key or None


def _references(connection: sa.Connection) -> list[tuple[str, str]]:
    """(table, column) of every foreign key onto candidates.id, in a fixed order."""
    inspector = sa.inspect(connection)
    found = set()
    for table in inspector.get_table_names():
        for fk in inspector.get_foreign_keys(table):
            if fk["referred_table"] == "candidates" and len(fk["constrained_columns"]) == 1:
                found.add((table, fk["constrained_columns"][0]))
    return sorted(found)


def _merge(
    connection: sa.Connection, kept: dict[str, Any], other: dict[str, Any], references: list[tuple[str, str]]
) -> None:
    """Move everything of `other` to `kept`, fill kept's placeholder name, delete `other`, audit it."""
    moved: dict[str, int] = {}
    for table, column in references:
        target = sa.table(table, sa.column(column, sa.String()))
        result = connection.execute(
            sa.update(target).where(target.c[column] == other["id"]).values({column: kept["id"]})
        )
        if result.rowcount:
            moved[table] = moved.get(table, 0) + result.rowcount
    connection.execute(sa.delete(candidates).where(candidates.c.id == other["id"]))
    filled = []
    if (kept["name"] or "").strip() in ("", PLACEHOLDER_NAME) and (other["name"] or "").strip() not in (
        "",
        PLACEHOLDER_NAME,
    ):
        kept["name"] = other["name"]
        connection.execute(sa.update(candidates).where(candidates.c.id == kept["id"]).values(name=kept["name"]))
        filled.append("name")
    connection.execute(
        sa.insert(audit_log).values(
            action="candidates_merged",
            actor=ACTOR,
            session_id=None,
            detail={"kept": kept["id"], "merged": other["id"], "moved": moved, "filled": filled},
            created_at=datetime.now(UTC),
        )
    )


def upgrade() -> None:
    op.add_column("candidates", sa.Column("email_key", sa.String(320), nullable=True))
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(candidates.c.id, candidates.c.name, candidates.c.email)
        .where(candidates.c.email.is_not(None))
        .order_by(candidates.c.created_at, candidates.c.id)
    ).all()
    groups: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        key = _key(row.email)
        if key is not None:
            groups.setdefault(key, []).append(dict(row._mapping))
    references = _references(connection) if any(len(g) > 1 for g in groups.values()) else []
    for key in sorted(groups):
        kept, *others = groups[key]
        for other in others:
            _merge(connection, kept, other, references)
        connection.execute(sa.update(candidates).where(candidates.c.id == kept["id"]).values(email_key=key))
    op.create_index("ix_candidates_email_key", "candidates", ["email_key"], unique=True)


def downgrade() -> None:
    op.drop_index("ix_candidates_email_key", table_name="candidates")
    # Not batch mode: on SQLite it copies and drops the table, and with foreign keys on, dropping
    # candidates would cascade to every resume and pipeline change. SQLite >= 3.35 drops a column in place.
    op.execute("ALTER TABLE candidates DROP COLUMN email_key")
