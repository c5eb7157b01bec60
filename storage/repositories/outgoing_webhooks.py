"""Outgoing webhooks: subscriptions, their deliveries and every attempt (core.outgoing_webhooks)."""

from __future__ import annotations

from typing import ClassVar

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from core.errors import AlreadyExists
from core.models import DeliveryAttempt, DeliveryStatus, WebhookDelivery, WebhookSubscription
from storage.repositories.base import EnumFields, SqlRepository
from storage.tables import DeliveryAttemptRow, WebhookDeliveryRow, WebhookSubscriptionRow


class SqlWebhookSubscriptionRepository(SqlRepository[WebhookSubscription, WebhookSubscriptionRow]):
    model = WebhookSubscription
    row_type = WebhookSubscriptionRow
    missing = "No webhook subscription {}."

    def add(self, subscription: WebhookSubscription) -> WebhookSubscription:
        return self._add(subscription)

    def get(self, subscription_id: str) -> WebhookSubscription:
        return self._get(subscription_id)

    def update(self, subscription: WebhookSubscription) -> WebhookSubscription:
        return self._update(subscription, subscription.id)

    def delete(self, subscription_id: str) -> None:
        """The database's foreign keys take its deliveries and their attempts with it."""
        self._session.delete(self._row(subscription_id))
        self._session.flush()
        self._session.expire_all()  # deliveries loaded in this unit of work are gone

    def all(self) -> list[WebhookSubscription]:
        query = select(WebhookSubscriptionRow)
        return self._many(query.order_by(WebhookSubscriptionRow.created_at, WebhookSubscriptionRow.id))

    def enabled(self) -> list[WebhookSubscription]:
        query = select(WebhookSubscriptionRow).where(WebhookSubscriptionRow.enabled.is_(True))
        return self._many(query.order_by(WebhookSubscriptionRow.created_at, WebhookSubscriptionRow.id))


class SqlWebhookDeliveryRepository(SqlRepository[WebhookDelivery, WebhookDeliveryRow]):
    model = WebhookDelivery
    row_type = WebhookDeliveryRow
    missing = "No webhook delivery #{}."
    enums: ClassVar[EnumFields] = {"status": DeliveryStatus}

    def add(self, delivery: WebhookDelivery) -> WebhookDelivery:
        try:
            return self._add(delivery)
        except IntegrityError as exc:
            if "unique" not in str(exc.orig).lower():
                raise  # a foreign key: the subscription or the session is not stored
            raise AlreadyExists(f"Message {delivery.message_id} is already a delivery of that subscription.") from exc

    def get(self, delivery_id: int) -> WebhookDelivery:
        return self._get(delivery_id)

    def update(self, delivery: WebhookDelivery) -> WebhookDelivery:
        return self._update(delivery, delivery.id)

    def latest(
        self,
        *,
        limit: int = 100,
        statuses: list[DeliveryStatus] | None = None,
        subscription_id: str | None = None,
    ) -> list[WebhookDelivery]:
        query = select(WebhookDeliveryRow)
        if statuses:
            query = query.where(WebhookDeliveryRow.status.in_([s.value for s in statuses]))
        if subscription_id is not None:
            query = query.where(WebhookDeliveryRow.subscription_id == subscription_id)
        order = (WebhookDeliveryRow.created_at.desc(), WebhookDeliveryRow.id.desc())
        return self._many(query.order_by(*order).limit(limit))

    def in_session(self, session_id: str) -> list[WebhookDelivery]:
        return self._in_session(session_id, WebhookDeliveryRow.id)

    def counts(self) -> dict[str, int]:
        rows = self._session.execute(
            select(WebhookDeliveryRow.status, func.count()).group_by(WebhookDeliveryRow.status)
        )
        return {status: count for status, count in rows}


class SqlDeliveryAttemptRepository(SqlRepository[DeliveryAttempt, DeliveryAttemptRow]):
    model = DeliveryAttempt
    row_type = DeliveryAttemptRow
    missing = "No delivery attempt #{}."
    ignores_given_id = True

    def add(self, attempt: DeliveryAttempt) -> DeliveryAttempt:
        return self._add(attempt)

    def for_delivery(self, delivery_id: int) -> list[DeliveryAttempt]:
        query = select(DeliveryAttemptRow).where(DeliveryAttemptRow.delivery_id == delivery_id)
        return self._many(query.order_by(DeliveryAttemptRow.attempted_at, DeliveryAttemptRow.id))
