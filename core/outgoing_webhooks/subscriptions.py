"""Subscriptions to outgoing webhooks: the receiver's address, the events it wants, and its signing secret.

Only admins manage them (a subscription sends candidates' names and emails wherever it points). The secret is
made here, handed back once by `subscribe` for the admin to give the receiver, and never shown, logged or
audited again; the address is checked before anything is stored, so a typo is refused with the reason rather
than failing a day of deliveries later. The audit log names the receiver by its host: a path or query may
hold the receiver's own token.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable
from dataclasses import replace

from core import audit
from core.errors import InvalidInput
from core.models import OutgoingEvent, WebhookSubscription
from core.outgoing_webhooks.receiver_address import checked_url, host_of
from core.outgoing_webhooks.signing import new_secret
from core.permissions.access import authorize_action
from core.permissions.actor import Actor
from core.permissions.policy import Action
from core.single_line import single_line
from core.workspace import Workspace

log = logging.getLogger(__name__)

MAX_DESCRIPTION_CHARS = 500


def subscribe(
    ws: Workspace, *, url: str, events: Iterable[str], description: str = "", actor: Actor
) -> WebhookSubscription:
    """Store a new, enabled subscription with a new secret; the one time the secret is handed out is here."""
    authorize_action(ws.settings, actor, Action.MANAGE_WEBHOOKS)
    address = checked_url(url)
    wanted = checked_events(events)
    text = single_line(description)
    if len(text) > MAX_DESCRIPTION_CHARS:
        raise InvalidInput(f"Keep the description under {MAX_DESCRIPTION_CHARS} characters (it has {len(text)}).")
    subscription = WebhookSubscription(
        id=uuid.uuid4().hex,
        url=address,
        events=wanted,
        secret=new_secret(),
        description=text,
        created_by=actor.name,
        created_at=ws.clock(),
    )
    with ws.uow_factory() as uow:
        stored = uow.webhook_subscriptions.add(subscription)
        detail = {"subscription": stored.id, "host": host_of(address), "events": wanted}
        audit.record(uow, "webhook_subscribed", actor=actor.name, detail=detail, logger=log)
        uow.commit()
    return stored


def listing(ws: Workspace, *, actor: Actor) -> list[WebhookSubscription]:
    """Every subscription, oldest first, without its secret (it was shown once, when it was made)."""
    authorize_action(ws.settings, actor, Action.MANAGE_WEBHOOKS)
    with ws.uow_factory() as uow:
        return [replace(s, secret="") for s in uow.webhook_subscriptions.all()]


def set_enabled(ws: Workspace, subscription_id: str, enabled: bool, *, actor: Actor) -> WebhookSubscription:
    """Enable or disable: a disabled subscription gets no new deliveries, and its queued ones are not sent."""
    authorize_action(ws.settings, actor, Action.MANAGE_WEBHOOKS)
    with ws.uow_factory() as uow:
        subscription = uow.webhook_subscriptions.get(subscription_id)
        if subscription.enabled is not enabled:
            subscription.enabled = enabled
            subscription = uow.webhook_subscriptions.update(subscription)
            action = "webhook_enabled" if enabled else "webhook_disabled"
            audit.record(uow, action, actor=actor.name, detail={"subscription": subscription_id}, logger=log)
            uow.commit()
    return replace(subscription, secret="")


def unsubscribe(ws: Workspace, subscription_id: str, *, actor: Actor) -> None:
    """Delete the subscription with its secret and its delivery log; a job still queued for it finds nothing."""
    authorize_action(ws.settings, actor, Action.MANAGE_WEBHOOKS)
    with ws.uow_factory() as uow:
        subscription = uow.webhook_subscriptions.get(subscription_id)
        uow.webhook_subscriptions.delete(subscription_id)
        detail = {"subscription": subscription_id, "host": host_of(subscription.url)}
        audit.record(uow, "webhook_unsubscribed", actor=actor.name, detail=detail, logger=log)
        uow.commit()


def checked_events(events: Iterable[str]) -> list[str]:
    """The events as stored (in OutgoingEvent's order), or InvalidInput naming the choices."""
    known = [e.value for e in OutgoingEvent]
    wanted = set(events)
    unknown = sorted(wanted - set(known))
    if unknown:
        raise InvalidInput(f"Unknown event {unknown[0]!r}; choose from {', '.join(known)}.")
    if not wanted:
        raise InvalidInput("Choose at least one event to send.")
    return [e for e in known if e in wanted]
