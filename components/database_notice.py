"""What a page shows while the database is away after start-up: a plain message, never a traceback.

The page reruns itself every few seconds (and on "Try again"), so it carries on by itself once the
database answers again; nothing typed before the outage is lost, since every answer is saved as it arrives.
"""

from __future__ import annotations

import streamlit as st

RETRY_SECONDS = 5
_ARMED = "_database_retry_armed"


@st.fragment(run_every=RETRY_SECONDS)
def _retry_soon() -> None:
    if st.session_state.pop(_ARMED, False):
        return  # drawn by the page's own run; only the timer's runs start the page again
    st.rerun(scope="app")


def render_database_away(message: str) -> None:
    """The message, a "Try again" button and a timer that reruns the page; the caller stops the page."""
    st.warning(message, icon=":material/cloud_off:")
    st.button("Try again", icon=":material/refresh:", key="database_try_again")
    st.session_state[_ARMED] = True
    _retry_soon()
