"""No session open: pick one up or open a new one from an interview template."""

from __future__ import annotations

import streamlit as st

from components.current_session import set_current_session
from core.errors import WorkspaceError
from core.interview.services import open_sessions
from core.live.sessions import HUMAN, create_live_session
from core.models import Account
from core.permissions.actor import Actor
from core.permissions.policy import scope
from core.workspace import Workspace


def render_pick_or_start(ws: Workspace, *, account: Account) -> None:
    """The page when this tab has no session: open interviewer-led sessions to resume, then the start form."""
    st.title("Live session")
    st.caption("Run an interview with a person: timed stages, open goals, a copilot and live notes.")
    resumable = [s for s in open_sessions(ws, scope=scope(account)) if s.interviewer_provider == HUMAN]
    if resumable:
        st.subheader("Pick up a session")
        for summary in resumable[:8]:
            label = f"{summary.problem_title} · {summary.candidate_name or 'Unnamed'} · {summary.status.value}"
            if st.button(label, key=f"live_resume_{summary.id}", icon=":material/resume:"):
                set_current_session(summary.id)
                st.rerun()
    st.subheader("Start a session")
    render_start_form(ws, account=account)
    st.caption("Booked interviews open from the Schedule page.")


def render_start_form(ws: Workspace, *, account: Account) -> None:
    """Template, person, problem and meeting link; opening makes the session this tab's current one."""
    templates = ws.templates.all()
    if not templates:
        st.warning("No interview templates are installed (data/templates).")
        return
    template = st.selectbox(
        "Interview kind",
        templates,
        format_func=lambda t: f"{t.title} · {t.total_minutes} min",
        key="live_new_template",
    )
    st.caption(template.description)
    with st.form("live_new", border=False):
        name_col, email_col = st.columns(2)
        name = name_col.text_input("Name of the person you are interviewing", key="live_new_name")
        email = email_col.text_input("Their email (optional)", key="live_new_email")
        problem_id = None
        if template.uses_problem_bank:
            problems = ws.problems.all()
            problem = st.selectbox("Problem", problems, format_func=lambda p: p.title, key="live_new_problem")
            problem_id = problem.id if problem else None
        url = st.text_input(
            "Meeting link (optional)", key="live_new_url", placeholder="https://meet.google.com/… or a Zoom/Teams link"
        )
        if st.form_submit_button("Open the session", type="primary", icon=":material/play_circle:"):
            try:
                session = create_live_session(
                    ws,
                    template_id=template.id,
                    candidate_name=name,
                    candidate_email=email,
                    problem_id=problem_id,
                    meeting_url=url,
                    actor=Actor.person(account),
                )
            except WorkspaceError as exc:
                st.error(str(exc))
            else:
                set_current_session(session.id)
                st.rerun()
