"""The built-in scheduler used when no Cal.com key is configured.

Pure functions over small dataclasses: who works when (each person in their own IANA time zone),
who is already busy, and which interview times suit everyone. Everything is computed with interval
arithmetic in UTC (working hours → UTC intervals per local date via zoneinfo, so daylight-saving
changes fall on the right day), then intersected across people, so ten people over two weeks is a
few hundred interval operations rather than a minute-by-minute scan.

Buffers (the one policy choice worth knowing): ``buffer_before`` is the free time an interview
needs before it and ``buffer_after`` the free time it needs after it. Existing busy intervals are
interviews too, so they get the same buffers. The rule is therefore symmetric: a new interview and
an existing busy interval of the same person must be at least ``max(buffer_before, buffer_after)``
apart, whichever comes first. Buffers only separate engagements; they need not fall inside working
hours, so an interview may start the minute a working day starts. Intervals are half-open, so with
zero buffers an interview may start exactly when a busy interval ends.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from types import MappingProxyType
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from core.errors import WorkspaceError

ConflictReason = Literal["outside working hours", "busy"]

DEFAULT_STEP = timedelta(minutes=30)
DEFAULT_BUFFER_BEFORE = timedelta(0)
DEFAULT_BUFFER_AFTER = timedelta(minutes=10)
MIN_STEP = timedelta(minutes=1)  # bounds the number of candidate slots a caller can ask for

_MIDNIGHT = time(0)
_ONE_DAY = timedelta(days=1)

Interval = tuple[datetime, datetime]


class SchedulingError(WorkspaceError):
    """Scheduling input we cannot use; the message says what to fix."""


# --------------------------------------------------------------------------------------------
# Data
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WorkingHours:
    """Weekly hours as local clock times: weekday (0=Monday … 6=Sunday) → [(start, end), ...].

    An end of ``time(0)`` means midnight at the end of that day, so late shifts can be written as
    ``(time(18), time(0))`` on one day plus ``(time(0), time(2))`` on the next. Missing weekdays
    are days off.
    """

    days: Mapping[int, Sequence[tuple[time, time]]]

    def __post_init__(self) -> None:
        normalised: dict[int, tuple[tuple[time, time], ...]] = {}
        for weekday, windows in dict(self.days).items():
            if isinstance(weekday, bool) or not isinstance(weekday, int) or not 0 <= weekday <= 6:
                raise SchedulingError("Working hours use weekdays numbered 0 (Monday) to 6 (Sunday).")
            cleaned: list[tuple[time, time]] = []
            for window in windows:
                start, end = window
                if not isinstance(start, time) or not isinstance(end, time) or start.tzinfo or end.tzinfo:
                    raise SchedulingError("Working hours are local clock times without a time zone.")
                if not (start < end or end == _MIDNIGHT):
                    raise SchedulingError(f"Working hours must end after they start ({start:%H:%M}–{end:%H:%M}).")
                cleaned.append((start, end))
            if cleaned:
                normalised[weekday] = tuple(sorted(cleaned))
        object.__setattr__(self, "days", MappingProxyType(normalised))

    def __hash__(self) -> int:
        return hash(tuple(sorted(self.days.items())))

    @classmethod
    def weekdays(cls, start: time = time(9), end: time = time(17)) -> WorkingHours:
        """Monday to Friday, the same hours each day: the common case."""
        return cls({weekday: [(start, end)] for weekday in range(5)})


@dataclass(frozen=True)
class Member:
    """A person whose calendar must be free: an interviewer (or the candidate, if known)."""

    id: str
    name: str
    timezone: str  # IANA name, e.g. "Europe/Lisbon"
    working_hours: WorkingHours

    def __post_init__(self) -> None:
        if not isinstance(self.timezone, str):
            raise SchedulingError(f"{self.name}'s time zone must be given by name, such as Europe/Lisbon.")
        try:
            _zone(self.timezone)
        except SchedulingError:
            raise SchedulingError(
                f"{self.name}'s time zone “{self.timezone}” is not a known time zone such as Europe/Lisbon."
            ) from None

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)  # ZoneInfo caches instances by key


@dataclass(frozen=True)
class Busy:
    """Time a member already has booked, e.g. another interview session."""

    member_id: str
    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        start = _utc(self.start, "busy start")
        end = _utc(self.end, "busy end")
        if end < start:
            raise SchedulingError("A busy period must end after it starts.")


@dataclass(frozen=True, order=True)
class Slot:
    """A bookable interview time; both ends are UTC."""

    start: datetime
    end: datetime

    @property
    def duration(self) -> timedelta:
        return self.end - self.start


@dataclass(frozen=True)
class Conflict:
    """One reason a proposed time does not suit one member."""

    member_id: str
    member_name: str
    reason: ConflictReason
    busy_start: datetime | None = None  # the existing busy interval (UTC), for reason "busy"
    busy_end: datetime | None = None
    within_buffer: bool = False  # busy does not overlap, but leaves no room for the required break
    member_timezone: str = ""  # for "outside working hours": show the member's local time
    start: datetime | None = None  # the proposed interval (UTC)
    end: datetime | None = None

    def describe(self, tz: str | tzinfo = "UTC") -> str:
        """A phrase for people, e.g. "Ana Silva is busy 14:00–15:00 UTC", times shown in ``tz``."""
        if self.reason == "busy" and self.busy_start is not None and self.busy_end is not None:
            text = f"{self.member_name} is busy {_format_span(self.busy_start, self.busy_end, _zone(tz))}"
            if self.within_buffer:
                text += " (too close to leave the required break between interviews)"
            return text
        text = f"{self.member_name} is outside working hours"
        if self.member_timezone and self.start is not None and self.end is not None:
            text += f" ({_format_span(self.start, self.end, _zone(self.member_timezone))}, their local time)"
        return text


# --------------------------------------------------------------------------------------------
# Public functions
# --------------------------------------------------------------------------------------------


def free_slots(
    members: Sequence[Member],
    busy: Sequence[Busy],
    *,
    window_start: datetime,
    window_end: datetime,
    duration: timedelta,
    step: timedelta = DEFAULT_STEP,
    buffer_before: timedelta = DEFAULT_BUFFER_BEFORE,
    buffer_after: timedelta = DEFAULT_BUFFER_AFTER,
    not_before: datetime | None = None,
) -> list[Slot]:
    """Every slot inside [window_start, window_end] that suits all ``members``, in time order.

    A slot suits a member when it lies wholly inside their working hours and keeps the buffer gap
    (see the module docstring) from each of their busy intervals. Starts are on a UTC grid of
    ``step`` counted from midnight UTC of ``window_start``'s date, i.e. ``window_start`` rounded up.
    ``not_before`` is the earliest allowed start (e.g. now plus the minimum notice).
    """
    lo = _utc(window_start, "search start")
    hi = _utc(window_end, "search end")
    _check_lengths(duration=duration, step=step, buffer_before=buffer_before, buffer_after=buffer_after)
    people = _check_members(members)
    origin = datetime.combine(lo.date(), _MIDNIGHT, tzinfo=UTC)
    if not_before is not None:
        lo = max(lo, _utc(not_before, "earliest start"))
    if hi - lo < duration:
        return []

    gap = max(buffer_before, buffer_after)
    common = _common_free(people, _blocked_by_member(busy, gap), lo, hi)

    slots: list[Slot] = []
    for free_start, free_end in common:
        latest = free_end - duration
        if latest < free_start:
            continue
        first = -((origin - free_start) // step)  # ceiling division on timedeltas
        last = (latest - origin) // step
        for k in range(first, last + 1):
            start = origin + k * step
            slots.append(Slot(start, start + duration))
    return slots


def conflicts(
    members: Sequence[Member],
    busy: Sequence[Busy],
    *,
    start: datetime,
    end: datetime,
    buffer_before: timedelta = DEFAULT_BUFFER_BEFORE,
    buffer_after: timedelta = DEFAULT_BUFFER_AFTER,
) -> list[Conflict]:
    """Why [start, end) does not work: per member (in the order given), hours first, then busy times.

    An empty list means the time suits everyone. Uses exactly the rules of `free_slots`.
    """
    begin = _utc(start, "interview start")
    finish = _utc(end, "interview end")
    if finish <= begin:
        raise SchedulingError("The interview must end after it starts.")
    _check_lengths(buffer_before=buffer_before, buffer_after=buffer_after)
    gap = max(buffer_before, buffer_after)

    found: list[Conflict] = []
    for member in members:
        working = _working_intervals(member, begin, finish)
        if not any(ws <= begin and finish <= we for ws, we in working):
            found.append(
                Conflict(
                    member_id=member.id,
                    member_name=member.name,
                    reason="outside working hours",
                    member_timezone=member.timezone,
                    start=begin,
                    end=finish,
                )
            )
        own = sorted((_utc(b.start, "busy start"), _utc(b.end, "busy end")) for b in busy if b.member_id == member.id)
        for busy_start, busy_end in own:
            if busy_end <= busy_start:
                continue
            if busy_start - gap < finish and begin < busy_end + gap:
                overlaps = busy_start < finish and begin < busy_end
                found.append(
                    Conflict(
                        member_id=member.id,
                        member_name=member.name,
                        reason="busy",
                        busy_start=busy_start,
                        busy_end=busy_end,
                        within_buffer=not overlaps,
                        start=begin,
                        end=finish,
                    )
                )
    return found


def suggest_alternatives(
    members: Sequence[Member],
    busy: Sequence[Busy],
    *,
    start: datetime,
    duration: timedelta,
    count: int = 3,
    search_days: int = 14,
    step: timedelta = DEFAULT_STEP,
    buffer_before: timedelta = DEFAULT_BUFFER_BEFORE,
    buffer_after: timedelta = DEFAULT_BUFFER_AFTER,
    not_before: datetime | None = None,
    tz: str | tzinfo = "UTC",
) -> list[Slot]:
    """Up to ``count`` free slots nearest to a requested start that did not work, best first.

    Searches ``search_days`` either side of ``start`` (never before ``not_before``). Ranking:
    slots on the same calendar day as ``start`` (in ``tz``, the organizer's zone) come first,
    then the smaller distance from ``start``, and at equal distance the later slot, because
    moving an interview later is usually easier than moving it earlier. The requested start
    itself is never suggested.
    """
    requested = _utc(start, "requested start")
    if count <= 0:
        return []
    if search_days < 0:
        raise SchedulingError("The search range must be zero or more days.")
    span = timedelta(days=search_days)
    candidates = free_slots(
        members,
        busy,
        window_start=requested - span,
        window_end=requested + span + duration,
        duration=duration,
        step=step,
        buffer_before=buffer_before,
        buffer_after=buffer_after,
        not_before=not_before,
    )
    return nearest_slots(candidates, requested=requested, count=count, tz=tz)


def nearest_slots(
    slots: Iterable[Slot], *, requested: datetime, count: int = 3, tz: str | tzinfo = "UTC"
) -> list[Slot]:
    """Up to ``count`` of ``slots`` nearest to ``requested``, best first, by `suggest_alternatives`' ranking.

    Apart so free times found elsewhere (Cal.com's) are offered in the same order as the built-in ones.
    """
    wanted = _utc(requested, "requested start")
    if count <= 0:
        return []
    zone = _zone(tz)
    requested_day = wanted.astimezone(zone).date()

    def rank(slot: Slot) -> tuple[bool, timedelta, bool]:
        other_day = slot.start.astimezone(zone).date() != requested_day
        return other_day, abs(slot.start - wanted), slot.start < wanted

    return heapq.nsmallest(count, (slot for slot in slots if slot.start != wanted), key=rank)


# --------------------------------------------------------------------------------------------
# Interval arithmetic (lists of disjoint, sorted, half-open UTC intervals)
# --------------------------------------------------------------------------------------------


def _merge(intervals: Iterable[Interval]) -> list[Interval]:
    merged: list[Interval] = []
    for start, end in sorted(intervals):
        if end <= start:
            continue
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def _subtract(base: list[Interval], cuts: list[Interval]) -> list[Interval]:
    result: list[Interval] = []
    j = 0
    for start, end in base:
        cursor = start
        while j < len(cuts) and cuts[j][1] <= cursor:
            j += 1
        k = j
        while k < len(cuts) and cuts[k][0] < end and cursor < end:
            cut_start, cut_end = cuts[k]
            if cut_start > cursor:
                result.append((cursor, cut_start))
            cursor = max(cursor, cut_end)
            k += 1
        if cursor < end:
            result.append((cursor, end))
    return result


def _intersect(a: list[Interval], b: list[Interval]) -> list[Interval]:
    result: list[Interval] = []
    i = j = 0
    while i < len(a) and j < len(b):
        start = max(a[i][0], b[j][0])
        end = min(a[i][1], b[j][1])
        if start < end:
            result.append((start, end))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return result


def _working_intervals(member: Member, lo: datetime, hi: datetime) -> list[Interval]:
    """The member's working hours between lo and hi as UTC intervals, DST-correct per local date."""
    zone = member.zone
    day: date = lo.astimezone(zone).date() - _ONE_DAY
    last: date = hi.astimezone(zone).date() + _ONE_DAY
    intervals: list[Interval] = []
    while day <= last:
        for local_start, local_end in member.working_hours.days.get(day.weekday(), ()):
            end_day = day + _ONE_DAY if local_end == _MIDNIGHT else day
            start = datetime.combine(day, local_start, tzinfo=zone).astimezone(UTC)
            end = datetime.combine(end_day, local_end, tzinfo=zone).astimezone(UTC)
            intervals.append((start, end))
        day += _ONE_DAY
    return _merge(intervals)


def _blocked_by_member(busy: Iterable[Busy], gap: timedelta) -> dict[str, list[Interval]]:
    """Busy intervals widened by the buffer gap on both sides, merged per member."""
    grouped: dict[str, list[Interval]] = {}
    for item in busy:
        start, end = _utc(item.start, "busy start"), _utc(item.end, "busy end")
        if end > start:
            grouped.setdefault(item.member_id, []).append((start - gap, end + gap))
    return {member_id: _merge(intervals) for member_id, intervals in grouped.items()}


def _common_free(
    members: Sequence[Member], blocked: Mapping[str, list[Interval]], lo: datetime, hi: datetime
) -> list[Interval]:
    common: list[Interval] = [(lo, hi)]
    for member in members:
        free = _subtract(_working_intervals(member, lo, hi), blocked.get(member.id, []))
        common = _intersect(common, free)
        if not common:
            break
    return common


# --------------------------------------------------------------------------------------------
# Validation and formatting
# --------------------------------------------------------------------------------------------


def _utc(moment: object, what: str) -> datetime:
    if not isinstance(moment, datetime) or moment.tzinfo is None or moment.utcoffset() is None:
        raise SchedulingError(f"The {what} time must include a time zone.")
    return moment.astimezone(UTC)


def _zone(tz: str | tzinfo) -> tzinfo:
    if isinstance(tz, tzinfo):
        return tz
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise SchedulingError(f"“{tz}” is not a known time zone such as Europe/Lisbon.") from None


def _check_members(members: Sequence[Member]) -> Sequence[Member]:
    if not members:
        raise SchedulingError("Choose at least one person to find a time for.")
    return members


def _check_lengths(
    *,
    duration: timedelta | None = None,
    step: timedelta | None = None,
    buffer_before: timedelta,
    buffer_after: timedelta,
) -> None:
    if duration is not None and duration <= timedelta(0):
        raise SchedulingError("The interview length must be more than zero minutes.")
    if step is not None and step < MIN_STEP:
        raise SchedulingError("Start times must be at least one minute apart.")
    if buffer_before < timedelta(0) or buffer_after < timedelta(0):
        raise SchedulingError("Breaks between interviews cannot be negative.")


def _format_span(start: datetime, end: datetime, zone: tzinfo) -> str:
    local_start, local_end = start.astimezone(zone), end.astimezone(zone)
    label = _zone_label(local_start, zone)
    same_day = local_start.date() == local_end.date() or (
        local_end.time() == _MIDNIGHT and local_end.date() - local_start.date() == _ONE_DAY
    )
    if same_day:
        return f"{local_start:%H:%M}–{local_end:%H:%M} {label}"
    return f"{local_start:%a %d %b %H:%M} – {local_end:%a %d %b %H:%M} {label}"


def _zone_label(moment: datetime, zone: tzinfo) -> str:
    """ "UTC", "CET", "EDT"…; zones without a lettered abbreviation (e.g. "-03") use their IANA name."""
    name = moment.tzname() or ""
    if name.isalpha():
        return name
    key = getattr(zone, "key", None)
    return key if isinstance(key, str) else name or "UTC"
