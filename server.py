"""ASGI entry: the Streamlit UI and the Cal.com webhook route on one port.

Run with `streamlit run server.py`.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import AsyncIterator
from pathlib import Path

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

from core.config import load_settings
from core.workspace import Workspace
from entry.bootstrap import built_workspace, current_workspace
from entry.oidc_sign_in import START_PATH as OIDC_START_PATH
from entry.oidc_sign_in import auth_secrets_from_env, oidc_problem, oidc_routes
from entry.sign_in_routes import sign_in_middleware, sign_in_routes
from entry.streamlit_secrets import streamlit_secrets
from entry.webhook_routes import calcom_webhook_route

# pages/ holds the st.Page files app.py hands to st.navigation. Without this, Streamlit treats
# a pages/ folder as a legacy multipage app until the first run of app.py, so the first request
# after a restart that opens /interview directly would run that page without app.py.
PagesManager.uses_pages_directory = False


def webhook_workspace() -> Workspace:
    """The process's Workspace (the same one the pages use), built on first use; a failure is retried next time."""
    return current_workspace()


def oidc_enabled() -> bool:
    """accounts.oidc_enabled, read per request (settings only: no database needed to show the button)."""
    return load_settings().accounts.oidc_enabled


@contextlib.asynccontextmanager
async def lifespan(_app: st.App) -> AsyncIterator[None]:
    # Webhook processing, retries and the daily cleanup run in the worker (`python -m core worker`)
    if oidc_enabled() and (problem := oidc_problem()):  # st.App has merged secrets= by now
        logging.getLogger("server").warning("OIDC sign-in is on but not configured", extra={"problem": problem})
    yield


app = st.App(
    Path(__file__).with_name("app.py"),
    routes=[
        calcom_webhook_route(webhook_workspace, secrets=streamlit_secrets, built=built_workspace),
        *sign_in_routes(webhook_workspace, oidc_login_path=lambda: OIDC_START_PATH if oidc_enabled() else None),
        *oidc_routes(oidc_enabled),
    ],
    middleware=[sign_in_middleware()],
    lifespan=lifespan,
    # Streamlit's [auth] section from IW_OIDC_* variables; without them, secrets.toml's [auth] (if any) is used
    secrets=auth_secrets_from_env(os.environ),
)
