"""Sending one outgoing webhook delivery: the work of a "deliver_webhook" job.

Each try POSTs the stored body, signed afresh with the subscription's secret (Standard Webhooks headers), and
is logged whatever comes of it: when, the answer's status or why there was none, how long, the start of the
answer. A 2xx answer delivers it. Anything else (another status, no connection, a timeout) raises TryAgain with
the schedule's wait (core.outgoing_webhooks.retry_schedule), until the delivery's retry window has passed: then
it fails with the last reason, and an admin can replay it.

Idempotent: a delivery already delivered is not sent again when its job runs again. The one window left is a
worker that dies between the receiver's 2xx and recording it: the next try sends it again with the same
webhook-id, which is what receivers dedupe by.

The signature's timestamp is the real time of sending, not the workspace's clock: the receiver compares it
with its own clock and refuses one that is minutes off.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx

from core import audit
from core.errors import NotFound
from core.jobs.runner import Failed, TryAgain
from core.models import DeliveryAttempt, DeliveryStatus, WebhookDelivery, WebhookSubscription
from core.outgoing_webhooks.receiver_address import host_of
from core.outgoing_webhooks.retry_schedule import next_try, window
from core.outgoing_webhooks.signing import signed_headers
from core.single_line import single_line
from core.workspace import Workspace

log = logging.getLogger(__name__)

EXCERPT_BYTES = 2048  # of the answer's body read; the rest is never downloaded
EXCERPT_CHARS = 300  # of it kept in the attempts log
USER_AGENT = "InterviewWorkspace-Webhooks/1"


@dataclass(frozen=True)
class Answer:
    """How one POST went: a status (or None when none came), why it does not count, and the answer's start."""

    status_code: int | None
    error: str
    excerpt: str
    duration_ms: int

    @property
    def delivered(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def deliver(ws: Workspace, delivery_id: int, *, attempt: int) -> str:
    """Try the delivery once if it is still owed (`attempt`: this try's number since it was last queued); returns
    what came of it in a sentence, or raises TryAgain (with the wait) or Failed (with the reason)."""
    with ws.uow_factory() as uow:
        try:
            delivery = uow.webhook_deliveries.get(delivery_id)
            subscription = uow.webhook_subscriptions.get(delivery.subscription_id)
        except NotFound:
            return f"Webhook delivery #{delivery_id} is gone with its subscription or interview; nothing to send."
    if delivery.status is DeliveryStatus.DELIVERED:
        return f"Webhook delivery #{delivery_id} was delivered already; not sent again."
    if not subscription.enabled:
        reason = "Not sent: its subscription is disabled. Enable it, then replay the delivery."
        _settle(ws, delivery_id, DeliveryStatus.FAILED, reason)
        raise Failed(f"Webhook delivery #{delivery_id}: {reason}")
    settings = ws.settings.outgoing_webhooks
    now = ws.clock()
    retry_until = delivery.retry_until or now + window(settings)
    if delivery.status is DeliveryStatus.FAILED:  # a failed job retried on the Jobs page: a new retry window
        retry_until = now + window(settings)
    facts = {"delivery": delivery_id, "event": delivery.event, "attempt": attempt}

    answer = post(ws, subscription, delivery)
    if answer.delivered:
        _record(ws, delivery_id, answer, now, DeliveryStatus.DELIVERED, "", retry_until, None)
        log.info("webhook delivered", extra={**facts, "status": answer.status_code})
        target = host_of(subscription.url)
        return f"Webhook delivery #{delivery_id} ({delivery.event}) delivered: {target} answered {answer.status_code}."
    later = next_try(settings, attempt, ws.clock(), retry_until)
    if later is None:
        tries = "1 try" if attempt == 1 else f"{attempt} tries"
        reason = f"Gave up after {tries} in {settings.retry_hours:g} hours: {answer.error}"
        _record(ws, delivery_id, answer, now, DeliveryStatus.FAILED, reason, retry_until, None)
        log.warning("webhook not delivered; gave up", extra={**facts, "status": answer.status_code})
        raise Failed(f"Webhook delivery #{delivery_id}: {reason}")
    reason = f"{answer.error} Trying again at {later:%Y-%m-%d %H:%M:%S} UTC."
    _record(ws, delivery_id, answer, now, DeliveryStatus.RETRYING, reason, retry_until, later)
    log.warning("webhook not delivered yet", extra={**facts, "status": answer.status_code})
    raise TryAgain(answer.error, after=max((later - ws.clock()).total_seconds(), 0.0))


def post(ws: Workspace, subscription: WebhookSubscription, delivery: WebhookDelivery) -> Answer:
    """One signed POST of the delivery's body; never raises for what the network or the receiver does."""
    headers = signed_headers(subscription.secret, delivery.message_id, delivery.body, datetime.now(UTC))
    headers |= {"content-type": "application/json", "user-agent": USER_AGENT}
    timeout = ws.settings.outgoing_webhooks.timeout_seconds
    target = host_of(subscription.url)
    started = time.perf_counter()
    try:
        with (
            httpx.Client(timeout=timeout, follow_redirects=False) as client,
            client.stream("POST", subscription.url, content=delivery.body.encode("utf-8"), headers=headers) as reply,
        ):
            excerpt = _excerpt(reply)
            status = reply.status_code
    except httpx.InvalidURL:
        return Answer(None, f"The address for {target} is not a valid web address; fix the subscription.", "", 0)
    except httpx.TimeoutException:
        return Answer(None, f"{target} did not answer within {timeout:g} s.", "", _ms_since(started))
    except httpx.ConnectError as exc:
        return Answer(None, f"Could not connect to {target}: {_why(exc)}.", "", _ms_since(started))
    except httpx.HTTPError as exc:
        detail = _why(exc)
        return Answer(None, f"The request to {target} failed: {detail}.", "", _ms_since(started))
    duration = _ms_since(started)
    if 200 <= status < 300:
        return Answer(status, "", excerpt, duration)
    phrase = httpx.codes.get_reason_phrase(status)
    return Answer(status, f"{target} answered {status}{' ' + phrase if phrase else ''}.", excerpt, duration)


def _excerpt(reply: httpx.Response) -> str:
    """The start of the answer's body as text on one line; the rest is never read."""
    read = b""
    for chunk in reply.iter_bytes():
        read += chunk
        if len(read) >= EXCERPT_BYTES:
            break
    return single_line(read[:EXCERPT_BYTES].decode("utf-8", errors="replace"))[:EXCERPT_CHARS]


def _why(exc: httpx.HTTPError) -> str:
    """The transport's own words ("[Errno 111] Connection refused"), or the kind of error when it has none."""
    return single_line(str(exc)) or type(exc).__name__


def _ms_since(started: float) -> int:
    return round((time.perf_counter() - started) * 1000)


def _record(
    ws: Workspace,
    delivery_id: int,
    answer: Answer,
    tried_at: datetime,
    status: DeliveryStatus,
    note: str,
    retry_until: datetime,
    next_attempt_at: datetime | None,
) -> None:
    """Log the attempt and move the delivery on, in one transaction (a delivery deleted meanwhile stays gone)."""
    with ws.uow_factory() as uow:
        try:
            delivery = uow.webhook_deliveries.get(delivery_id)
        except NotFound:
            return
        uow.delivery_attempts.add(
            DeliveryAttempt(
                delivery_id=delivery_id,
                attempted_at=tried_at,
                duration_ms=answer.duration_ms,
                status_code=answer.status_code,
                error=answer.error,
                response_excerpt=answer.excerpt,
            )
        )
        delivery.attempts += 1
        delivery.status, delivery.last_error = status, note[:2000]
        delivery.retry_until, delivery.next_attempt_at = retry_until, next_attempt_at
        if status is DeliveryStatus.DELIVERED:
            delivery.delivered_at = ws.clock()
        uow.webhook_deliveries.update(delivery)
        if status in _OUTCOMES:  # the activity log shows what became of each delivery, not every retry
            detail = {"delivery": delivery_id, "event": delivery.event, "subscription": delivery.subscription_id}
            audit.record(uow, _OUTCOMES[status], actor="system", session_id=delivery.session_id, detail=detail)
        uow.commit()


_OUTCOMES = {DeliveryStatus.DELIVERED: "webhook_delivered", DeliveryStatus.FAILED: "webhook_delivery_failed"}


def _settle(ws: Workspace, delivery_id: int, status: DeliveryStatus, note: str) -> None:
    with ws.uow_factory() as uow:
        try:
            delivery = uow.webhook_deliveries.get(delivery_id)
        except NotFound:
            return
        delivery.status, delivery.last_error, delivery.next_attempt_at = status, note, None
        uow.webhook_deliveries.update(delivery)
        uow.commit()
