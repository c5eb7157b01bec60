"""The outbox: every email is stored, with the job that sends it, in the transaction of what caused it.

A booking, a reschedule, a cancellation or a person's Send writes the message (bodies and invitation whole)
and a "send_email" job keyed by the message, in the same transaction as the change itself: the change and
its email exist together or not at all, and nothing waits for the mail server. A worker sends it
(core.notifications.delivery). Without SMTP the message waits; once a worker runs with SMTP configured it
releases the waiting messages (`release_waiting`), so nothing written is lost.

A message may be due later (a reminder: `send_after`), and withdrawn before it went (`withdraw`: its
interview was cancelled or moved): it then stays in the outbox as withdrawn, its job finished unsent.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from core import audit
from core.errors import InvalidInput
from core.jobs import ledger
from core.models import Channel, Job, JobStatus, OutboxMessage, OutboxStatus
from core.notifications.addresses import workspace_sender
from core.notifications.email_message import new_message_id
from core.permissions.access import authorize_action
from core.permissions.actor import Actor
from core.permissions.policy import Action
from core.unit_of_work import UnitOfWork
from core.workspace import Workspace

log = logging.getLogger(__name__)

SEND_EMAIL = "send_email"  # the job kind that sends one outbox email
SEND_TEXT = "send_text"  # the job kind that sends one Slack post or text message of the outbox
SYSTEM = Actor.workspace("system")
WAITING_FOR_SMTP = (
    "Waiting for SMTP: no mail server is configured (notifications.smtp.host, or IW_NOTIFICATIONS__SMTP__HOST). "
    "It is sent once a worker runs with one."
)


WITHDRAWABLE = (OutboxStatus.QUEUED, OutboxStatus.WAITING, OutboxStatus.FAILED)
"""The statuses of a message not sent (yet): withdrawing it means it never goes, even on an admin's retry."""


_CHANNEL_NAMES = {Channel.EMAIL: "Email", Channel.SLACK: "Slack message", Channel.SMS: "SMS"}


def named(message: OutboxMessage) -> str:
    """How a message is named to a person: "Email #12", "SMS #13" (never by its recipient)."""
    return f"{_CHANNEL_NAMES.get(message.channel, 'Message')} #{message.id}"


def job_key(message_id: int, channel: Channel = Channel.EMAIL) -> str:
    """One send job per message (so per message and channel): however often it is submitted or retried, it is
    that one job."""
    return f"{job_kind(channel)}:{message_id}"


def job_kind(channel: Channel) -> str:
    """The job kind that sends a message of `channel`."""
    return SEND_EMAIL if channel is Channel.EMAIL else SEND_TEXT


def key_of(message: OutboxMessage) -> str:
    """The key of the message's send job: its own (a reminder's names what it reminds of), or the usual one."""
    assert message.id is not None
    return message.job_key or job_key(message.id, message.channel)


def add(uow: UnitOfWork, ws: Workspace, message: OutboxMessage, *, actor: Actor) -> Job:
    """Store the message and its send job (due at message.send_after, if set) in the caller's transaction;
    `wake` the job after the commit. A message with its own job_key must not be stored twice: look the key up
    first (ledger.add raises AlreadyExists, and the unit of work must then be left)."""
    message.status, message.attempts, message.last_error, message.sent_at = OutboxStatus.QUEUED, 0, "", None
    message.actor = message.actor or actor.name
    message.sender = message.sender or workspace_sender(ws.settings)
    if message.channel is Channel.EMAIL:
        message.message_id = message.message_id or new_message_id(message.sender)
    return _new_job(uow, ws, uow.outbox.add(message), actor=actor)


def withdraw(uow: UnitOfWork, ws: Workspace, message: OutboxMessage, *, reason: str) -> bool:
    """Mark a message not sent yet as withdrawn with `reason`, and finish its send job unsent, in the caller's
    transaction. False for one sent (or withdrawn) already. A worker that took the job just before still finds
    the message withdrawn and sends nothing, unless it was already handing it to the mail server."""
    if message.status not in WITHDRAWABLE:
        return False
    message.status, message.last_error = OutboxStatus.WITHDRAWN, reason[:2000]
    uow.outbox.update(message)
    job = uow.jobs.by_key(key_of(message))
    if job is not None and job.id is not None:
        uow.jobs.withdraw(job.id, reason=f"{named(message)} withdrawn; not sent.", at=ws.clock())
    return True


def reinstate(uow: UnitOfWork, ws: Workspace, message: OutboxMessage, *, actor: Actor) -> Job:
    """A withdrawn message owed again as it was written (its booking is as it was when it was written): queued
    again, its job due at its send_after, in the caller's transaction; `wake` the job after the commit."""
    message.status, message.last_error = OutboxStatus.QUEUED, ""
    stored = uow.outbox.update(message)
    job = uow.jobs.by_key(key_of(stored))
    if job is None:
        return _new_job(uow, ws, stored, actor=actor)
    return ledger.reopen(uow, ws, job, reason=f"{named(stored)} is owed again.", run_after=stored.send_after)


def wake(ws: Workspace, jobs: Iterable[Job]) -> None:
    """Tell a worker about send jobs just committed; a broker that is down only delays them to a sweep."""
    for job in jobs:
        ledger.send(ws, job)


def retry(ws: Workspace, message_id: int, *, actor: Actor) -> OutboxMessage:
    """Send a failed message again (an admin fixed the address or the server): queued with its job; audited."""
    authorize_action(ws.settings, actor, Action.MANAGE_OUTBOX)
    with ws.uow_factory() as uow:
        message = uow.outbox.get(message_id)
        if message.status is not OutboxStatus.FAILED:
            raise InvalidInput(f"{named(message)} is {message.status.value}; only a failed message can be retried.")
        message.status, message.last_error = OutboxStatus.QUEUED, f"Retried by {actor.name}."
        stored = uow.outbox.update(message)
        job = _job_again(uow, ws, stored, actor=actor, reason=f"Retried by {actor.name}.")
        audit.record(
            uow, "email_retried", actor=actor.name, session_id=stored.session_id, detail={"message": message_id}
        )
        uow.commit()
    wake(ws, [job])
    return stored


def release_waiting(ws: Workspace, *, limit: int = 100) -> int:
    """With SMTP configured: queue again the messages that waited for it (a worker's sweep calls this).
    A message whose job has not finished yet (it is just now being marked waiting) is left to the next sweep.
    Returns how many were released."""
    if not ws.settings.notifications.smtp.configured:
        return 0
    jobs: list[Job] = []
    with ws.uow_factory() as uow:
        for message in uow.outbox.waiting(limit=limit):
            assert message.id is not None
            job = uow.jobs.by_key(key_of(message))
            if job is not None and job.status in (JobStatus.QUEUED, JobStatus.RUNNING):
                continue
            message.status, message.last_error = OutboxStatus.QUEUED, ""
            uow.outbox.update(message)
            jobs.append(_job_again(uow, ws, message, actor=SYSTEM, reason="SMTP is configured now: sending."))
        uow.commit()
    wake(ws, jobs)
    if jobs:
        log.info("outbox: released messages that waited for SMTP", extra={"count": len(jobs)})
    return len(jobs)


def recent(
    ws: Workspace, *, actor: Actor, statuses: list[OutboxStatus] | None = None, limit: int = 200
) -> list[OutboxMessage]:
    """The newest messages, for the people who look after the workspace (they name recipients)."""
    authorize_action(ws.settings, actor, Action.MANAGE_OUTBOX)
    with ws.uow_factory() as uow:
        return uow.outbox.latest(limit=limit, statuses=statuses)


def counts(ws: Workspace, *, actor: Actor) -> dict[str, int]:
    authorize_action(ws.settings, actor, Action.MANAGE_OUTBOX)
    with ws.uow_factory() as uow:
        return uow.outbox.counts()


def _job_again(uow: UnitOfWork, ws: Workspace, message: OutboxMessage, *, actor: Actor, reason: str) -> Job:
    """The message's send job queued again (or stored, should it be missing)."""
    job = uow.jobs.by_key(key_of(message))
    if job is None:
        return _new_job(uow, ws, message, actor=actor)
    return ledger.reopen(uow, ws, job, reason=reason)


def _new_job(uow: UnitOfWork, ws: Workspace, message: OutboxMessage, *, actor: Actor) -> Job:
    assert message.id is not None
    return ledger.add(
        uow,
        ws,
        job_kind(message.channel),
        key_of(message),
        actor=actor,
        payload={"message_id": message.id},
        session_id=message.session_id,
        run_after=message.send_after,
    )
