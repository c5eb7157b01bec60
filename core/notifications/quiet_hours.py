"""Quiet hours: a stretch of the day (in the person's own zone) when nothing that can wait reaches them.

"21:00-08:00" crosses midnight; "13:00-14:00" does not. A message due inside the stretch waits until it ends;
an urgent one (a reminder an hour before the interview) goes anyway.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta, tzinfo

from core.errors import InvalidInput

_SPAN = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*[-–]\s*(\d{1,2}):(\d{2})\s*$")


@dataclass(frozen=True)
class QuietHours:
    start: time
    end: time

    def __str__(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M}"

    def holds(self, local: time) -> bool:
        """Whether a moment of the day (local time) is inside the quiet stretch."""
        if self.start <= self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end

    def release(self, due: datetime, zone: tzinfo) -> datetime:
        """When a message due at `due` may go: `due` itself outside quiet hours, else the stretch's end."""
        local = due.astimezone(zone)
        if not self.holds(local.time().replace(tzinfo=None)):
            return due
        end = datetime.combine(local.date(), self.end, tzinfo=zone)
        if end <= local:
            end = datetime.combine(local.date() + timedelta(days=1), self.end, tzinfo=zone)
        return end.astimezone(due.tzinfo)


def parse(value: str) -> QuietHours | None:
    """'21:00-08:00' -> QuietHours; None for "". Raises InvalidInput for anything else."""
    if not (value or "").strip():
        return None
    found = _SPAN.match(value)
    problem = "Quiet hours are written from-until in 24-hour time, e.g. 21:00-08:00."
    if found is None:
        raise InvalidInput(problem)
    h1, m1, h2, m2 = (int(part) for part in found.groups())
    if h1 > 23 or h2 > 23 or m1 > 59 or m2 > 59:
        raise InvalidInput(problem)
    if (h1, m1) == (h2, m2):
        raise InvalidInput("Quiet hours must end at another time than they start.")
    return QuietHours(time(h1, m1), time(h2, m2))
