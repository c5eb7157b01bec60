"""The daily cleanup's timer: when it wakes, and that it runs the cleanup then and only then."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta, timezone

import pytest

from core.models import DataRequestKind
from entry.retention_timer import keep_cleaning, next_run
from tests.fakes import FakeUnitOfWork
from tests.unit.fake_workspace import Clock, fake_workspace

ROME = timezone(timedelta(hours=1))


@pytest.mark.parametrize(
    ("after", "expected"),
    [
        (datetime(2031, 3, 10, 1, 30, tzinfo=UTC), datetime(2031, 3, 10, 3, 0, tzinfo=UTC)),
        (datetime(2031, 3, 10, 3, 0, tzinfo=UTC), datetime(2031, 3, 11, 3, 0, tzinfo=UTC)),  # just done: tomorrow
        (datetime(2031, 3, 10, 23, 59, tzinfo=UTC), datetime(2031, 3, 11, 3, 0, tzinfo=UTC)),
        (datetime(2031, 3, 10, 4, 30, tzinfo=ROME), datetime(2031, 3, 11, 3, 0, tzinfo=UTC)),  # 03:30 UTC
        (datetime(2031, 12, 31, 12, 0, tzinfo=UTC), datetime(2032, 1, 1, 3, 0, tzinfo=UTC)),
    ],
)
def test_the_next_run_is_the_next_cleanup_hour_in_utc(after: datetime, expected: datetime) -> None:
    assert next_run(after, 3) == expected


def test_the_timer_runs_the_cleanup_at_the_hour_once_and_stops_when_told() -> None:
    uow = FakeUnitOfWork()
    ws = fake_workspace(uow, Clock(datetime(2031, 3, 10, 2, 59, 59, 800_000, tzinfo=UTC)))
    thread, stop = keep_cleaning(lambda: ws)
    try:
        deadline = time.monotonic() + 5
        while not uow.state.data_requests and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(0.2)  # a fixed clock must not make it run again: the next run is tomorrow
        runs = list(uow.state.data_requests.values())
    finally:
        stop.set()
        thread.join(timeout=5)
    assert [(r.kind, r.actor) for r in runs] == [(DataRequestKind.RETENTION, "system")]
    assert not thread.is_alive()
