"""The retention cleanup runs daily by itself: the worker's queue fires it at privacy.cleanup_hour_utc, once a
day however many workers fire, and a worker that starts after a missed day catches up. The job it submits is run
as a worker runs it, on each backend, and deletes what has expired."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from huey import MemoryHuey

from core.errors import NotFound
from core.jobs import runner
from core.models import DataRequestKind, JobStatus
from core.workspace import Workspace
from entry.job_queue import HueyJobQueue
from tests.clock import Clock
from tests.integration.privacy.conftest import NOW
from tests.privacy_data import Person, fill_person

OLD = Person("cand-old", "Olga Oldfield", "olga@example.org", ("sess-old",))  # past records_days (730)
NEW = Person("cand-new", "Nils Newman", "nils@example.org", ("sess-new",))


@pytest.fixture
def queue(ws: Workspace) -> HueyJobQueue:
    """The worker's queue (entry.worker) on Huey's in-memory broker: the periodic task is Huey's own."""
    fill_person(ws, OLD, at=NOW - timedelta(days=800))
    fill_person(ws, NEW, at=NOW - timedelta(days=10))
    ws.settings.activity.retention_days = 100 * 365  # the filled audit entries are stamped by the wall clock
    return HueyJobQueue(MemoryHuey("daily-cleanup-test", results=False), lambda: ws)


def run_due_cleanup(ws: Workspace, queue: HueyJobQueue, key: str) -> None:
    """Run the job stored under `key` as a worker does: claimed from the ledger, then its handler."""
    with ws.uow_factory() as uow:
        job = uow.jobs.by_key(key)
    assert job is not None and job.id is not None, f"no job {key}"
    runner.run(ws, job.id, queue.handlers)
    with ws.uow_factory() as uow:
        done = uow.jobs.by_key(key)
    assert done is not None and done.status is JobStatus.DONE, done


def test_the_cleanup_fires_at_the_configured_hour_once_a_day_and_deletes_what_expired(
    ws: Workspace, queue: HueyJobQueue, clock: Clock
) -> None:
    ws.settings.privacy.cleanup_hour_utc = 5
    queue.schedule_cleanup(ws.settings.privacy.cleanup_hour_utc)
    queue.schedule_cleanup(ws.settings.privacy.cleanup_hour_utc)  # a restart in the same process adds no second
    day = datetime(2031, 3, 11)  # Huey's consumer asks with naive UTC times, minute by minute
    assert queue.huey.read_periodic(day.replace(hour=4, minute=59)) == []
    [task] = queue.huey.read_periodic(day.replace(hour=5))
    assert queue.huey.read_periodic(day.replace(hour=5, minute=1)) == []

    queue.huey.execute(task)  # what a worker's consumer does at 05:00…
    queue.huey.execute(task)  # …and a second worker's: still one cleanup that day
    with ws.uow_factory() as uow:
        assert [j.kind for j in uow.jobs.latest(limit=10)] == ["retention"]
    run_due_cleanup(ws, queue, f"retention:{NOW:%Y-%m-%d}")

    with ws.uow_factory() as uow:
        with pytest.raises(NotFound):
            uow.sessions.get("sess-old")
        assert uow.sessions.get("sess-new").id == "sess-new"
        [run] = uow.data_requests.latest(kind=DataRequestKind.RETENTION)
        [entry] = [e for e in uow.audit.latest() if e.action == "retention_applied"]
    assert (run.actor, run.counts["sessions"], entry.actor) == ("system", 1, "system")  # audited, counts only

    clock.advance(days=1)
    queue.huey.execute(task)  # the next day: a new job
    with ws.uow_factory() as uow:
        assert uow.jobs.by_key(f"retention:{NOW + timedelta(days=1):%Y-%m-%d}") is not None


def test_a_worker_starting_after_a_missed_day_catches_up_and_not_otherwise(
    ws: Workspace, queue: HueyJobQueue, clock: Clock
) -> None:
    queue.catch_up()  # never ran: the first worker's start runs it
    run_due_cleanup(ws, queue, f"retention:catch-up:{NOW:%Y-%m-%d}")
    with ws.uow_factory() as uow, pytest.raises(NotFound):
        uow.sessions.get("sess-old")

    clock.advance(minutes=20 * 60)  # ran today: a restart does not run it again
    queue.catch_up()
    with ws.uow_factory() as uow:
        assert [j.kind for j in uow.jobs.latest(limit=10)] == ["retention"]

    clock.advance(minutes=6 * 60)  # no worker was up at the hour for over a day
    queue.catch_up()
    with ws.uow_factory() as uow:
        assert uow.jobs.by_key(f"retention:catch-up:{NOW + timedelta(hours=26):%Y-%m-%d}") is not None
