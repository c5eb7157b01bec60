"""Coming back to an open interview: a reload, a new tab, a server restart, a crash mid-reply."""

from __future__ import annotations

from dataclasses import replace

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from core.config import load_settings
from core.content.problems import ProblemBank
from core.errors import ContentError
from core.interview.services import create_interview, send_message, start_interview
from entry.bootstrap import build_workspace
from tests.actors import CANDIDATE
from tests.ui.conftest import AppFactory, assert_clean, button, chat, page_title


def start_without_resume(at: AppTest, name: str) -> tuple[str, str]:
    """Start an interview from Setup with a typed name; returns (session id, problem title)."""
    at.text_input(key="setup_name").set_value(name).run()
    problem = at.selectbox(key="setup_problem")
    title = problem.options[problem.index]
    button(at, "Start interview").click().run()
    assert_clean(at)
    assert page_title(at) == title
    return at.session_state["session_id"], title


def reopen(new_app: AppFactory, session_id: str) -> AppTest:
    """A new browser session on …/interview?session=<id> (a reload or a bookmark)."""
    at = new_app()
    at.query_params["session"] = session_id
    at.run()
    assert_clean(at)
    at.switch_page("pages/interview.py").run()  # AppTest starts on the default page
    assert_clean(at)
    return at


@pytest.mark.parametrize("restart", [False, True], ids=["reload", "server-restart"])
def test_a_reload_lands_on_the_interview_with_its_whole_chat(app: AppTest, new_app: AppFactory, restart: bool) -> None:
    session_id, title = start_without_resume(app, "Sam Rivera")
    app.chat_input[0].set_value("Who are the users, and how many of them are there?").run()
    app.chat_input[0].set_value("Users shorten links and follow them; redirects must be fast.").run()
    assert_clean(app)
    before = chat(app)
    assert len(before) == 5

    if restart:
        st.cache_resource.clear()  # a new server process builds a new Workspace (new engine)
    again = reopen(new_app, session_id)

    assert page_title(again) == title
    assert again.session_state["session_id"] == session_id
    assert chat(again) == before
    assert any("Sam Rivera" in c.value and "status: **active**" in c.value for c in again.caption)
    again.chat_input[0].set_value("How many new links are created per day?").run()
    assert_clean(again)
    assert chat(again)[:5] == before and len(chat(again)) == 7


def test_setup_offers_the_open_interview_to_a_new_tab(app: AppTest, new_app: AppFactory) -> None:
    session_id, title = start_without_resume(app, "Sam Rivera")
    button(app, "Pause").click().run()
    before = chat(app)

    tab = new_app().run()  # no ?session=: a new tab on the home page
    assert_clean(tab)
    assert page_title(tab) == "Set up a practice interview"
    assert any(m.value == "**Pick up where you left off**" for m in tab.markdown)
    assert any(m.value == f"{title} · Sam Rivera" for m in tab.markdown)
    tab.button(key=f"resume-{session_id}").click().run()
    assert_clean(tab)
    assert page_title(tab) == title
    assert tab.query_params["session"] == session_id
    assert chat(tab) == before
    assert tab.chat_input[0].disabled, "the interview is still paused"


def test_an_answer_left_without_a_reply_is_answered_on_reload(new_app: AppFactory) -> None:
    # A crash between storing the candidate's message and the interviewer's reply.
    ws = build_workspace(load_settings())
    session = create_interview(ws, problem_id="url_shortener", actor=CANDIDATE)
    start_interview(ws, session.id, actor=CANDIDATE)
    broken = replace(ws, problems=ProblemBank([]))  # the reply needs the problem; it is gone
    with pytest.raises(ContentError):
        send_message(broken, session.id, "How many new links are created per day?", actor=CANDIDATE)

    at = reopen(new_app, session.id)
    messages = chat(at)
    assert [author for author, _ in messages] == ["interviewer", "candidate", "interviewer"]
    assert messages[1][1] == "How many new links are created per day?"
    assert not at.warning
