"""Review queue: AI evaluations waiting for a reviewer's approval before their candidate sees them."""

from __future__ import annotations

import streamlit as st

from components.local_time import short
from components.plain_text import plain
from components.resources import get_workspace
from components.signed_in import current_account
from core.errors import WorkspaceError
from core.evaluation.release import approval_required, approve, awaiting_approval
from core.permissions.access import permitted
from core.permissions.actor import Actor
from core.permissions.policy import Action, SessionAction, allowed

FLASH = "review_queue_flash"

ws = get_workspace()
account = current_account()
st.title("Review queue")
if not allowed(account, Action.REVIEW):
    st.error("Only reviewers and administrators review evaluations.")
    st.stop()
if approval_required(ws):
    st.caption(
        "A candidate sees an AI evaluation only after a reviewer approves it. Open one to read it in full, "
        "then approve it here or on its Evaluation page."
    )
else:
    st.caption(
        "Approval before sharing is off (privacy.evaluation_approval): candidates see their evaluations at once. "
        "These were never approved by a reviewer."
    )
if flash := st.session_state.pop(FLASH, None):
    st.success(flash)

# A reviewer sees their team's interviews; an admin sees every one (core.permissions.policy)
waiting = [item for item in awaiting_approval(ws) if permitted(ws, account, SessionAction.REVIEW, item.session_id)]
if not waiting:
    st.info("Nothing is waiting: every evaluation has been reviewed.")
    st.stop()

st.markdown(f"**{len(waiting)} waiting**, the longest waiting first")
for item in waiting:
    with st.container(border=True):
        about, ended, score, link, action = st.columns([5, 2, 2, 2, 2], vertical_alignment="center")
        about.markdown(f"**{plain(item.problem_title)}**  \n{plain(item.candidate_name or 'Candidate')}")
        ended.caption(f"Ended {short(item.ended_at)}")
        overall = f"{item.overall_score:.1f} / 5" if item.overall_score is not None else "not scored"
        score.markdown(overall + (" (adjusted)" if item.adjusted else ""))
        link.page_link(
            "pages/evaluation.py", label="Open", icon=":material/analytics:", query_params={"session": item.session_id}
        )
        if action.button("Approve", key=f"approve_{item.session_id}", type="primary", icon=":material/verified:"):
            try:
                approve(ws, item.session_id, actor=Actor.person(account))
            except WorkspaceError as exc:
                st.error(str(exc))
            else:
                who = item.candidate_name or "the candidate"
                st.session_state[FLASH] = f"Released to {plain(who)}: {plain(item.problem_title)}."
                st.rerun()
