"""Fakes of the outgoing webhook repositories: the orders, filters, unique key and cascades of storage's."""

from __future__ import annotations

import copy
from dataclasses import replace
from types import MappingProxyType

from core.errors import AlreadyExists
from core.models import DeliveryAttempt, DeliveryStatus, WebhookDelivery, WebhookSubscription
from tests.fakes.base import FakeIntegrityError, Mirror, sorted_by


class FakeWebhookSubscriptionRepository(Mirror[WebhookSubscription, str]):
    model = WebhookSubscription
    table = "webhook_subscriptions"
    noun = "webhook subscription"
    json_columns = ("events",)

    def delete(self, subscription_id: str) -> None:
        """Like the foreign keys: its deliveries go, and their attempts with them."""
        self.get(subscription_id)
        state = self._state
        del state.webhook_subscriptions[subscription_id]
        gone = {k for k, d in state.webhook_deliveries.items() if d.subscription_id == subscription_id}
        state.webhook_deliveries = {k: d for k, d in state.webhook_deliveries.items() if k not in gone}
        state.delivery_attempts = {k: a for k, a in state.delivery_attempts.items() if a.delivery_id not in gone}

    def all(self) -> list[WebhookSubscription]:
        return copy.deepcopy(sorted_by(self._rows.values(), "created_at", "id"))

    def enabled(self) -> list[WebhookSubscription]:
        return copy.deepcopy(sorted_by([s for s in self._rows.values() if s.enabled], "created_at", "id"))


class FakeWebhookDeliveryRepository(Mirror[WebhookDelivery, int]):
    model = WebhookDelivery
    table = "webhook_deliveries"
    noun = "webhook delivery"
    autoincrement = True
    enums = MappingProxyType({"status": DeliveryStatus})
    references = MappingProxyType({"subscription_id": "webhook_subscriptions", "session_id": "sessions"})

    def add(self, item: WebhookDelivery) -> WebhookDelivery:
        if any(
            d.message_id == item.message_id and d.subscription_id == item.subscription_id for d in self._rows.values()
        ):
            error = FakeIntegrityError("UNIQUE constraint failed: webhook_deliveries.message_id, subscription_id")
            raise AlreadyExists(f"Message {item.message_id} is already a delivery of that subscription.") from (
                self._fail(error)
            )
        return super().add(item)

    def latest(
        self,
        *,
        limit: int = 100,
        statuses: list[DeliveryStatus] | None = None,
        subscription_id: str | None = None,
    ) -> list[WebhookDelivery]:
        rows = [
            r
            for r in self._rows.values()
            if (not statuses or r.status in statuses) and subscription_id in (None, r.subscription_id)
        ]
        return copy.deepcopy(sorted_by(rows, "created_at", "id", reverse=True)[: max(limit, 0)])

    def in_session(self, session_id: str) -> list[WebhookDelivery]:
        return copy.deepcopy(sorted_by(self._where(session_id=session_id), "id"))

    def counts(self) -> dict[str, int]:
        found: dict[str, int] = {}
        for row in self._rows.values():
            found[row.status.value] = found.get(row.status.value, 0) + 1
        return found


class FakeDeliveryAttemptRepository(Mirror[DeliveryAttempt, int]):
    model = DeliveryAttempt
    table = "delivery_attempts"
    noun = "delivery attempt"
    autoincrement = True
    references = MappingProxyType({"delivery_id": "webhook_deliveries"})

    def add(self, item: DeliveryAttempt) -> DeliveryAttempt:
        return super().add(replace(item, id=None))  # the database numbers every attempt

    def for_delivery(self, delivery_id: int) -> list[DeliveryAttempt]:
        return copy.deepcopy(sorted_by(self._where(delivery_id=delivery_id), "attempted_at", "id"))
