"""A long interview stays quick to rerun: the chat and the transcript draw their latest part, and earlier
messages and lines come on demand; searching and exporting always cover every line."""

from __future__ import annotations

from datetime import timedelta

from components.chat_panel import MORE as MORE_MESSAGES
from components.chat_panel import WINDOW as MESSAGES_SHOWN
from components.transcript_panel import MORE as MORE_LINES
from components.transcript_panel import WINDOW as LINES_SHOWN
from core.config import load_settings
from core.interview.services import create_interview, start_interview
from core.models import Message, Role, Stage, TranscriptEntry
from entry.bootstrap import build_workspace
from tests.actors import CANDIDATE
from tests.ui.conftest import AppFactory, assert_clean, chat, rendered_text
from tests.ui.test_transcript_panel import open_interview

MESSAGES, LINES = MESSAGES_SHOWN + 31, LINES_SHOWN + 45  # the last message is the interviewer's


def long_interview() -> str:
    ws = build_workspace(load_settings())
    session = create_interview(ws, problem_id="url_shortener", actor=CANDIDATE)
    start_interview(ws, session.id, actor=CANDIDATE)
    with ws.uow_factory() as uow:
        begun = uow.sessions.get(session.id).started_at
        assert begun is not None
        for i in range(1, MESSAGES):  # the opening is the first message
            role = Role.CANDIDATE if i % 2 else Role.INTERVIEWER
            at = begun + timedelta(seconds=5 * i)
            uow.messages.add(Message(session.id, role, f"Chat message number {i}.", Stage.REQUIREMENTS, created_at=at))
        for i in range(LINES):
            text = f"Spoken line number {i}."
            uow.transcripts.add(TranscriptEntry(session.id, "candidate", text, 1000.0 + i, 1000.5 + i, source="mic"))
        uow.commit()
    return session.id


def test_the_chat_draws_its_latest_messages_and_the_earlier_ones_on_demand(new_app: AppFactory) -> None:
    at = open_interview(new_app, long_interview())
    shown = chat(at)
    assert len(shown) == MESSAGES_SHOWN
    assert shown[-1][1] == f"Chat message number {MESSAGES - 1}."
    earlier = [b for b in at.button if b.label.startswith("Show 31 earlier messages")]
    assert len(earlier) == 1 and "(31 not shown)" in earlier[0].label
    earlier[0].click().run()
    assert_clean(at)
    assert len(chat(at)) == MESSAGES <= MESSAGES_SHOWN + MORE_MESSAGES
    assert not [b for b in at.button if "earlier messages" in b.label]


def test_the_transcript_draws_its_latest_lines_and_searches_all_of_them(new_app: AppFactory) -> None:
    at = open_interview(new_app, long_interview())
    text = rendered_text(at)
    assert f"Spoken line number {LINES - 1}." in text and "Spoken line number 3." not in text
    at.text_input(key="transcript_search").set_value("number 3.").run()  # an early line, not drawn until now
    assert "Spoken line number 3." in rendered_text(at)
    at.text_input(key="transcript_search").set_value("").run()
    more = [b for b in at.button if "earlier lines" in b.label]
    hidden = MESSAGES + LINES - LINES_SHOWN  # the chat's messages are transcript lines too ("typed")
    assert [b.label for b in more] == [f"Show {min(hidden, MORE_LINES)} earlier lines ({hidden} not shown)"]
    more[0].click().run()
    assert_clean(at)
    assert "Spoken line number 3." in rendered_text(at)
