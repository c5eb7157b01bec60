"""The process-wide Workspace for the pages, from bootstrap: one per configuration, shared by every browser session.

Built from the current settings, so tests that point IW_* variables elsewhere get their own.
A failure (database down, bad config) is not remembered: the next rerun tries again. Once built,
each call checks that the database still answers; when it does not, the page shows a plain message
and stops (it retries by itself) instead of failing halfway with a traceback.
"""

from __future__ import annotations

import streamlit as st

from components.database_notice import render_database_away
from core.config import load_settings
from core.errors import DatabaseUnavailable
from core.workspace import Workspace
from entry.bootstrap import check_reachable, is_built, shared_workspace


def get_workspace() -> Workspace:
    settings = load_settings()
    if not is_built(settings):
        with st.spinner("Opening the workspace…"):
            return shared_workspace(settings)
    try:
        check_reachable(settings)
    except DatabaseUnavailable as exc:
        render_database_away(str(exc))
        st.stop()
    return shared_workspace(settings)
