"""What a booking change tells the outside world: an email to each person on it, a webhook to each subscribed
system (an ATS, a CRM). Both are written in the change's own transaction, with the jobs that send them, so the
change and its news exist together or not at all; `wake` the jobs once the caller has committed.

Which news a change makes: a booking that becomes confirmed (made here, on Cal.com's page, or a request
accepted) is "booked" (booking.created); a confirmed booking that moves in time is "moved" (booking.rescheduled;
a new meeting link alone updates the emails' invitation but is no reschedule); a cancellation is "cancelled".
A request waiting for approval makes none yet.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial

from core.jobs import ledger
from core.models import Booking, BookingStatus, Job, OutgoingEvent
from core.outgoing_webhooks import deliveries
from core.outgoing_webhooks.event_payloads import booking_data
from core.permissions.actor import Actor
from core.scheduling.booking_emails import Notice, queue_notice
from core.unit_of_work import UnitOfWork
from core.workspace import Workspace

EVENTS = {
    Notice.BOOKED: OutgoingEvent.BOOKING_CREATED,
    Notice.UPDATED: OutgoingEvent.BOOKING_RESCHEDULED,
    Notice.CANCELLED: OutgoingEvent.BOOKING_CANCELLED,
}


def announce(
    ws: Workspace, uow: UnitOfWork, booking: Booking, notice: Notice, *, actor: Actor, retimed: bool = True
) -> list[Job]:
    """The emails and webhooks of `notice` for `booking` as it now is in `uow`; `retimed`: an update moved the
    interview in time (not only its link). Returns the jobs, for `wake` after the commit."""
    jobs = queue_notice(ws, uow, booking, notice, actor=actor)
    if notice is Notice.UPDATED and not retimed:
        return jobs
    data = partial(booking_data, uow, booking)
    return jobs + deliveries.emit(uow, ws, EVENTS[notice], data, actor=actor, session_id=booking.session_id)


def news_of(was: BookingStatus, now: BookingStatus, *, moved: bool) -> Notice | None:
    """The news a change calls for: cancelled, confirmed (a request accepted), moved; none otherwise."""
    if now is BookingStatus.CANCELLED:
        return Notice.CANCELLED if was is not BookingStatus.CANCELLED else None
    if now is BookingStatus.CONFIRMED:
        if was is not BookingStatus.CONFIRMED:
            return Notice.BOOKED
        return Notice.UPDATED if moved else None
    return None


def wake(ws: Workspace, jobs: Iterable[Job]) -> None:
    """Tell a worker about the jobs just committed; a broker that is down only delays them to a sweep."""
    for job in jobs:
        ledger.send(ws, job)
