"""A one-line warning carried to the next run: callbacks run before the page draws, so they cannot
show an error themselves; they leave the service's sentence here and the page shows it under the header."""

from __future__ import annotations

import streamlit as st

NOTICE = "live_notice"


def post_notice(message: str) -> None:
    """Keep a message for the page to show on this run."""
    st.session_state[NOTICE] = message


def render_notice() -> None:
    """Show (once) the message a callback left."""
    if notice := st.session_state.pop(NOTICE, None):
        st.warning(notice)
