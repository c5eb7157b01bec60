"""Debrief: after an interviewer-led session — scorecard, discovery synthesis, recommendation,
follow-ups and the session's notes."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components.current_session import current_session_id, set_current_session
from components.debrief_panels import render_recommendation, render_scorecard, render_synthesis
from components.follow_ups import render_follow_ups
from components.plain_text import plain
from components.resources import get_workspace
from components.session_facts import source_line
from components.signed_in import current_account
from core.errors import WorkspaceError
from core.interview.services import list_history
from core.live.session_facts import gather_facts
from core.live.sessions import HUMAN, Cockpit, cockpit
from core.live.stage_clock import format_duration
from core.models import SessionStatus
from core.permissions.access import permitted
from core.permissions.actor import Actor
from core.permissions.policy import SessionAction, scope

OTHER_SIDE = {True: "customer", False: "candidate"}  # who the transcript's other speaker is

ws = get_workspace()
st.title("Debrief")

account = current_account()
ACTOR = Actor.person(account)


def may_debrief(session_id: str) -> bool:
    """The debrief is the hiring side's: whoever runs the session, or reviews it (never the person interviewed)."""
    return any(permitted(ws, account, action, session_id) for action in (SessionAction.EDIT, SessionAction.REVIEW))


session_id = current_session_id()
if session_id and not may_debrief(session_id):
    st.error("There is no interview with that id that you can open.")
    set_current_session(None)
    session_id = None
view: Cockpit | None = None
if session_id:
    try:
        view = cockpit(ws, session_id, actor=ACTOR)
    except WorkspaceError:
        set_current_session(None)

if view is None:
    statuses = [SessionStatus.COMPLETED, SessionStatus.ACTIVE, SessionStatus.PAUSED]
    done, _ = list_history(ws, limit=50, statuses=statuses, scope=scope(account))
    led = [s for s in done if s.interviewer_provider == HUMAN and may_debrief(s.id)]
    if not led:
        st.info("No interviewer-led sessions yet. Run one on the Live session page.")
        st.page_link("pages/live.py", label="Go to Live session", icon=":material/record_voice_over:")
        st.stop()
    st.caption("Choose a session to debrief.")
    for summary in led:
        label = f"{summary.problem_title} · {summary.candidate_name or 'Unnamed'} · {summary.status.value}"
        if st.button(label, key=f"debrief_pick_{summary.id}"):
            set_current_session(summary.id)
            st.rerun()
    st.stop()

session, template = view.session, view.template
who = view.candidate.name if view.candidate else "Unnamed"
st.markdown(
    f"**{template.title}** with **{who}** · {session.status.value} · "
    f"{format_duration(view.elapsed)} of {template.total_minutes} min · {len(view.notes)} notes"
)
if session.is_open:
    st.info("This session is still open: scores and a recommendation can be set now, or after you end it.")
    st.page_link("pages/live.py", label="Back to the live session", icon=":material/record_voice_over:")

discovery = bool(template.score_groups)
names = ["Scorecard", *(["Synthesis"] if discovery else []), "Recommendation", "Follow-ups", "Notes"]
tabs = dict(zip(names, st.tabs(names), strict=True))
with tabs["Scorecard"]:
    render_scorecard(ws, session.id, actor=ACTOR)
if discovery:
    with tabs["Synthesis"]:
        render_synthesis(ws, session.id)
with tabs["Recommendation"]:
    render_recommendation(ws, session.id, actor=ACTOR)
with tabs["Follow-ups"]:
    render_follow_ups(ws, session.id, actor=ACTOR)
with tabs["Notes"]:
    tags = {c.key: c.label for c in template.notes.tags} if template.notes else {}
    types = {c.key: c.label for c in template.notes.jtbd_types} if template.notes else {}
    rows = [
        {
            "At": format_duration(n.at_seconds),
            "Stage": template.stage(n.stage).title if n.stage in template.stage_keys() else n.stage,
            "Tag": tags.get(n.tag or "", ""),
            "Job type": types.get(n.jtbd_type or "", ""),
            "Importance": n.importance,
            "Note": n.text,
            **{k.replace("_", " ").capitalize(): v for k, v in n.fields.items()},
        }
        for n in view.notes
    ]
    if rows:
        table = pd.DataFrame(rows)
        st.dataframe(table, hide_index=True, width="stretch")
        st.download_button(
            "Download notes (CSV)",
            table.to_csv(index=False).encode(),
            file_name=f"notes-{session.id[:8]}.csv",
            mime="text/csv",
            icon=":material/download:",
        )
    else:
        st.caption("No notes were taken in this session.")
    stated = gather_facts(template, view.live.facts, view.notes, view.transcript, other_side=OTHER_SIDE[discovery])
    if any(stated.values()):
        st.markdown("**Session facts**")
        for field in template.notes.fields if template.notes else []:
            for fact in stated.get(field.key, []):
                # the value is the candidate's or the interviewer's words: shown as typed
                st.markdown(f"- **{plain(field.label)}:** {plain(fact.value)} — *{source_line(fact.sources)}*")
