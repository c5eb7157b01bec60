"""One source of 'now', always timezone-aware UTC, replaceable in tests and the demo."""

from __future__ import annotations

from datetime import UTC, datetime


def utc_now() -> datetime:
    return datetime.now(UTC)
