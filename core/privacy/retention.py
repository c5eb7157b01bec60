"""Retention: what has been kept longer than the privacy settings allow is deleted, files and rows.

Runs daily as a job on the worker (entry/job_queue.py) and with `python -m core privacy cleanup`.
Sessions older than `records_days` go whole: every row hanging off them, their webhook deliveries and their
folder (the audit log keeps its entries, which hold ids and counts). Media files and whiteboard pictures
older than `media_days` go while the session's text record stays. Webhook payloads older than
`webhook_payload_days` are blanked (the delivery's status stays for the Webhook log). Audit entries older than
`activity.retention_days` go from the activity log (core.activity.retention).
Files are removed before the rows that name them are committed: if a commit fails, the rows are still
old and the next run finishes the job, and nothing expired is ever left on disk with no row to find it.
Each run is audited with counts only.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import TypeVar

from core import audit
from core.activity.retention import prune_activity
from core.models import DataRequest, DataRequestKind, MediaFile, WhiteboardSnapshot
from core.permissions.access import authorize_action
from core.permissions.actor import Actor
from core.permissions.policy import Action
from core.privacy.subjects import booking_uids
from core.unit_of_work import UnitOfWork
from core.workspace import Workspace

log = logging.getLogger(__name__)

Item = TypeVar("Item")
BATCH = 200  # rows per unit of work: a large backlog never holds one long transaction


@dataclass(frozen=True)
class RetentionReport:
    sessions: int = 0  # sessions deleted whole
    session_rows: int = 0  # rows deleted with them (messages, transcript lines, evaluations…)
    media_files: int = 0  # recordings, camera and screen captures of sessions that stay
    whiteboard_pictures: int = 0
    webhook_payloads: int = 0  # blanked
    activity_entries: int = 0  # audit log entries past activity.retention_days

    def counts(self) -> dict[str, int]:
        return asdict(self)

    @property
    def total(self) -> int:
        return (
            self.sessions + self.media_files + self.whiteboard_pictures + self.webhook_payloads + self.activity_entries
        )


def apply_retention(ws: Workspace, *, actor: Actor) -> RetentionReport:
    """Delete what has expired at ws.clock(); record the run (counts only) in the audit log and data requests."""
    authorize_action(ws.settings, actor, Action.MANAGE_DATA)
    now = ws.clock()
    policy = ws.settings.privacy
    sessions, session_rows = _expire_sessions(ws, now - timedelta(days=policy.records_days))
    media_cutoff = now - timedelta(days=policy.media_days)
    report = RetentionReport(
        sessions=sessions,
        session_rows=session_rows,
        media_files=_expire_media(ws, media_cutoff),
        whiteboard_pictures=_expire_pictures(ws, media_cutoff),
        webhook_payloads=_expire_payloads(ws, now - timedelta(days=policy.webhook_payload_days)),
        activity_entries=prune_activity(ws, now=now),  # before this run's own entry, which stays
    )
    with ws.uow_factory() as uow:
        counts = report.counts()
        uow.data_requests.add(
            DataRequest(kind=DataRequestKind.RETENTION, actor=actor.name, counts=counts, created_at=now)
        )
        # dated like its data request: the run's own clock decides what the next run finds expired
        audit.record(uow, "retention_applied", actor=actor.name, detail=counts, logger=log, at=now)
        uow.commit()
    return report


CATCH_UP_AFTER = timedelta(hours=25)
"""A daily run, with an hour's slack for a slow one: a cleanup older than this was missed."""


def missed(last: datetime | None, now: datetime) -> bool:
    """True when the daily cleanup did not run in the last day (never, or no worker ran at the hour)."""
    return last is None or now - last > CATCH_UP_AFTER


def last_run(ws: Workspace) -> datetime | None:
    """When the cleanup last ran (daily, by hand or on catching up), if it ever did."""
    with ws.uow_factory() as uow:
        runs = uow.data_requests.latest(limit=1, kind=DataRequestKind.RETENTION)
    return runs[0].created_at if runs else None


def _expire_sessions(ws: Workspace, cutoff: datetime) -> tuple[int, int]:
    sessions = rows = 0
    while True:
        with ws.uow_factory() as uow:
            expired = uow.sessions.ids_created_before(cutoff, limit=BATCH)
        if not expired:
            return sessions, rows
        for session_id in expired:  # one commit each: a failure keeps what was done before it
            with ws.uow_factory() as uow:
                # its webhook deliveries name it without a foreign key (and their outcomes may name the booker)
                uids = booking_uids(uow.bookings.for_session(session_id))
                events = uow.webhook_events.concerning(email=None, session_ids=[session_id], booking_uids=uids)
                for event in events:
                    if event.id is not None:
                        uow.webhook_events.delete(event.id)
                deleted = uow.sessions.delete(session_id)
                ws.files.delete_session(session_id)
                uow.commit()
            sessions += 1
            rows += sum(deleted.values()) - deleted.get("sessions", 0) + len(events)


def _expire_media(ws: Workspace, cutoff: datetime) -> int:
    def remove(uow: UnitOfWork, media: MediaFile) -> None:
        _delete_file(ws, media.path, what="media file", item_id=media.id)
        if media.id is not None:
            uow.media.delete(media.id)

    return _in_batches(ws, lambda uow: uow.media.created_before(cutoff, limit=BATCH), remove)


def _expire_pictures(ws: Workspace, cutoff: datetime) -> int:
    def remove(uow: UnitOfWork, snapshot: WhiteboardSnapshot) -> None:
        if snapshot.png_path:
            _delete_file(ws, snapshot.png_path, what="whiteboard picture", item_id=snapshot.id)
        if snapshot.id is not None:
            uow.whiteboards.drop_picture(snapshot.id)

    return _in_batches(ws, lambda uow: uow.whiteboards.pictures_before(cutoff, limit=BATCH), remove)


def _in_batches(
    ws: Workspace, expired: Callable[[UnitOfWork], Sequence[Item]], remove: Callable[[UnitOfWork, Item], None]
) -> int:
    """Remove what `expired` finds, BATCH at a time, each batch in its own unit of work; how many went."""
    removed = 0
    while True:
        with ws.uow_factory() as uow:
            batch = expired(uow)
            for item in batch:
                remove(uow, item)
            uow.commit()
        removed += len(batch)
        if len(batch) < BATCH:
            return removed


def _expire_payloads(ws: Workspace, cutoff: datetime) -> int:
    with ws.uow_factory() as uow:
        blanked = uow.webhook_events.clear_payloads(received_before=cutoff)
        uow.commit()
    return blanked


def _delete_file(ws: Workspace, relative_path: str, *, what: str, item_id: int | None) -> None:
    """A path that points outside the file store was never ours to delete: its row goes, the file stays."""
    try:
        ws.files.delete(relative_path)
    except ValueError:
        log.warning("retention: a %s row names a path outside the file store", what, extra={"id": item_id})
