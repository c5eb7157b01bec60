"""ASGI entry: the Streamlit UI and (later) webhook routes on one port.

Run with `streamlit run server.py`.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

app = st.App(Path(__file__).with_name("app.py"), routes=[])
