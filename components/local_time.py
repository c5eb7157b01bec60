"""Times as the person at the browser reads them: stored in UTC, shown in their timezone."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import streamlit as st


def local(moment: datetime) -> datetime:
    """`moment` in the browser's timezone (UTC when the browser didn't say)."""
    try:
        zone = ZoneInfo(st.context.timezone) if st.context.timezone else UTC
    except (ZoneInfoNotFoundError, ValueError):
        zone = UTC
    return moment.astimezone(zone)


def short(moment: datetime | None) -> str:
    return f"{local(moment):%d %b %Y %H:%M}" if moment else "—"
