"""An LLM voices the engine's move under its rules; wording that breaks the move is not stored."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from core.config import ProviderSettings, Settings
from core.interview.services import create_interview, get_interview, start_interview, stream_reply, submit_answer
from core.llm.providers import LLMChoice
from core.workspace import Workspace
from entry.bootstrap import build_workspace
from tests.actors import CANDIDATE
from tests.llm_fakes import OpenAIServer, Reply

pytestmark = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)

KEY = "sk-openai-fake-01"
OPENAI = LLMChoice("openai", "gpt-test", KEY)


@pytest.fixture
def openai_server() -> Iterator[OpenAIServer]:
    with OpenAIServer(api_key=KEY, models=["gpt-test"]) as server:
        yield server


@pytest.fixture
def ws(database_url: str, tmp_path: Path, openai_server: OpenAIServer) -> Workspace:
    settings = Settings(
        database_url=database_url,
        runtime_dir=tmp_path,
        request_timeout_seconds=5,
        providers={"openai": ProviderSettings(models=["gpt-test"], base_url=openai_server.base_url)},
    )
    return build_workspace(settings)


def _started(ws: Workspace) -> str:
    session = create_interview(ws, problem_id="url_shortener", provider="openai", model="gpt-test", actor=CANDIDATE)
    start_interview(ws, session.id, actor=CANDIDATE)
    return session.id


def test_the_prompt_carries_the_moves_rules(ws: Workspace, openai_server: OpenAIServer) -> None:
    session_id = _started(ws)
    openai_server.script(
        Reply(text="Sure: 100 million links a month, under 100 ms at p99, aliases up to 16 characters.")
    )
    submit_answer(
        ws,
        session_id,
        "How many new links per month? What's the latency target? Can users pick an alias?",
        actor=CANDIDATE,
    )
    reply = stream_reply(ws, session_id, llm=OPENAI)
    list(reply)
    note = openai_server.requests[-1].body["messages"][-1]["content"]  # the turn's note ends the request
    assert "answer every one of them" in note and "16 characters" in note
    assert "Do not wrap up" in note and "minutes remain" in note
    assert reply.fallback is None and reply.message is not None and "16 characters" in reply.message.content


def test_a_voiced_reply_that_wraps_up_early_is_replaced_by_the_planned_one(
    ws: Workspace, openai_server: OpenAIServer
) -> None:
    session_id = _started(ws)
    openai_server.script(Reply(text="Great answer! That's the end of the interview — thanks for your time."))
    submit_answer(
        ws, session_id, "Users paste a long URL and get back a short link that redirects to it.", actor=CANDIDATE
    )
    reply = stream_reply(ws, session_id, llm=OPENAI)
    list(reply)
    assert reply.fallback is not None and "left the interview plan" in reply.fallback
    stored = get_interview(ws, session_id, actor=CANDIDATE).messages[-1]
    assert "end of the interview" not in stored.content and stored.meta.get("fallback") is True
    assert stored.content.rstrip().endswith("?")  # the planned probe


def test_a_voiced_challenge_that_gives_the_answer_away_is_replaced(ws: Workspace, openai_server: OpenAIServer) -> None:
    session_id = _started(ws)
    openai_server.script(Reply(text="Not quite: 10 billion a month is about 3,900 per second."))
    submit_answer(
        ws, session_id, "10 billion redirects a month works out to about 400 redirects per second.", actor=CANDIDATE
    )
    reply = stream_reply(ws, session_id, llm=OPENAI)
    list(reply)
    note = openai_server.requests[-1].body["messages"][-1]["content"]
    assert "Do not give the right answer" in note
    stored = get_interview(ws, session_id, actor=CANDIDATE).messages[-1]
    assert (
        reply.fallback is not None and "3,900" not in stored.content and "“400 redirects per second”" in stored.content
    )
