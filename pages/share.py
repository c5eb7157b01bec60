"""Candidate view: only what the person being interviewed may see — the problem and the whiteboard.

Opened from the Live session page in its own tab, for sharing on screen: no notes, no timers, no
copilot, no scores and no navigation to them.
"""

from __future__ import annotations

import streamlit as st

from components.resources import get_workspace
from components.whiteboard import render_whiteboard
from core.errors import WorkspaceError
from core.live.sessions import cockpit

ws = get_workspace()

# The shared screen shows this page alone: hide the app's navigation bar.
st.html("<style>header[data-testid='stHeader'] {display: none;} .stAppToolbar {display: none;}</style>")

session_id = st.query_params.get("session")
view = None
if session_id:
    try:
        view = cockpit(ws, session_id)
    except WorkspaceError:
        view = None
if view is None:
    st.title("Candidate view")
    st.info("Open this view from a live session's page (“Candidate view”), then share this tab.")
    st.stop()

template = view.template
if view.problem is not None:
    st.title(view.problem.title)
    st.markdown(view.problem.statement)
else:
    st.title(template.title)
    st.caption(view.stage.title)
st.markdown("**Whiteboard**")
reference = view.problem.reference_components if view.problem else ()
render_whiteboard(ws, view.session.id, reference_components=reference, editable=view.session.is_open)
