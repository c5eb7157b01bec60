"""SlidingWindowLimiter on an injected clock: no test here waits for real, except the threaded one (~0.4 s)."""

from __future__ import annotations

import threading
import time

import pytest

from core.scheduling.calcom.rate_limit import SlidingWindowLimiter


class FakeClock:
    """A monotonic clock that moves only when someone sleeps on it (or a test advances it)."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def limiter(clock: FakeClock, limit: int = 3, window: float = 10.0) -> SlidingWindowLimiter:
    return SlidingWindowLimiter(limit, window, clock=clock, sleep=clock.sleep)


def test_up_to_the_limit_go_at_once(clock: FakeClock) -> None:
    gate = limiter(clock)
    assert [gate.acquire() for _ in range(3)] == [0.0, 0.0, 0.0]
    assert clock.slept == []
    assert gate.available() == 0


def test_one_over_the_limit_waits_until_the_oldest_leaves_the_window(clock: FakeClock) -> None:
    gate = limiter(clock)
    gate.acquire()
    clock.advance(4)
    gate.acquire()
    gate.acquire()
    assert gate.acquire() == pytest.approx(6.0)  # the first left the window at 1000 + 10
    assert clock.now == pytest.approx(1010.0)


def test_the_window_slides_rather_than_resetting(clock: FakeClock) -> None:
    gate = limiter(clock, limit=2, window=10)
    gate.acquire()  # t = 0
    clock.advance(6)
    gate.acquire()  # t = 6
    assert gate.acquire() == pytest.approx(4.0)  # t = 10: the first has left, the one at 6 has not
    assert gate.acquire() == pytest.approx(6.0)  # t = 16: now the one at 6 has left
    assert clock.now == pytest.approx(1016.0)


def test_n_plus_one_acquisitions_never_put_more_than_n_in_any_window(clock: FakeClock) -> None:
    gate = limiter(clock, limit=5, window=1.0)
    times = []
    for _ in range(16):
        gate.acquire()
        times.append(clock.now)
    for i, started in enumerate(times):
        assert sum(1 for t in times[i:] if t < started + 1.0 - 1e-9) <= 5
    assert times[-1] - times[0] >= 3.0 - 1e-9  # 16 requests at 5 per second need at least 3 s


def test_pause_holds_requests_even_under_the_limit(clock: FakeClock) -> None:
    gate = limiter(clock)
    gate.pause(7.5)
    assert gate.available() == 0
    assert gate.acquire() == pytest.approx(7.5)
    assert gate.available() == 2


def test_a_shorter_pause_does_not_cut_a_longer_one(clock: FakeClock) -> None:
    gate = limiter(clock)
    gate.pause(5)
    gate.pause(1)
    gate.pause(0)
    gate.pause(-3)
    assert gate.acquire() == pytest.approx(5.0)


def test_pause_and_a_full_window_wait_for_whichever_ends_later(clock: FakeClock) -> None:
    gate = limiter(clock, limit=1, window=10)
    gate.acquire()
    gate.pause(3)
    assert gate.acquire() == pytest.approx(10.0)


def test_available_counts_what_could_go_now(clock: FakeClock) -> None:
    gate = limiter(clock)
    assert gate.available() == 3
    gate.acquire()
    assert gate.available() == 2
    clock.advance(10)
    assert gate.available() == 3


@pytest.mark.parametrize(("limit", "window"), [(0, 1.0), (-1, 1.0), (1, 0.0), (1, -2.0)])
def test_nonsense_settings_are_refused(limit: int, window: float) -> None:
    with pytest.raises(ValueError):
        SlidingWindowLimiter(limit, window)


def test_threads_sharing_a_limiter_stay_under_it_together() -> None:
    window = 0.2
    gate = SlidingWindowLimiter(4, window)
    times: list[float] = []
    lock = threading.Lock()

    def worker() -> None:
        for _ in range(3):
            gate.acquire()
            with lock:
                times.append(time.monotonic())

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=5)
    times.sort()
    assert len(times) == 9
    assert times[-1] - times[0] >= 2 * window - 0.01  # 9 at 4 per window span two full windows
    for i, started in enumerate(times):
        # slack for the gap between acquire() returning and the worker reading the clock
        assert sum(1 for t in times[i:] if t < started + window - 0.08) <= 4
