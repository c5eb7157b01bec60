"""The workspace's clock in tests: a `now` that tests set or move, called as Workspace.clock is."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass
class Clock:
    """The workspace's (and a fake service's) now; tests move it instead of sleeping."""

    now: datetime

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float = 0, *, minutes: float = 0, days: float = 0) -> None:
        self.now += timedelta(seconds=seconds, minutes=minutes, days=days)
