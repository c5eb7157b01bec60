from __future__ import annotations

import random
import re
import time as clock
from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from core.errors import WorkspaceError
from core.scheduling.availability import (
    Busy,
    Conflict,
    Member,
    SchedulingError,
    Slot,
    WorkingHours,
    conflicts,
    free_slots,
    suggest_alternatives,
)

MIN = timedelta(minutes=1)
HOUR = timedelta(hours=1)
ZERO = timedelta(0)

# Ana works 09–17 in Lisbon (UTC+0 in winter, UTC+1 from 29 March 2026); Ben works 09–17 in
# New York (UTC-5 until 8 March 2026, then UTC-4). So their shared hours move in March 2026:
#   2–6 March:   Ana 09–17 UTC, Ben 14–22 UTC  -> 14:00–17:00 UTC
#   9–27 March:  Ana 09–17 UTC, Ben 13–21 UTC  -> 13:00–17:00 UTC
#   30 March on: Ana 08–16 UTC, Ben 13–21 UTC  -> 13:00–16:00 UTC
ANA = Member("ana", "Ana Silva", "Europe/Lisbon", WorkingHours.weekdays())
BEN = Member("ben", "Ben Ng", "America/New_York", WorkingHours.weekdays())


def utc(day: int, hour: int, minute: int = 0, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


def starts(slots: list[Slot]) -> list[datetime]:
    return [slot.start for slot in slots]


def find(
    members: list[Member],
    busy: list[Busy],
    start: datetime,
    end: datetime,
    *,
    duration: timedelta = HOUR,
    step: timedelta = timedelta(minutes=30),
    buffer_before: timedelta = ZERO,
    buffer_after: timedelta = ZERO,
    not_before: datetime | None = None,
) -> list[Slot]:
    return free_slots(
        members,
        busy,
        window_start=start,
        window_end=end,
        duration=duration,
        step=step,
        buffer_before=buffer_before,
        buffer_after=buffer_after,
        not_before=not_before,
    )


# --------------------------------------------------------------------------------------------
# free_slots
# --------------------------------------------------------------------------------------------


def test_shared_hours_across_time_zones_and_the_us_dst_change_weekend() -> None:
    slots = find([ANA, BEN], [], utc(6, 0), utc(10, 0))  # Friday 6 March to Tuesday 10 March
    friday = [utc(6, 14), utc(6, 14, 30), utc(6, 15), utc(6, 15, 30), utc(6, 16)]
    monday = [utc(9, 13), utc(9, 13, 30), utc(9, 14), utc(9, 14, 30), utc(9, 15), utc(9, 15, 30), utc(9, 16)]
    assert starts(slots) == friday + monday  # nothing on the weekend, an hour more once New York moved
    assert all(slot.end - slot.start == HOUR for slot in slots)
    assert all(slot.start.tzinfo is UTC and slot.end.tzinfo is UTC for slot in slots)


def test_shared_hours_after_the_european_dst_change() -> None:
    slots = find([ANA, BEN], [], utc(30, 0), utc(31, 0))  # Monday 30 March
    assert starts(slots) == [utc(30, 13), utc(30, 13, 30), utc(30, 14), utc(30, 14, 30), utc(30, 15)]


def test_a_weekend_worker_gets_dst_correct_hours_on_the_change_day() -> None:
    every_day = WorkingHours({day: [(time(9), time(17))] for day in range(7)})
    carla = Member("carla", "Carla Ruiz", "America/New_York", every_day)
    slots = find([carla], [], utc(7, 0), utc(9, 0), duration=8 * HOUR, step=HOUR)
    # Saturday 7 March is still EST (UTC-5); Sunday 8 March is EDT (UTC-4) from 02:00 local.
    assert slots == [Slot(utc(7, 14), utc(7, 22)), Slot(utc(8, 13), utc(8, 21))]


def test_no_slot_on_a_day_off() -> None:
    assert find([ANA], [], utc(7, 0), utc(9, 0)) == []  # Saturday and Sunday


def test_a_slot_exactly_touching_a_busy_interval_is_allowed_with_zero_buffers() -> None:
    busy = [Busy("ana", utc(3, 15), utc(3, 15, 30))]
    slots = find([ANA, BEN], busy, utc(3, 0), utc(4, 0), duration=30 * MIN)
    assert starts(slots) == [utc(3, 14), utc(3, 14, 30), utc(3, 15, 30), utc(3, 16), utc(3, 16, 30)]


def test_buffers_keep_a_gap_on_both_sides_of_existing_busy_time() -> None:
    busy = [Busy("ana", utc(3, 15), utc(3, 15, 30))]
    slots = find([ANA, BEN], busy, utc(3, 0), utc(4, 0), duration=30 * MIN, buffer_after=10 * MIN)
    # 14:30 would end as the busy interval starts (no room for this interview's break after);
    # 15:30 would start as it ends (no room for that engagement's break after): symmetric.
    assert starts(slots) == [utc(3, 14), utc(3, 16), utc(3, 16, 30)]


def test_the_gap_is_the_larger_buffer_whichever_side_it_was_given_on() -> None:
    busy = [Busy("ana", utc(3, 15), utc(3, 15, 30))]
    for before, after in [(20 * MIN, ZERO), (ZERO, 20 * MIN), (20 * MIN, 5 * MIN)]:
        slots = find(
            [ANA, BEN],
            busy,
            utc(3, 0),
            utc(4, 0),
            duration=30 * MIN,
            step=5 * MIN,
            buffer_before=before,
            buffer_after=after,
        )
        got = starts(slots)
        assert max(s for s in got if s < utc(3, 15)) == utc(3, 14, 10)  # ends 14:40, 20 min before 15:00
        assert min(s for s in got if s > utc(3, 15)) == utc(3, 15, 50)  # starts 20 min after 15:30


def test_busy_time_of_someone_else_does_not_block() -> None:
    busy = [Busy("zoe", utc(3, 14), utc(3, 17))]
    assert len(find([ANA, BEN], busy, utc(3, 0), utc(4, 0))) == 5


def test_busy_in_another_time_zone_is_compared_as_an_instant() -> None:
    new_york = ZoneInfo("America/New_York")
    busy = [Busy("ben", datetime(2026, 3, 3, 9, tzinfo=new_york), datetime(2026, 3, 3, 11, tzinfo=new_york))]
    slots = find([ANA, BEN], busy, utc(3, 0), utc(4, 0))  # busy 14:00–16:00 UTC
    assert starts(slots) == [utc(3, 16)]


def test_overlapping_busy_intervals_are_merged() -> None:
    busy = [
        Busy("ana", utc(3, 14), utc(3, 15)),
        Busy("ana", utc(3, 14, 30), utc(3, 15, 30)),
        Busy("ben", utc(3, 15), utc(3, 16)),
    ]
    assert starts(find([ANA, BEN], busy, utc(3, 0), utc(4, 0))) == [utc(3, 16)]


def test_not_before_is_the_earliest_start_on_the_grid() -> None:
    slots = find([ANA, BEN], [], utc(3, 0), utc(4, 0), not_before=utc(3, 14, 50))
    assert starts(slots) == [utc(3, 15), utc(3, 15, 30), utc(3, 16)]


def test_not_before_after_the_window_gives_nothing() -> None:
    assert find([ANA, BEN], [], utc(3, 0), utc(4, 0), not_before=utc(5, 0)) == []


def test_starts_are_aligned_to_the_step_from_the_window_start_rounded_up() -> None:
    slots = find([ANA], [], utc(3, 9, 7), utc(3, 12), step=45 * MIN)
    # A 45-minute grid from midnight UTC: ... 09:00, 09:45, 10:30, 11:15 ...
    assert starts(slots) == [utc(3, 9, 45), utc(3, 10, 30)]


def test_slots_lie_wholly_inside_the_window() -> None:
    slots = find([ANA], [], utc(3, 9), utc(3, 11, 15))
    assert starts(slots) == [utc(3, 9), utc(3, 9, 30), utc(3, 10)]


def test_working_hours_ending_at_midnight_join_the_next_day() -> None:
    late = WorkingHours({0: [(time(18), time(0))], 1: [(time(0), time(2))]})
    owl = Member("owl", "Night Owl", "UTC", late)
    slots = find([owl], [], utc(2, 0), utc(4, 0), step=HOUR)
    assert starts(slots) == [
        utc(2, 18),
        utc(2, 19),
        utc(2, 20),
        utc(2, 21),
        utc(2, 22),
        utc(2, 23),
        utc(3, 0),
        utc(3, 1),
    ]


def test_several_windows_a_day() -> None:
    split = WorkingHours({1: [(time(14), time(17)), (time(9), time(12))]})
    dana = Member("dana", "Dana Lee", "UTC", split)
    slots = find([dana], [], utc(3, 0), utc(4, 0), duration=3 * HOUR, step=HOUR)
    assert starts(slots) == [utc(3, 9), utc(3, 14)]


def test_ten_people_over_two_weeks_is_fast() -> None:
    zones = ["Europe/Lisbon", "America/New_York", "Europe/Berlin", "Asia/Kolkata", "America/Sao_Paulo"]
    members = [
        Member(
            f"m{i}", f"Person {i}", zones[i % len(zones)], WorkingHours({d: [(time(7), time(21))] for d in range(7)})
        )
        for i in range(10)
    ]
    rng = random.Random(7)
    busy = []
    for member in members:
        for _ in range(40):
            start = utc(2, 0) + timedelta(minutes=30 * rng.randrange(14 * 48))
            busy.append(Busy(member.id, start, start + timedelta(minutes=rng.choice([30, 45, 60]))))
    started = clock.perf_counter()
    slots = find(members, busy, utc(2, 0), utc(16, 0), duration=45 * MIN, buffer_after=10 * MIN)
    alternatives = suggest_alternatives(members, busy, start=utc(9, 12), duration=45 * MIN)
    elapsed = clock.perf_counter() - started
    assert elapsed < 1.0
    assert all(not conflicts(members, busy, start=s.start, end=s.end) for s in slots + alternatives)


# --------------------------------------------------------------------------------------------
# conflicts
# --------------------------------------------------------------------------------------------


def test_no_conflicts_for_a_free_time() -> None:
    assert conflicts([ANA, BEN], [], start=utc(3, 14), end=utc(3, 15)) == []


def test_outside_working_hours_is_explained_in_the_members_own_time() -> None:
    found = conflicts([ANA, BEN], [], start=utc(3, 10), end=utc(3, 11))
    assert found == [
        Conflict(
            "ben",
            "Ben Ng",
            "outside working hours",
            member_timezone="America/New_York",
            start=utc(3, 10),
            end=utc(3, 11),
        )
    ]
    assert found[0].describe() == "Ben Ng is outside working hours (05:00–06:00 EST, their local time)"


def test_a_time_running_past_the_end_of_the_day_is_outside_working_hours() -> None:
    found = conflicts([ANA], [], start=utc(3, 16, 30), end=utc(3, 17, 30))
    assert [c.reason for c in found] == ["outside working hours"]


def test_busy_conflicts_name_the_busy_interval_in_the_requested_zone() -> None:
    busy = [Busy("ana", utc(3, 14), utc(3, 15)), Busy("ana", utc(3, 9), utc(3, 10))]
    found = conflicts([ANA, BEN], busy, start=utc(3, 14, 30), end=utc(3, 15, 30))
    assert len(found) == 1
    conflict = found[0]
    assert (conflict.member_id, conflict.reason) == ("ana", "busy")
    assert (conflict.busy_start, conflict.busy_end) == (utc(3, 14), utc(3, 15))
    assert not conflict.within_buffer
    assert conflict.describe() == "Ana Silva is busy 14:00–15:00 UTC"
    assert conflict.describe("America/New_York") == "Ana Silva is busy 09:00–10:00 EST"
    assert conflict.describe(ZoneInfo("Asia/Kolkata")) == "Ana Silva is busy 19:30–20:30 IST"


def test_busy_across_midnight_is_described_with_dates() -> None:
    conflict = Conflict("ana", "Ana Silva", "busy", busy_start=utc(3, 22), busy_end=utc(4, 2))
    assert conflict.describe() == "Ana Silva is busy Tue 03 Mar 22:00 – Wed 04 Mar 02:00 UTC"


def test_a_busy_interval_within_the_buffer_is_reported_as_too_close() -> None:
    busy = [Busy("ana", utc(3, 14), utc(3, 15))]
    found = conflicts([ANA, BEN], busy, start=utc(3, 15, 5), end=utc(3, 16), buffer_after=10 * MIN)
    assert len(found) == 1 and found[0].within_buffer
    assert found[0].describe() == (
        "Ana Silva is busy 14:00–15:00 UTC (too close to leave the required break between interviews)"
    )
    touching = conflicts([ANA, BEN], busy, start=utc(3, 15), end=utc(3, 16), buffer_after=ZERO)
    assert touching == []


def test_all_reasons_are_listed_in_member_order() -> None:
    busy = [Busy("ben", utc(3, 15), utc(3, 16)), Busy("ana", utc(3, 16, 30), utc(3, 17))]
    found = conflicts([ANA, BEN], busy, start=utc(3, 16), end=utc(3, 18))
    assert [(c.member_id, c.reason) for c in found] == [
        ("ana", "outside working hours"),
        ("ana", "busy"),
        ("ben", "busy"),
    ]


def test_conflicts_agree_with_free_slots() -> None:
    busy = [Busy("ana", utc(3, 14, 20), utc(3, 15)), Busy("ben", utc(3, 16), utc(3, 16, 30))]
    options = {"buffer_before": 5 * MIN, "buffer_after": 10 * MIN}
    free = set(starts(find([ANA, BEN], busy, utc(3, 0), utc(4, 0), duration=45 * MIN, step=5 * MIN, **options)))
    for k in range(24 * 12):
        start = utc(3, 0) + k * 5 * MIN
        clash = conflicts([ANA, BEN], busy, start=start, end=start + 45 * MIN, **options)
        assert (start in free) == (not clash), start


# --------------------------------------------------------------------------------------------
# suggest_alternatives
# --------------------------------------------------------------------------------------------


def test_alternatives_prefer_the_same_day_then_nearest_then_later() -> None:
    busy = [Busy("ana", utc(3, 15), utc(3, 15, 30))]
    found = suggest_alternatives([ANA, BEN], busy, start=utc(3, 15), duration=HOUR, count=5, buffer_after=ZERO)
    assert starts(found) == [
        utc(3, 15, 30),  # 30 minutes later
        utc(3, 16),  # an hour later beats an hour earlier
        utc(3, 14),
        utc(4, 14),  # other days: Wednesday 14:00 and Monday 16:00 are both 23 h away; later wins
        utc(2, 16),
    ]


def test_alternatives_on_the_same_local_day_beat_nearer_slots_on_other_days() -> None:
    always = WorkingHours({day: [(time(0), time(0))] for day in range(7)})
    owl = Member("owl", "Night Owl", "UTC", always)
    busy = [Busy("owl", utc(3, 18), utc(3, 23, 59))]
    in_utc = suggest_alternatives([owl], busy, start=utc(3, 23), duration=HOUR, count=1, buffer_after=ZERO)
    assert starts(in_utc) == [utc(3, 17)]  # Tuesday in UTC, though Wednesday 00:00 is nearer
    in_new_york = suggest_alternatives(
        [owl], busy, start=utc(3, 23), duration=HOUR, count=1, buffer_after=ZERO, tz="America/New_York"
    )
    assert starts(in_new_york) == [utc(4, 0)]  # 19:00 on Tuesday in New York


def test_alternatives_respect_not_before_and_never_repeat_the_request() -> None:
    found = suggest_alternatives([ANA, BEN], [], start=utc(3, 15), duration=HOUR, not_before=utc(3, 15))
    assert starts(found) == [utc(3, 15, 30), utc(3, 16), utc(4, 14)]  # 14:00 on Monday is too early


def test_alternatives_stay_within_the_search_range() -> None:
    busy = [Busy("ben", utc(1, 0, month=2), utc(20, 0))]
    assert suggest_alternatives([ANA, BEN], busy, start=utc(3, 15), duration=HOUR, search_days=14) == []
    found = suggest_alternatives([ANA, BEN], busy, start=utc(3, 15), duration=HOUR, search_days=17, count=1)
    assert starts(found) == [utc(20, 13)]
    assert suggest_alternatives([ANA, BEN], [], start=utc(3, 15), duration=HOUR, count=0) == []


# --------------------------------------------------------------------------------------------
# Input checks
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: find([ANA], [], datetime(2026, 3, 3, 9), utc(4, 0)), "search start time must include a time zone"),
        (lambda: Busy("ana", datetime(2026, 3, 3, 9), utc(3, 10)), "busy start time must include a time zone"),
        (lambda: Busy("ana", utc(3, 10), utc(3, 9)), "must end after it starts"),
        (lambda: find([], [], utc(3, 0), utc(4, 0)), "at least one person"),
        (lambda: find([ANA], [], utc(3, 0), utc(4, 0), duration=ZERO), "more than zero minutes"),
        (lambda: find([ANA], [], utc(3, 0), utc(4, 0), step=timedelta(seconds=1)), "at least one minute apart"),
        (lambda: find([ANA], [], utc(3, 0), utc(4, 0), buffer_after=-MIN), "cannot be negative"),
        (lambda: conflicts([ANA], [], start=utc(3, 10), end=utc(3, 10)), "must end after it starts"),
        (lambda: Member("x", "Xu Li", "Mars/Olympus", WorkingHours.weekdays()), "Xu Li's time zone “Mars/Olympus”"),
        (lambda: WorkingHours({7: [(time(9), time(17))]}), "0 (Monday) to 6 (Sunday)"),
        (lambda: WorkingHours({0: [(time(17), time(9))]}), "must end after they start (17:00–09:00)"),
        (lambda: WorkingHours({0: [(time(9, tzinfo=UTC), time(17))]}), "without a time zone"),
        (
            lambda: Conflict("a", "A", "busy", busy_start=utc(3, 9), busy_end=utc(3, 10)).describe("Nowhere"),
            "Nowhere",
        ),
    ],
)
def test_bad_input_is_refused_with_a_clear_sentence(call: Callable[[], object], message: str) -> None:
    with pytest.raises(SchedulingError, match=re.escape(message)) as caught:
        call()
    assert isinstance(caught.value, WorkspaceError)
    assert str(caught.value).endswith(".")


def test_members_and_hours_are_hashable_values() -> None:
    same = Member("ana", "Ana Silva", "Europe/Lisbon", WorkingHours({i: [(time(9), time(17))] for i in range(5)}))
    assert same == ANA and hash(same) == hash(ANA)
    assert len({ANA, BEN, same}) == 2
