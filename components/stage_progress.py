"""Where the interview is: the five stages with the current one highlighted, and the clock."""

from __future__ import annotations

import streamlit as st

from core.models import Stage


def render_stage_progress(current: Stage) -> None:
    stages = list(Stage)
    index = stages.index(current)
    labels = []
    for i, stage in enumerate(stages):
        if i < index:
            labels.append(f"~~{stage.label}~~")
        elif i == index:
            labels.append(f"**:blue[{stage.label}]**")
        else:
            labels.append(f":gray[{stage.label}]")
    st.markdown("  →  ".join(labels))
    st.progress((index + 1) / len(stages))


def format_clock(seconds: float) -> str:
    seconds = max(0, int(seconds))
    return f"{seconds // 60:02d}:{seconds % 60:02d}"
