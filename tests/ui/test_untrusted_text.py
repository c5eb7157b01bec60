"""What a candidate types reaches the page as text: no picture from their Markdown or HTML is ever loaded."""

from __future__ import annotations

import re

from streamlit.testing.v1 import AppTest

from components.plain_text import plain, without_images
from tests.ui.conftest import assert_clean, button, chat

HOSTILE = "My design ![x](http://127.0.0.1:9/x.png) and <img src=http://127.0.0.1:9/y.png> :red[loud] $x$"
IMAGE = re.compile(r"(?<!\\)!(?<!\\)\[|(?<!\\)<img", re.IGNORECASE)  # an image Markdown or HTML would draw


def unescape(markdown: str) -> str:
    """What CommonMark shows for backslash escapes: the character itself."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown.replace("  \n", "\n"))


def test_plain_shows_every_character_as_typed() -> None:
    for text in [HOSTILE, "a\\b *c* _d_ `e` # f | g ~ h & i", "line one\nline two"]:
        escaped = plain(text)
        assert not IMAGE.search(escaped)
        assert unescape(escaped) == text


def test_interviewer_markdown_keeps_formatting_but_loads_no_picture() -> None:
    shown = without_images("The problem: **Payments** ![x](http://127.0.0.1:9/x.png) <img src=x>")
    assert "**Payments**" in shown
    assert not IMAGE.search(shown)


def test_a_hostile_answer_shows_as_literal_text_in_chat_and_transcript(app: AppTest) -> None:
    button(app, "Start interview").click().run()
    assert_clean(app)
    app.chat_input[0].set_value(HOSTILE).run()
    assert_clean(app)

    candidate = [m for m in app.chat_message if m.name == "candidate"]
    shown = candidate[-1].markdown[0].value
    assert not IMAGE.search(shown), shown
    assert unescape(shown) == HOSTILE
    every_markdown = [m.value for m in app.markdown]
    assert not [m for m in every_markdown if IMAGE.search(m)], "no element would draw the picture"
    assert ("candidate", shown) in chat(app)


def test_a_hostile_note_quote_and_transcript_line_show_as_typed_in_the_cockpit() -> None:
    from datetime import UTC, datetime

    from components.cockpit.notes import _note_line
    from core.models import LiveNote
    from tests.clock import Clock
    from tests.fakes import FakeUnitOfWork
    from tests.unit.fake_workspace import fake_workspace

    template = fake_workspace(FakeUnitOfWork(), Clock(datetime(2030, 1, 1, tzinfo=UTC))).templates.all()[0]
    note = LiveNote(session_id="s1", text=HOSTILE, at_seconds=3.0, fields={"quote": HOSTILE, "where": HOSTILE})
    note.transcript_entry_id = 7
    line = _note_line(note, template, {7: HOSTILE})
    assert not IMAGE.search(line), line
    assert line.count(plain(HOSTILE)) >= 3


def test_follow_ups_use_the_shared_plain_text() -> None:
    import components.follow_ups as follow_ups

    assert follow_ups.plain is plain and not hasattr(follow_ups, "_plain")
