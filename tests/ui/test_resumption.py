"""Coming back to an open interview: a reload, a new tab, a server restart, a crash mid-reply."""

from __future__ import annotations

import shutil
import subprocess
import threading
from dataclasses import replace
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from core.config import load_settings
from core.content.problems import ProblemBank
from core.errors import ContentError
from core.interview.queued_evaluation import evaluation_job, start_evaluation
from core.interview.services import create_interview, send_message, start_interview
from core.llm.providers import LLMChoice
from core.media.consent import give_consent
from core.models import JobStatus, SessionStatus
from core.speech.audio import load_audio
from core.speech.session_audio import SessionRecording, accurate_pass, start_accurate_pass
from entry.bootstrap import build_workspace, shared_workspace
from entry.job_queue import HueyJobQueue
from tests.actors import CANDIDATE
from tests.integration.evaluation.test_llm_sampling import DESIGN, answer
from tests.job_worker import WorkerThreads
from tests.llm_fakes import OpenAIServer
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


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="needs espeak-ng to speak")
def test_a_reload_while_the_accurate_pass_runs_waits_for_it_then_shows_the_evaluation(
    app: AppTest, new_app: AppFactory, tmp_path: Path
) -> None:
    session_id, _ = start_without_resume(app, "Sam Rivera")
    ws = shared_workspace(load_settings())  # the pages' own workspace, with its SQLite job queue
    give_consent(ws, session_id, ["audio"], actor=CANDIDATE)
    wav = tmp_path / "answer.wav"
    subprocess.run(["espeak-ng", "-w", str(wav), "We put a cache in front of the database."], check=True)
    recording = SessionRecording(ws, session_id, offset_seconds=5.0)
    recording.write(load_audio(wav))
    recording.close()
    # The candidate ended the interview and the tab closed while the worker had not yet run the pass
    job = start_accurate_pass(ws, session_id, actor=CANDIDATE)
    assert job is not None and job.status is JobStatus.QUEUED
    assert isinstance(ws.job_queue, HueyJobQueue)
    worker = WorkerThreads(queue=ws.job_queue)
    threading.Timer(1.0, worker.__enter__).start()  # the worker comes while the reopened page waits
    try:
        again = reopen(new_app, session_id)
    finally:
        worker.__exit__(None, None, None)

    assert page_title(again) == "Evaluation"
    finished = accurate_pass(ws, session_id, actor=CANDIDATE)
    assert finished is not None and finished.status is JobStatus.DONE
    with ws.uow_factory() as uow:
        assert uow.sessions.get(session_id).status is SessionStatus.COMPLETED
        assert "cache" in " ".join(e.text for e in uow.transcripts.in_session(session_id)).lower()


def test_a_reload_while_a_worker_evaluates_waits_for_it_then_shows_the_evaluation(
    app_env: pytest.MonkeyPatch, new_app: AppFactory
) -> None:
    """The server's key pays for the model's evaluation, so a worker runs it: the tab that closed meanwhile finds
    it again on reload, waits for it, and lands on the evaluation the model wrote."""
    with OpenAIServer(api_key="sk-ui-server", models=["gpt-test"]) as server:
        app_env.setenv("OPENAI_API_KEY", "sk-ui-server")
        app_env.setenv("IW_PROVIDERS__OPENAI__BASE_URL", server.base_url)
        new_app().run()  # the admin signs in once, so the workspace and its people exist
        ws = shared_workspace(load_settings())
        session = create_interview(ws, problem_id="url_shortener", provider="openai", model="gpt-test", actor=CANDIDATE)
        start_interview(ws, session.id, actor=CANDIDATE)
        for line in DESIGN:
            send_message(ws, session.id, line, llm=None, actor=CANDIDATE)
        server.script(*[answer(ws, 4.0)] * 3)
        job = start_evaluation(ws, session.id, actor=CANDIDATE, llm=LLMChoice("openai", "gpt-test", None, True))
        assert job is not None and job.status is JobStatus.QUEUED
        assert isinstance(ws.job_queue, HueyJobQueue)
        worker = WorkerThreads(queue=ws.job_queue)
        threading.Timer(1.0, worker.__enter__).start()  # the worker comes while the reopened page waits
        try:
            again = reopen(new_app, session.id)
        finally:
            worker.__exit__(None, None, None)

    assert page_title(again) == "Evaluation"
    finished = evaluation_job(ws, session.id, actor=CANDIDATE)
    assert finished is not None and finished.status is JobStatus.DONE
    assert len(server.requests) == 3
    with ws.uow_factory() as uow:
        evaluation = uow.evaluations.for_session(session.id)
    assert evaluation is not None and evaluation.engine == "openai"
