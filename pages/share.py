"""Candidate view: only what the person being interviewed may see — the problem, the whiteboard and,
once a reviewer has released it, their evaluation.

Opened from the Live session page in its own tab, for sharing on screen: no notes, no timers, no
copilot, no scores and no navigation to them while the interview runs. After a practice interview
the candidate comes here for their evaluation (core.evaluation.release decides when they may see it).
"""

from __future__ import annotations

import streamlit as st

from components.candidate_evaluation import render_awaiting, render_candidate_evaluation
from components.resources import get_workspace
from components.signed_in import current_account, current_actor
from components.whiteboard import render_whiteboard
from core.errors import AccessDenied, WorkspaceError
from core.evaluation.release import ReleaseStatus, release_status, released_report
from core.interview.services import InterviewView, get_interview
from core.live.sessions import Cockpit, cockpit, is_live
from core.permissions.access import permitted, require
from core.permissions.policy import SessionAction

ws = get_workspace()

# A live session's view is shared on screen: it shows this page alone, without the app's navigation bar.
# After a practice interview the candidate reads their evaluation here and keeps the navigation.
HIDE_NAVIGATION = (
    "<style>header[data-testid='stHeader'] {display: none;} .stAppToolbar {display: none;}"
    " .st-key-iw_account_menu {display: none;}</style>"
)


def render_evaluation_once_released(session_id: str) -> ReleaseStatus:
    """The evaluation when it is released; "being reviewed" while it waits for a reviewer."""
    status = release_status(ws, session_id, actor=current_actor())
    if status is ReleaseStatus.AWAITING:
        render_awaiting()
    elif (
        status is ReleaseStatus.RELEASED
        and (report := released_report(ws, session_id, actor=current_actor())) is not None
    ):
        render_candidate_evaluation(report)
    return status


session_id = st.query_params.get("session")
view: Cockpit | None = None
practice: InterviewView | None = None
if session_id:
    try:
        require(ws, current_account(), SessionAction.VIEW, session_id)  # the person's own, or staff on it
        if is_live(ws, session_id):
            view = cockpit(ws, session_id, actor=current_actor())
        else:
            practice = get_interview(ws, session_id, actor=current_actor())
    except AccessDenied as exc:
        st.error(str(exc))
        st.query_params.pop("session", None)
        view = practice = None
    except WorkspaceError:
        view = practice = None

if practice is not None:  # a practice interview with the AI interviewer: its evaluation, once released
    st.title(practice.problem.title)
    if practice.session.is_open:
        st.info("Your interview is still going: your evaluation appears here once it has ended.")
    elif render_evaluation_once_released(practice.session.id) is ReleaseStatus.NOT_EVALUATED:
        st.info("This interview has no evaluation.")
    st.stop()

st.html(HIDE_NAVIGATION)
if view is None:
    st.title("Candidate view")
    st.info("Open this view from a live session's page (“Candidate view”), then share this tab.")
    st.stop()

template = view.template
if view.problem is not None:
    st.title(view.problem.title)
    st.markdown(view.problem.statement)
else:
    st.title(template.title)
    st.caption(view.stage.title)
st.markdown("**Whiteboard**")
reference = view.problem.reference_components if view.problem else ()
# Drawing changes the interview: only who may edit it draws (the service refuses anyone else); others watch.
drawing = view.session.is_open and permitted(ws, current_account(), SessionAction.EDIT, view.session.id)
render_whiteboard(ws, view.session.id, actor=current_actor(), reference_components=reference, editable=drawing)
if not view.session.is_open:
    render_evaluation_once_released(view.session.id)
