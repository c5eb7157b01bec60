"""When an outgoing webhook is tried again: exponential backoff for a bounded time (settings.outgoing_webhooks).

A receiver that is down for minutes (a deploy) or hours (an outage) still gets every event once it is back,
and one that never comes back stops costing a worker after retry_hours: the delivery then fails with its
last reason, and an admin can replay it.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from core.config import OutgoingWebhookSettings


def wait_after(settings: OutgoingWebhookSettings, tries: int) -> float:
    """Seconds to wait after try number `tries` (1, 2, …) failed: the first wait, doubling, capped."""
    doubling = settings.first_retry_seconds * 2 ** min(max(tries - 1, 0), 60)
    return min(doubling, settings.longest_wait_seconds)


def window(settings: OutgoingWebhookSettings) -> timedelta:
    """How long a delivery is tried, from the moment it is written (or replayed)."""
    return timedelta(hours=settings.retry_hours)


def next_try(settings: OutgoingWebhookSettings, tries: int, now: datetime, retry_until: datetime) -> datetime | None:
    """When to try again after try number `tries` failed at `now`; None once `retry_until` is reached. The last
    try falls on retry_until itself, so a receiver back just before the end still gets the delivery."""
    if now >= retry_until:
        return None
    return min(now + timedelta(seconds=wait_after(settings, tries)), retry_until)


def most_tries(settings: OutgoingWebhookSettings) -> int:
    """How many tries the schedule makes at most within its window (a worker that is late makes fewer): the
    job's own limit, so the runner never gives up before the schedule does."""
    span = window(settings).total_seconds()
    elapsed, tries = 0.0, 1
    while elapsed < span and wait_after(settings, tries) < settings.longest_wait_seconds:  # the doubling waits
        elapsed += wait_after(settings, tries)
        tries += 1
    if elapsed < span:  # then one try per longest wait; the last one falls on the window's end
        tries += math.ceil((span - elapsed) / settings.longest_wait_seconds)
    return tries
