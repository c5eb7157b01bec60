"""Which interview this browser tab is on: Session State, backed by the URL.

The id also lives in the query string (?session=…), so a reload, a bookmark or a server
restart lands on the same interview; the database holds everything else.
"""

from __future__ import annotations

import streamlit as st

from components.signed_in import current_account
from core.errors import AccessDenied
from core.permissions.access import require
from core.permissions.policy import SessionAction
from core.workspace import Workspace

KEY = "session_id"


def current_session_id() -> str | None:
    from_url = st.query_params.get("session")
    if from_url:
        st.session_state[KEY] = from_url
    return st.session_state.get(KEY)


def set_current_session(session_id: str | None) -> None:
    if session_id is None:
        st.session_state.pop(KEY, None)
        st.query_params.pop("session", None)
    else:
        st.session_state[KEY] = session_id
        st.query_params["session"] = session_id


def permitted_session_id(ws: Workspace, action: SessionAction) -> str | None:
    """The tab's interview when the signed-in person may do `action` to it; otherwise a message, the id
    forgotten, and None. Every page that takes a session id from the URL or the tab goes through here."""
    session_id = current_session_id()
    if session_id is None:
        return None
    try:
        require(ws, current_account(), action, session_id)
    except AccessDenied as exc:
        st.error(str(exc))
        set_current_session(None)
        return None
    return session_id
