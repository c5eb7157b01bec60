"""The microphone: streamlit-webrtc sends the browser's audio to a LiveTranscriber.

`render_mic(ws, session_id, on_frame)` shows the recording notice until someone agrees to audio
recording in this interview (components/consent.py), then streamlit-webrtc's START/STOP control and a
"Recording" badge while audio flows. `on_frame` runs for every av.AudioFrame on aiortc's event
loop, so it must be quick (LiveTranscriber.feed only resamples and queues); `on_stop` runs when
the WebRTC session ends.

Seam: streamlit-webrtc cannot run under AppTest (it reaches into the Runtime's session manager,
which AppTest mocks), so with IW_DISABLE_MIC=1, or without a real Streamlit runtime, a caption
stands in for the control.
"""

from __future__ import annotations

import os
from collections.abc import Callable

import av
import streamlit as st

from components.consent import render_consent
from core.permissions.actor import Actor
from core.workspace import Workspace

DISABLE_ENV = "IW_DISABLE_MIC"
MEDIA_CONSTRAINTS = {
    # Chrome's processing changes the signal (and halves a test tone); Whisper wants it raw.
    "audio": {"echoCancellation": False, "noiseSuppression": False, "autoGainControl": False},
    "video": False,
}


def mic_available() -> bool:
    if os.environ.get(DISABLE_ENV, "").strip().lower() in {"1", "true", "yes"}:
        return False
    try:
        from streamlit.runtime import Runtime

        return Runtime.exists() and hasattr(Runtime.instance(), "_session_mgr")
    except Exception:
        return False


def render_mic(
    ws: Workspace,
    session_id: str,
    on_frame: Callable[[av.AudioFrame], None],
    on_stop: Callable[[], None] | None = None,
    *,
    actor: Actor,
    confirmed_for: str | None = None,
) -> bool:
    """The mic control for this interview; True while audio is being recorded.

    `confirmed_for="candidate"`: the interviewer (`actor`) confirms that the candidate agreed.
    """
    if not render_consent(ws, session_id, "audio", actor=actor, confirmed_for=confirmed_for):
        return False
    if not mic_available():
        st.caption(":material/mic_off: Microphone unavailable here; type your answers in the chat.")
        return False
    from streamlit_webrtc import WebRtcMode, create_audio_sink_track, webrtc_streamer

    sink = create_audio_sink_track(
        on_frame, key=f"mic-sink-{session_id}", on_ended=on_stop, lifecycle_scope="webrtc-session"
    )
    ctx = webrtc_streamer(
        key=f"mic-{session_id}",
        mode=WebRtcMode.SENDONLY,
        rtc_configuration={"iceServers": []},  # no STUN: works on closed networks and localhost
        media_stream_constraints=MEDIA_CONSTRAINTS,
        sink_audio_track=sink,
    )
    playing = bool(ctx.state.playing)
    if playing:
        st.badge("Recording", icon=":material/fiber_manual_record:", color="red")
    else:
        st.caption("Press START to speak your answers; they appear in the transcript.")
    return playing
