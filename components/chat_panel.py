"""The interview chat: messages with avatars, stage markers and times."""

from __future__ import annotations

import streamlit as st

from components.local_time import local
from core.models import Message, Role, Stage

AVATARS = {
    Role.INTERVIEWER: ":material/support_agent:",
    Role.CANDIDATE: ":material/person:",
    Role.SYSTEM: ":material/info:",
}


def render_messages(messages: list[Message]) -> None:
    previous_stage: Stage | None = None
    for message in messages:
        if message.stage != previous_stage:
            st.caption(f"— {message.stage.label} —")
        previous_stage = message.stage
        render_message(message)


def render_message(message: Message) -> None:
    with st.chat_message(message.role.value, avatar=AVATARS[message.role]):
        st.markdown(message.content)
        if message.created_at is not None:
            st.caption(f"{local(message.created_at):%H:%M}")
