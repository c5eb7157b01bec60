"""History: past interviews, most recent first; open one to read its chat and evaluation."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components.chat_panel import render_messages
from components.current_session import set_current_session
from components.evaluation_report import render_evaluation
from components.local_time import short
from components.resources import get_workspace
from core.interviews import get_interview, list_history

PAGE_SIZE = 25

ws = get_workspace()
st.title("History")

page = st.session_state.get("history_page", 0)
summaries, total = list_history(ws, limit=PAGE_SIZE, offset=page * PAGE_SIZE)
if total == 0:
    st.info("No interviews yet. Start one on the Setup page — they appear here as soon as they begin.")
    st.page_link("pages/setup.py", label="Go to Setup", icon=":material/tune:")
    st.stop()

table = pd.DataFrame(
    [
        {
            "Date": short(s.created_at),
            "Duration (min)": round(s.duration_seconds / 60),
            "Problem": s.problem_title,
            "Candidate": s.candidate_name or "—",
            "Status": s.status.value,
            "Overall score": s.overall_score,
        }
        for s in summaries
    ]
)
st.dataframe(
    table,
    hide_index=True,
    column_config={"Overall score": st.column_config.ProgressColumn(min_value=0, max_value=5, format="%.1f")},
)
pages = (total + PAGE_SIZE - 1) // PAGE_SIZE
if pages > 1:
    nav = st.columns([1, 1, 6])
    if nav[0].button("← Newer", disabled=page == 0):
        st.session_state["history_page"] = page - 1
        st.rerun()
    if nav[1].button("Older →", disabled=page >= pages - 1):
        st.session_state["history_page"] = page + 1
        st.rerun()
    nav[2].caption(f"Page {page + 1} of {pages} · {total} interviews")

labels = {
    s.id: f"{short(s.created_at)} · {s.problem_title} · {s.candidate_name or 'Candidate'}"
    + (f" · {s.overall_score:.1f}" if s.overall_score is not None else f" · {s.status.value}")
    for s in summaries
}
chosen = st.selectbox(
    "Open an interview", list(labels), format_func=labels.__getitem__, index=None, placeholder="Choose one"
)
if chosen is None:
    st.stop()

view = get_interview(ws, chosen)
st.divider()
st.subheader(view.problem.title)
chat_tab, evaluation_tab = st.tabs(["Chat", "Evaluation"])
with chat_tab:
    render_messages(view.messages)
with evaluation_tab:
    if view.evaluation:
        render_evaluation(view.evaluation)
    else:
        st.info(f"This interview is {view.session.status.value}; it has no evaluation yet.")
if view.session.is_open and st.button("Continue this interview", type="primary"):
    set_current_session(view.session.id)
    st.switch_page("pages/interview.py", query_params={"session": view.session.id})
