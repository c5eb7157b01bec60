"""The interview chat: messages with avatars, stage markers and times.

A message's time is `mm:ss` from the interview's start: the clock the transcript and the
evaluation's evidence use.
"""

from __future__ import annotations

import streamlit as st

from components.plain_text import plain, without_images
from core.evaluation.utterances import seconds_in
from core.models import Message, Role, Session, Stage
from core.speech.transcript_formats import clock

AVATARS = {
    Role.INTERVIEWER: ":material/support_agent:",
    Role.CANDIDATE: ":material/person:",
    Role.SYSTEM: ":material/info:",
}


WINDOW = 40
"""Messages drawn at first: the latest ones. A 60-minute interview holds hundreds, and drawing them all on
every run made each answer slower as the interview went on; earlier ones come on demand."""
MORE = 100


def render_messages(messages: list[Message], session: Session) -> None:
    key = f"chat_window_{session.id}"
    window = st.session_state.get(key, WINDOW)
    hidden = max(0, len(messages) - window)
    if hidden:
        st.button(
            f"Show {min(hidden, MORE)} earlier message{'s' if min(hidden, MORE) != 1 else ''} ({hidden} not shown)",
            key=f"chat_more_{session.id}",
            icon=":material/expand_less:",
            on_click=_show_more,
            args=(key, window),
            type="tertiary",
        )
    previous_stage: Stage | None = None
    for message in messages[hidden:]:
        if message.stage != previous_stage:
            st.caption(f"— {message.stage.label} —")
        previous_stage = message.stage
        render_message(message, session)


def _show_more(key: str, window: int) -> None:
    st.session_state[key] = window + MORE


def message_time(message: Message, session: Session) -> str | None:
    """`mm:ss` into the interview (`h:mm:ss` from an hour on); None when the message has no time."""
    seconds = seconds_in(session, message.created_at)
    return None if seconds is None else clock(seconds)


def render_message(message: Message, session: Session) -> None:
    with st.chat_message(message.role.value, avatar=AVATARS[message.role]):
        st.markdown(plain(message.content) if message.role == Role.CANDIDATE else without_images(message.content))
        if (at := message_time(message, session)) is not None:
            st.caption(at)
