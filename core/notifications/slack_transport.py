"""Posting one message to the workspace's Slack channel through its incoming webhook.

Slack answers 200 "ok", or an error code as the body: 400 invalid_payload, 403 invalid_token or action_prohibited,
404 no_service (the hook was removed), 410 channel_is_archived, 429 with Retry-After when posting too fast, 5xx
when Slack itself is failing. The 4xx ones other than 429 cannot pass by themselves (permanent); 429, 5xx and no
answer at all are worth another try. The hook's URL is the secret: it is in no message here.
"""

from __future__ import annotations

import httpx

from core.config import SlackSettings
from core.notifications.channel_failure import ChannelFailure, retry_after_seconds, unreachable
from core.single_line import single_line

SERVICE = "Slack's incoming webhook (notifications.slack.webhook_url)"
_WHY = {
    "invalid_payload": "Slack did not accept the message's form",
    "invalid_token": "Slack no longer accepts the webhook; create a new one and set notifications.slack.webhook_url",
    "action_prohibited": "Slack's workspace admin does not allow this webhook to post",
    "no_service": "the webhook was removed or turned off in Slack; set notifications.slack.webhook_url to a new one",
    "channel_is_archived": "the webhook's channel is archived; unarchive it or make a webhook for another channel",
    "channel_not_found": "the webhook's channel no longer exists; make a webhook for another channel",
}


def post(slack: SlackSettings, text: str) -> None:
    """Post `text` (Slack's mrkdwn) to the channel; raises ChannelFailure."""
    try:
        with httpx.Client(timeout=slack.timeout_seconds, follow_redirects=False) as client:
            reply = client.post(slack.webhook_url.get_secret_value(), json={"text": text})
    except httpx.InvalidURL:
        reason = f"{SERVICE} is not a valid web address; fix the setting."
        raise ChannelFailure(reason, summary=reason, permanent=True) from None
    except httpx.HTTPError as exc:
        raise unreachable(SERVICE, exc) from None
    if reply.status_code == 200:
        return
    code = single_line(reply.text)[:60] or httpx.codes.get_reason_phrase(reply.status_code)
    if reply.status_code == 429:
        reason = f"Slack asked to slow down (429 {code}); trying again."
        wait = retry_after_seconds(reply.headers.get("Retry-After"))
        raise ChannelFailure(reason, summary=reason, permanent=False, retry_after=wait)
    if reply.status_code >= 500:
        reason = f"Slack is failing ({reply.status_code} {code}); trying again."
        raise ChannelFailure(reason, summary=reason, permanent=False)
    why = _WHY.get(code, "Slack refused the message")
    reason = f"Slack refused the message ({reply.status_code} {code}): {why}."
    raise ChannelFailure(reason, summary=reason, permanent=True)
