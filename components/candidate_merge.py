"""Merging two candidate records of one person by hand (an admin's tool once accounts exist).

Reads the candidates only while the section is open; the merge runs in the button's callback, so the
pickers are cleared before the next run draws them without the deleted record.
"""

from __future__ import annotations

import streamlit as st

from core.candidates.merge import merge_candidates
from core.candidates.services import every_candidate
from core.errors import AccessDenied, WorkspaceError
from core.models import Candidate
from core.permissions.actor import Actor
from core.workspace import Workspace

KEEP_KEY = "candidate_merge_keep"
OTHER_KEY = "candidate_merge_other"
OUTCOME_KEY = "candidate_merge_outcome"  # (ok?, sentence) of the last merge, shown once


def render_candidate_merge(ws: Workspace, *, actor: Actor) -> None:
    """The "Merge duplicate candidates" section: pick the record to keep and the duplicate to fold in."""
    with st.expander(
        "Merge duplicate candidates", icon=":material/merge:", key="candidate_merge_section", on_change="rerun"
    ) as section:
        if not section.open:
            return
        outcome = st.session_state.pop(OUTCOME_KEY, None)
        if outcome is not None:
            ok, sentence = outcome
            (st.success if ok else st.error)(sentence)
        try:
            candidates = every_candidate(ws, actor=actor)
        except AccessDenied as exc:  # the page shows this section to admins only; the service checks anyway
            st.error(str(exc))
            return
        if len(candidates) < 2:
            st.caption("There are fewer than two candidates: nothing to merge.")
            return
        labels = {c.id: _label(c) for c in candidates}
        st.caption(
            "The duplicate's interviews, resumes and pipeline history move to the record you keep; its name "
            "and email fill the kept record's empty ones; then the duplicate is deleted. This is audited."
        )
        left, right = st.columns(2)
        left.selectbox(
            "Keep", list(labels), format_func=labels.__getitem__, index=None, key=KEEP_KEY, placeholder="Choose"
        )
        right.selectbox(
            "Merge into it (then deleted)",
            list(labels),
            format_func=labels.__getitem__,
            index=None,
            key=OTHER_KEY,
            placeholder="Choose",
        )
        st.button("Merge", key="candidate_merge_button", on_click=_merge, args=(ws, actor))


def _label(candidate: Candidate) -> str:
    email = f" · {candidate.email}" if candidate.email else ""
    return f"{candidate.name}{email} · {candidate.id[:8]}"


def _merge(ws: Workspace, actor: Actor) -> None:
    keep, other = st.session_state.get(KEEP_KEY), st.session_state.get(OTHER_KEY)
    try:
        result = merge_candidates(ws, keep or "", other or "", actor=actor)
    except WorkspaceError as exc:
        st.session_state[OUTCOME_KEY] = (False, str(exc))
        return
    moved = sum(result.moved.values())
    st.session_state[OUTCOME_KEY] = (True, f"Merged: {moved} record(s) moved to the kept candidate.")
    st.session_state.pop(KEEP_KEY, None)
    st.session_state.pop(OTHER_KEY, None)
