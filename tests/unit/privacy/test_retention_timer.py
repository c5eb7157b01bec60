"""The daily cleanup's timer: when it wakes, and that it runs the cleanup then and only then."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta, timezone

import pytest

from core.models import DataRequest, DataRequestKind
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


def runs_while_timer_is_on(uow: FakeUnitOfWork, clock: Clock, *, expected: int) -> list[DataRequest]:
    """Start the timer, wait for `expected` runs, then a little more (a fixed clock must not make it run again)."""
    ws = fake_workspace(uow, clock)
    thread, stop = keep_cleaning(lambda: ws)
    try:
        deadline = time.monotonic() + 5
        while len(uow.data_requests.latest()) < expected and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(0.3)
        runs = uow.data_requests.latest(kind=DataRequestKind.RETENTION)
    finally:
        stop.set()
        thread.join(timeout=5)
    assert not thread.is_alive()
    return runs


def ran_at(uow: FakeUnitOfWork, at: datetime) -> None:
    with uow:
        uow.data_requests.add(DataRequest(kind=DataRequestKind.RETENTION, actor="system", counts={}, created_at=at))
        uow.commit()


def test_the_timer_runs_the_cleanup_at_the_hour_once_and_stops_when_told() -> None:
    uow = FakeUnitOfWork()
    ran_at(uow, datetime(2031, 3, 9, 3, 0, tzinfo=UTC))  # yesterday's run: nothing to catch up
    runs = runs_while_timer_is_on(uow, Clock(datetime(2031, 3, 10, 2, 59, 59, 800_000, tzinfo=UTC)), expected=2)
    assert [(r.kind, r.actor) for r in runs] == [(DataRequestKind.RETENTION, "system")] * 2


@pytest.mark.parametrize("last", [None, datetime(2031, 3, 7, 3, 0, tzinfo=UTC)], ids=["never", "days-ago"])
def test_a_server_that_missed_the_hour_catches_up_at_start_and_not_again_soon(last: datetime | None) -> None:
    uow = FakeUnitOfWork()
    if last is not None:
        ran_at(uow, last)
    # 02:59:59.8: the catch-up runs now, and the 03:00 run 0.2 s later is skipped (too soon after it)
    start = datetime(2031, 3, 10, 2, 59, 59, 800_000, tzinfo=UTC)
    runs = runs_while_timer_is_on(uow, Clock(start), expected=1 + (last is not None))
    assert [r.created_at for r in runs if r.created_at != last] == [start]


def test_a_run_less_than_a_day_ago_is_not_repeated_at_start() -> None:
    uow = FakeUnitOfWork()
    ran_at(uow, datetime(2031, 3, 10, 3, 0, tzinfo=UTC))
    runs = runs_while_timer_is_on(uow, Clock(datetime(2031, 3, 10, 20, 0, tzinfo=UTC)), expected=1)
    assert len(runs) == 1  # only the earlier one: the next is tomorrow at 03:00


def test_catching_up_happens_at_start_whatever_the_hour() -> None:
    uow = FakeUnitOfWork()
    ran_at(uow, datetime(2031, 3, 8, 3, 0, tzinfo=UTC))  # the server was down the last two nights
    start = datetime(2031, 3, 10, 10, 0, tzinfo=UTC)  # 17 hours before the next cleanup hour
    runs = runs_while_timer_is_on(uow, Clock(start), expected=2)
    assert [r.created_at for r in runs] == [start, datetime(2031, 3, 8, 3, 0, tzinfo=UTC)]
