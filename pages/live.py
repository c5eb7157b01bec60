"""Live session: the interviewer's cockpit for an interview led by a person.

Stages with a timer and open goals on the left; the guide, the copilot and live notes in the middle;
the transcript, the whiteboard and the session's facts on the right. Everything typed is saved as it
is typed, so a reload, a second tab or a server restart picks up where the interviewer was.
The panels live in components/cockpit/; this page finds the session and lays them out.
"""

from __future__ import annotations

import streamlit as st

from components.cockpit.facts import render_facts
from components.cockpit.guidance import render_copilot, render_llm_ask, render_stage_brief
from components.cockpit.header import finish_if_ending, render_clocks, render_controls, render_header
from components.cockpit.notes import render_capture, render_notes
from components.cockpit.notice import render_notice
from components.cockpit.stages import render_goals, render_stages
from components.cockpit.start import render_pick_or_start
from components.cockpit.transcript import render_live_transcript, render_mic_toggle, render_said_form
from components.current_session import permitted_session_id, set_current_session
from components.resources import get_workspace
from components.signed_in import current_account
from components.whiteboard import render_whiteboard
from core.errors import WorkspaceError
from core.live.sessions import Cockpit, cockpit, is_live
from core.models import SessionStatus
from core.permissions.actor import Actor
from core.permissions.policy import SessionAction

ws = get_workspace()
account = current_account()
ACTOR = Actor.person(account)  # who the audit log and the notes name

session_id = permitted_session_id(ws, SessionAction.EDIT)
if session_id is None:
    render_pick_or_start(ws, account=account)
    st.stop()
try:
    view: Cockpit = cockpit(ws, session_id, actor=ACTOR)
except WorkspaceError:
    try:
        led_by_ai = not is_live(ws, session_id)
    except WorkspaceError:  # no such session (any more)
        led_by_ai = False
    if led_by_ai:  # an AI-led interview: the Interview page runs those
        st.switch_page("pages/interview.py", query_params={"session": session_id})
    set_current_session(None)
    render_pick_or_start(ws, account=account)
    st.stop()

session = view.session
finish_if_ending(ws, session.id, actor=ACTOR)

# --- header: who, the meeting link, the candidate view, the clocks; then the controls ------------

head, side = st.columns([3, 2], vertical_alignment="top")
with head:
    render_header(ws, view, actor=ACTOR)
with side:
    # Nothing else goes in this column: a fragment rerunning every second can clear its neighbours.
    render_clocks(ws, session.id)
with st.container():  # there with or without a notice, so the panels below keep their place (a moved canvas remounts)
    render_notice()
render_controls(ws, view, actor=ACTOR)

# --- left: stages and goals; middle: guide, copilot, notes; right: transcript, whiteboard, facts --

left, middle, right = st.columns([3, 5, 4], gap="medium")
with left:
    st.subheader("Stages")
    render_stages(ws, view, actor=ACTOR)
    st.divider()
    render_goals(ws, view, actor=ACTOR)

with middle:
    render_stage_brief(view)
    copilot_container = st.container()
    render_llm_ask(ws, view)
    st.markdown("**Notes**")
    render_capture(ws, view, actor=ACTOR)
    render_notes(ws, view, actor=ACTOR)

with right:
    tabs = st.tabs(["Transcript", "Whiteboard", "Session facts"])
    with tabs[0]:
        if session.status is SessionStatus.ACTIVE:
            render_said_form(ws, session.id, actor=ACTOR)
            render_mic_toggle(ws, session.id, actor=ACTOR)
        transcript_box = st.container()
    with tabs[1]:
        reference = view.problem.reference_components if view.problem else ()
        render_whiteboard(ws, session.id, actor=ACTOR, reference_components=reference, editable=session.is_open)
    with tabs[2]:
        render_facts(ws, view, actor=ACTOR)

# Timed fragments last, each alone in its container: a fragment rerunning can clear its neighbours.
with copilot_container:
    render_copilot(ws, session.id)
with transcript_box:
    render_live_transcript(ws, session.id, session.problem_id)
