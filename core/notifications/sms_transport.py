"""Sending one text message through Twilio's Messages API (POST /2010-04-01/Accounts/{sid}/Messages.json, form
fields To, From, Body, HTTP Basic auth with the account SID and auth token).

Twilio answers 201 with the message (its "sid", "status": "queued"), or an error as JSON: {"code": 21211,
"message": "The 'To' number … is not a valid phone number.", "status": 400, …}; 401 code 20003 for credentials
it does not accept; 429 code 20429 when sending too fast. 429, 5xx and no answer at all are worth another try;
any other 4xx is permanent, its reason Twilio's code and words. The token is in no message here.
"""

from __future__ import annotations

from typing import Any

import httpx

from core.config import SmsSettings
from core.notifications.channel_failure import ChannelFailure, retry_after_seconds, unreachable
from core.single_line import single_line

SERVICE = "Twilio (notifications.sms)"


def send(sms: SmsSettings, to: str, body: str) -> str:
    """Send `body` to the E.164 number `to`; returns Twilio's message sid. Raises ChannelFailure."""
    url = f"{sms.api_base.rstrip('/')}/2010-04-01/Accounts/{sms.account_sid}/Messages.json"
    form = {"To": to, "From": sms.from_number, "Body": body}
    auth = (sms.account_sid, sms.auth_token.get_secret_value())
    try:
        with httpx.Client(timeout=sms.timeout_seconds, follow_redirects=False) as client:
            reply = client.post(url, data=form, auth=auth)
    except httpx.InvalidURL:
        reason = f"{SERVICE}: notifications.sms.api_base is not a valid web address; fix the setting."
        raise ChannelFailure(reason, summary=reason, permanent=True) from None
    except httpx.HTTPError as exc:
        raise unreachable(SERVICE, exc) from None
    answer = _json(reply)
    if reply.status_code in (200, 201):
        return str(answer.get("sid", ""))
    code = answer.get("code") or reply.status_code
    said = single_line(str(answer.get("message", "")))[:300]
    if reply.status_code == 429 or reply.status_code >= 500:
        reason = f"Twilio could not take the message now ({reply.status_code}, code {code}): {said} Trying again."
        wait = retry_after_seconds(reply.headers.get("Retry-After"))
        summary = f"Twilio could not take the message now ({reply.status_code}, code {code})."
        raise ChannelFailure(reason, summary=summary, permanent=False, retry_after=wait)
    if reply.status_code == 401:
        reason = (
            f"Twilio did not accept the account SID and auth token (code {code}); "
            "check notifications.sms.account_sid and auth_token."
        )
        raise ChannelFailure(reason, summary=reason, permanent=True)
    reason = f"Twilio refused the message (code {code}): {said}".rstrip()
    summary = f"Twilio refused the message ({reply.status_code}, code {code})."
    raise ChannelFailure(reason, summary=summary, permanent=True)


def _json(reply: httpx.Response) -> dict[str, Any]:
    try:
        found = reply.json()
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}
