"""ASGI entry: the Streamlit UI and (later) webhook routes on one port.

Run with `streamlit run server.py`.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

# pages/ holds the st.Page files app.py hands to st.navigation. Without this, Streamlit treats
# a pages/ folder as a legacy multipage app until the first run of app.py, so the first request
# after a restart that opens /interview directly would run that page without app.py.
PagesManager.uses_pages_directory = False

app = st.App(Path(__file__).with_name("app.py"), routes=[])
