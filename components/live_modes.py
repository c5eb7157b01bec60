"""One row of badges saying which capture modes are live, so nobody is recorded unknowingly."""

from __future__ import annotations

import streamlit as st

# name, icon while live, icon while off
MODES = (
    ("Mic", ":material/mic:", ":material/mic_off:"),
    ("Camera", ":material/videocam:", ":material/videocam_off:"),
    ("Screen", ":material/screen_share:", ":material/stop_screen_share:"),
)


def mode_labels(mic: bool, camera: bool, screen: bool) -> list[str]:
    """The badge texts in display order, e.g. ["Mic live", "Camera off", "Screen off"]."""
    states = (mic, camera, screen)
    return [f"{name} {'live' if live else 'off'}" for (name, _, _), live in zip(MODES, states, strict=True)]


def render_live_modes(mic: bool, camera: bool, screen: bool) -> None:
    """Red badges for what is being recorded now, gray ones for what is not."""
    states = (mic, camera, screen)
    with st.container(horizontal=True, gap="small"):
        for (_, on_icon, off_icon), live, label in zip(MODES, states, mode_labels(*states), strict=True):
            st.badge(label, icon=on_icon if live else off_icon, color="red" if live else "gray")
