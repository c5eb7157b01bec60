"""A thread-safe sliding-window rate limiter, so a client stays under a server's request quota.

Servers such as Cal.com count requests per key over a window and, once over, block the key for a
while (Cal.com: 120 per 60 s, then blocked 60 s). Staying under the quota on our side is cheaper
than being blocked: `acquire()` blocks until one more request fits in the window. A server may
also say its budget is spent early (another process shares the key); `pause(seconds)` then holds
every request until that time has passed.

The clock and sleep are injectable, so tests run without waiting.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

_EPSILON = 1e-9  # float slack, so a wait computed as 1e-17 s does not loop forever on a fake clock


class SlidingWindowLimiter:
    """At most `limit` acquisitions in any `window` seconds, plus server-requested pauses."""

    def __init__(
        self,
        limit: int,
        window: float = 60.0,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if limit < 1:
            raise ValueError(f"limit must be at least 1, not {limit}")
        if window <= 0:
            raise ValueError(f"window must be positive, not {window}")
        self.limit = limit
        self.window = float(window)
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._sent: deque[float] = deque()  # times of the acquisitions still inside the window
        self._paused_until = 0.0

    def acquire(self) -> float:
        """Wait until a request may go, count it, and return the seconds waited."""
        waited = 0.0
        while True:
            with self._lock:
                delay = self._delay(self._clock())
                if delay <= _EPSILON:
                    self._sent.append(self._clock())
                    return waited
            # Sleep outside the lock so other threads can compute their own waits; re-check afterwards,
            # since another thread may have taken the slot this one was waiting for.
            self._sleep(delay)
            waited += delay

    def pause(self, seconds: float) -> None:
        """Let no request go for `seconds` from now (a server said the budget is spent)."""
        if seconds <= 0:
            return
        with self._lock:
            self._paused_until = max(self._paused_until, self._clock() + seconds)

    def available(self) -> int:
        """How many requests could go right now without waiting (0 while paused)."""
        with self._lock:
            now = self._clock()
            self._forget_old(now)
            if now < self._paused_until:
                return 0
            return self.limit - len(self._sent)

    def _forget_old(self, now: float) -> None:
        while self._sent and self._sent[0] + self.window <= now + _EPSILON:
            self._sent.popleft()

    def _delay(self, now: float) -> float:
        """Seconds until a request fits: 0 when it may go now. Call with the lock held."""
        self._forget_old(now)
        delay = self._paused_until - now
        if len(self._sent) >= self.limit:
            # The oldest request in the window leaves it at sent[0] + window.
            delay = max(delay, self._sent[len(self._sent) - self.limit] + self.window - now)
        return delay
