"""The recording notice and its "I agree" button, shown in place of a capture control until someone agrees.

`render_consent` returns True once consent to that kind of recording is stored with the session; the
caller then draws the control (microphone, camera, screen share). The agreement is stored in the
button's callback, before the rerun, so the notice is gone and the control there on the very next run.

For an interview led by a person (`confirmed_for="candidate"`) the interviewer tells the candidate what
the notice says and confirms that they agreed; the consent names the interviewer.

Once consent is given, whoever gave it (or an admin) sees "Withdraw consent" above the control, with what
withdrawing does; after it the notice and its button are back in the control's place.
"""

from __future__ import annotations

import streamlit as st

from core.errors import WorkspaceError
from core.media.consent import CONFIRMED_FOR_CANDIDATE, consents_in_force, give_consent, may_withdraw, withdraw_consent
from core.models import SessionConsent
from core.permissions.actor import Actor
from core.recording_notice import KIND_LABELS, recording_notice, withdrawal_note
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
WITHDRAW = "Withdraw consent"


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
    error_key = f"consent_error_{kind}_{place}_{session_id}"
    for_candidate = confirmed_for == CONFIRMED_FOR_CANDIDATE
    if given := consents_in_force(ws, session_id, actor=actor).get(kind):
        _render_withdraw(ws, session_id, kind, given, actor=actor, place=place, for_candidate=for_candidate)
        return True
    with st.container(border=True):
        if withdrawn := st.session_state.pop(_withdrawn_key(kind, place, session_id), None):
            st.info(withdrawn, icon=":material/block:")
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


def _render_withdraw(
    ws: Workspace,
    session_id: str,
    kind: str,
    given: list[SessionConsent],
    *,
    actor: Actor,
    place: str,
    for_candidate: bool,
) -> None:
    """The small "Withdraw consent" button and what it does, for whoever may withdraw (the policy decides)."""
    if not may_withdraw(actor, given):
        return
    error_key = f"consent_withdraw_error_{kind}_{place}_{session_id}"
    with st.container(horizontal=True, vertical_alignment="center"):
        st.button(
            WITHDRAW,
            key=f"consent_withdraw_{kind}_{place}_{session_id}",
            type="tertiary",
            icon=":material/block:",
            on_click=_withdraw,
            args=(ws, session_id, kind, actor, place, error_key),
        )
        st.caption(withdrawal_note(ws.settings, kind, for_candidate=for_candidate))
    if error := st.session_state.pop(error_key, None):
        st.error(error)


def _withdraw(ws: Workspace, session_id: str, kind: str, actor: Actor, place: str, error_key: str) -> None:
    try:
        withdraw_consent(ws, session_id, [kind], actor=actor)
    except WorkspaceError as exc:
        st.session_state[error_key] = f"The consent was not withdrawn: {exc}"
    else:
        st.session_state[_withdrawn_key(kind, place, session_id)] = (
            f"Consent withdrawn: the {KIND_LABELS[kind]} is not recorded any more. What was already recorded stays "
            "with the interview until retention deletes it, or sooner if you ask for it to be deleted."
        )


def _withdrawn_key(kind: str, place: str, session_id: str) -> str:
    return f"consent_withdrawn_{kind}_{place}_{session_id}"
