"""A worker starts each job once webhook deliveries pause, so the intake keeps the cores and (on SQLite) the one
write lock to itself during a burst (Cal.com waits for its answer; applying an event can wait), but never waits past its
limit, so a steady stream is still applied. Read from the real database; time is stepped by the sleeps."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from huey import MemoryHuey

from core.config import Settings
from core.jobs import ledger
from core.jobs.runner import Progress
from core.models import Job, JobStatus, WebhookEvent
from core.permissions.actor import Actor
from core.workspace import Workspace
from entry.bootstrap import build_workspace
from entry.job_queue import HueyJobQueue
from entry.worker import DELIVERY_LULL_SECONDS, LONGEST_WAIT_SECONDS, wait_for_delivery_lull

T0 = datetime(2030, 6, 4, 10, 0, tzinfo=UTC)


class SteppedTime:
    """The workspace's clock, moved on by each sleep; optionally a delivery arrives during every pause."""

    def __init__(self, ws: Workspace) -> None:
        self.now = T0
        self.ws = replace(ws, clock=lambda: self.now)
        self.slept: list[float] = []
        self.delivering = False

    def deliver(self, at: datetime) -> None:
        with self.ws.uow_factory() as uow:
            uow.webhook_events.add(
                WebhookEvent(source="calcom", body_sha256="0" * 64, status="received", received_at=at)
            )
            uow.commit()

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += timedelta(seconds=seconds)
        if self.delivering:
            self.deliver(self.now)


@pytest.fixture
def time_(tmp_path: Path) -> SteppedTime:
    return SteppedTime(build_workspace(Settings(runtime_dir=tmp_path)))


def test_with_no_delivery_or_none_lately_a_job_starts_at_once(time_: SteppedTime) -> None:
    assert wait_for_delivery_lull(time_.ws, sleep=time_.sleep) == 0
    time_.deliver(T0 - timedelta(seconds=DELIVERY_LULL_SECONDS * 2))
    assert wait_for_delivery_lull(time_.ws, sleep=time_.sleep) == 0
    assert time_.slept == []


def test_after_a_fresh_delivery_a_job_waits_out_the_rest_of_the_lull(time_: SteppedTime) -> None:
    time_.deliver(T0 - timedelta(seconds=DELIVERY_LULL_SECONDS / 5))
    waited = wait_for_delivery_lull(time_.ws, sleep=time_.sleep)
    assert waited == pytest.approx(DELIVERY_LULL_SECONDS * 4 / 5)
    assert time_.now - T0 == timedelta(seconds=waited)


def test_during_a_steady_stream_a_job_waits_its_limit_and_then_runs(time_: SteppedTime) -> None:
    time_.deliver(T0)
    time_.delivering = True
    waited = wait_for_delivery_lull(time_.ws, sleep=time_.sleep)
    assert waited == pytest.approx(LONGEST_WAIT_SECONDS)
    assert len(time_.slept) == pytest.approx(LONGEST_WAIT_SECONDS / DELIVERY_LULL_SECONDS, abs=1)


def test_the_queue_asks_before_every_job_and_then_runs_it(time_: SteppedTime) -> None:
    asked: list[datetime] = []
    ran: list[datetime] = []

    def note(ws: Workspace, job: Job, progress: Progress) -> str:
        ran.append(ws.clock())
        return "Noted."

    def before(ws: Workspace) -> None:
        asked.append(ws.clock())
        time_.sleep(1.0)

    queue = HueyJobQueue(MemoryHuey("lull-test", immediate=True), lambda: time_.ws, handlers={"note": note})
    queue.before_job = before
    job = ledger.submit(time_.ws, "note", "note:1", actor=Actor.workspace("test"))
    queue.send(job.id or 0)
    with time_.ws.uow_factory() as uow:
        assert uow.jobs.get(job.id or 0).status is JobStatus.DONE
    assert asked == [T0] and ran == [T0 + timedelta(seconds=1)]
