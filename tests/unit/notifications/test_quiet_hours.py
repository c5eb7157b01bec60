"""Quiet hours: written from-until, across midnight or not; a message due inside waits until they end, in the
person's own zone (summer time included)."""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest

from core.errors import InvalidInput
from core.notifications.quiet_hours import QuietHours, parse

ROME = ZoneInfo("Europe/Rome")
NIGHT = QuietHours(time(21), time(8))


def test_written_as_from_until() -> None:
    assert parse("21:00-08:00") == NIGHT
    assert parse(" 9:30 – 12:00 ") == QuietHours(time(9, 30), time(12))
    assert parse("") is None
    assert str(NIGHT) == "21:00-08:00"


@pytest.mark.parametrize("typed", ["21-08", "25:00-08:00", "21:00-08:61", "tonight", "08:00-08:00"])
def test_anything_else_is_refused_with_the_form_wanted(typed: str) -> None:
    with pytest.raises(InvalidInput, match="Quiet hours"):
        parse(typed)


def test_a_stretch_across_midnight_holds_on_both_sides_of_it() -> None:
    assert NIGHT.holds(time(23, 59)) and NIGHT.holds(time(0, 0)) and NIGHT.holds(time(7, 59))
    assert not NIGHT.holds(time(8, 0)) and not NIGHT.holds(time(20, 59))
    lunch = QuietHours(time(13), time(14))
    assert lunch.holds(time(13, 30)) and not lunch.holds(time(14)) and not lunch.holds(time(12, 59))


def test_a_message_due_late_in_the_evening_waits_until_the_next_morning_in_the_persons_zone() -> None:
    due = datetime(2030, 6, 3, 20, 30, tzinfo=UTC)  # 22:30 in Rome (summer time)
    assert NIGHT.release(due, ROME) == datetime(2030, 6, 4, 6, 0, tzinfo=UTC)  # 08:00 in Rome


def test_a_message_due_after_midnight_waits_until_that_morning() -> None:
    due = datetime(2030, 1, 15, 1, 0, tzinfo=UTC)  # 02:00 in Rome (winter time)
    assert NIGHT.release(due, ROME) == datetime(2030, 1, 15, 7, 0, tzinfo=UTC)


def test_a_message_due_outside_quiet_hours_goes_when_due() -> None:
    due = datetime(2030, 6, 3, 10, 0, tzinfo=UTC)
    assert NIGHT.release(due, ROME) == due
