"""Booking the same interview in the notification and webhook tests: Grace Hopper, with the whole team."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from core.models import EventType
from core.scheduling.bookings import BookingRequest, ScheduledInterview, book_interview
from core.workspace import Workspace
from tests.actors import SCHEDULER


def book_grace(ws: Workspace, event_type: EventType, start: datetime, **extra: Any) -> ScheduledInterview:
    """Grace Hopper's interview of `event_type` at `start` with every interviewer of the team, as the scheduler
    books it; `extra` adds to the request (her time zone, a meeting link)."""
    with ws.uow_factory() as uow:
        members = uow.team_members.all()
    request = BookingRequest(
        event_type_id=event_type.id,
        problem_id="url_shortener",
        start=start,
        interviewer_ids=tuple(m.id for m in members),
        candidate_name="Grace Hopper",
        candidate_email="grace@example.com",
        **extra,
    )
    return book_interview(ws, request, actor=SCHEDULER)
