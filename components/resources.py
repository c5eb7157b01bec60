"""The process-wide Workspace, built once and shared by every browser session.

Built from the current settings, so tests that point IW_* variables elsewhere get their own.
A failure (database down, bad config) is not cached: the next rerun tries again.
"""

from __future__ import annotations

import streamlit as st

from core.config import Settings, load_settings
from core.logs import configure_logging
from core.workspace import Workspace, build_workspace


def get_workspace() -> Workspace:
    settings = load_settings()
    return _workspace_for(settings.model_dump_json())


@st.cache_resource(show_spinner="Opening the workspace…")
def _workspace_for(settings_json: str) -> Workspace:
    settings = Settings.model_validate_json(settings_json)
    configure_logging(
        level=settings.log_level,
        log_dir=settings.log_dir,
        max_bytes=settings.log_max_bytes,
        backups=settings.log_backups,
    )
    return build_workspace(settings)
