"""Whose data a request is about: a candidate found by email (one person is one candidate), and the uids
the calendar service knows their bookings by."""

from __future__ import annotations

from core.errors import InvalidInput, NotFound
from core.models import Booking, Candidate, email_key
from core.workspace import Workspace


def candidate_by_email(ws: Workspace, email: str) -> Candidate:
    """The candidate with this email (any case, surrounding space ignored).

    The messages never repeat the email: they may end up in a log.
    """
    if email_key(email) is None:
        raise InvalidInput("Give the person's email address.")
    with ws.uow_factory() as uow:
        candidate = uow.candidates.by_email(email)
    if candidate is None:
        raise NotFound("No candidate has this email address.")
    return candidate


def booking_uids(booking: Booking | None) -> list[str]:
    """The calendar service's uids of a booking, past ones included: webhook events name it by them."""
    if booking is None:
        return []
    return [uid for uid in (booking.external_uid, *booking.previous_uids) if uid]
