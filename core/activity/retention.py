"""Keeping the activity log as long as `activity.retention_days` says, and no longer.

The daily cleanup (core.privacy.retention) calls this; entries older than the limit are deleted BATCH at a
time, each batch in its own transaction, so a year's backlog never holds one long lock.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from core.workspace import Workspace

BATCH = 1000


def prune_activity(ws: Workspace, *, now: datetime) -> int:
    """Delete the audit entries created more than retention_days before `now`; how many went."""
    cutoff = now - timedelta(days=ws.settings.activity.retention_days)
    removed = 0
    while True:
        with ws.uow_factory() as uow:
            deleted = uow.audit.delete_before(cutoff, limit=BATCH)
            uow.commit()
        removed += deleted
        if deleted < BATCH:
            return removed
