"""The month's window and how spend against the budget reads."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from core.ai_budget.spend import Spend, month_bounds, usd


def test_a_month_is_the_utc_calendar_month() -> None:
    assert month_bounds(datetime(2031, 1, 31, 23, 59, tzinfo=UTC)) == (
        datetime(2031, 1, 1, tzinfo=UTC),
        datetime(2031, 2, 1, tzinfo=UTC),
    )
    assert month_bounds(datetime(2031, 12, 15, tzinfo=UTC))[1] == datetime(2032, 1, 1, tzinfo=UTC)
    # 00:30 on 1 March in Rome is still February in UTC
    rome = timezone(timedelta(hours=1))
    assert month_bounds(datetime(2031, 3, 1, 0, 30, tzinfo=rome))[0] == datetime(2031, 2, 1, tzinfo=UTC)


def test_spend_reads_against_its_limit() -> None:
    assert Spend(3.2, 50.0).text() == "$3.20 of $50 this month"
    assert Spend(3.2, 12.5).text() == "$3.20 of $12.50 this month"
    assert Spend(0.001, None).text() == "under $0.01 this month (no limit)"
    assert not Spend(49.99, 50.0).reached and Spend(50.0, 50.0).reached and not Spend(1e6, None).reached
    assert Spend(25.0, 50.0).share == 0.5 and Spend(80.0, 50.0).share == 1.0 and Spend(1.0, None).share is None
    assert usd(1234.5) == "$1,234.50" and usd(0) == "$0.00"
