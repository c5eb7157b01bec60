"""Interviews and evaluations on a self-hosted model's small context window, prompts laid out for prefix caches,
and replies that can be stopped: the services over the real openai SDK against loopback fakes."""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.config import ProviderSettings, Settings
from core.interview.services import (
    create_interview,
    end_interview,
    get_interview,
    send_message,
    start_interview,
    stream_reply,
    submit_answer,
    usage_summary,
)
from core.llm.providers import LLMChoice
from core.models import Role
from core.workspace import Workspace
from entry.bootstrap import build_workspace
from tests.actors import CANDIDATE
from tests.llm_fakes import OpenAIServer, RecordedRequest, Reply, SelfHosted, shared_prefix_share
from tests.shortener_answers import SHORTENER_ANSWERS

pytestmark = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)

LOCAL = LLMChoice("openai-compatible", "qwen2.5-0.5b", None)
ANSWERS = SHORTENER_ANSWERS[:8]
VOICED = "Thanks. What happens to the redirect latency when the cache misses, and how do you keep hot links in memory?"


def workspace(database_url: str, tmp_path: Path, server: OpenAIServer, **section: object) -> Workspace:
    settings = Settings(
        database_url=database_url,
        runtime_dir=tmp_path,
        providers={
            "openai_compatible": ProviderSettings(
                models=[LOCAL.model], base_url=server.base_url, timeout_seconds=5, **section
            )
        },
        evaluation_samples=1,
    )
    return build_workspace(settings)


def started(ws: Workspace) -> str:
    session = create_interview(
        ws, problem_id="url_shortener", provider=LOCAL.provider, model=LOCAL.model, actor=CANDIDATE
    )
    start_interview(ws, session.id, actor=CANDIDATE)
    return session.id


def chats(server: OpenAIServer) -> list[RecordedRequest]:
    return [r for r in server.requests if r.path == "/v1/chat/completions"]


@pytest.fixture
def small_llama_cpp() -> Iterator[tuple[OpenAIServer, SelfHosted]]:
    """llama.cpp run with --ctx-size 3072, as on a small machine."""
    hosted = SelfHosted("llama.cpp", n_ctx=3072)
    with OpenAIServer(self_hosted=hosted, default=Reply(text=VOICED)) as server:
        yield server, hosted


def test_consecutive_turns_share_a_long_prefix_for_the_servers_cache(database_url: str, tmp_path: Path) -> None:
    with OpenAIServer(default=Reply(text=VOICED)) as server:
        ws = workspace(database_url, tmp_path, server, context_window=32_768)
        session_id = started(ws)
        for answer in ANSWERS:
            send_message(ws, session_id, answer, llm=LOCAL, actor=CANDIDATE)
        requests = chats(server)
    assert len(requests) == len(ANSWERS)
    shares = [shared_prefix_share(a, b) for a, b in itertools.pairwise(requests)]
    # all but the previous turn's note, the reply and the new answer is the previous request's prefix
    assert min(shares) >= 0.75, [f"{s:.0%}" for s in shares]
    first, last = requests[0].body["messages"], requests[-1].body["messages"]
    assert first[0] == last[0], "the system prompt is the same in every turn"
    assert "Time used" not in first[0]["content"] and "Time used" in last[-1]["content"]


def test_a_long_interview_on_a_small_window_is_never_refused_and_keeps_the_latest_turns(
    database_url: str, tmp_path: Path, small_llama_cpp: tuple[OpenAIServer, SelfHosted]
) -> None:
    server, hosted = small_llama_cpp
    ws = workspace(database_url, tmp_path, server)
    session_id = started(ws)
    replies = [send_message(ws, session_id, answer, llm=LOCAL, actor=CANDIDATE) for answer in ANSWERS * 3]

    assert hosted.refusals == [], "a request over the server's 3,072 tokens was sent"
    assert all(reply.meta.get("provider") == LOCAL.provider for reply in replies[-5:]), "the model answered"
    assert server.paths().count("GET /props") == 1, "the window is asked once"
    last = chats(server)[-1].body
    assert last["max_tokens"] == 700 and SelfHosted.prompt_tokens(last["messages"]) + 700 <= 3072
    stored = [m for m in get_interview(ws, session_id, actor=CANDIDATE).messages if m.role is not Role.SYSTEM]
    sent = last["messages"][1:]
    assert 3 <= len(sent) < len(stored), "the oldest history was left out, the latest turns kept"
    assert sent[-1]["content"].startswith(ANSWERS[-1]), "the latest answer is kept"


def test_an_evaluation_that_cannot_fit_is_not_sent_and_says_why(
    database_url: str, tmp_path: Path, small_llama_cpp: tuple[OpenAIServer, SelfHosted]
) -> None:
    server, hosted = small_llama_cpp
    ws = workspace(database_url, tmp_path, server)
    session_id = started(ws)
    for answer in ANSWERS:
        send_message(ws, session_id, answer, llm=None, actor=CANDIDATE)  # answered offline
    evaluation = end_interview(ws, session_id, llm=LOCAL, actor=CANDIDATE)

    assert chats(server) == [] and hosted.refusals == []
    assert evaluation.engine == "offline" and evaluation.overall_score is not None
    note = evaluation.notes[0]
    # not even a part of the transcript fits beside the part prompt and its answer (core.evaluation.chunked_evaluation)
    assert note.startswith(
        "The OpenAI-compatible server evaluator could not be used (the interview does not fit qwen2.5-0.5b's "
        "3,072-token context window even in parts"
    )
    assert "a window of at least 3,584 tokens is needed" in note and "--ctx-size" in note


def test_an_evaluation_cut_off_at_the_output_limit_is_never_stored(database_url: str, tmp_path: Path) -> None:
    with OpenAIServer(self_hosted=SelfHosted("ollama")) as server:  # a local server: its window from the settings
        ws = workspace(database_url, tmp_path, server, context_window=32_768)
        session_id = started(ws)
        for answer in ANSWERS:
            send_message(ws, session_id, answer, llm=None, actor=CANDIDATE)
        half = json.dumps({"competencies": [{"key": "requirements", "score": 4, "confidence": 0.8}]})
        server.script(Reply(text=half[:60], stop="length", output_tokens=2000))
        evaluation = end_interview(ws, session_id, llm=LOCAL, actor=CANDIDATE)
        (request,) = chats(server)
    assert evaluation.engine == "offline"
    assert evaluation.notes[0] == (
        "The OpenAI-compatible server evaluator could not be used (its answer stopped at the output limit before its "
        "JSON was complete); this evaluation is the offline evaluator's."
    )
    assert request.body["max_tokens"] == 2000
    assert usage_summary(ws, session_id, actor=CANDIDATE).by_operation["evaluation"]["output_tokens"] == 2000


def test_a_reply_stopped_midway_closes_the_servers_response_and_stores_nothing(
    database_url: str, tmp_path: Path
) -> None:
    with OpenAIServer() as server:
        ws = workspace(database_url, tmp_path, server, context_window=32_768)
        session_id = started(ws)
        server.script(Reply(chunks=[f"word{i} " for i in range(60)], chunk_delay=0.05))
        submit_answer(ws, session_id, ANSWERS[0], actor=CANDIDATE)
        reply = stream_reply(ws, session_id, llm=LOCAL)
        pieces = iter(reply)
        assert [next(pieces), next(pieces)] == ["word0 ", "word1 "]
        reply.close()  # the page's script was stopped: a rerun, or the person left
        deadline = time.monotonic() + 2
        while not server.abandoned and time.monotonic() < deadline:
            time.sleep(0.01)
        assert server.abandoned and server.abandoned[0] < 10, "the server went on generating"
        assert reply.message is None
        messages = get_interview(ws, session_id, actor=CANDIDATE).messages
        assert messages[-1].role is Role.CANDIDATE, "nothing stored: the answer waits for its reply"
        assert usage_summary(ws, session_id, actor=CANDIDATE).calls == 0
