"""Streamlit entry point: page setup and navigation, nothing else."""

from __future__ import annotations

import streamlit as st

from components.account_menu import render_account_menu, render_sign_in_needed
from components.database_notice import render_database_away
from components.resources import get_workspace
from components.signed_in import check_sign_in
from core.errors import DatabaseUnavailable, WorkspaceError
from core.permissions.policy import Action, allowed

st.set_page_config(page_title="Interview Workspace", page_icon=":material/explore:", layout="wide")

try:
    ws = get_workspace()
except WorkspaceError as exc:
    st.title("Interview Workspace")
    st.error(f"The workspace cannot start: {exc}")
    st.caption("Fix the problem above and reload this page; nothing you have stored is lost.")
    st.stop()
try:
    signed_in = check_sign_in(ws)
except DatabaseUnavailable as exc:  # started, then lost its database: a message, and the page recovers
    render_database_away(str(exc))
    st.stop()

account = signed_in.account
if account is None:  # nothing of any page runs for a browser that is not signed in
    render_sign_in_needed(ws, expired=signed_in.expired)
    st.stop()

setup = st.Page("pages/setup.py", title="Setup", icon=":material/tune:", url_path="setup")


def home() -> None:
    """The app's root address: Setup, at its own address. (Streamlit serves its default page at the root
    only, so Setup as the default page would answer "Page not found" at /setup.)"""
    st.switch_page(setup, query_params=st.query_params.to_dict())


def may(action: Action) -> bool:
    return allowed(account, action)


# Every page has its own address (/setup, /interview, …) that opens it directly, bookmarks and reloads too.
# A person sees the pages their roles allow (core.permissions.policy); the pages check again what they open.
# The top bar holds the work of an interview; the workspace's own records sit in one "Workspace" menu, and a
# person's own settings and activity in their account menu, so no page falls into an overflow "N more".
work = [
    st.Page(home, title="Interview Workspace", url_path="", default=True, visibility="hidden"),
    setup,
    st.Page("pages/interview.py", title="Interview", icon=":material/forum:", url_path="interview"),
]
if may(Action.RUN_LIVE):
    work.append(st.Page("pages/live.py", title="Live session", icon=":material/record_voice_over:", url_path="live"))
if may(Action.RUN_LIVE) or may(Action.REVIEW):
    work.append(st.Page("pages/debrief.py", title="Debrief", icon=":material/fact_check:", url_path="debrief"))
work.append(st.Page("pages/evaluation.py", title="Evaluation", icon=":material/analytics:", url_path="evaluation"))
if may(Action.REVIEW):
    work.append(st.Page("pages/review_queue.py", title="Review queue", icon=":material/rule:", url_path="review-queue"))
work.append(st.Page("pages/history.py", title="History", icon=":material/history:", url_path="history"))
if may(Action.SCHEDULE):
    work.append(st.Page("pages/schedule.py", title="Schedule", icon=":material/calendar_month:", url_path="schedule"))

everyone_activity = may(Action.VIEW_ALL_ACTIVITY)
activity = st.Page(
    "pages/activity.py",
    title="Activity" if everyone_activity else "My activity",
    icon=":material/timeline:",
    url_path="activity",
    visibility="visible" if everyone_activity else "hidden",
)
workspace = [activity] if everyone_activity else []
if may(Action.VIEW_WEBHOOKS):
    workspace.append(st.Page("pages/webhooks.py", title="Webhook log", icon=":material/webhook:", url_path="webhooks"))
if may(Action.MANAGE_PEOPLE):
    workspace.append(st.Page("pages/people.py", title="People", icon=":material/group:", url_path="people"))
if may(Action.MANAGE_JOBS):
    workspace.append(st.Page("pages/jobs.py", title="Jobs", icon=":material/work_history:", url_path="jobs"))

notifications = st.Page(
    "pages/notifications.py",
    title="My notifications",
    icon=":material/notifications:",
    url_path="notifications",
    visibility="hidden",
)
personal = [notifications] if everyone_activity else [notifications, activity]
hidden = [st.Page("pages/share.py", title="Candidate view", url_path="share", visibility="hidden"), notifications]
if not everyone_activity:
    hidden.append(activity)

sections = {"": work + hidden}
if workspace:
    sections["Workspace"] = workspace
navigation = st.navigation(sections, position="top")
render_account_menu(account, personal)


try:
    navigation.run()
except DatabaseUnavailable as exc:  # after start-up: a stopped server, a dropped connection, a locked file
    render_database_away(str(exc))
