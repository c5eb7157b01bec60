"""The Reschedule panel of a booked interview: pick a day, pick one of its free times, move.

Only times that work are offered (core.scheduling.bookings.reschedule_slots, from Cal.com or the team's
hours); if one is taken meanwhile, the nearest free times come back as buttons that move the interview
there. The panel runs only while it is open, so a page of cards does not ask Cal.com for every card's
free times on each rerun. A move that went through is confirmed once at the top of the page
(`render_moved_notice`), with the new time in the reader's time zone.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import streamlit as st

from components.local_time import local
from components.plain_text import plain
from core.errors import WorkspaceError
from core.models import BookingStatus
from core.permissions.actor import Actor
from core.scheduling import bookings
from core.scheduling.availability import Slot
from core.scheduling.calcom.client import CalcomClient
from core.workspace import Workspace

MOVED_KEY = "schedule_moved"  # (session id, its start before the move) of the interview just moved


def render_reschedule(
    ws: Workspace,
    view: bookings.ScheduledInterview,
    *,
    client: CalcomClient | None,
    viewer_tz: str,
    actor: Actor,
) -> None:
    """The "Reschedule" expander of one booked interview (still scheduled, not cancelled)."""
    sid = view.session.id
    with st.expander("Reschedule", icon=":material/event_repeat:", key=_open_key(sid), on_change="rerun") as section:
        if not section.open:
            return
        day = _day_input(ws, view)
        try:
            with st.spinner("Finding free times…"):
                slots = bookings.reschedule_slots(
                    ws, sid, day=day, viewer_timezone=viewer_tz, client=client, actor=actor
                )
        except WorkspaceError as exc:
            st.error(str(exc))
            return
        chosen: Slot | None = None
        if slots:
            chosen = st.pills(
                f"Free times on {day:%a %d %b} ({viewer_tz})",
                slots,
                format_func=_time_label,
                key=f"move_slot_{sid}_{day.isoformat()}",
            )
        else:
            st.info(f"No free times on {day:%a %d %b}; try another day.", icon=":material/event_busy:")
        st.text_input("Reason (optional)", key=_reason_key(sid))
        st.button(
            f"Move to {local(chosen.start):%a %d %b %H:%M}" if chosen else "Move interview",
            type="primary",
            disabled=chosen is None,
            key=f"move_{sid}",
            icon=":material/event_available:",
            help=None if chosen else "Choose one of the free times first.",
            # A callback, so the time chosen on screen is the one moved to, even if the next run's list
            # no longer holds it (taken meanwhile): then the person hears so, with the nearest times.
            on_click=_move,
            args=(ws, view, chosen.start if chosen else None),
            kwargs={"client": client, "viewer_tz": viewer_tz, "actor": actor},
        )
        _outcome(ws, view, client=client, viewer_tz=viewer_tz, actor=actor)


def render_moved_notice(ws: Workspace, *, viewer_tz: str, actor: Actor) -> None:
    """Once, after a move: where the interview is now, in the reader's zone, and where it was."""
    moved = st.session_state.pop(MOVED_KEY, None)
    if not moved:
        return
    sid, was = moved
    try:
        view = bookings.scheduled_interview(ws, sid, actor=actor)
    except WorkspaceError:
        return
    booking = view.booking
    text = (
        f"Moved {plain(booking.attendee_name)}'s interview to **{local(booking.start_at):%a %d %b %Y, %H:%M}–"
        f"{local(booking.end_at):%H:%M}** ({viewer_tz}); it was {local(datetime.fromisoformat(was)):%a %d %b %H:%M}."
    )
    if booking.status is BookingStatus.PENDING:
        text += " Cal.com asks the host to confirm the new time."
    else:
        text += " The invitation now shows the new time."
    st.success(text, icon=":material/event_repeat:")
    # Seen wherever the card was (the page's notice is at its top), and says where it went.
    st.toast(
        f"Moved to {local(booking.start_at):%a %d %b %H:%M} ({viewer_tz}).",
        icon=":material/event_repeat:",
    )


def _day_input(ws: Workspace, view: bookings.ScheduledInterview) -> date:
    today = local(ws.clock()).date()
    last = today + timedelta(days=ws.settings.scheduling.search_days)
    current = min(max(local(view.booking.start_at).date(), today), last)
    return st.date_input("Day", value=current, min_value=today, max_value=last, key=f"move_day_{view.session.id}")


def _move(
    ws: Workspace,
    view: bookings.ScheduledInterview,
    start: datetime | None,
    *,
    client: CalcomClient | None,
    viewer_tz: str,
    actor: Actor,
) -> None:
    """Button callback (runs before the page does): move, then leave what happened for the page to show."""
    sid = view.session.id
    st.session_state.pop(_outcome_key(sid), None)
    if start is None:
        return
    reason = st.session_state.get(_reason_key(sid), "")
    try:
        bookings.reschedule_booking(
            ws, sid, start=start, reason=reason, client=client, viewer_timezone=viewer_tz, actor=actor
        )
    except bookings.SlotUnavailable as exc:
        st.session_state[_outcome_key(sid)] = (str(exc), exc.alternatives)
        return
    except WorkspaceError as exc:
        st.session_state[_outcome_key(sid)] = (str(exc), None)
        return
    st.session_state[MOVED_KEY] = (sid, view.booking.start_at.isoformat())
    st.session_state[_open_key(sid)] = False  # the panel closes; opened again, it starts afresh
    for key in (_reason_key(sid), f"move_day_{sid}"):
        st.session_state.pop(key, None)


def _outcome(
    ws: Workspace,
    view: bookings.ScheduledInterview,
    *,
    client: CalcomClient | None,
    viewer_tz: str,
    actor: Actor,
) -> None:
    """Why the last move did not happen; when the time was taken, the nearest free times as buttons that
    move the interview there."""
    found = st.session_state.get(_outcome_key(view.session.id))
    if not found:
        return
    message, alternatives = found
    st.error(message)
    if alternatives is None:
        return
    if not alternatives:
        st.caption("No other free time nearby; choose another day above.")
        return
    st.caption("Nearest free times; choose one to move the interview there:")
    cols = st.columns(len(alternatives))
    for col, alternative in zip(cols, alternatives, strict=True):
        col.button(
            f"{local(alternative.start):%a %d %b %H:%M}",
            key=f"move_alt_{view.session.id}_{alternative.start.isoformat()}",
            icon=":material/event_available:",
            on_click=_move,
            args=(ws, view, alternative.start),
            kwargs={"client": client, "viewer_tz": viewer_tz, "actor": actor},
        )


def _time_label(slot: Slot) -> str:
    return f"{local(slot.start):%H:%M}"


def _open_key(session_id: str) -> str:
    return f"move_open_{session_id}"


def _reason_key(session_id: str) -> str:
    return f"move_reason_{session_id}"


def _outcome_key(session_id: str) -> str:
    return f"move_outcome_{session_id}"
