"""Schedule: book interviews (Cal.com or the built-in scheduler), see what is coming, manage the team.

Times are shown in the browser's time zone and stored in UTC. A booked interview is a session in
state `scheduled`; "Open interview" makes it ready and opens it on the Live session page (the
interviewer's cockpit) when a template exists for its kind, else on the Interview page.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import replace
from datetime import date, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from components.calcom import calcom_client
from components.current_session import set_current_session
from components.local_time import local, short
from components.plain_text import plain
from components.reschedule import render_moved_notice, render_reschedule
from components.resources import get_workspace
from components.signed_in import current_account
from core.candidates.services import list_candidates, register_resume
from core.errors import AccessDenied, AlreadyExists, WorkspaceError
from core.live.sessions import ensure_live
from core.models import BookingStatus, EventType, MemberRole, SessionStatus
from core.permissions.actor import Actor
from core.permissions.policy import Action, allowed
from core.scheduling import bookings, team
from core.scheduling.availability import Slot
from core.scheduling.calcom.client import CalcomClient
from core.workspace import Workspace

NEW_CANDIDATE = "__new__"
BOOK_AT_KEY = "schedule_book_at"  # the time on screen when Book interview was pressed
CANCELLED_KEY = "schedule_cancelled"  # the session id of the interview just cancelled: said once
MEMBER_ADDED_KEY = "schedule_member_added"  # the name of the team member just added: said once
MEMBER_FORM_KEY = "schedule_member_form"  # counts members added here: each gets a fresh form (see _team_tab)
# The Add-a-team-member form: what add_member calls each field → the label the person reads.
MEMBER_LABELS = {"name": "Name", "email": "Email", "timezone": "Time zone", "working_hours": "Working hours"}


def _viewer_timezone() -> str:
    name = st.context.timezone or "UTC"
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return "UTC"
    return name


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


def _stats(stats: bookings.BookingStats) -> None:
    cols = st.columns(5)
    cols[0].metric("Upcoming", stats.upcoming)
    cols[1].metric("Awaiting confirmation", stats.pending)
    cols[2].metric("Cancelled", stats.cancelled)
    cols[3].metric(
        "Show rate",
        _percent(stats.show_rate),
        help=f"Past confirmed interviews that took place: {stats.held} held, {stats.missed} missed.",
    )
    cols[4].metric(
        "Booking conversion",
        _percent(stats.conversion),
        delta=f"{stats.confirmed} of {stats.decided} kept" if stats.decided else None,
        delta_color="off",
        delta_arrow="off",
        help=(
            "Bookings kept (confirmed, whether held yet or not) out of those decided. A cancelled booking "
            "counts against it; one awaiting confirmation counts once it is confirmed or cancelled "
            f"({stats.pending} waiting now)."
        ),
    )


# --- book ---------------------------------------------------------------------------------------


def _slot_label(slot: Slot) -> str:
    start, end = local(slot.start), local(slot.end)
    return f"{start:%H:%M}–{end:%H:%M}"


def _candidate_fields(ws: Workspace) -> tuple[str | None, str, str]:
    candidates = list_candidates(ws, actor=Actor.person(account))  # only those the policy lets them see
    names = {c.id: f"{c.name} <{c.email}>" if c.email else c.name for c in candidates}
    choice = st.selectbox(
        "Candidate",
        [NEW_CANDIDATE, *names],
        format_func=lambda cid: "New candidate…" if cid == NEW_CANDIDATE else names[cid],
        key="schedule_candidate",
    )
    if choice != NEW_CANDIDATE:
        return choice, "", ""
    upload = st.file_uploader(
        f"Resume (optional: fills in name and email; up to {ws.settings.resume_max_mb:g} MB)",
        type=["pdf", "txt"],
        key="schedule_resume",
        max_upload_size=ws.settings.resume_upload_mb,
    )
    if upload is not None and st.session_state.get("schedule_resume_done") != upload.file_id:
        try:
            profile = register_resume(ws, filename=upload.name, data=upload.getvalue(), actor=Actor.person(account))
        except WorkspaceError as exc:
            st.error(str(exc))
        else:
            st.session_state["schedule_resume_done"] = upload.file_id
            st.session_state["schedule_candidate_name"] = profile.candidate.name
            st.session_state["schedule_candidate_email"] = profile.candidate.email or ""
            st.rerun()
    cols = st.columns(2)
    name = cols[0].text_input("Name", key="schedule_candidate_name")
    email = cols[1].text_input("Email", key="schedule_candidate_email")
    return None, name, email


def _book_tab(ws: Workspace, client: CalcomClient | None, viewer_tz: str) -> None:
    kinds = team.event_types(ws)
    members = team.list_members(ws)
    interviewers = [m for m in members if m.role in (MemberRole.INTERVIEWER, MemberRole.ADMIN)]
    if not interviewers:
        st.info("Add an interviewer on the Team tab first; their working hours decide the free times.")
        return
    problems = {p.id: p.title for p in ws.problems.all()}
    left, right = st.columns([2, 3], gap="large")
    with left:
        candidate_id, name, email = _candidate_fields(ws)
        kind_by_id = {k.id: k for k in kinds}
        default_kind = next((i for i, k in enumerate(kinds) if k.kind == "system_design"), 0)
        kind_id = st.selectbox(
            "Interview kind",
            list(kind_by_id),
            index=default_kind,
            format_func=lambda kid: f"{kind_by_id[kid].title} ({kind_by_id[kid].length_minutes} min)",
            key="schedule_kind",
        )
        kind = kind_by_id[kind_id]
        problem_ids = list(problems)
        default_problem = problem_ids.index(kind.problem_id) if kind.problem_id in problems else 0
        problem_id = st.selectbox(
            "Problem", problem_ids, index=default_problem, format_func=problems.__getitem__, key="schedule_problem"
        )
        member_names = {m.id: f"{m.name} ({m.timezone})" for m in interviewers}
        chosen = st.multiselect(
            "Interviewers",
            list(member_names),
            default=list(member_names)[:1],
            format_func=member_names.__getitem__,
            key="schedule_interviewers",
        )
        guests = st.text_input("Guests (emails, comma-separated)", key="schedule_guests")
        meeting_url = ""
        if client is None:
            meeting_url = st.text_input(
                "Meeting link (Zoom, Meet, Teams…; empty: the interview runs in this workspace)",
                key="schedule_meeting_url",
            )
    with right:
        top = st.columns([2, 1])
        first_day = top[0].date_input(
            "From", value=local(ws.clock()).date(), min_value=local(ws.clock()).date(), key="schedule_from"
        )
        days = top[1].number_input("Days", min_value=1, max_value=ws.settings.scheduling.search_days, value=7)
        if not chosen:
            st.info("Choose at least one interviewer to see free times.")
            return
        try:
            with st.spinner("Finding free times…"):
                slots = bookings.available_slots(
                    ws,
                    event_type_id=kind.id,
                    interviewer_ids=chosen,
                    first_day=first_day,
                    days=int(days),
                    viewer_timezone=viewer_tz,
                    client=client,
                )
        except WorkspaceError as exc:
            st.error(str(exc))
            return
        st.caption(f"Free times in your time zone ({viewer_tz}), {len(slots)} found.")
        if not slots:
            st.warning("No free times in these days; try later days or other interviewers.")
            return
        by_day: dict[date, list[Slot]] = defaultdict(list)
        for slot in slots:
            by_day[local(slot.start).date()].append(slot)
        day = st.selectbox("Day", list(by_day), format_func=lambda d: f"{d:%a %d %b}", key="schedule_day")
        slot = st.radio(
            "Time", by_day[day], format_func=_slot_label, horizontal=True, key=f"schedule_slot_{day.isoformat()}"
        )
        request = bookings.BookingRequest(
            event_type_id=kind.id,
            problem_id=problem_id,
            start=slot.start,
            interviewer_ids=tuple(chosen),
            candidate_id=candidate_id,
            candidate_name=name,
            candidate_email=email,
            candidate_timezone=viewer_tz,
            guests=tuple(g for g in guests.split(",") if g.strip()),
            meeting_url=meeting_url,
        )
        st.button(
            "Book interview",
            type="primary",
            icon=":material/event_available:",
            key="schedule_book",
            on_click=_remember_time,
            args=(slot,),
        )
        chosen = st.session_state.pop(BOOK_AT_KEY, None)
        if chosen is not None:  # the time on screen when the button was pressed, even if taken since
            _book(ws, replace(request, start=chosen.start), client)
        _alternatives(ws, request, client)


def _remember_time(slot: Slot) -> None:
    """Book button callback: the time shown when it was pressed. Read back in the run the press starts, so a
    time taken meanwhile (the list then moves under the radio) is refused with alternatives, not swapped."""
    st.session_state[BOOK_AT_KEY] = slot


def _book(ws: Workspace, request: bookings.BookingRequest, client: CalcomClient | None) -> None:
    st.session_state.pop("schedule_alternatives", None)
    try:
        with st.spinner("Booking…"):
            view = bookings.book_interview(ws, request, client=client, actor=Actor.person(account))
    except bookings.SlotUnavailable as exc:
        st.session_state["schedule_alternatives"] = (str(exc), exc.alternatives)
        return
    except WorkspaceError as exc:
        st.error(str(exc))
        return
    st.session_state["schedule_booked"] = view.session.id
    st.rerun()


def _alternatives(ws: Workspace, request: bookings.BookingRequest, client: CalcomClient | None) -> None:
    found = st.session_state.get("schedule_alternatives")
    if not found:
        return
    message, alternatives = found
    st.error(message)
    if alternatives:
        st.caption("Nearest times that work:")
        cols = st.columns(len(alternatives))
        for col, alternative in zip(cols, alternatives, strict=True):
            label = f"{local(alternative.start):%a %d %b %H:%M}"
            if col.button(label, key=f"schedule_alt_{alternative.start.isoformat()}"):
                _book(ws, bookings.BookingRequest(**{**request.__dict__, "start": alternative.start}), client)


# --- upcoming -----------------------------------------------------------------------------------


def _status_badge(view: bookings.ScheduledInterview) -> None:
    booking, session = view.booking, view.session
    if booking.status is BookingStatus.CANCELLED:
        st.badge("Cancelled", color="red", icon=":material/event_busy:")
    elif booking.status is BookingStatus.PENDING:
        st.badge("Awaiting confirmation", color="orange", icon=":material/pending:")
    elif session.status is SessionStatus.ACTIVE:
        st.badge("In progress", color="green", icon=":material/radio_button_checked:")
    else:
        st.badge(session.status.value.capitalize(), color="blue", icon=":material/event:")


def _upcoming_tab(ws: Workspace, client: CalcomClient | None, stats: bookings.BookingStats, viewer_tz: str) -> None:
    show_cancelled = st.toggle("Show cancelled", key="schedule_show_cancelled")
    views = bookings.upcoming(ws, actor=Actor.person(account), include_cancelled=True)
    live = [v for v in views if v.booking.status is not BookingStatus.CANCELLED]
    cancelled = [v for v in views if v.booking.status is BookingStatus.CANCELLED]
    if not live:
        st.info(_nothing_upcoming(stats, len(cancelled), showing_cancelled=show_cancelled), icon=":material/event:")
    for view in live:
        _interview_card(ws, view, client, viewer_tz)
    if show_cancelled and cancelled:
        st.markdown(f"**Cancelled** ({len(cancelled)})")
        for view in cancelled:
            _interview_card(ws, view, client, viewer_tz)


def _nothing_upcoming(stats: bookings.BookingStats, cancelled: int, *, showing_cancelled: bool) -> str:
    """What the empty Upcoming list means: never booked, or booked and since cancelled (or held)."""
    if stats.total == 0:
        return "Nothing booked yet. Book an interview on the Book tab."
    if not cancelled:
        return "No upcoming interviews. Book one on the Book tab."
    them = "it" if cancelled == 1 else "them"
    where = "listed below" if showing_cancelled else f"turn on Show cancelled to see {them}"
    return f"No upcoming interviews; {cancelled} cancelled ({where})."


def _interview_card(
    ws: Workspace, view: bookings.ScheduledInterview, client: CalcomClient | None, viewer_tz: str
) -> None:
    booking, session = view.booking, view.session
    sid = session.id
    cancelled = booking.status is BookingStatus.CANCELLED
    with st.container(border=True, key=f"booking_{sid}"):
        head = st.columns([3, 2, 2])
        with head[0]:
            kind = view.event_type.title if view.event_type else session.kind
            st.markdown(f"**{plain(booking.attendee_name)}** · {plain(kind)}")
            when = f"{short(booking.start_at)}–{local(booking.end_at):%H:%M}"
            st.caption(f"{f'~~{when}~~' if cancelled else when} · {plain(session.problem_title)}")
            if view.interviewers:
                st.caption("With " + ", ".join(plain(m.name) for m in view.interviewers))
            if cancelled:
                reason = booking.cancellation_reason
                st.caption(f"Reason: {plain(reason)}" if reason else "No reason was given.")
        with head[1]:
            _status_badge(view)
            if booking.meeting_url and not cancelled:  # nothing to join any more
                st.link_button(f"Join on {view.meeting_label}", booking.meeting_url, icon=":material/videocam:")
        with head[2]:
            try:  # the policy's answer: only those who may see the interview get its invitation
                filename, data, content_type = bookings.invitation(ws, sid, actor=Actor.person(account))
            except AccessDenied:
                pass
            else:
                st.download_button(
                    "Cancellation (.ics)" if cancelled else "Invitation (.ics)",  # a CANCEL once cancelled
                    data,
                    file_name=filename,
                    mime=content_type,
                    key=f"ics_{sid}",
                    icon=":material/calendar_add_on:",
                )
            can_open = session.status in (SessionStatus.SCHEDULED, SessionStatus.READY, SessionStatus.ACTIVE)
            if can_open and st.button("Open interview", key=f"open_{sid}", icon=":material/play_arrow:"):
                set_current_session(sid)
                if not ws.templates.for_kind(session.kind):
                    bookings.begin_scheduled(ws, sid, actor=Actor.person(account))
                    st.switch_page("pages/interview.py", query_params={"session": sid})
                try:  # a person leads it: the interviewer's cockpit
                    ensure_live(ws, sid, actor=Actor.person(account))
                except WorkspaceError as exc:
                    st.error(str(exc))
                else:
                    st.switch_page("pages/live.py", query_params={"session": sid})
        if not cancelled and session.status is SessionStatus.SCHEDULED:
            move, cancel = st.columns(2)
            with move:
                render_reschedule(ws, view, client=client, viewer_tz=viewer_tz, actor=Actor.person(account))
            with cancel.expander("Cancel", icon=":material/event_busy:"):
                reason = st.text_input("Reason (the candidate sees it)", key=f"cancel_reason_{sid}")
                if st.button("Cancel interview", key=f"cancel_{sid}", type="secondary"):
                    _act(
                        lambda: bookings.cancel_booking(
                            ws, sid, reason=reason, client=client, actor=Actor.person(account)
                        ),
                        said=(CANCELLED_KEY, sid),
                    )


def _act(action: Callable[[], object], *, said: tuple[str, str]) -> None:
    """Run a change to a booking; once done, leave a note (`said`: session-state key and value) for the
    next run to confirm it, and rerun."""
    try:
        action()
    except WorkspaceError as exc:
        st.error(str(exc))
        return
    key, value = said
    st.session_state[key] = value
    st.rerun()


def _cancelled_notice() -> None:
    sid = st.session_state.pop(CANCELLED_KEY, None)
    if not sid:
        return
    view = bookings.scheduled_interview(ws, sid, actor=Actor.person(account))
    name = plain(view.booking.attendee_name)
    st.success(
        f"Cancelled {name}'s interview of {short(view.booking.start_at)}. "
        "It stays on the Upcoming tab under Show cancelled.",
        icon=":material/event_busy:",
    )
    st.toast(f"Cancelled {name}'s interview.", icon=":material/event_busy:")  # seen wherever the card was


# --- team ---------------------------------------------------------------------------------------


def _team_tab(ws: Workspace, client: CalcomClient | None, viewer_tz: str) -> None:
    members = team.list_members(ws, active_only=False)
    st.subheader("Team members")
    if members:
        rows = [
            {
                "Name": m.name,
                "Email": m.email,
                "Role": m.role.value,
                "Time zone": m.timezone,
                "Working hours": "; ".join(
                    f"{team.WEEKDAYS[int(d)]} {', '.join(f'{a}–{b}' for a, b in spans)}"
                    for d, spans in sorted(m.working_hours.items())
                ),
                "Cal.com": m.calcom_username or "",
            }
            for m in members
        ]
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    added = st.session_state.pop(MEMBER_ADDED_KEY, None)
    if added:
        st.success(f"Added {plain(added)} to the team.", icon=":material/person_add:")
    # Not cleared on submit: a refused form keeps what was typed, and says which field to fix. Once a member
    # is added, the widgets get new keys: the browser drops what it holds for the old ones (removing their
    # session state would not reach it), so the next person starts from an empty form.
    form = st.session_state.get(MEMBER_FORM_KEY, 0)
    with st.form("add_member"), st.container():
        st.markdown("**Add a team member**")
        who_cols = st.columns(3)
        name = who_cols[0].text_input("Name", key=f"member_name_{form}")
        email = who_cols[1].text_input("Email", key=f"member_email_{form}")
        role = who_cols[2].selectbox("Role", [r.value for r in MemberRole], key=f"member_role_{form}")
        who_problems = st.container()
        hours_cols = st.columns(4)
        zone = hours_cols[0].text_input("Time zone", value=viewer_tz, key=f"member_timezone_{form}")
        start = hours_cols[1].time_input("Works from", value=time(9), key=f"member_from_{form}")
        end = hours_cols[2].time_input("until", value=time(17), key=f"member_until_{form}")
        username = hours_cols[3].text_input("Cal.com username (optional)", key=f"member_calcom_{form}")
        workdays = st.multiselect(
            "Working days",
            list(range(7)),
            default=list(range(5)),
            format_func=team.WEEKDAYS.__getitem__,
            key=f"member_days_{form}",
        )
        hours_problems = st.container()
        if st.form_submit_button("Add member", type="primary"):
            hours = {str(d): [[start.strftime("%H:%M"), end.strftime("%H:%M")]] for d in workdays}
            try:
                team.add_member(
                    ws,
                    name=name,
                    email=email,
                    role=MemberRole(role),
                    timezone=zone,
                    working_hours=hours,
                    calcom_username=username,
                    actor=Actor.person(account),
                )
            except team.TeamInputError as exc:
                for field, problem in (exc.problems or {"": str(exc)}).items():
                    where = who_problems if field in ("name", "email") else hours_problems
                    _field_error(where, field, problem)
            except AlreadyExists as exc:  # the email is someone's already
                _field_error(who_problems, "email", str(exc))
            except WorkspaceError as exc:
                st.error(str(exc))
            else:
                st.session_state[MEMBER_FORM_KEY] = form + 1
                st.session_state[MEMBER_ADDED_KEY] = name.strip()
                st.rerun()
    st.subheader("Interview kinds")
    kinds = team.event_types(ws)
    _event_type_form(ws, kinds, client)


def _field_error(where: DeltaGenerator, field: str, problem: str) -> None:
    """The problem under the row holding the field, led by the field's label so it is plain which to fix."""
    label = MEMBER_LABELS.get(field, "")
    named = not label or problem.casefold().startswith(label.casefold())  # "Working hours on Mon: …"
    where.error(plain(problem) if named else f"**{label}:** {plain(problem)}", icon=":material/edit:")


def _event_type_form(ws: Workspace, kinds: list[EventType], client: CalcomClient | None) -> None:
    problems = {"": "— first problem —", **{p.id: p.title for p in ws.problems.all()}}
    by_id = {k.id: k for k in kinds}
    chosen = st.selectbox("Edit", list(by_id), format_func=lambda kid: by_id[kid].title, key="event_type_edit")
    kind = by_id[chosen]
    with st.form(f"event_type_{kind.id}"):
        cols = st.columns(3)
        title = cols[0].text_input("Title", value=kind.title)
        length = cols[1].number_input("Minutes", min_value=5, max_value=480, value=kind.length_minutes)
        problem = cols[2].selectbox(
            "Default problem",
            list(problems),
            index=list(problems).index(kind.problem_id or ""),
            format_func=problems.__getitem__,
        )
        cols = st.columns(3)
        before = cols[0].number_input(
            "Buffer before (min)", min_value=0, max_value=120, value=kind.buffer_before_minutes
        )
        after = cols[1].number_input("Buffer after (min)", min_value=0, max_value=120, value=kind.buffer_after_minutes)
        calcom_id = cols[2].number_input(
            "Cal.com event type id",
            min_value=0,
            value=kind.calcom_event_type_id or 0,
            help="0: not linked. Needed to book this kind through Cal.com.",
        )
        if st.form_submit_button("Save"):
            kind.title, kind.length_minutes = title, int(length)
            kind.problem_id = problem or None
            kind.buffer_before_minutes, kind.buffer_after_minutes = int(before), int(after)
            kind.calcom_event_type_id = int(calcom_id) or None
            try:
                team.save_event_type(ws, kind, actor=Actor.person(account))
            except WorkspaceError as exc:
                st.error(str(exc))
            else:
                st.rerun()
    if client is not None and st.button("Show Cal.com event types", key="calcom_event_types"):
        try:
            found = client.event_types()
        except WorkspaceError as exc:
            st.error(str(exc))
        else:
            st.dataframe(
                pd.DataFrame(
                    [{"id": e.id, "Title": e.title, "Minutes": e.length_minutes, "Slug": e.slug} for e in found]
                ),
                hide_index=True,
            )


# --- page ---------------------------------------------------------------------------------------

ws = get_workspace()
account = current_account()
if not allowed(account, Action.SCHEDULE):
    st.error("Only interviewers and administrators book interviews.")
    st.stop()
client = calcom_client(ws.settings)
viewer_tz = _viewer_timezone()

st.title("Schedule")
st.caption(
    "Booking through Cal.com."
    if client
    else "Built-in scheduler: free times come from the team's working hours "
    "and the interviews already booked (set CALCOM_API_KEY to book through Cal.com)."
)
# Always there, empty or not: a notice must not move the tabs below, or the browser reopens the first tab
# (someone who just moved or cancelled an interview on the Upcoming tab would land on Book).
with st.container():
    booked = st.session_state.pop("schedule_booked", None)
    if booked:
        view = bookings.scheduled_interview(ws, booked, actor=Actor.person(account))
        st.success(
            f"Booked {view.booking.attendee_name} for {short(view.booking.start_at)}. It is on the Upcoming tab.",
            icon=":material/event_available:",
        )
    render_moved_notice(ws, viewer_tz=viewer_tz, actor=Actor.person(account))
    _cancelled_notice()
stats = bookings.booking_stats(ws, actor=Actor.person(account))
_stats(stats)
book_tab, upcoming_tab, team_tab = st.tabs(["Book", "Upcoming", "Team"])
with book_tab:
    _book_tab(ws, client, viewer_tz)
with upcoming_tab:
    _upcoming_tab(ws, client, stats, viewer_tz)
with team_tab:
    _team_tab(ws, client, viewer_tz)
