"""The activity log keeps its entries `activity.retention_days` (365 by default) and the daily cleanup deletes the
older ones, batch by batch, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.activity import retention as activity_retention
from core.config import Settings, load_settings
from core.models import AuditEntry
from core.permissions.actor import Actor
from core.privacy.retention import apply_retention
from core.workspace import Workspace
from tests.integration.activity.conftest import NOW

SYSTEM = Actor.workspace("system")


def aged_entries(ws: Workspace, days: list[float]) -> None:
    with ws.uow_factory() as uow:
        for age in days:
            uow.audit.add(AuditEntry(f"aged_{age}", "system", created_at=NOW - timedelta(days=age)))
        uow.commit()


def kept(ws: Workspace) -> list[str]:
    with ws.uow_factory() as uow:
        return sorted(e.action for e in uow.audit.latest(limit=1000))


def test_the_daily_cleanup_deletes_entries_older_than_a_year(ws: Workspace) -> None:
    assert ws.settings.activity.retention_days == 365
    aged_entries(ws, [900, 400, 366, 364, 1])
    report = apply_retention(ws, actor=SYSTEM)

    assert report.activity_entries == 3
    assert kept(ws) == ["aged_1", "aged_364", "retention_applied"]  # the run's own entry comes after the pruning
    with ws.uow_factory() as uow:
        [run] = [e for e in uow.audit.latest() if e.action == "retention_applied"]
    assert run.detail["activity_entries"] == 3
    assert apply_retention(ws, actor=SYSTEM).activity_entries == 0  # nothing more has expired


def test_a_shorter_retention_from_config_deletes_more(ws: Workspace) -> None:
    ws.settings.activity.retention_days = 30
    aged_entries(ws, [400, 31, 29])
    assert apply_retention(ws, actor=SYSTEM).activity_entries == 2
    assert kept(ws) == ["aged_29", "retention_applied"]


def test_a_backlog_larger_than_a_batch_goes_batch_by_batch(ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(activity_retention, "BATCH", 2)
    aged_entries(ws, [500, 499, 498, 497, 496, 10])
    assert activity_retention.prune_activity(ws, now=NOW) == 5
    assert kept(ws) == ["aged_10"]


def test_retention_days_come_from_config_and_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Settings().activity.retention_days == 365
    monkeypatch.setenv("IW_ACTIVITY__RETENTION_DAYS", "90")
    assert load_settings().activity.retention_days == 90
