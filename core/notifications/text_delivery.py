"""Sending one Slack post or text message of the outbox: the work of a "send_text" job.

As with emails (core.notifications.delivery): a message sent, withdrawn or erased is not sent again; one whose
send_before has passed is withdrawn. Passing failures (429, 5xx, no connection) raise TryAgain, after the wait
the service asked for when it said one, else the queue's backoff; a permanent one (a refused hook, Twilio's
21211 for a number that is not one, wrong credentials) or the last try raises Failed with the reason in the
outbox.
"""

from __future__ import annotations

import logging

from core.errors import NotFound
from core.jobs.runner import Failed, TryAgain
from core.models import Channel, OutboxMessage, OutboxStatus
from core.notifications import slack_transport, sms_transport
from core.notifications.channel_failure import ChannelFailure
from core.notifications.delivery import TOO_LATE, settle
from core.workspace import Workspace

log = logging.getLogger(__name__)

NOT_CONFIGURED = {
    Channel.SLACK: "Slack is not configured any more (notifications.slack.webhook_url); the message was not sent.",
    Channel.SMS: "SMS is not configured any more (notifications.sms); the message was not sent.",
}


def deliver(ws: Workspace, message_id: int, *, attempt: int, last_attempt: bool) -> str:
    """Send the message if it is still owed; returns what came of it in a sentence (no number or name in it)."""
    with ws.uow_factory() as uow:
        try:
            message = uow.outbox.get(message_id)
        except NotFound:
            return f"Message #{message_id} is no longer in the outbox (erased with its interview); nothing to send."
    what = f"{message.channel.value} message #{message_id}"
    if message.status in (OutboxStatus.SENT, OutboxStatus.WITHDRAWN):
        return f"The {what} was {message.status.value} already; not sent."
    if message.send_before is not None and ws.clock() >= message.send_before:
        settle(ws, message, OutboxStatus.WITHDRAWN, TOO_LATE, tried=False)
        return f"The {what} ({message.kind}) came due too late to be of use; withdrawn, not sent."
    try:
        _send(ws, message)
    except ChannelFailure as failure:
        audit_as = f"{message.channel.value}_failed"
        if failure.permanent or last_attempt:
            reason = failure.reason if failure.permanent else f"Gave up after {attempt} tries: {failure.reason}"
            settle(ws, message, OutboxStatus.FAILED, reason, tried=True, audit_as=audit_as)
            log.warning("message not sent", extra={"outbox_message": message_id, "channel": message.channel.value})
            raise Failed(f"The {what} was not sent: {failure.summary}") from None
        settle(ws, message, OutboxStatus.QUEUED, failure.reason, tried=True)
        log.warning("message not sent yet", extra={"outbox_message": message_id, "attempt": attempt})
        raise TryAgain(failure.summary, after=failure.retry_after) from None
    settle(ws, message, OutboxStatus.SENT, "", tried=True, audit_as=f"{message.channel.value}_sent")
    log.info("message sent", extra={"outbox_message": message_id, "channel": message.channel.value})
    return f"The {what} ({message.kind}) was sent."


def _send(ws: Workspace, message: OutboxMessage) -> None:
    settings = ws.settings.notifications
    if message.channel is Channel.SLACK and settings.slack.configured:
        slack_transport.post(settings.slack, message.text_body)
    elif message.channel is Channel.SMS and settings.sms.configured:
        sms_transport.send(settings.sms, message.recipient, message.text_body)
    else:
        reason = NOT_CONFIGURED.get(message.channel, "Not a Slack post or a text message.")
        raise ChannelFailure(reason, summary=reason, permanent=True)
