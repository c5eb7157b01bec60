"""Which interview this browser tab is on: Session State, backed by the URL.

The id also lives in the query string (?session=…), so a reload, a bookmark or a server
restart lands on the same interview; the database holds everything else.
"""

from __future__ import annotations

import streamlit as st

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
