"""The camera: streamlit-webrtc sends the browser's camera to the server, which records it as MP4.

Each START begins a new recording (`camera-<time>.mp4` in the session folder, H.264); when it
stops, the recorder renames the file into place and adds it to the session's media itself (on
aiortc's side, after the file is finalised), so the page needs no polling to keep it. The
recording notice comes first (components/consent.py): the control appears once someone agreed
to the camera being recorded in this interview; a recording under way stops keeping frames about a
second after that consent is withdrawn (the server checks it: core.media.camera).

Same seam as the microphone (components.mic.mic_available): without a real Streamlit runtime,
or with IW_DISABLE_MIC=1, a caption stands in for the control and AppTest never mounts webrtc.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, cast

import streamlit as st

from components.consent import render_consent
from components.mic import mic_available
from core.errors import WorkspaceError
from core.media.camera import CameraRecorder, camera_recorder
from core.media.capture import list_media, session_is_open
from core.permissions.actor import Actor
from core.workspace import Workspace

if TYPE_CHECKING:
    from aiortc.contrib.media import MediaRecorder

log = logging.getLogger(__name__)

# 640×480 at up to 15 fps: enough to see a face, and libx264 keeps up on two cores.
CAMERA_CONSTRAINTS = {
    "video": {"width": {"ideal": 640}, "height": {"ideal": 480}, "frameRate": {"ideal": 15, "max": 15}},
    "audio": False,
}


def render_camera(ws: Workspace, session_id: str, *, actor: Actor) -> bool:
    """The camera control for this interview; True while the camera is being recorded."""
    if not session_is_open(ws, session_id):
        st.caption(":material/videocam_off: The camera is off: this interview has ended.")
        return False
    if not render_consent(ws, session_id, "camera", actor=actor):
        return False
    if not mic_available():
        st.caption(":material/videocam_off: Camera unavailable here.")
        return False
    from streamlit_webrtc import WebRtcMode, webrtc_streamer

    ctx = webrtc_streamer(
        key=f"camera-{session_id}",
        mode=WebRtcMode.SENDONLY,
        rtc_configuration={"iceServers": []},  # no STUN: works on closed networks and localhost
        media_stream_constraints=CAMERA_CONSTRAINTS,
        # streamlit-webrtc types the factory as returning a MediaRecorder, but it checks for None before use
        # (webrtc.py: `if in_recorder:`), so "no recorder" is supported: the stub is narrower than the code.
        in_recorder_factory=cast("Callable[[], MediaRecorder]", lambda: _recorder(ws, session_id, actor)),
    )
    playing = bool(ctx.state.playing)
    if playing:
        st.badge("Camera recording", icon=":material/fiber_manual_record:", color="red")
    else:
        saved = len(list_media(ws, session_id, "video", actor=actor))
        note = f" {saved} recording{'s' if saved != 1 else ''} saved with this interview." if saved else ""
        st.caption(f"Press START to record your camera.{note}")
    return playing


def _recorder(ws: Workspace, session_id: str, actor: Actor) -> CameraRecorder | None:
    """A new recorder per START; none (the stream still flows, unrecorded) if the interview just ended."""
    try:
        return camera_recorder(ws, session_id, actor=actor)
    except WorkspaceError as exc:
        log.warning("camera_recording_refused", extra={"detail": {"session_id": session_id, "error": str(exc)}})
        return None
