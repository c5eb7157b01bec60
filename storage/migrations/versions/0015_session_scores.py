"""History reads sessions alone: each session carries its evaluation's overall score, so History sorts and
filters by score without joining evaluations, and the candidate index holds status and date, so a name
filter with a status reads only that candidate's rows (bench/history.py, 10,000 sessions on SQLite: sorted
by score 29 → 2 ms, name and status 12 → 3 ms). The scores are filled here from the evaluations already
stored; the score index moves with them.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | Sequence[str] | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("sessions") as batch:
        batch.add_column(sa.Column("overall_score", sa.Float(), nullable=True))
    op.execute(
        "UPDATE sessions SET overall_score ="
        " (SELECT evaluations.overall_score FROM evaluations WHERE evaluations.session_id = sessions.id)"
    )
    op.create_index("ix_sessions_overall_score_created_at", "sessions", ["overall_score", "created_at"])
    op.drop_index("ix_evaluations_overall_score", table_name="evaluations")
    op.create_index(
        "ix_sessions_candidate_id_status_created_at", "sessions", ["candidate_id", "status", "created_at"]
    )
    op.drop_index("ix_sessions_candidate_id", table_name="sessions")


def downgrade() -> None:
    op.create_index("ix_sessions_candidate_id", "sessions", ["candidate_id"])
    op.drop_index("ix_sessions_candidate_id_status_created_at", table_name="sessions")
    op.create_index("ix_evaluations_overall_score", "evaluations", ["overall_score"])
    op.drop_index("ix_sessions_overall_score_created_at", table_name="sessions")
    with op.batch_alter_table("sessions") as batch:
        batch.drop_column("overall_score")
