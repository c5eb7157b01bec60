"""Submitting jobs and reading them back: the ledger every page, route and worker shares.

A job is submitted once per key (a webhook event, a day's cleanup, a session's accurate pass), so a
second submission, a replayed delivery or a second replica's timer finds the first job instead of
adding another. The ledger is written before any queue message is sent: a broker that is down, or a
worker killed mid-job, delays work but never loses it.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from core import audit
from core.errors import AlreadyExists, InvalidInput
from core.models import Job, JobStatus
from core.permissions.access import authorize_action
from core.permissions.actor import Actor
from core.permissions.policy import Action
from core.unit_of_work import UnitOfWork
from core.workspace import Workspace

log = logging.getLogger(__name__)

RESEND_AFTER = timedelta(minutes=2)
"""A queued job sent this long ago and still not started lost its message (a restarted broker): send again."""


def submit(
    ws: Workspace,
    kind: str,
    key: str,
    *,
    actor: Actor,
    payload: dict[str, Any] | None = None,
    session_id: str | None = None,
) -> Job:
    """Store the job (or find the one already stored under `key`) and wake a worker for it."""
    try:
        with ws.uow_factory() as uow:
            stored = add(uow, ws, kind, key, actor=actor, payload=payload, session_id=session_id)
            uow.commit()
    except AlreadyExists:
        with ws.uow_factory() as uow:
            existing = uow.jobs.by_key(key)
        if existing is None:  # stored and removed in between: nothing is owed
            raise
        return existing
    send(ws, stored)
    return stored


def add(
    uow: UnitOfWork,
    ws: Workspace,
    kind: str,
    key: str,
    *,
    actor: Actor,
    payload: dict[str, Any] | None = None,
    session_id: str | None = None,
    max_attempts: int | None = None,
    run_after: datetime | None = None,
) -> Job:
    """Store a job in the caller's transaction (with the record it is about); `send` it after the commit.
    Raises AlreadyExists for a key already stored. `max_attempts`: for work with its own retry schedule (an
    outgoing webhook is tried for a day); settings.jobs.max_attempts otherwise. A job with `run_after` in the
    future (a reminder) waits until then: no worker claims it before."""
    now = ws.clock()
    later = run_after is not None and run_after > now
    job = Job(
        kind=kind,
        key=key,
        payload=dict(payload or {}),
        session_id=session_id,
        actor=actor.name,
        max_attempts=max_attempts or ws.settings.jobs.max_attempts,
        run_after=run_after if later else None,
        # A job for later counts as never sent: the first sweep after its time sends it, whatever became of
        # the delayed message `send` gives it (a broker restarted in between, a queue without delays)
        sent_at=None if later else now,
    )
    return uow.jobs.add(job)


def add_many(
    uow: UnitOfWork, ws: Workspace, kind: str, payloads: dict[str, dict[str, Any]], *, actor: Actor
) -> list[Job]:
    """Jobs of one kind due now (key -> payload), stored together in the caller's transaction, as `add` stores
    each: a burst of webhook deliveries gets its jobs in one statement. Raises AlreadyExists for a key stored."""
    now, attempts = ws.clock(), ws.settings.jobs.max_attempts
    jobs = [
        Job(kind=kind, key=key, payload=dict(payload), actor=actor.name, max_attempts=attempts, sent_at=now)
        for key, payload in payloads.items()
    ]
    return uow.jobs.add_all(jobs)


def send(ws: Workspace, job: Job) -> None:
    """Wake a worker for a stored job (at its run_after, when that is later). A broker that is down only delays
    it: the next sweep sends it."""
    assert job.id is not None
    delay = (job.run_after - ws.clock()).total_seconds() if job.run_after is not None else 0.0
    try:
        ws.job_queue.send(job.id, delay=max(delay, 0.0))
    except Exception:
        log.warning("job queue unavailable; the job waits for a sweep", extra={"job": job.id, "kind": job.kind})


def due(ws: Workspace, *, limit: int = 100) -> list[Job]:
    """Jobs nobody is working on that should be (lost messages, dead workers), marked as sent again."""
    now = ws.clock()
    with ws.uow_factory() as uow:
        jobs = uow.jobs.due(now=now, sent_before=now - RESEND_AFTER, limit=limit)
        uow.jobs.mark_sent([j.id for j in jobs if j.id is not None], now)
        uow.commit()
    return jobs


def retry(ws: Workspace, job_id: int, *, actor: Actor) -> Job:
    """Queue a failed job again, with a fresh set of attempts; audited."""
    authorize_action(ws.settings, actor, Action.MANAGE_JOBS)
    with ws.uow_factory() as uow:
        job = uow.jobs.get(job_id)
        if job.status is not JobStatus.FAILED:
            raise InvalidInput(f"Job #{job_id} is {job.status.value}; only a failed job can be retried.")
        stored = reopen(uow, ws, job, reason=f"Retried by {actor.name}.")
        audit.record(uow, "job_retried", actor=actor.name, session_id=job.session_id, detail={"job": job_id})
        uow.commit()
    send(ws, stored)
    return stored


def reopen(uow: UnitOfWork, ws: Workspace, job: Job, *, reason: str, run_after: datetime | None = None) -> Job:
    """Queue a finished job again with a fresh set of attempts, in the caller's transaction; `send` it after
    the commit. For work that is owed again under the same key: a failed job retried, an email that waited
    for SMTP and can now be sent, a reminder withdrawn and owed again (due at `run_after`)."""
    now = ws.clock()
    later = run_after is not None and run_after > now
    job.attempts = 0
    job.status, job.lease_until, job.finished_at = JobStatus.QUEUED, None, None
    job.progress, job.progress_note = None, ""
    job.reason = reason
    job.run_after, job.sent_at = (run_after, None) if later else (None, now)  # for later: as in `add`
    return uow.jobs.update(job)


def recent(ws: Workspace, *, actor: Actor, statuses: list[JobStatus] | None = None, limit: int = 200) -> list[Job]:
    """The newest jobs, for the people who look after the workspace."""
    authorize_action(ws.settings, actor, Action.MANAGE_JOBS)
    with ws.uow_factory() as uow:
        return uow.jobs.latest(limit=limit, statuses=statuses)


def counts(ws: Workspace, *, actor: Actor) -> dict[str, int]:
    authorize_action(ws.settings, actor, Action.MANAGE_JOBS)
    with ws.uow_factory() as uow:
        return uow.jobs.counts()
