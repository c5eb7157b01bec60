"""Sending one outbox message: the work of a "send_email" job.

Idempotent: a message the mail server has accepted is marked sent in the same step, and a job run again
(a retry, a second message for the job, a worker taking over) finds it sent and sends nothing. The one
window left is a worker that dies between the server's acceptance and that mark: the message then goes
out again on the next try, with the same Message-ID, which mail clients use to show it once.

Passing failures (no connection, a timeout, a 4xx answer) raise TryAgain: the job waits with exponential
backoff, and the outbox shows the last error. A permanent one (5xx, a certificate or TLS set-up that cannot
work) or the last try raises Failed, and the outbox shows the message as failed with the reason.

A message withdrawn before its job ran (a reminder of an interview cancelled or moved) is not sent, nor is
one whose send_before has passed (a reminder that could only go once its interview had begun: a worker was
down, SMTP came late): that one is withdrawn here, with the reason.
"""

from __future__ import annotations

import logging

from core import audit
from core.errors import NotFound
from core.jobs.runner import Failed, TryAgain
from core.models import OutboxMessage, OutboxStatus
from core.notifications.addresses import mailbox
from core.notifications.email_message import to_email
from core.notifications.outbox import WAITING_FOR_SMTP
from core.notifications.smtp_transport import SmtpFailure, send
from core.workspace import Workspace

log = logging.getLogger(__name__)

TOO_LATE = "Withdrawn: it could only be sent once its interview had begun, when it is of no more use."


def deliver(ws: Workspace, message_id: int, *, attempt: int, last_attempt: bool) -> str:
    """Send the message if it is still owed; returns what came of it in a sentence (no address in it: the
    job's record outlives the message)."""
    with ws.uow_factory() as uow:
        try:
            message = uow.outbox.get(message_id)
        except NotFound:
            return f"Email #{message_id} is no longer in the outbox (erased with its interview); nothing to send."
    if message.status is OutboxStatus.SENT:
        return f"Email #{message_id} was sent already; not sent again."
    if message.status is OutboxStatus.WITHDRAWN:
        return f"Email #{message_id} was withdrawn; not sent."
    if message.send_before is not None and ws.clock() >= message.send_before:
        settle(ws, message, OutboxStatus.WITHDRAWN, TOO_LATE, tried=False)
        log.info("email withdrawn: too late to be of use", extra={"email": message_id, "kind": message.kind})
        return f"Email #{message_id} ({message.kind}) came due too late to be of use; withdrawn, not sent."
    smtp = ws.settings.notifications.smtp
    if not smtp.configured:
        settle(ws, message, OutboxStatus.WAITING, WAITING_FOR_SMTP, tried=False)
        return f"Email #{message_id} waits in the outbox: no SMTP server is configured; it is sent once one is."
    if not mailbox(message.sender) or not mailbox(message.recipient):
        reason = "The email has no usable sender or recipient address; set notifications.sender to an address."
        settle(ws, message, OutboxStatus.FAILED, reason, tried=False, audit_as="email_failed")
        raise Failed(f"Email #{message_id} was not sent: {reason}")
    try:
        send(smtp, to_email(message, date=ws.clock()))
    except SmtpFailure as failure:
        if failure.permanent or last_attempt:
            reason = failure.reason if failure.permanent else f"Gave up after {attempt} tries: {failure.reason}"
            settle(ws, message, OutboxStatus.FAILED, reason, tried=True, audit_as="email_failed")
            log.warning("email not sent", extra={"email": message_id, "kind": message.kind, "permanent": True})
            raise Failed(f"Email #{message_id} was not sent: {failure.summary}") from None
        settle(ws, message, OutboxStatus.QUEUED, f"{failure.reason} Trying again shortly.", tried=True)
        log.warning("email not sent yet", extra={"email": message_id, "kind": message.kind, "attempt": attempt})
        raise TryAgain(failure.summary) from None
    settle(ws, message, OutboxStatus.SENT, "", tried=True, audit_as="email_sent")
    log.info("email sent", extra={"email": message_id, "kind": message.kind})
    return f"Email #{message_id} ({message.kind}) sent."


def settle(
    ws: Workspace,
    message: OutboxMessage,
    status: OutboxStatus,
    note: str,
    *,
    tried: bool,
    audit_as: str | None = None,
) -> None:
    """Record what came of a try (status, note, tries, when sent), unless the message was erased or withdrawn
    meanwhile; also for Slack posts and text messages (core.notifications.text_delivery)."""
    assert message.id is not None
    with ws.uow_factory() as uow:
        try:
            current = uow.outbox.get(message.id)
        except NotFound:  # erased while we were sending: nothing left to record
            return
        if current.status is OutboxStatus.WITHDRAWN and status is not OutboxStatus.SENT:
            return  # withdrawn while we were trying: it stays so (only a send that happened is recorded over it)
        current.status, current.last_error = status, note[:2000]
        if tried:
            current.attempts += 1
        if status is OutboxStatus.SENT:
            current.sent_at = ws.clock()
        uow.outbox.update(current)
        if audit_as is not None:
            detail = {"message": message.id, "kind": message.kind}
            audit.record(uow, audit_as, actor="system", session_id=message.session_id, detail=detail)
        uow.commit()
