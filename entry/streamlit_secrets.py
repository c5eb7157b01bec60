"""Streamlit's secrets.toml as a plain mapping, for code that runs outside a page (routes, the intake server)."""

from __future__ import annotations

from collections.abc import Mapping

import streamlit as st


def streamlit_secrets() -> Mapping[str, object] | None:
    """The secrets, or None without a secrets.toml: keys then come from the environment."""
    try:
        return dict(st.secrets)
    except FileNotFoundError:
        return None
