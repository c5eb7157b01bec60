"""Who did it, as people read it: the audit log and the records name accounts by id ("account:<id>")."""

from __future__ import annotations

import streamlit as st

from core.accounts.services import names_by_audit_name
from core.workspace import Workspace


@st.cache_data(ttl=30, show_spinner=False)
def _names(_ws: Workspace, runtime: str) -> dict[str, str]:
    return names_by_audit_name(_ws)


def person_name(ws: Workspace, actor: str | None) -> str:
    """The account's current name for an "account:<id>" actor; any other actor ("command line", a typed
    name from before accounts) as it is."""
    if not actor or not actor.startswith("account:"):
        return actor or ""
    return _names(ws, str(ws.settings.runtime_path)).get(actor, "a removed account")
