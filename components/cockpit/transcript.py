"""The cockpit's transcript tab: type in what was just said, transcribe this computer's microphone,
and the transcript itself, reread every two seconds so lines heard by the microphone appear."""

from __future__ import annotations

from functools import partial

import av
import streamlit as st

from components.mic import render_mic
from components.signed_in import current_actor
from components.transcript_panel import render_transcript_panel
from core.errors import WorkspaceError
from core.live.sessions import cockpit, log_speech
from core.media.consent import CONFIRMED_FOR_CANDIDATE
from core.permissions.actor import Actor
from core.speech import live_transcription
from core.workspace import Workspace


def render_said_form(ws: Workspace, session_id: str, *, actor: Actor) -> None:
    """A line of what was said and who said it, added to the transcript on submit."""
    with st.form(f"live_said_{session_id}", clear_on_submit=True, border=False):
        said_col, who_col = st.columns([4, 2], vertical_alignment="bottom")
        said = said_col.text_input("What was just said", key=f"live_said_text_{session_id}")
        speaker = who_col.selectbox(
            "Speaker",
            ["candidate", "interviewer"],
            format_func=str.capitalize,
            key=f"live_said_who_{session_id}",
        )
        if st.form_submit_button("Add to transcript", icon=":material/add_comment:"):
            try:
                log_speech(ws, session_id, text=said, speaker=speaker, actor=actor)
            except WorkspaceError as exc:
                st.error(str(exc))
            else:
                st.rerun()  # the goals and the copilot above were drawn before this line existed


def _hear(ws: Workspace, session_id: str, actor: Actor, frame: av.AudioFrame) -> None:
    transcriber = live_transcription.get_or_create(ws, session_id, submit_answers=False, actor=actor)
    if transcriber is not None:
        transcriber.feed(frame)


def render_mic_toggle(ws: Workspace, session_id: str, *, actor: Actor) -> None:
    """The microphone switch: on, it streams audio to live transcription; off, it stops the transcriber.

    The candidate is recorded, so before the first recording the interviewer tells them what the
    notice says and confirms that they agreed (the consent names the interviewer, `actor`).
    """
    if st.toggle(
        "Transcribe the microphone",
        key=f"live_mic_{session_id}",
        help="This computer's microphone is transcribed live and recorded with the session: "
        "for an interview in the room, or with the call's audio routed to it.",
    ):
        live_transcription.listen(session_id)
        render_mic(
            ws,
            session_id,
            on_frame=partial(_hear, ws, session_id, actor),
            on_stop=partial(live_transcription.stop_in_background, session_id),
            actor=actor,
            confirmed_for=CONFIRMED_FOR_CANDIDATE,
        )
    elif live_transcription.is_listening(session_id):
        live_transcription.stop(session_id)


def mic_on(session_id: str) -> bool:
    """Whether the microphone is being transcribed: only then do panels fed by it reread on a timer."""
    return bool(st.session_state.get(f"live_mic_{session_id}")) or live_transcription.is_listening(session_id)


def render_live_transcript(ws: Workspace, session_id: str, problem_id: str) -> None:
    """The transcript so far; put it alone in its container (a fragment rerunning clears its neighbours). It
    rereads every 2 s while the microphone is transcribed; otherwise only what the interviewer does changes it,
    and that reruns the page anyway."""
    every = "2s" if mic_on(session_id) else None
    st.fragment(run_every=every)(_live_transcript)(ws, session_id, problem_id)


def _live_transcript(ws: Workspace, session_id: str, problem_id: str) -> None:
    render_transcript_panel(
        cockpit(ws, session_id, actor=current_actor()).transcript,
        problem_id=problem_id or "interview",
        session_id=session_id,
        height=360,
        empty="Nothing transcribed yet. Add what was just said above, or transcribe the microphone.",
    )
