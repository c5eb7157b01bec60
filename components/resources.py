"""The process-wide Workspace for the pages, from bootstrap: one per configuration, shared by every browser session.

Built from the current settings, so tests that point IW_* variables elsewhere get their own.
A failure (database down, bad config) is not remembered: the next rerun tries again.
"""

from __future__ import annotations

import streamlit as st

from core.config import load_settings
from core.workspace import Workspace
from entry.bootstrap import is_built, shared_workspace


def get_workspace() -> Workspace:
    settings = load_settings()
    if is_built(settings):
        return shared_workspace(settings)
    with st.spinner("Opening the workspace…"):
        return shared_workspace(settings)
