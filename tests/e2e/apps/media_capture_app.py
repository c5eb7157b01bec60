"""A one-page app for the media-capture e2e test: screen share, camera and the live-modes row
for the interview named in `?session=`, against the workspace in IW_RUNTIME_DIR.

`?interval=` shortens the screen-share interval so the test need not wait 5 s per frame.
"""

from __future__ import annotations

import streamlit as st

from components.camera import render_camera
from components.live_modes import render_live_modes
from components.resources import get_workspace
from components.screen_share import render_screen_share
from core.permissions.actor import Actor
from core.recording_notice import SCREEN_INTERVAL_SECONDS

st.set_page_config(page_title="Media capture", layout="wide")
ws = get_workspace()
session_id = st.query_params.get("session", "")
actor = Actor.workspace("candidate")  # a test page without sign-in, acting as the workspace
if not session_id:
    st.error("Open this page with ?session=<interview id>.")
    st.stop()

st.title("Media capture")
modes = st.container()  # filled last, shown first: it needs what the controls below report
left, right = st.columns(2)
with left:
    st.subheader("Screen")
    interval = int(st.query_params.get("interval", SCREEN_INTERVAL_SECONDS))
    screen = render_screen_share(ws, session_id, interval_seconds=interval, actor=actor)
with right:
    st.subheader("Camera")
    camera = render_camera(ws, session_id, actor=actor)
with modes:
    render_live_modes(mic=False, camera=camera, screen=screen)
