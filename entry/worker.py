"""`python -m core worker`: the process that runs background jobs (startup.sh starts one beside the server).

It runs Huey's consumer with settings.jobs.workers threads, the daily cleanup as a periodic task, and a
sweep every settings.jobs.sweep_seconds that sends again what nobody is working on (see entry/job_queue.py).
Several workers, on one machine or many, may share one queue (REDIS_URL) and one database.
"""

from __future__ import annotations

import gc
import logging
import os
import threading
import time
from collections.abc import Callable, Mapping

from core.config import Settings
from core.jobs.runner import Handler
from core.scheduling.calcom import webhooks as calcom_webhooks
from core.workspace import Workspace
from entry.bootstrap import shared_workspace
from entry.job_queue import HueyJobQueue

log = logging.getLogger(__name__)

WORKER_NICENESS = 10
SQLITE_POLL_SECONDS = 0.5  # the longest an idle worker on the SQLite queue waits before looking again
DELIVERY_LULL_SECONDS = 0.05  # a job starts once no webhook delivery has come for this long…
LONGEST_WAIT_SECONDS = 2.0  # …or once it has waited this long, so a steady stream still gets applied


def run_worker(
    settings: Settings, *, workers: int | None = None, more_handlers: Mapping[str, Handler] | None = None
) -> None:
    """Run until interrupted (Ctrl-C or SIGTERM); raises WorkspaceError when the workspace cannot start."""
    queue = shared_workspace(settings, background=True).job_queue  # first: on SQLite, servers write first
    if not isinstance(queue, HueyJobQueue):  # shared_workspace always gives one; a guard for type checkers
        raise TypeError("The workspace has no job queue to work on.")
    queue.handlers.update(more_handlers or {})
    queue.schedule_cleanup(settings.privacy.cleanup_hour_utc)
    stop = threading.Event()
    sweeper = threading.Thread(target=_sweep_until, args=(queue, settings.jobs.sweep_seconds, stop), daemon=True)
    sweeper.start()
    consumer = queue.huey.create_consumer(
        workers=workers or settings.jobs.workers,
        worker_type="thread",
        periodic=True,
        max_delay=10.0 if settings.redis_url else SQLITE_POLL_SECONDS,
    )
    queue.before_job = wait_for_delivery_lull
    if not settings.effective_database_url.startswith("sqlite"):
        # background work yields the cores to the servers people and Cal.com wait on; not with SQLite, whose one
        # writer lock a slowed worker would hold longer while a server waits for it
        os.nice(WORKER_NICENESS)
    gc.freeze()  # the handlers and the workspace live as long as the process: full collections skip them
    log.info("worker started", extra={"workers": workers or settings.jobs.workers, "redis": bool(settings.redis_url)})
    try:
        consumer.run()
    finally:
        stop.set()


def wait_for_delivery_lull(
    ws: Workspace,
    *,
    lull: float = DELIVERY_LULL_SECONDS,
    longest: float = LONGEST_WAIT_SECONDS,
    sleep: Callable[[float], object] = time.sleep,
) -> float:
    """Wait until no webhook delivery has been stored for `lull` seconds, or `longest` seconds at most; returns
    how long it waited. Cal.com needs each answer in milliseconds, while applying an event can wait: a job run during
    a burst of deliveries takes the cores the intake answers with and, on SQLite, the one write lock it needs."""
    waited = 0.0
    while waited < longest:
        last = calcom_webhooks.last_delivery_at(ws)
        quiet_for = (ws.clock() - last).total_seconds() if last is not None else lull
        if quiet_for >= lull:
            break
        pause = min(lull - quiet_for, longest - waited)
        sleep(pause)
        waited += pause
    return waited


def _sweep_until(queue: HueyJobQueue, every: float, stop: threading.Event) -> None:
    try:
        queue.catch_up()
    except Exception:  # the database may be down at start: the next sweep's jobs still come
        log.exception("worker: could not check whether the daily cleanup was missed")
    while True:
        try:
            sent = queue.sweep()
            if sent:
                log.info("worker: sent jobs nobody was working on", extra={"count": sent})
        except Exception:  # the database or broker may be down: the next round tries again
            log.exception("worker: sweep failed")
        if stop.wait(every):
            return
