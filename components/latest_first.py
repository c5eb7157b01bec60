"""Long lists drawn from their latest part: the rest comes on demand.

A 60-minute interview holds hundreds of messages and a thousand transcript lines; drawing them all on every
run made each answer slower as the interview went on. A button above the list shows more of the earlier ones.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

import streamlit as st

Item = TypeVar("Item")


def latest(items: Sequence[Item], *, key: str, first: int, more: int, noun: str) -> Sequence[Item]:
    """The last `first` items (more after each click of the button this draws above them, when some are
    hidden). `key` names the list in the tab's state; `noun` is plural ("messages")."""
    window = st.session_state.get(key, first)
    hidden = max(0, len(items) - window)
    if hidden:
        st.button(
            f"Show {min(hidden, more)} earlier {noun} ({hidden} not shown)",
            key=f"{key}_more",
            icon=":material/expand_less:",
            on_click=_widen,
            args=(key, window + more),
            type="tertiary",
        )
    return items[hidden:]


def _widen(key: str, window: int) -> None:
    st.session_state[key] = window
