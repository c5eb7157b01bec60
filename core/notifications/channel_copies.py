"""One written email made into the messages a person chose: the email itself, a Slack post, a text message,
each due when their quiet hours allow.

The words are the email's (core.scheduling writes them once): Slack gets the subject and the whole text, SMS the
subject and the lines worth a text (where to join, why it was cancelled). Slack and SMS messages are written only
when the workspace has the channel configured; a person's choice of one it does not have is left out (the
settings form says so). A reminder's copies keep its job key with the channel added, so each is one job.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime

from core.models import Channel, OutboxMessage
from core.notifications import preferences
from core.notifications.merge_context import aware, zone
from core.notifications.quiet_hours import parse
from core.single_line import single_line
from core.unit_of_work import UnitOfWork
from core.workspace import Workspace

log = logging.getLogger(__name__)

SMS_LINES = ("Join at:", "Reason:")  # the lines of an email a text message keeps
SMS_LENGTH = 320  # two SMS segments at most
SLACK_LENGTH = 3000


def for_person(
    uow: UnitOfWork, ws: Workspace, email: OutboxMessage, *, person_email: str, person_name: str, urgent: bool
) -> list[OutboxMessage]:
    """The messages `email` becomes for the person with address `person_email` (their account's choices, or the
    defaults), in the caller's transaction, not stored yet."""
    account = uow.accounts.by_email(person_email) if person_email else None
    wanted = preferences.channels_for(account, email.kind)
    due = email.send_after or ws.clock()
    send_after = email.send_after
    if account is not None and not urgent and (stretch := parse(account.quiet_hours)) is not None:
        released = stretch.release(aware(due), zone(account.timezone or ws.settings.notifications.timezone))
        send_after = released if released != aware(due) else send_after
    messages: list[OutboxMessage] = []
    for channel in wanted:
        if channel is Channel.EMAIL:
            messages.append(replace(email, send_after=send_after))
        elif channel is Channel.SLACK and ws.settings.notifications.slack.configured:
            messages.append(_copy(email, channel, f"Slack: {single_line(person_name) or 'team'}", send_after))
        elif channel is Channel.SMS and ws.settings.notifications.sms.configured and account and account.phone:
            messages.append(_copy(email, channel, account.phone, send_after))
        else:
            log.info("channel chosen but not configured", extra={"channel": channel.value, "kind": email.kind})
    return messages


def _copy(email: OutboxMessage, channel: Channel, recipient: str, send_after: datetime | None) -> OutboxMessage:
    body = slack_text(email) if channel is Channel.SLACK else sms_text(email)
    return replace(
        email,
        channel=channel,
        recipient=recipient,
        text_body=body,
        html_body="",
        attachment=None,
        attachment_name="",
        attachment_type="",
        reply_to="",
        message_id="",
        send_after=send_after,
        job_key=f"{email.job_key}:{channel.value}" if email.job_key else "",
    )


def slack_text(email: OutboxMessage) -> str:
    """The subject in bold, then the email's text."""
    text = f"*{single_line(email.subject)}*\n\n{email.text_body.strip()}"
    return text if len(text) <= SLACK_LENGTH else text[: SLACK_LENGTH - 1] + "…"


def sms_text(email: OutboxMessage) -> str:
    """The subject and the lines worth a text message, short."""
    lines = [single_line(email.subject)]
    lines += [line.strip() for line in email.text_body.splitlines() if line.strip().startswith(SMS_LINES)]
    text = "\n".join(lines)
    return text if len(text) <= SMS_LENGTH else text[: SMS_LENGTH - 1] + "…"
