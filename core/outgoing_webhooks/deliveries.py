"""Outgoing webhook deliveries: written with the change that caused them, sent by a worker, replayed by an admin.

A booking, an ended interview, a released evaluation or a recommendation writes one delivery per enabled
subscription that wants the event, each with a "deliver_webhook" job keyed by the event and the subscription,
in the same transaction as the change itself: the change and its webhooks exist together or not at all, and
nothing waits for a receiver. A worker sends them (core.outgoing_webhooks.sending).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from core import audit
from core.errors import InvalidInput
from core.jobs import ledger
from core.models import (
    DeliveryAttempt,
    DeliveryStatus,
    Job,
    JobStatus,
    OutgoingEvent,
    WebhookDelivery,
    WebhookSubscription,
)
from core.outgoing_webhooks.event_payloads import body
from core.outgoing_webhooks.retry_schedule import most_tries, window
from core.outgoing_webhooks.signing import new_message_id
from core.permissions.access import authorize_action
from core.permissions.actor import Actor
from core.permissions.policy import Action
from core.unit_of_work import UnitOfWork
from core.workspace import Workspace

log = logging.getLogger(__name__)

DELIVER_WEBHOOK = "deliver_webhook"  # the job kind that sends one delivery


def job_key(message_id: str, subscription_id: str) -> str:
    """One job per event and subscription: however often it is submitted, retried or replayed, it is that job."""
    return f"{DELIVER_WEBHOOK}:{message_id}:{subscription_id}"


def emit(
    uow: UnitOfWork,
    ws: Workspace,
    event: OutgoingEvent,
    data: Callable[[], Mapping[str, Any]],
    *,
    actor: Actor,
    session_id: str | None = None,
) -> list[Job]:
    """Write `event` for every enabled subscription that wants it, in the caller's transaction; returns the
    jobs to `wake` once the caller has committed (none when nobody subscribed). `data` builds the event's data
    (core.outgoing_webhooks.event_payloads) only when some subscription wants it."""
    listening = [s for s in uow.webhook_subscriptions.enabled() if event.value in s.events]
    if not listening:
        return []
    now = ws.clock()
    message_id = new_message_id()
    text = body(event, data(), now)
    jobs = []
    for subscription in listening:
        delivery = uow.webhook_deliveries.add(
            WebhookDelivery(
                subscription_id=subscription.id,
                message_id=message_id,
                event=event.value,
                body=text,
                session_id=session_id,
                retry_until=now + window(ws.settings.outgoing_webhooks),
                created_at=now,
            )
        )
        jobs.append(_new_job(uow, ws, delivery, actor=actor))
    return jobs


def wake(ws: Workspace, jobs: Iterable[Job]) -> None:
    """Tell a worker about delivery jobs just committed; a broker that is down only delays them to a sweep."""
    for job in jobs:
        ledger.send(ws, job)


def replay(ws: Workspace, delivery_id: int, *, actor: Actor) -> WebhookDelivery:
    """Send a delivery again, with the same webhook-id (the receiver drops it if it has it already) and the same
    body, signed anew: at once, then with backoff for another retry window if the receiver still fails; audited."""
    authorize_action(ws.settings, actor, Action.MANAGE_WEBHOOKS)
    with ws.uow_factory() as uow:
        delivery = uow.webhook_deliveries.get(delivery_id)
        subscription = uow.webhook_subscriptions.get(delivery.subscription_id)
        if not subscription.enabled:
            raise InvalidInput(
                f"The subscription for {subscription.url} is disabled: enable it first, then replay delivery "
                f"#{delivery_id}."
            )
        job = uow.jobs.by_key(job_key(delivery.message_id, delivery.subscription_id))
        if job is not None and job.status is JobStatus.RUNNING:
            raise InvalidInput(f"Delivery #{delivery_id} is being sent right now; look again in a moment.")
        now = ws.clock()
        delivery.status, delivery.last_error = DeliveryStatus.QUEUED, f"Replayed by {actor.name}."
        delivery.retry_until, delivery.next_attempt_at = now + window(ws.settings.outgoing_webhooks), None
        stored = uow.webhook_deliveries.update(delivery)
        reason = f"Replayed by {actor.name}."
        job = _new_job(uow, ws, stored, actor=actor) if job is None else ledger.reopen(uow, ws, job, reason=reason)
        audit.record(
            uow,
            "webhook_replayed",
            actor=actor.name,
            session_id=stored.session_id,
            detail={"delivery": delivery_id, "event": stored.event, "subscription": stored.subscription_id},
        )
        uow.commit()
    wake(ws, [job])
    return stored


@dataclass(frozen=True)
class DeliveryLog:
    """One delivery as the Webhook log shows it: with where it goes and every attempt, oldest first."""

    delivery: WebhookDelivery
    url: str
    attempts: list[DeliveryAttempt]


def recent(
    ws: Workspace, *, actor: Actor, statuses: list[DeliveryStatus] | None = None, limit: int = 200
) -> list[WebhookDelivery]:
    """The newest deliveries, for the people who look after the workspace (their bodies name candidates)."""
    authorize_action(ws.settings, actor, Action.MANAGE_WEBHOOKS)
    with ws.uow_factory() as uow:
        return uow.webhook_deliveries.latest(limit=limit, statuses=statuses)


def delivery_log(ws: Workspace, delivery_id: int, *, actor: Actor) -> DeliveryLog:
    """A delivery with its receiver's address and every attempt."""
    authorize_action(ws.settings, actor, Action.MANAGE_WEBHOOKS)
    with ws.uow_factory() as uow:
        delivery = uow.webhook_deliveries.get(delivery_id)
        subscription: WebhookSubscription = uow.webhook_subscriptions.get(delivery.subscription_id)
        return DeliveryLog(delivery, subscription.url, uow.delivery_attempts.for_delivery(delivery_id))


def counts(ws: Workspace, *, actor: Actor) -> dict[str, int]:
    authorize_action(ws.settings, actor, Action.MANAGE_WEBHOOKS)
    with ws.uow_factory() as uow:
        return uow.webhook_deliveries.counts()


def _new_job(uow: UnitOfWork, ws: Workspace, delivery: WebhookDelivery, *, actor: Actor) -> Job:
    assert delivery.id is not None
    return ledger.add(
        uow,
        ws,
        DELIVER_WEBHOOK,
        job_key(delivery.message_id, delivery.subscription_id),
        actor=actor,
        payload={"delivery_id": delivery.id},
        session_id=delivery.session_id,
        max_attempts=most_tries(ws.settings.outgoing_webhooks) + 1,  # one spare for a worker lost mid-try
    )
