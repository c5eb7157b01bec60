"""Interviews and evaluations through the product's `openai-compatible` provider against real llama.cpp servers.

The loopback fakes (tests/llm_fakes) play a server as we understand it; these tests start the real ones
(tests/llama_server.py: llama.cpp's own server and llama-cpp-python's) with a tiny random-weight GGUF model
(tests/llama_model.py) and run the product's services over them: the connection check, a few streamed turns,
an evaluation, a context that overflows, and a server killed while it talks. The model's words are
nonsense, so what is asserted is what the product does with what a real server sends.

Marked `llama_server`: test.sh runs them after the rest, once `./setup.sh --llama` has installed the servers
(in the background meanwhile); alone: `./setup.sh --llama && .venv/bin/python -m pytest -m llama_server`.
Skipped where the servers are not installed, except on CI (CI=true), where that fails.
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.config import ProviderSettings, Settings
from core.interview.offline_interviewer import OfflineInterviewer
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
from core.llm.chat_models import ChatError
from core.llm.providers import LLMChoice, chat_model_for, validate_choice
from core.models import Message, Role
from core.workspace import Workspace
from entry.bootstrap import build_workspace
from tests.actors import CANDIDATE
from tests.llama_model import corpus, write_model
from tests.llama_server import KINDS, MODEL_NAME, ROOT, Kind, LlamaServer, missing, running
from tests.shortener_answers import SHORTENER_ANSWERS

pytestmark = [
    pytest.mark.llama_server,
    pytest.mark.xdist_group("llama_server"),  # one worker starts the servers once, for all of these tests
    pytest.mark.parametrize("backend", ["sqlite"], indirect=True),
]

LOCAL = LLMChoice("openai-compatible", MODEL_NAME, None)
ROOMY, SMALL, TINY = 8192, 2048, 512  # the servers' windows (--ctx-size): the interviewer's prompt is ~1,000 tokens
ANSWERS = SHORTENER_ANSWERS[:6]  # six turns: enough for every test here, few enough for a 2-core machine
DESIGN = (
    "Links live in a key-value store sharded by the short code, and a load balancer spreads redirects over "
    "stateless servers, so we add capacity as traffic grows without touching the write path. Each link is "
    "about 500 bytes, so a billion links is half a terabyte."
)


class Fleet:
    """The servers of this run, started on first use and kept until its end (one per kind and window)."""

    def __init__(self, model: Path, log_dir: Path) -> None:
        self.model = model
        self.log_dir = log_dir
        self._stack = contextlib.ExitStack()
        self._running: dict[tuple[Kind, int], LlamaServer] = {}

    def server(self, kind: Kind, n_ctx: int) -> LlamaServer:
        if (kind, n_ctx) not in self._running:
            self._running[kind, n_ctx] = self._stack.enter_context(self.fresh(kind, n_ctx))
        return self._running[kind, n_ctx]

    def fresh(self, kind: Kind, n_ctx: int) -> contextlib.AbstractContextManager[LlamaServer]:
        """A server of the test's own, to stop as it likes."""
        return running(kind, self.model, n_ctx=n_ctx, log_dir=self.log_dir)

    def close(self) -> None:
        self._stack.close()


@pytest.fixture(scope="session")
def fleet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fleet]:
    folder = tmp_path_factory.mktemp("llama")
    fleet = Fleet(write_model(folder / "tiny-random.gguf", corpus(ROOT)), folder)
    try:
        yield fleet
    finally:
        fleet.close()


@pytest.fixture(params=KINDS)
def kind(request: pytest.FixtureRequest) -> Kind:
    kind: Kind = request.param
    if (reason := missing(kind)) is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}; CI=true requires it (test.sh runs ./setup.sh --llama)")
        pytest.skip(reason)
    return kind


def workspace(database_url: str, tmp_path: Path, server: LlamaServer, *, window: int | None = None) -> Workspace:
    """The app's workspace with its openai-compatible provider pointed at `server` (no key, as for a local one).
    `window`: the context window config gives (a llama.cpp server's own /props is believed over it)."""
    section = ProviderSettings(models=[MODEL_NAME], base_url=server.base_url, context_window=window, timeout_seconds=60)
    settings = Settings(
        database_url=database_url,
        runtime_dir=tmp_path,
        providers={"openai_compatible": section},
        evaluation_samples=1,
    )
    return build_workspace(settings)


def started(ws: Workspace) -> str:
    session = create_interview(
        ws, problem_id="url_shortener", provider=LOCAL.provider, model=LOCAL.model, actor=CANDIDATE
    )
    start_interview(ws, session.id, actor=CANDIDATE)
    return session.id


def planned(ws: Workspace, session_id: str) -> str:
    """What the offline engine says next: the model voices it, a fallback says it verbatim."""
    view = get_interview(ws, session_id, actor=CANDIDATE)
    return (
        OfflineInterviewer(view.problem, ws.rubric(view.session.rubric_id))
        .reply(view.session, view.messages, ws.clock())
        .text
    )


def the_models(reply: Message) -> bool:
    return reply.meta.get("provider") == LOCAL.provider and not reply.meta.get("fallback")


def test_the_connection_check_and_an_interview_of_a_few_turns(
    kind: Kind, database_url: str, tmp_path: Path, fleet: Fleet
) -> None:
    server = fleet.server(kind, ROOMY)
    ws = workspace(database_url, tmp_path, server, window=ROOMY)
    validate_choice(ws.settings, LOCAL)  # the Setup page's check: no key, any model name
    session_id = started(ws)

    submit_answer(ws, session_id, ANSWERS[1], actor=CANDIDATE)  # no question: any wording keeps to the plan
    reply = stream_reply(ws, session_id, llm=LOCAL)
    pieces = list(reply)
    assert len(pieces) > 10, "the reply arrives in pieces, as the server generates it"
    assert reply.message is not None and reply.message.content == "".join(pieces).strip()
    assert reply.fallback is None and the_models(reply.message)
    first = usage_summary(ws, session_id, actor=CANDIDATE)
    if kind == "llama.cpp":  # its counts: the reply ran to the output limit (the model never ends one)
        assert first.output_tokens == 700 and first.input_tokens > 500
    else:  # llama-cpp-python sends no usage in a stream (it ignores stream_options): estimated, 4 characters a token
        assert first.output_tokens == math.ceil(len("".join(pieces)) / 4)
    later = [send_message(ws, session_id, a, llm=LOCAL, actor=CANDIDATE) for a in (ANSWERS[0], *ANSWERS[2:4])]
    replies = [reply.message, *later]

    # The model's nonsense is stored as its reply, unless it breaks the planned move (here: a clarifying question
    # left unanswered), when the plan's words are stored instead; no turn failed
    for stored in replies:
        assert the_models(stored) or "left the interview plan" in _fallback_reason(ws, stored), stored.meta
    usage = usage_summary(ws, session_id, actor=CANDIDATE)
    assert usage.by_operation["question_generation"]["calls"] == len(replies)
    assert usage.input_tokens > 500 * len(replies)

    chat = chat_model_for(ws.settings, LOCAL)
    try:
        # llama.cpp says its window (GET /props); llama-cpp-python says nothing, so config's counts
        assert chat.context_window() == ROOMY
    finally:
        chat.close()


def test_an_evaluation_held_to_the_answer_schema_is_stored_as_the_models(
    kind: Kind, database_url: str, tmp_path: Path, fleet: Fleet, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="core.llm")
    server = fleet.server(kind, ROOMY)
    ws = workspace(database_url, tmp_path, server, window=ROOMY)
    session_id = started(ws)
    for answer in [*ANSWERS[:3], DESIGN]:
        send_message(ws, session_id, answer, llm=None, actor=CANDIDATE)  # answered offline; judged by the model
    evaluation = end_interview(ws, session_id, llm=LOCAL, actor=CANDIDATE)

    # Asked for the evaluation's JSON schema, both servers turn it into a grammar: every competency once, scores
    # and confidences from their enums, every string and list bounded, so even the random model's nonsense closes
    # its object within the output limit and parses. llama.cpp takes response_format json_schema; llama-cpp-python
    # refuses it (a 500 naming response_format) and is asked at once with json_object and its "schema"
    assert evaluation.engine == LOCAL.provider and evaluation.model == MODEL_NAME, evaluation.notes
    assert evaluation.overall_score is not None
    assert not [n for n in evaluation.notes if "could not be used" in n or "samples could be used" in n]
    assert {c.key for c in evaluation.competencies} == {c.key for c in ws.rubric(evaluation.rubric_id).competencies}
    assert all(c.score is not None and 1 <= c.score <= 5 for c in evaluation.competencies)
    spent = usage_summary(ws, session_id, actor=CANDIDATE).by_operation["evaluation"]
    assert spent["calls"] == 1 and 0 < spent["output_tokens"] < 2000, "one answer, closed before the output limit"
    refusals = [r.getMessage() for r in caplog.records if "refuses response_format" in r.getMessage()]
    if kind == "llama.cpp":
        assert refusals == []
    else:
        assert len(refusals) <= 1, "learnt once per server, then asked the way it takes"


def test_a_long_interview_on_a_small_window_is_fitted_and_never_overflows(
    kind: Kind, database_url: str, tmp_path: Path, fleet: Fleet, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="core.llm")
    server = fleet.server(kind, SMALL)
    ws = workspace(database_url, tmp_path, server, window=SMALL)  # told right: config says what the server runs
    session_id = started(ws)
    replies = [send_message(ws, session_id, answer, llm=LOCAL, actor=CANDIDATE) for answer in ANSWERS]

    assert not [r.content for r in replies if "did not answer" in _fallback_reason(ws, r)], "no turn failed"
    assert any(the_models(r) for r in replies), "the model answered"
    trimmed = [r for r in caplog.records if "oldest messages left out" in r.getMessage()]
    assert trimmed, "the oldest history was left out to fit the server's window"
    assert all(r.max_tokens >= 200 for r in trimmed), "with room left for a reply"  # type: ignore[attr-defined]


def test_a_window_too_small_for_the_prompt_is_refused_before_anything_is_sent(
    kind: Kind, database_url: str, tmp_path: Path, fleet: Fleet, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="core.llm")
    server = fleet.server(kind, TINY)
    ws = workspace(database_url, tmp_path, server, window=TINY)
    session_id = started(ws)
    submit_answer(ws, session_id, ANSWERS[0], actor=CANDIDATE)
    plan = planned(ws, session_id)
    reply = stream_reply(ws, session_id, llm=LOCAL)
    text = "".join(reply)

    assert text == plan and reply.message is not None and reply.message.content == plan
    assert reply.fallback is not None and "too long for tiny-random" in reply.fallback
    assert "--ctx-size" in reply.fallback, "it says what to change"
    assert [r.getMessage() for r in caplog.records if "not sent" in r.getMessage()] == [
        "request does not fit the context window; not sent"
    ]
    assert usage_summary(ws, session_id, actor=CANDIDATE).calls == 0


def test_a_window_configured_larger_than_the_server_runs(
    kind: Kind, database_url: str, tmp_path: Path, fleet: Fleet
) -> None:
    """Config says 32,768 tokens, the server runs 2,048. llama.cpp says its real window, so requests are fitted
    to it; llama-cpp-python does not, and answers the overflowing stream with no events at all: a failure with
    a notice and the offline words, never an empty reply stored as the model's."""
    server = fleet.server(kind, SMALL)
    ws = workspace(database_url, tmp_path, server, window=32_768)
    session_id = started(ws)
    for answer in ANSWERS[:4]:
        send_message(ws, session_id, answer, llm=None, actor=CANDIDATE)  # a history longer than 2,048 tokens
    submit_answer(ws, session_id, ANSWERS[4], actor=CANDIDATE)
    plan = planned(ws, session_id)
    reply = stream_reply(ws, session_id, llm=LOCAL)
    text = "".join(reply)
    assert reply.message is not None

    if kind == "llama.cpp":
        assert reply.fallback is None and the_models(reply.message) and text.strip() == reply.message.content
        return
    assert text == plan and reply.message.content == plan
    assert reply.fallback is not None and "empty reply" in reply.fallback and "offline" in reply.fallback
    assert reply.message.meta.get("fallback") is True and "provider" not in reply.message.meta
    assert usage_summary(ws, session_id, actor=CANDIDATE).calls == 0

    # not streamed (the evaluation), the same overflow is a 400 that names the window
    ws.provider_health.cooldown_seconds = 0
    evaluation = end_interview(ws, session_id, llm=LOCAL, actor=CANDIDATE)
    assert evaluation.engine == "offline"
    assert evaluation.notes[0].startswith("The OpenAI-compatible server evaluator could not be used (")
    assert "2048" in evaluation.notes[0] or "2,048" in evaluation.notes[0], evaluation.notes[0]


def test_a_server_killed_mid_reply_leaves_the_offline_words_and_a_notice(
    kind: Kind, database_url: str, tmp_path: Path, fleet: Fleet
) -> None:
    with fleet.fresh(kind, ROOMY) as server:
        ws = workspace(database_url, tmp_path, server, window=ROOMY)
        session_id = started(ws)
        submit_answer(ws, session_id, ANSWERS[0], actor=CANDIDATE)
        plan = planned(ws, session_id)
        reply = stream_reply(ws, session_id, llm=LOCAL)
        pieces = iter(reply)
        first = next(pieces)
        server.kill()  # 699 tokens still to come
        rest = list(pieces)

    assert first and rest[-1] == plan, "what was shown stays, then the offline words"
    assert reply.message is not None and reply.message.content == plan
    assert reply.fallback is not None and "did not answer" in reply.fallback and "offline" in reply.fallback
    assert reply.message.meta.get("fallback") is True and "provider" not in reply.message.meta
    messages = get_interview(ws, session_id, actor=CANDIDATE).messages
    assert [m.role for m in messages[-2:]] == [Role.CANDIDATE, Role.INTERVIEWER] and messages[-1].content == plan
    assert usage_summary(ws, session_id, actor=CANDIDATE).calls == 0, "no model reply to count"

    with pytest.raises(ChatError) as down:
        validate_choice(ws.settings, LOCAL)
    assert down.value.kind == "network"


def _fallback_reason(ws: Workspace, reply: Message) -> str:
    """Why a stored reply is the plan's words (empty: it is the model's), from the session's audit log."""
    if not reply.meta.get("fallback"):
        return ""
    with ws.uow_factory() as uow:
        reasons = [
            str(e.detail.get("reason", ""))
            for e in uow.audit.latest(session_id=reply.session_id)
            if e.action == "provider_fallback"
        ]
    return " ".join(reasons)
