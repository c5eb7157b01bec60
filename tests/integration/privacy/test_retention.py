"""Retention over real databases: expired interviews go whole, old media and payloads go alone, runs are audited."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Engine

from core.errors import NotFound
from core.history.services import search_history
from core.models import DataRequestKind, HistoryQuery, SortKey
from core.permissions.actor import Actor
from core.privacy import retention
from core.privacy.retention import RetentionReport, apply_retention
from core.workspace import Workspace
from entry.cli import main
from tests.integration.privacy.conftest import NOW
from tests.privacy_data import Person, fill_person, leftovers

OLD = Person("cand-old", "Olga Oldfield", "olga@example.org", ("sess-old",))  # 800 days: past records_days (730)
MID = Person("cand-mid", "Mia Midway", "mia@example.org", ("sess-mid",))  # 100 days: past media_days (90)
NEW = Person("cand-new", "Nils Newman", "nils@example.org", ("sess-new",))  # 10 days: nothing expired


@pytest.fixture
def aged(ws: Workspace) -> Workspace:
    fill_person(ws, OLD, at=NOW - timedelta(days=800))
    fill_person(ws, MID, at=NOW - timedelta(days=100))
    fill_person(ws, NEW, at=NOW - timedelta(days=10))
    # the audit log stamps its entries by the wall clock, years before NOW: kept here (the activity log's
    # own retention is tests/integration/activity/test_activity_retention.py)
    ws.settings.activity.retention_days = 100 * 365
    return ws


def test_what_has_expired_is_deleted_and_the_rest_is_kept(aged: Workspace, scan_engine: Engine) -> None:
    ws = aged
    scored = HistoryQuery(score_min=0.0, sort=SortKey.SCORE)
    assert [s.id for s in search_history(ws, scored).items] == ["sess-new", "sess-mid", "sess-old"]
    report = apply_retention(ws, actor=Actor.workspace("system"))

    assert report == RetentionReport(
        sessions=1, session_rows=19, media_files=1, whiteboard_pictures=1, webhook_payloads=1
    )
    # the old interview is gone whole: rows and folder (its candidate record stays, and the audit log)
    with ws.uow_factory() as uow:
        with pytest.raises(NotFound):
            uow.sessions.get("sess-old")
        assert uow.candidates.get(OLD.candidate_id).name == OLD.name
        mid_media, mid_board = uow.media.in_session("sess-mid"), uow.whiteboards.in_session("sess-mid")
        new_media, new_board = uow.media.in_session("sess-new"), uow.whiteboards.in_session("sess-new")
        mid_text = uow.transcripts.in_session("sess-mid")
        payloads = {e.session_id: e.payload for e in uow.webhook_events.latest()}
        [record] = uow.data_requests.latest()
        [entry] = [e for e in uow.audit.latest() if e.action == "retention_applied"]
    assert not ws.files.session_dir("sess-old").exists()
    assert [s.id for s in search_history(ws, scored).items] == ["sess-new", "sess-mid"]  # History by score too
    # nothing names it any more, but the audit log (ids, no names)
    assert all(line.startswith("audit_log") for line in leftovers(scan_engine, ws.files.root, OLD.session_ids))
    # the middle one keeps its text record; its recording and whiteboard picture are gone, files too
    assert mid_media == [] and len(mid_text) == 1
    assert [s.png_path for s in mid_board] == [None]
    assert sorted(p.name for p in ws.files.session_dir("sess-mid").iterdir()) == ["whiteboard-1.json"]
    # the recent one is untouched
    assert len(new_media) == 1 and new_board[0].png_path is not None
    assert len(list(ws.files.session_dir("sess-new").iterdir())) == 3
    # webhook payloads older than 90 days are blanked, the deliveries themselves stay in the log
    assert "sess-old" not in payloads  # went with its interview
    assert payloads["sess-mid"] is None and payloads["sess-new"] is not None
    # the run is recorded with counts only
    assert (record.kind, record.subject, record.actor, record.counts) == (
        DataRequestKind.RETENTION,
        None,
        "system",
        report.counts(),
    )
    assert entry.detail == report.counts() and entry.actor == "system"

    assert apply_retention(ws, actor=Actor.workspace("system")) == RetentionReport()  # nothing left to expire


def test_a_shorter_policy_expires_more(aged: Workspace) -> None:
    ws = aged
    ws.settings.privacy.records_days = 50
    ws.settings.privacy.media_days = 5
    report = apply_retention(ws, actor=Actor.workspace("cli"))
    assert (report.sessions, report.media_files, report.whiteboard_pictures) == (2, 1, 1)


def test_the_command_line_runs_the_cleanup(
    aged: Workspace, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # the workspace the command line builds from settings, built once (tests/integration/entry runs it for real)
    monkeypatch.setattr("entry.cli._workspace", lambda: aged)
    assert main(["privacy", "cleanup"]) == 0
    assert capsys.readouterr().out == (
        "deleted 1 expired interviews (19 records with them), 1 media files and 1 whiteboard pictures; "
        "blanked 1 webhook payloads; pruned 0 activity log entries\n"
    )
    with aged.uow_factory() as uow:
        assert [(r.kind, r.actor) for r in uow.data_requests.latest()] == [(DataRequestKind.RETENTION, "cli")]


def test_a_backlog_larger_than_a_batch_is_removed_batch_by_batch(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(retention, "BATCH", 2)  # three people's media and pictures: two batches each
    people = [Person(f"cand-{i}", f"Person {i}", f"p{i}@example.org", (f"sess-{i}",)) for i in range(3)]
    for person in people:
        fill_person(ws, person, at=NOW - timedelta(days=100))
    report = apply_retention(ws, actor=Actor.workspace("system"))
    assert (report.media_files, report.whiteboard_pictures) == (3, 3)
    with ws.uow_factory() as uow:
        assert [uow.media.in_session(f"sess-{i}") for i in range(3)] == [[], [], []]
        assert all(s.png_path is None for i in range(3) for s in uow.whiteboards.in_session(f"sess-{i}"))
