"""The outgoing webhooks' retry schedule: waits that double from the first, capped, for a bounded window."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from core.config import OutgoingWebhookSettings
from core.outgoing_webhooks.retry_schedule import most_tries, next_try, wait_after, window

T0 = datetime(2030, 6, 4, 12, 0, tzinfo=UTC)
DEFAULTS = OutgoingWebhookSettings()


def test_waits_double_from_the_first_and_stop_at_the_longest() -> None:
    assert [wait_after(DEFAULTS, n) for n in range(1, 12)] == [5, 10, 20, 40, 80, 160, 320, 640, 1280, 2560, 3600]
    assert wait_after(DEFAULTS, 500) == 3600  # no overflow however many tries


def test_the_next_try_falls_within_the_window_and_the_last_one_on_its_end() -> None:
    until = T0 + window(DEFAULTS)
    assert next_try(DEFAULTS, 1, T0, until) == T0 + timedelta(seconds=5)
    late = until - timedelta(minutes=10)
    assert next_try(DEFAULTS, 30, late, until) == until  # an hour's wait would overshoot: the end instead
    assert next_try(DEFAULTS, 31, until, until) is None
    assert next_try(DEFAULTS, 31, until + timedelta(seconds=1), until) is None


def test_most_tries_is_what_walking_the_schedule_makes() -> None:
    for settings in (
        DEFAULTS,
        OutgoingWebhookSettings(first_retry_seconds=0.2, longest_wait_seconds=1, retry_hours=0.01),
        OutgoingWebhookSettings(first_retry_seconds=60, longest_wait_seconds=60, retry_hours=1),
        OutgoingWebhookSettings(first_retry_seconds=5, retry_hours=0.0001),  # shorter than the first wait
    ):
        now, until, tries = T0, T0 + window(settings), 1
        while (later := next_try(settings, tries, now, until)) is not None:
            now, tries = later, tries + 1
        assert most_tries(settings) == tries, settings
    assert most_tries(DEFAULTS) == 34  # 11 doubling tries over 85 minutes, then hourly to the day's end
