"""Panels for capabilities that are on the way, so the layout is already the final one."""

from __future__ import annotations

import streamlit as st


def render_coming_soon(title: str, body: str, *, height: int = 240) -> None:
    with st.container(border=True, height=height):
        st.markdown(f"**{title}**")
        st.caption(body)
