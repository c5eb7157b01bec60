"""Running one job in a worker: claim it, call its handler, and record how it ended.

Each attempt is claimed for a lease that progress reports extend; a worker that dies mid-job lets the
lease run out and the next sweep gives the job to another worker. A handler must be idempotent (what
it applied before it died is not applied twice), and says "not now" by raising TryAgain: the job waits
with exponential backoff and fails with its reason after max_attempts tries.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from core.errors import DatabaseUnavailable, WorkspaceError
from core.models import Job, JobStatus
from core.workspace import Workspace

log = logging.getLogger(__name__)

MAX_BACKOFF = timedelta(hours=1)

Progress = Callable[[float, str], None]
"""progress(fraction 0..1, note): shown on the page that started the job; also renews the lease."""

Handler = Callable[[Workspace, Job, Progress], str]
"""Does the job's work and returns what came of it in a sentence; raises TryAgain to be run later."""


class TryAgain(Exception):
    """The work cannot be done now (a locked database, a provider that is down): try later."""

    def __init__(self, reason: str, *, after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.after = after  # seconds; None for the job's backoff


class Failed(Exception):
    """The work can never succeed as asked (the message says why): the job fails without more tries."""


class LeaseLost(Exception):
    """Another worker took the job over (this one was silent past its lease): stop without writing."""


@dataclass(frozen=True)
class Ran:
    """What one attempt came to: the job as stored, and when to send it again if it is to be retried."""

    job: Job
    retry_in: float | None = None


def run(ws: Workspace, job_id: int, handlers: Mapping[str, Handler]) -> Ran | None:
    """Run the job if it is this worker's to run; None when it is finished, not due, or held by another."""
    lease = timedelta(seconds=ws.settings.jobs.lease_seconds)
    now = ws.clock()
    with ws.uow_factory() as uow:
        job = uow.jobs.claim(job_id, now=now, lease_until=now + lease)
        uow.commit()
    if job is None:
        return None
    handler = handlers.get(job.kind)
    if handler is None:
        return _end(ws, job, JobStatus.FAILED, f"No worker knows how to run a '{job.kind}' job.")
    log.info("job started", extra={"job": job.id, "kind": job.kind, "attempt": job.attempts})
    try:
        outcome = handler(ws, job, _progress_of(ws, job, lease))
    except LeaseLost:
        log.warning("job taken over by another worker", extra={"job": job.id})
        return None
    except TryAgain as exc:
        return _again(ws, job, exc.reason, exc.after)
    except DatabaseUnavailable as exc:
        return _again(ws, job, str(exc), None)
    except (Failed, WorkspaceError) as exc:  # a reason a person can act on: retrying would not change it
        return _end(ws, job, JobStatus.FAILED, str(exc))
    except Exception as exc:
        log.exception("job failed", extra={"job": job.id, "kind": job.kind})
        return _again(ws, job, f"An unexpected error ({type(exc).__name__}); the server log has the details.", None)
    return _end(ws, job, JobStatus.DONE, outcome)


def backoff(ws: Workspace, attempts: int) -> float:
    """Seconds before try number attempts + 1: retry_seconds, doubling, at most an hour."""
    base = ws.settings.jobs.retry_seconds
    return min(base * 2 ** max(attempts - 1, 0), MAX_BACKOFF.total_seconds())


PROGRESS_EVERY_SECONDS = 1.0
"""Progress is written at most this often (a transcription reports every segment); the end always is."""


@contextmanager
def heartbeat(progress: Progress, every: float, note: str) -> Iterator[Callable[[float, str], None]]:
    """Keep reporting the latest progress every `every` seconds while a long call that says nothing runs (a
    model evaluating for minutes), so the job's lease does not run out and hand it to a second worker.

    Yields the progress to report through (it becomes the one the heartbeat repeats)."""
    latest: list[tuple[float, str]] = [(0.0, note)]
    stop = threading.Event()

    def report(fraction: float, text: str) -> None:
        latest[0] = (fraction, text)
        progress(fraction, text)

    def beat() -> None:
        while not stop.wait(every):
            try:
                progress(*latest[0])
            except LeaseLost:
                return  # the job is another worker's now: the handler's own writes will find out
            except WorkspaceError:
                continue  # a database blip: the next beat tries again

    beating = threading.Thread(target=beat, name="job-heartbeat", daemon=True)
    beating.start()
    try:
        yield report
    finally:
        stop.set()
        beating.join()


def _progress_of(ws: Workspace, job: Job, lease: timedelta) -> Progress:
    assert job.id is not None
    job_id, attempt = job.id, job.attempts
    last_write = [float("-inf")]

    def report(fraction: float, note: str) -> None:
        now = time.monotonic()
        if fraction < 1.0 and now - last_write[0] < PROGRESS_EVERY_SECONDS:
            return
        last_write[0] = now
        changes = {
            "progress": min(max(fraction, 0.0), 1.0),
            "progress_note": note[:300],
            "lease_until": ws.clock() + lease,
        }
        with ws.uow_factory() as uow:
            kept = uow.jobs.settle(job_id, attempt, changes)
            uow.commit()
        if not kept:
            raise LeaseLost(f"Job #{job_id} is no longer this worker's.")

    return report


def _again(ws: Workspace, job: Job, reason: str, after: float | None) -> Ran | None:
    if job.attempts >= job.max_attempts:
        return _end(ws, job, JobStatus.FAILED, f"Gave up after {job.attempts} tries: {reason}")
    delay = after if after is not None else backoff(ws, job.attempts)
    run_after: datetime = ws.clock() + timedelta(seconds=delay)
    changes: dict[str, object] = {
        "status": JobStatus.QUEUED,
        "run_after": run_after,
        "lease_until": None,
        "sent_at": ws.clock(),
        "reason": f"Try {job.attempts} of {job.max_attempts} did not finish: {reason} Trying again shortly.",
    }
    if not _settle(ws, job, changes):
        return None
    log.warning("job will be retried", extra={"job": job.id, "kind": job.kind, "in_seconds": delay})
    return Ran(_stored(ws, job), retry_in=delay)


def _end(ws: Workspace, job: Job, status: JobStatus, reason: str) -> Ran | None:
    changes: dict[str, object] = {
        "status": status,
        "reason": reason[:2000],
        "lease_until": None,
        "finished_at": ws.clock(),
    }
    if status is JobStatus.DONE:
        changes["progress"] = 1.0
    if not _settle(ws, job, changes):
        return None
    log.info("job " + status.value, extra={"job": job.id, "kind": job.kind, "reason": reason[:200]})
    return Ran(_stored(ws, job))


def _settle(ws: Workspace, job: Job, changes: dict[str, object]) -> bool:
    assert job.id is not None
    with ws.uow_factory() as uow:
        kept = uow.jobs.settle(job.id, job.attempts, dict(changes))
        uow.commit()
    if not kept:
        log.warning("job taken over by another worker before it ended", extra={"job": job.id})
    return kept


def _stored(ws: Workspace, job: Job) -> Job:
    assert job.id is not None
    with ws.uow_factory() as uow:
        return uow.jobs.get(job.id)
