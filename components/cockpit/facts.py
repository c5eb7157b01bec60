"""The cockpit's session facts: the template's session-scoped fields (budget, team size, …), each
saved when the interviewer leaves it, so nothing waits for a save button. Under each field, what the
notes and the transcript already said about it (core.live.session_facts), so nothing heard is lost
when the field stays empty."""

from __future__ import annotations

import streamlit as st

from components.cockpit.notice import post_notice
from components.session_facts import render_heard
from core.errors import WorkspaceError
from core.live.session_facts import gather_facts
from core.live.sessions import Cockpit, set_fact
from core.permissions.actor import Actor
from core.workspace import Workspace


def _fact_changed(ws: Workspace, session_id: str, key: str, state_key: str, actor: Actor) -> None:
    try:
        set_fact(ws, session_id, key, str(st.session_state.get(state_key) or ""), actor=actor)
    except WorkspaceError as exc:
        post_notice(str(exc))


def render_facts(ws: Workspace, view: Cockpit, *, actor: Actor) -> None:
    """One text area per session field, seeded once from the saved facts and saved on change."""
    session, template, live = view.session, view.template, view.live
    fields = [f for f in (template.notes.fields if template.notes else []) if f.scope == "session"]
    if not fields:
        st.caption("This interview kind has no session fields.")
        return
    st.caption("Saved as you leave each field.")
    heard = gather_facts(template, live.facts, view.notes, view.transcript)
    for field in fields:
        key = f"live_fact_{field.key}_{session.id}"
        if key not in st.session_state:
            st.session_state[key] = live.facts.get(field.key, "")
        st.text_area(
            field.label,
            key=key,
            help=field.help or None,
            height=68,
            on_change=_fact_changed,
            args=(ws, session.id, field.key, key, actor),
        )
        render_heard(heard.get(field.key, []))
