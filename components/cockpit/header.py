"""The top of the cockpit: who and what, the meeting link, the candidate view, the clocks, and the
start / pause / resume / end controls. Ending asks first, because it stops the clocks and opens the debrief."""

from __future__ import annotations

import streamlit as st

from components.signed_in import current_actor
from components.ticking_clock import Clock
from components.ticking_clock import render_clocks as render_clocks_now
from core.errors import WorkspaceError
from core.live.sessions import Cockpit, cockpit, end_live, pause_live, resume_live, set_meeting_url, start_live
from core.live.stage_clock import ENDING_SECONDS
from core.models import SessionStatus
from core.permissions.actor import Actor
from core.speech import live_transcription
from core.workspace import Workspace

RESYNC_SECONDS = 15
"""How often the cockpit's clocks reread the session (they tick in the browser in between)."""

END_DIALOG = "live_end_dialog"
ENDING = "live_ending"  # the session this tab is ending: done at the top of the next run


def finish_if_ending(ws: Workspace, session_id: str, *, actor: Actor) -> None:
    """End the session and open its debrief, when the end dialog asked for it.

    Runs at the top of the page, before the clocks' timed fragment is drawn: a fragment firing while the
    session ends and the page switches left the browser with an empty Debrief page on a loaded machine.
    """
    if st.session_state.get(ENDING) != session_id:
        return
    del st.session_state[ENDING]
    live_transcription.stop(session_id)
    end_live(ws, session_id, actor=actor)
    st.switch_page("pages/debrief.py", query_params={"session": session_id})


def render_header(ws: Workspace, view: Cockpit, *, actor: Actor) -> None:
    """Title, person, status and problem, then the join / candidate-view links (and a place to add a link)."""
    session, template = view.session, view.template
    who = view.candidate.name if view.candidate else "Unnamed"
    st.title(f"{template.title}")
    details = [f"**{who}**", f"status: **{session.status.value}**"]
    if view.problem is not None:
        details.append(view.problem.title)
    st.markdown(" · ".join(details))
    actions = st.container(horizontal=True)
    if view.meeting is not None:
        actions.link_button(
            f"Join on {view.meeting.provider_label}" if view.meeting.is_known else "Join the meeting",
            view.meeting.url,
            icon=":material/video_call:",
            type="primary",
        )
    actions.link_button(
        "Candidate view",
        f"share?session={session.id}",
        icon=":material/present_to_all:",
        help="Opens what the candidate may see (problem and whiteboard) in a new tab, for screen sharing.",
    )
    if view.meeting is None and session.is_open:
        with actions.popover("Add meeting link", icon=":material/link:"):
            url = st.text_input("Meeting link", key=f"live_url_{session.id}", placeholder="https://…")
            if st.button("Save link", key=f"live_url_save_{session.id}"):
                try:
                    set_meeting_url(ws, session.id, url, actor=actor)
                    st.rerun()
                except WorkspaceError as exc:
                    st.error(str(exc))


@st.fragment(run_every=f"{RESYNC_SECONDS}s")
def render_clocks(ws: Workspace, session_id: str) -> None:
    """Session and stage clocks. They tick in the browser; the fragment rereads the session only every
    RESYNC_SECONDS, for what another tab changed (a pause, a new stage). Put it alone in its column (a rerun
    clears neighbours)."""
    now = cockpit(ws, session_id, actor=current_actor())
    timer = now.timer
    running = now.session.status is SessionStatus.ACTIVE
    planned = now.template.total_minutes * 60
    stage_minutes = f"{timer.planned_seconds / 60:.0f} min"
    render_clocks_now(
        [
            Clock(
                "Session",
                elapsed=now.elapsed,
                planned=planned,
                running=running,
                help=f"Planned: {now.template.total_minutes} min. Pauses do not count.",
            ),
            Clock(
                timer.title,
                elapsed=timer.spent_seconds,
                planned=timer.planned_seconds,
                running=running,
                ending_within=min(ENDING_SECONDS, timer.planned_seconds / 5) if running else 0.0,
                ending_note="Start wrapping up this stage." if running else "",
                over_note=f"Over the planned {stage_minutes}: move on when it suits you." if running else "",
            ),
        ],
        key=f"live_clocks_{session_id}",
    )
    if now.session.status is SessionStatus.PAUSED:
        st.caption(":gray[Paused: the clocks stand still.]")


def _close_end_dialog() -> None:
    st.session_state.pop(END_DIALOG, None)


@st.dialog("End the session?", on_dismiss=_close_end_dialog)
def _confirm_end(ws: Workspace, session_id: str, actor: Actor) -> None:
    st.write("The clocks stop and the debrief opens: scorecard, synthesis and recommendation. Notes stay editable.")
    yes, no = st.columns(2)
    if yes.button("Yes, end it", type="primary", key="live_end_yes"):
        _close_end_dialog()
        st.session_state[ENDING] = session_id  # ended by finish_if_ending, in a full run before any fragment
        st.rerun()
    if no.button("Keep going", key="live_end_no"):
        _close_end_dialog()
        st.rerun()


def render_controls(ws: Workspace, view: Cockpit, *, actor: Actor) -> None:
    """The buttons the session's status allows; the end dialog stays open across reruns until answered."""
    session = view.session
    is_open = session.is_open
    controls = st.container(horizontal=True)
    if session.status is SessionStatus.READY:
        if controls.button("Start the session", type="primary", icon=":material/play_arrow:", key="live_start"):
            start_live(ws, session.id, actor=actor)
            st.rerun()
        controls.caption("The clocks start when you start the session; you can take notes before.")
    elif session.status is SessionStatus.ACTIVE:
        if controls.button("Pause", icon=":material/pause:", key="live_pause"):
            live_transcription.stop(session.id)
            pause_live(ws, session.id, actor=actor)
            st.rerun()
    elif session.status is SessionStatus.PAUSED and controls.button(
        "Resume", type="primary", icon=":material/play_arrow:", key="live_resume"
    ):
        resume_live(ws, session.id, actor=actor)
        st.rerun()
    if is_open and session.status is not SessionStatus.READY:
        if controls.button("End session", icon=":material/stop:", key="live_end"):
            st.session_state[END_DIALOG] = session.id
        if st.session_state.get(END_DIALOG) == session.id:
            _confirm_end(ws, session.id, actor)
    if not is_open:
        st.success("This session has ended.")
        if controls.button("Open the debrief", type="primary", icon=":material/fact_check:", key="live_debrief"):
            st.switch_page("pages/debrief.py", query_params={"session": session.id})
