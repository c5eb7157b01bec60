"""Streamlit entry point: page setup and navigation, nothing else."""

from __future__ import annotations

import streamlit as st

from components.database_notice import render_database_away
from components.resources import get_workspace
from core.errors import DatabaseUnavailable, WorkspaceError

st.set_page_config(page_title="Interview Workspace", page_icon=":material/explore:", layout="wide")

try:
    get_workspace()
except WorkspaceError as exc:
    st.title("Interview Workspace")
    st.error(f"The workspace cannot start: {exc}")
    st.caption("Fix the problem above and reload this page; nothing you have stored is lost.")
    st.stop()

setup = st.Page("pages/setup.py", title="Setup", icon=":material/tune:", url_path="setup")


def home() -> None:
    """The app's root address: Setup, at its own address. (Streamlit serves its default page at the root
    only, so Setup as the default page would answer "Page not found" at /setup.)"""
    st.switch_page(setup, query_params=st.query_params.to_dict())


# Every page has its own address (/setup, /interview, …) that opens it directly, bookmarks and reloads too.
navigation = st.navigation(
    [
        st.Page(home, title="Interview Workspace", url_path="", default=True, visibility="hidden"),
        setup,
        st.Page("pages/interview.py", title="Interview", icon=":material/forum:", url_path="interview"),
        st.Page("pages/live.py", title="Live session", icon=":material/record_voice_over:", url_path="live"),
        st.Page("pages/debrief.py", title="Debrief", icon=":material/fact_check:", url_path="debrief"),
        st.Page("pages/evaluation.py", title="Evaluation", icon=":material/analytics:", url_path="evaluation"),
        st.Page("pages/history.py", title="History", icon=":material/history:", url_path="history"),
        st.Page("pages/schedule.py", title="Schedule", icon=":material/calendar_month:", url_path="schedule"),
        st.Page("pages/webhooks.py", title="Webhook log", icon=":material/webhook:", url_path="webhooks"),
        st.Page("pages/share.py", title="Candidate view", url_path="share", visibility="hidden"),
    ],
    position="top",
)


try:
    navigation.run()
except DatabaseUnavailable as exc:  # after start-up: a stopped server, a dropped connection, a locked file
    render_database_away(str(exc))
