"""The recording notice and its "I agree" button, shown in place of a capture control until someone agrees.

`render_consent` returns True once consent to that kind of recording is stored with the session; the
caller then draws the control (microphone, camera, screen share). The agreement is stored in the
button's callback, before the rerun, so the notice is gone and the control there on the very next run.

For an interview led by a person (`confirmed_for="candidate"`) the interviewer tells the candidate what
the notice says and confirms that they agreed; the consent names the interviewer.
"""

from __future__ import annotations

import streamlit as st

from core.errors import WorkspaceError
from core.media.consent import CONFIRMED_FOR_CANDIDATE, consented_kinds, give_consent
from core.permissions.actor import Actor
from core.recording_notice import recording_notice
from core.workspace import Workspace

AGREE = {  # the button, when the person recorded agrees themselves
    "audio": "I agree: record my voice",
    "camera": "I agree: record my camera",
    "screen": "I agree: capture my screen",
}
CONFIRM = {  # the button, when the interviewer confirms the candidate agreed
    "audio": "The candidate agreed: record audio",
    "camera": "The candidate agreed: record the camera",
    "screen": "The candidate agreed: capture the screen",
}


def render_consent(
    ws: Workspace,
    session_id: str,
    kind: str,
    *,
    actor: Actor,
    confirmed_for: str | None = None,
    place: str = "control",
) -> bool:
    """True when `kind` may be recorded in this session; otherwise the notice and the button to agree.

    `place` tells two notices for the same kind on one page apart (e.g. the microphone and an upload).
    """
    if kind in consented_kinds(ws, session_id, actor=actor):
        return True
    error_key = f"consent_error_{kind}_{place}_{session_id}"
    for_candidate = confirmed_for == CONFIRMED_FOR_CANDIDATE
    with st.container(border=True):
        if for_candidate:
            st.markdown(":material/record_voice_over: **Tell the candidate before you record**")
            st.caption("Read or show this to the candidate; record only once they agree.")
        else:
            st.markdown(":material/privacy_tip: **Before anything is recorded**")
        st.markdown(recording_notice(ws.settings, [kind]).as_markdown())
        st.button(
            (CONFIRM if for_candidate else AGREE)[kind],
            key=f"consent_{kind}_{place}_{session_id}",
            type="primary",
            on_click=_agree,
            args=(ws, session_id, kind, actor, confirmed_for, error_key),
        )
        if error := st.session_state.pop(error_key, None):
            st.error(error)
    return False


def _agree(ws: Workspace, session_id: str, kind: str, actor: Actor, confirmed_for: str | None, error_key: str) -> None:
    try:
        give_consent(ws, session_id, [kind], actor=actor, confirmed_for=confirmed_for)
    except WorkspaceError as exc:
        st.session_state[error_key] = f"The consent was not saved: {exc}"
