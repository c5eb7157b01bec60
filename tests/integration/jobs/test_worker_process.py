"""Real worker processes on the real queue: SQLite or Redis as the broker, SQLite or PostgreSQL as the ledger.

Two pairings, the two ways the workspace runs: everything embedded (a SQLite ledger and a SQLite broker file) and
served (PostgreSQL and Redis). The broker only wakes workers and the ledger only stores jobs, so each is tested
once with each pairing rather than in every mix (that costs a minute of worker processes and shows nothing more).

A worker is killed with SIGKILL in the middle of a job and another started: the job ends done, its
work recorded once. Two workers given every message twice run every job once. A webhook stored by the
route is applied by `python -m core worker`, the command startup.sh runs, and a burst of deliveries stored
while that worker applies the earlier ones (both writing at once: on SQLite the intake takes the one write lock
ahead of the worker) is applied once each. An email that waited for SMTP is sent by it once it runs with SMTP
configured.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import itertools
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from core.config import Settings
from core.jobs import ledger
from core.models import Job, JobStatus, OutboxMessage, OutboxStatus, WebhookEvent
from core.notifications import outbox
from core.permissions.actor import Actor
from core.scheduling.calcom import webhooks as calcom_webhooks
from core.workspace import Workspace
from entry.bootstrap import build_workspace
from entry.job_queue import HueyJobQueue, make_huey
from entry.worker import WORKER_NICENESS
from tests.calcom_fake import CalcomServer
from tests.calcom_fake.server import webhook_body
from tests.child_process import serving
from tests.integration.jobs.napping_worker import NAP, naps_of
from tests.smtp_server import SmtpServer

ROOT = Path(__file__).resolve().parents[3]
NAPPING_WORKER = Path(__file__).with_name("napping_worker.py")
SYSTEM = Actor.workspace("system")
SECRET = "whsec_worker_test"
LEASE_SECONDS = 2.0


pytestmark = pytest.mark.parametrize(
    ("backend", "broker"), [("sqlite", "sqlite"), ("postgres", "redis")], indirect=True, ids=["embedded", "served"]
)


@pytest.fixture
def broker(request: pytest.FixtureRequest) -> str:
    """The queue's broker: "" for the embedded SQLite file, or a Redis URL."""
    return "" if request.param == "sqlite" else str(request.getfixturevalue("redis_url"))


@pytest.fixture
def settings(database_url: str, broker: str, tmp_path: Path) -> Settings:
    return Settings(database_url=database_url, redis_url=broker, runtime_dir=tmp_path / "runtime")


@pytest.fixture
def ws(settings: Settings) -> Workspace:
    """The test's own workspace, sending to the same queue the worker processes read."""
    workspace: Workspace | None = None

    def this() -> Workspace:
        assert workspace is not None
        return workspace

    workspace = build_workspace(settings, migrate=False, job_queue=HueyJobQueue(make_huey(settings), this))
    return workspace


@pytest.fixture
def start_worker(settings: Settings, tmp_path: Path) -> Iterator[Callable[..., subprocess.Popen[bytes]]]:
    count = itertools.count()
    env = {
        **os.environ,
        "IW_DATABASE_URL": settings.database_url,
        "IW_REDIS_URL": settings.redis_url,
        "IW_RUNTIME_DIR": str(settings.runtime_path),
        "IW_JOBS__LEASE_SECONDS": str(LEASE_SECONDS),
        "IW_JOBS__SWEEP_SECONDS": "0.3",
        "IW_JOBS__WORKERS": "1",
        "CALCOM_WEBHOOK_SECRET": SECRET,
    }

    with contextlib.ExitStack() as running:

        def start(command: list[str] | None = None, **more_env: str) -> subprocess.Popen[bytes]:
            return running.enter_context(
                serving(
                    command or [sys.executable, str(NAPPING_WORKER)],
                    ready=lambda: True,
                    log_path=tmp_path / f"worker-{next(count)}.log",
                    timeout=30,
                    what="job worker",
                    cwd=ROOT,
                    env={**env, **more_env},
                )
            )

        yield start


def job_of(ws: Workspace, job: Job) -> Job:
    assert job.id is not None
    with ws.uow_factory() as uow:
        return uow.jobs.get(job.id)


def wait_for(check: Callable[[], bool], what: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def test_a_worker_killed_mid_job_loses_nothing_and_repeats_nothing(
    ws: Workspace, start_worker: Callable[..., subprocess.Popen[bytes]]
) -> None:
    first = start_worker()
    job = ledger.submit(ws, NAP, "nap:killed", actor=SYSTEM, payload={"first": 120})
    wait_for(lambda: job_of(ws, job).status is JobStatus.RUNNING, "the first worker to start the job")
    wait_for(lambda: job_of(ws, job).progress_note == "Napping, attempt 1", "the job's first progress")
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    assert job_of(ws, job).status is JobStatus.RUNNING  # as the dead worker left it

    start_worker()
    wait_for(lambda: job_of(ws, job).status is JobStatus.DONE, "another worker to finish the job")
    done = job_of(ws, job)
    assert done.attempts == 2 and done.reason == "Napped." and done.progress == 1.0
    assert done.id is not None and naps_of(ws, done.id) == 1


def test_two_workers_run_every_job_once_when_each_message_arrives_twice(
    ws: Workspace, start_worker: Callable[..., subprocess.Popen[bytes]]
) -> None:
    start_worker()
    start_worker()
    jobs = [ledger.submit(ws, NAP, f"nap:{n}", actor=SYSTEM, payload={"first": 0.05}) for n in range(12)]
    for job in jobs:
        assert job.id is not None
        ws.job_queue.send(job.id)  # a second message for every job
    wait_for(lambda: all(job_of(ws, j).status is JobStatus.DONE for j in jobs), "every job to finish")
    assert [job_of(ws, j).attempts for j in jobs] == [1] * len(jobs)
    assert [naps_of(ws, j.id or 0) for j in jobs] == [1] * len(jobs)


def niceness(pid: int) -> int:
    """A process's nice value, from /proc/<pid>/stat (the 19th field; the command's name may hold spaces)."""
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[16])


def test_a_received_webhook_is_applied_by_the_worker_command(
    ws: Workspace, settings: Settings, start_worker: Callable[..., subprocess.Popen[bytes]]
) -> None:
    body = webhook_body("PING", {})
    receipt = calcom_webhooks.receive(ws, body, calcom_webhooks.signature_for(SECRET, body), secret=SECRET)
    assert receipt.status_code == 200 and receipt.event_id is not None
    with ws.uow_factory() as uow:  # stored with the event, in its transaction
        job = uow.jobs.by_key(calcom_webhooks.job_key(receipt.event_id))
    assert job is not None and job.status is JobStatus.QUEUED
    worker = start_worker([sys.executable, "-m", "core", "worker"])
    wait_for(lambda: job_of(ws, job).status is JobStatus.DONE, "the worker to apply the webhook")
    # with a database server the worker yields the cores to the web servers; with SQLite's one writer lock it
    # must not, or a server would wait on a slowed worker's transaction
    own = os.nice(0)
    served = not settings.effective_database_url.startswith("sqlite")
    assert niceness(worker.pid) == (min(19, own + WORKER_NICENESS) if served else own)
    with ws.uow_factory() as uow:
        event = uow.webhook_events.get(receipt.event_id)
    assert event.status not in ("received", "retry")
    assert job_of(ws, job).reason.startswith(f"Webhook #{receipt.event_id} (PING)")


def test_deliveries_stored_while_the_worker_applies_earlier_ones_are_each_applied_once(
    ws: Workspace, start_worker: Callable[..., subprocess.Popen[bytes]]
) -> None:
    """As under a burst at the intake: batches of deliveries (a fifth of them Cal.com's re-deliveries) stored
    from several threads while `python -m core worker` applies what came before, so both write at once."""
    fake = CalcomServer()  # not started: its payload builder gives Cal.com's exact bytes
    bookings = [
        fake.seed_booking(
            event_type_id=101,
            start=datetime(2030, 6, 3, 9, tzinfo=UTC) + timedelta(hours=n),
            attendee_name=f"Candidate {n}",
            attendee_email=f"candidate{n}@example.com",
        )
        for n in range(40)
    ]
    bodies = [fake.webhook_body_for("BOOKING_CREATED", booking.uid) for booking in bookings]
    deliveries = [calcom_webhooks.Delivery(body, calcom_webhooks.signature_for(SECRET, body)) for body in bodies]
    deliveries += deliveries[3:40:4]  # ten re-deliveries, some stored at the same time as their first
    batches = [deliveries[n : n + 5] for n in range(0, len(deliveries), 5)]

    def store(batch: list[calcom_webhooks.Delivery]) -> list[object]:
        return list(calcom_webhooks.receive_many(ws, batch, secret=SECRET))

    def events() -> list[WebhookEvent]:
        with ws.uow_factory() as uow:
            return uow.webhook_events.latest(limit=200)

    receipts = [r for batch in batches[:4] for r in store(batch)]
    start_worker([sys.executable, "-m", "core", "worker"])
    wait_for(lambda: any(e.status == "processed" for e in events()), "the worker to start applying")
    with concurrent.futures.ThreadPoolExecutor(4) as intake:  # while it works through the first twenty
        receipts += [r for answers in intake.map(store, batches[4:]) for r in answers]
    assert all(isinstance(r, calcom_webhooks.Receipt) and r.status_code == 200 for r in receipts)
    assert sum(1 for r in receipts if isinstance(r, calcom_webhooks.Receipt) and r.duplicate) == 10

    wait_for(lambda: all(e.status in ("processed", "duplicate") for e in events()), "every event applied", 60)
    applied = [e for e in events() if e.status == "processed"]
    assert sorted(e.booking_uid or "" for e in applied) == sorted(b.uid for b in bookings)  # none lost or repeated
    assert all(e.attempts == 0 for e in applied)  # none waited for a locked database
    with ws.uow_factory() as uow:
        assert uow.sessions.count() == len(bookings)
        assert all(uow.bookings.by_external_uid(b.uid) is not None for b in bookings)
        jobs = [uow.jobs.by_key(calcom_webhooks.job_key(e.id or 0)) for e in applied]
    assert all(job is not None and job.status is JobStatus.DONE and job.attempts == 1 for job in jobs)


def test_an_email_that_waited_for_smtp_is_sent_once_the_worker_command_has_it(
    ws: Workspace, start_worker: Callable[..., subprocess.Popen[bytes]]
) -> None:
    with ws.uow_factory() as uow:  # as a booking or the debrief's Send writes it
        job = outbox.add(
            uow, ws, OutboxMessage("follow_up", "Lin Wu <lin@example.com>", "Thanks", "Thank you."), actor=SYSTEM
        )
        uow.commit()
    outbox.wake(ws, [job])
    message_id = int(job.payload["message_id"])

    def status() -> OutboxStatus:
        with ws.uow_factory() as uow:
            return uow.outbox.get(message_id).status

    worker = [sys.executable, "-m", "core", "worker"]
    without_smtp = start_worker(worker)
    wait_for(
        lambda: status() is OutboxStatus.WAITING and job_of(ws, job).status is JobStatus.DONE,
        "the worker without SMTP to keep the email waiting",
    )
    without_smtp.terminate()
    without_smtp.wait(timeout=10)

    with SmtpServer() as server:
        smtp = {"IW_NOTIFICATIONS__SMTP__HOST": server.host, "IW_NOTIFICATIONS__SMTP__PORT": str(server.port)}
        start_worker(worker, IW_NOTIFICATIONS__SMTP__TLS="none", **smtp)
        wait_for(
            lambda: status() is OutboxStatus.SENT and job_of(ws, job).status is JobStatus.DONE,
            "the worker with SMTP to send the email",
        )
        [received] = server.messages()
    assert received.rcpt_tos == ["lin@example.com"] and received.message["Subject"] == "Thanks"
    assert job_of(ws, job).attempts == 1
