"""The job queue: Huey, embedded on SQLite by default, on Redis when REDIS_URL is set.

Why Huey: its embedded mode is a SQLite file in the runtime folder (no server to run, as the rest
of the workspace's defaults), the same code runs on Redis for several servers and workers, and its
consumer runs periodic tasks (the daily cleanup) beside the jobs. Huey removes a message when a
worker takes it, so a worker killed mid-job would lose it: the jobs ledger (core.jobs) is therefore
what is owed, and a message only wakes a worker. Every worker sweeps the ledger for jobs whose lease
ran out or whose message went missing and sends them again; a claim is one conditional UPDATE, so a
job sent twice still runs once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping

from huey import Huey, RedisHuey, SqliteHuey, crontab

from core.config import Settings
from core.jobs import ledger, runner
from core.jobs.runner import Handler
from core.notifications import outbox
from core.privacy.retention import last_run, missed
from core.scheduling.calcom import webhooks as calcom_webhooks
from core.workspace import Workspace

log = logging.getLogger(__name__)

QUEUE_NAME = "interview-workspace"


def make_huey(settings: Settings) -> Huey:
    """The broker: Redis when settings.redis_url is set, otherwise a SQLite file in the runtime folder."""
    if settings.redis_url:
        return RedisHuey(QUEUE_NAME, url=settings.redis_url, results=False)
    path = settings.runtime_path / "jobs-queue.sqlite3"
    path.parent.mkdir(parents=True, exist_ok=True)
    # fsync off: a message only wakes a worker; what is owed is in the jobs ledger, which a sweep re-reads
    return SqliteHuey(QUEUE_NAME, filename=str(path), results=False, timeout=30, fsync=False)


class HueyJobQueue:
    """core.job_queue.JobQueue on Huey: one task runs a job by id; the daily cleanup is a periodic task.

    `workspace` gives the Workspace a worker runs jobs in (this process's, built on first use).
    """

    def __init__(
        self, huey: Huey, workspace: Callable[[], Workspace], *, handlers: Mapping[str, Handler] | None = None
    ) -> None:
        self.huey = huey
        self._workspace = workspace
        self._handlers = dict(handlers) if handlers is not None else None
        self._run = huey.task(name="run_job")(self._run_job)
        self._daily: object | None = None
        self.before_job: Callable[[Workspace], object] | None = None  # a worker may wait for its moment

    @property
    def handlers(self) -> dict[str, Handler]:
        """Kind -> handler (a worker may add kinds before it starts). Read on first use: the handlers import every
        feature, which a process that only sends jobs (the web server, a command) need not load."""
        if self._handlers is None:
            from entry.job_handlers import HANDLERS

            self._handlers = dict(HANDLERS)
        return self._handlers

    def send(self, job_id: int, *, delay: float = 0.0) -> None:
        if delay > 0:
            self._run.schedule(args=(job_id,), delay=delay)
        else:
            self._run(job_id)

    def schedule_cleanup(self, hour_utc: int) -> None:
        """The daily retention cleanup at hour_utc:00 UTC, as one job per day (a second worker finds it)."""
        if self._daily is None:
            self._daily = self.huey.periodic_task(crontab(minute="0", hour=str(hour_utc)), name="daily_cleanup")(
                self._submit_cleanup
            )

    def sweep(self) -> int:
        """Send again what nobody is working on: jobs whose lease ran out or whose message went missing,
        webhook events stored before events came with their job (an upgrade), and emails that waited for SMTP
        when this worker has it. Returns how many were sent."""
        ws = self._workspace()
        waiting = self._events_without_jobs(ws)
        for event_id in waiting:
            key = calcom_webhooks.job_key(event_id)
            ledger.submit(
                ws, calcom_webhooks.APPLY_EVENT, key, actor=calcom_webhooks.CALCOM, payload={"event_id": event_id}
            )
        released = outbox.release_waiting(ws)
        jobs = ledger.due(ws)
        for job in jobs:
            assert job.id is not None
            self.send(job.id)
        return len(jobs) + len(waiting) + released

    def catch_up(self) -> None:
        """At a worker's start: the daily cleanup, if it did not run in the last day."""
        from entry.job_handlers import RETENTION, SYSTEM

        ws = self._workspace()
        if missed(last_run(ws), ws.clock()):
            ledger.submit(ws, RETENTION, f"{RETENTION}:catch-up:{ws.clock():%Y-%m-%d}", actor=SYSTEM)

    def _run_job(self, job_id: int) -> None:
        ws = self._workspace()
        if self.before_job is not None:
            self.before_job(ws)
        ran = runner.run(ws, job_id, self.handlers)
        if ran is not None and ran.retry_in is not None:
            self.send(job_id, delay=ran.retry_in)

    def _submit_cleanup(self) -> None:
        from entry.job_handlers import RETENTION, SYSTEM

        ws = self._workspace()
        ledger.submit(ws, RETENTION, f"{RETENTION}:{ws.clock():%Y-%m-%d}", actor=SYSTEM)

    @staticmethod
    def _events_without_jobs(ws: Workspace) -> list[int]:
        with ws.uow_factory() as uow:
            waiting = uow.webhook_events.waiting(limit=100)
            return [
                e.id for e in waiting if e.id is not None and uow.jobs.by_key(calcom_webhooks.job_key(e.id)) is None
            ]
