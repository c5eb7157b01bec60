"""Remembers a provider that just failed, so the next answers don't each wait out its retries.

After a transient failure (timeouts, 429, 5xx, no network) the offline interviewer answers at
once for a cool-down period; then the provider is tried again. Process-wide and thread-safe:
every browser tab talking to the same endpoint shares what was learnt.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class ProviderHealth:
    def __init__(self, *, cooldown_seconds: float = 60.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.cooldown_seconds = cooldown_seconds
        self._clock = clock
        self._failed_at: dict[str, float] = {}
        self._lock = threading.Lock()

    def wait_left(self, endpoint: str) -> float:
        """Seconds until the endpoint is worth trying again (0 when it is)."""
        with self._lock:
            failed_at = self._failed_at.get(endpoint)
        if failed_at is None:
            return 0.0
        return max(0.0, failed_at + self.cooldown_seconds - self._clock())

    def failed(self, endpoint: str) -> None:
        with self._lock:
            self._failed_at[endpoint] = self._clock()

    def succeeded(self, endpoint: str) -> None:
        with self._lock:
            self._failed_at.pop(endpoint, None)
