"""Evaluation: scores, feedback and an improvement plan for a completed interview."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components.current_session import current_session_id, set_current_session
from components.evaluation_report import render_evaluation
from components.local_time import short
from components.resources import get_workspace
from components.session_media import render_session_media
from core.errors import WorkspaceError
from core.interviews import get_interview, list_history, usage_summary
from core.media_capture import list_media
from core.models import SessionStatus

ws = get_workspace()
st.title("Evaluation")

session_id = current_session_id()
view = None
if session_id:
    try:
        view = get_interview(ws, session_id)
    except WorkspaceError:
        set_current_session(None)

if view is None or view.evaluation is None:
    completed, _ = list_history(ws, limit=30, statuses=[SessionStatus.COMPLETED])
    if view is not None and view.session.is_open:
        st.info("This interview is still going: end it on the Interview page to get its evaluation.")
        st.page_link("pages/interview.py", label="Back to the interview", icon=":material/forum:")
    if not completed:
        st.info("No completed interviews yet. Start one on the Setup page.")
        st.page_link("pages/setup.py", label="Go to Setup", icon=":material/tune:")
        st.stop()
    chosen = st.selectbox(
        "Show the evaluation of",
        [s.id for s in completed],
        format_func=lambda sid: next(
            f"{short(s.created_at)} · {s.problem_title} · {s.candidate_name or 'Candidate'}"
            for s in completed
            if s.id == sid
        ),
        index=None,
        placeholder="Choose a completed interview",
    )
    if chosen is None:
        st.stop()
    set_current_session(chosen)
    view = get_interview(ws, chosen)

assert view.evaluation is not None
if notice := st.session_state.pop("evaluation_notice", None):  # set by the Interview page when it ended
    st.warning(notice)
who = view.candidate.name if view.candidate else "Candidate"
ended = short(view.session.ended_at)
elapsed = view.session.elapsed_seconds(ws.clock()) / 60
st.caption(f"{view.problem.title} · {who} · {ended} · {elapsed:.0f} min")
render_evaluation(view.evaluation)

usage = usage_summary(ws, view.session.id)
if usage.calls:
    st.subheader("Model usage")
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "Operation": operation.replace("_", " "),
                    "Calls": int(row["calls"]),
                    "Input tokens": int(row["input_tokens"]),
                    "Output tokens": int(row["output_tokens"]),
                    "Cost (USD)": round(row["cost_usd"], 4),
                }
                for operation, row in usage.by_operation.items()
            ]
        ),
        hide_index=True,
    )
    total = f"Total: {usage.input_tokens + usage.output_tokens:,} tokens · ${usage.cost_usd:.4f}"
    if usage.unpriced_models:
        total += f" (no price in config for {', '.join(usage.unpriced_models)})"
    st.caption(total)

if media := list_media(ws, view.session.id):
    st.subheader("Recordings")
    render_session_media(media, ws.files.absolute)
