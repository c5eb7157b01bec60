"""The daily retention cleanup in the server process: a daemon thread that wakes at the configured hour (UTC).

server.py starts it in its lifespan, as it starts the webhook retries; `python -m core privacy cleanup`
runs the same cleanup by hand. A server that was down at that hour, or has never cleaned, catches up when it
starts. A failed run (the database is down) is logged and tried again the next day.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from core.permissions.actor import Actor
from core.privacy.retention import apply_retention, last_run
from core.workspace import Workspace

log = logging.getLogger(__name__)

ACTOR = Actor.workspace("system")
RETRY_BUILD_SECONDS = 60.0  # the workspace could not be built (database down at start-up)
CATCH_UP_AFTER = timedelta(hours=25)  # a daily run, with an hour's slack for a slow one
CATCH_UP_GAP = timedelta(hours=12)  # after catching up, the daily run waits at least this long


def next_run(after: datetime, hour_utc: int) -> datetime:
    """The first `hour_utc`:00 UTC strictly after `after` (a tz-aware time), in UTC."""
    after = after.astimezone(UTC)
    run = after.replace(hour=hour_utc, minute=0, second=0, microsecond=0)
    return run if run > after else run + timedelta(days=1)


def missed(last: datetime | None, now: datetime) -> bool:
    """True when the daily cleanup did not run in the last day (never, or the server was down at the hour)."""
    return last is None or now - last > CATCH_UP_AFTER


def keep_cleaning(
    workspace: Callable[[], Workspace], *, stop: threading.Event | None = None
) -> tuple[threading.Thread, threading.Event]:
    """A daemon thread that runs apply_retention once a day at settings.privacy.cleanup_hour_utc until `stop` is set."""
    stopping = stop or threading.Event()

    def run() -> None:
        scheduled: datetime | None = None
        caught_up: datetime | None = None
        while not stopping.is_set():
            try:
                ws = workspace()
            except Exception:  # the database may be down at start-up: try again shortly
                log.exception("retention: the workspace is not available")
                stopping.wait(RETRY_BUILD_SECONDS)
                continue
            now = ws.clock()
            if scheduled is None and _behind(ws, now):
                scheduled = caught_up = now  # catch up at start
            else:
                # after the scheduled time just done (a fixed clock never repeats it), or after now if later
                after = max(scheduled, now) if scheduled else now
                if caught_up is not None:  # the daily run comes at least half a day after catching up
                    after, caught_up = max(after, caught_up + CATCH_UP_GAP), None
                scheduled = next_run(after, ws.settings.privacy.cleanup_hour_utc)
            if stopping.wait(max((scheduled - now).total_seconds(), 0.0)):
                return
            try:
                report = apply_retention(ws, actor=ACTOR)
                log.info("retention: daily cleanup done", extra={"counts": report.counts()})
            except Exception:  # logged; tomorrow's run tries again
                log.exception("retention: the daily cleanup failed")

    def _behind(ws: Workspace, now: datetime) -> bool:
        try:
            return missed(last_run(ws), now)
        except Exception:  # the database went away: the daily run will do
            log.exception("retention: could not read when the cleanup last ran")
            return False

    thread = threading.Thread(target=run, name="retention-cleanup", daemon=True)
    thread.start()
    return thread, stopping
