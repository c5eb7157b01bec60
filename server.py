"""ASGI entry: the Streamlit UI and the Cal.com webhook route on one port.

Run with `streamlit run server.py`.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Mapping
from pathlib import Path

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

from core.config import load_settings
from core.workspace import Workspace
from entry.bootstrap import shared_workspace
from entry.webhook_routes import calcom_webhook_route, keep_retrying, process_left_over

# pages/ holds the st.Page files app.py hands to st.navigation. Without this, Streamlit treats
# a pages/ folder as a legacy multipage app until the first run of app.py, so the first request
# after a restart that opens /interview directly would run that page without app.py.
PagesManager.uses_pages_directory = False


def webhook_workspace() -> Workspace:
    """The process's Workspace (the same one the pages use), built on first use; a failure is retried next time."""
    return shared_workspace(load_settings())


def streamlit_secrets() -> Mapping[str, object] | None:
    try:
        return dict(st.secrets)
    except FileNotFoundError:  # no secrets.toml: keys come from the environment
        return None


@contextlib.asynccontextmanager
async def lifespan(_app: st.App) -> AsyncIterator[None]:
    process_left_over(webhook_workspace)
    _, stop_retrying = keep_retrying(webhook_workspace)
    try:
        yield
    finally:
        stop_retrying.set()


app = st.App(
    Path(__file__).with_name("app.py"),
    routes=[calcom_webhook_route(webhook_workspace, secrets=streamlit_secrets)],
    lifespan=lifespan,
)
