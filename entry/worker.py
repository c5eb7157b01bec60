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
from collections.abc import Mapping

from core.config import Settings
from core.jobs.runner import Handler
from entry.bootstrap import shared_workspace
from entry.job_queue import HueyJobQueue

log = logging.getLogger(__name__)

WORKER_NICENESS = 10
SQLITE_POLL_SECONDS = 0.5  # the longest an idle worker on the SQLite queue waits before looking again


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
