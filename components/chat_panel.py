"""The interview chat: messages with avatars, stage markers and times.

A message's time is `mm:ss` from the interview's start: the clock the transcript and the
evaluation's evidence use.
"""

from __future__ import annotations

import streamlit as st

from components.latest_first import latest
from components.plain_text import plain, without_images
from core.evaluation.utterances import seconds_in
from core.models import Message, Role, Session, Stage
from core.speech.transcript_formats import clock

AVATARS = {
    Role.INTERVIEWER: ":material/support_agent:",
    Role.CANDIDATE: ":material/person:",
    Role.SYSTEM: ":material/info:",
}


WINDOW, MORE = 40, 100
"""Messages drawn at first (the latest), and how many more each "Show earlier" adds (components.latest_first)."""


def render_messages(messages: list[Message], session: Session) -> None:
    shown = latest(messages, key=f"chat_window_{session.id}", first=WINDOW, more=MORE, noun="messages")
    previous_stage: Stage | None = None
    for message in shown:
        if message.stage != previous_stage:
            st.caption(f"— {message.stage.label} —")
        previous_stage = message.stage
        render_message(message, session)


def message_time(message: Message, session: Session) -> str | None:
    """`mm:ss` into the interview (`h:mm:ss` from an hour on); None when the message has no time."""
    seconds = seconds_in(session, message.created_at)
    return None if seconds is None else clock(seconds)


def render_message(message: Message, session: Session) -> None:
    with st.chat_message(message.role.value, avatar=AVATARS[message.role]):
        st.markdown(plain(message.content) if message.role == Role.CANDIDATE else without_images(message.content))
        if (at := message_time(message, session)) is not None:
            st.caption(at)
