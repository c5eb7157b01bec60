"""Interviews voiced and evaluated by LLM providers: the real SDKs against loopback fakes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.chat_models import ChatError
from core.config import Price, ProviderSettings, Settings
from core.interviewer import OfflineInterviewer
from core.interviews import (
    create_interview,
    end_interview,
    get_interview,
    send_message,
    start_interview,
    stream_reply,
    submit_answer,
    usage_summary,
)
from core.models import Role
from core.providers import LLMChoice, validate_choice
from core.workspace import Workspace, build_workspace
from tests.llm_fakes import AnthropicServer, Error, OpenAIServer, Reply, StreamError

pytestmark = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)

OPENAI_KEY = "sk-openai-fake-01"
ANTHROPIC_KEY = "sk-ant-fake-key-01"


@pytest.fixture
def openai_server() -> Iterator[OpenAIServer]:
    with OpenAIServer(api_key=OPENAI_KEY, models=["gpt-test"]) as server:
        yield server


@pytest.fixture
def anthropic_server() -> Iterator[AnthropicServer]:
    with AnthropicServer(api_key=ANTHROPIC_KEY, models=["claude-test"]) as server:
        yield server


@pytest.fixture
def ws(database_url: str, tmp_path: Path, openai_server: OpenAIServer, anthropic_server: AnthropicServer) -> Workspace:
    settings = Settings(
        database_url=database_url,
        runtime_dir=tmp_path,
        request_timeout_seconds=5,
        providers={
            "openai": ProviderSettings(models=["gpt-test"], base_url=openai_server.base_url),
            "anthropic": ProviderSettings(models=["claude-test"], base_url=anthropic_server.base_url),
            "openai_compatible": ProviderSettings(models=["local"], base_url=openai_server.base_url),
        },
        prices={"gpt-test": Price(input=1.0, output=2.0), "claude-test": Price(input=3.0, output=15.0)},
    )
    return build_workspace(settings)


OPENAI = LLMChoice("openai", "gpt-test", OPENAI_KEY)
ANTHROPIC = LLMChoice("anthropic", "claude-test", ANTHROPIC_KEY)


def started(ws: Workspace, choice: LLMChoice) -> str:
    session = create_interview(ws, problem_id="url_shortener", provider=choice.provider, model=choice.model)
    start_interview(ws, session.id)
    return session.id


def planned_reply(ws: Workspace, session_id: str) -> str:
    """What the offline engine plans next: the LLM voices it, the fallback says it verbatim."""
    view = get_interview(ws, session_id)
    planner = OfflineInterviewer(view.problem, ws.rubric(view.session.rubric_id))
    return planner.reply(view.session, view.messages, ws.clock()).text


def test_a_reply_streams_in_pieces_and_records_tokens_and_cost(ws: Workspace, openai_server: OpenAIServer) -> None:
    session_id = started(ws, OPENAI)
    openai_server.script(
        Reply(text="Good question. We expect about 100 million new links a day.", input_tokens=400, output_tokens=15)
    )
    submit_answer(ws, session_id, "How many new links are created per day?")
    plan = planned_reply(ws, session_id)
    reply = stream_reply(ws, session_id, llm=OPENAI)
    chunks = list(reply)

    assert len(chunks) > 3 and "".join(chunks) == "Good question. We expect about 100 million new links a day."
    assert reply.fallback is None
    assert reply.message is not None and reply.message.content == "".join(chunks)
    assert reply.message.meta["provider"] == "openai" and reply.message.meta["model"] == "gpt-test"

    request = openai_server.requests[-1]
    assert request.stream and request.body["model"] == "gpt-test"
    system = request.body["messages"][0]
    assert system["role"] == "system" and plan in system["content"]  # the planned move is what it voices
    assert request.body["messages"][1]["role"] == "user"  # the conversation starts with the candidate
    assert request.body["messages"][-1]["content"] == "How many new links are created per day?"

    summary = usage_summary(ws, session_id)
    assert (summary.calls, summary.input_tokens, summary.output_tokens) == (1, 400, 15)
    assert summary.cost_usd == pytest.approx((400 * 1.0 + 15 * 2.0) / 1_000_000)
    assert summary.by_operation["question_generation"]["calls"] == 1


def test_a_provider_that_stays_down_leaves_the_offline_reply(ws: Workspace, openai_server: OpenAIServer) -> None:
    session_id = started(ws, OPENAI)
    openai_server.script(Error(500, retry_after_ms=1), Error(502, retry_after_ms=1), Error(503, retry_after_ms=1))
    submit_answer(ws, session_id, "Users paste a long link and get a short one back.")
    plan = planned_reply(ws, session_id)
    reply = stream_reply(ws, session_id, llm=OPENAI)
    text = "".join(reply)

    assert len(openai_server.requests) == 3  # one call and two retries, then give up
    assert text == plan and reply.message is not None and reply.message.content == plan
    assert reply.fallback is not None and "OpenAI" in reply.fallback and "offline" in reply.fallback
    messages = get_interview(ws, session_id).messages
    assert [m.role for m in messages[-2:]] == [Role.CANDIDATE, Role.INTERVIEWER]
    assert messages[-2].content == "Users paste a long link and get a short one back."
    assert messages[-1].meta.get("fallback") is True
    with ws.uow_factory() as uow:
        assert "provider_fallback" in [e.action for e in uow.audit.list(session_id=session_id)]
    assert usage_summary(ws, session_id).calls == 0

    # The next answer doesn't wait out the retries again: offline at once, while it cools down.
    openai_server.reset()
    submit_answer(ws, session_id, "And redirects?")
    second = stream_reply(ws, session_id, llm=OPENAI)
    assert "".join(second) and openai_server.requests == []
    assert second.fallback is not None and "again in" in second.fallback

    # After the cool-down the provider is asked again, and answers.
    ws.provider_health.cooldown_seconds = 0
    openai_server.script(Reply(text="Back again: what is your p99 target?"))
    third = send_message(ws, session_id, "Redirects must be fast.", llm=OPENAI)
    assert third.content == "Back again: what is your p99 target?"


def test_a_stream_that_breaks_midway_falls_back_and_stores_the_plan(ws: Workspace, openai_server: OpenAIServer) -> None:
    session_id = started(ws, OPENAI)
    openai_server.script(StreamError(after_chunks=2))
    submit_answer(ws, session_id, "Users create short links.")
    plan = planned_reply(ws, session_id)
    reply = stream_reply(ws, session_id, llm=OPENAI)
    list(reply)
    assert reply.fallback is not None
    assert reply.message is not None and reply.message.content == plan


def test_a_tab_without_the_key_continues_offline_and_says_why(ws: Workspace, openai_server: OpenAIServer) -> None:
    session_id = started(ws, OPENAI)
    reply = send_message(ws, session_id, "How many redirects per second?", llm=None)
    assert openai_server.requests == []
    assert reply.meta.get("fallback") is True
    streamed = stream_reply(ws, session_id, llm=None)
    list(streamed)
    assert streamed.fallback is not None and "Setup" in streamed.fallback


DESIGN = (
    "Links live in a key-value store sharded by the short code, and a load balancer spreads redirects over "
    "stateless servers, so we add capacity as traffic grows without touching the write path. Each link is "
    "about 500 bytes, so a billion links is half a terabyte."
)
"""Enough words for the evaluation's quality gate: below it no evaluator, LLM or offline, scores."""


def test_an_llm_evaluation_is_validated_weighted_and_recorded(ws: Workspace, anthropic_server: AnthropicServer) -> None:
    session_id = started(ws, ANTHROPIC)
    anthropic_server.script(Reply(text="Sure — about 100 million a day.", input_tokens=300, output_tokens=9))
    send_message(
        ws,
        session_id,
        "How many new links per day? I'd cache hot links in Redis because reads dominate. " + DESIGN,
        llm=ANTHROPIC,
    )
    rubric = ws.rubric("system_design")
    report = {
        "competencies": [
            {
                "key": c.key,
                "score": 4.0 if c.key == "scalability" else 2.0,
                "confidence": 0.6,
                "rationale": f"About {c.name}.",
                "evidence": ["I'd cache hot links in Redis because reads dominate", "a quote nobody said at all"],
            }
            for c in rubric.competencies
        ],
        "went_well": ["You justified the cache with the read ratio."],
        "went_okay": [],
        "needs_improvement": ["No estimates."],
        "improvement_plan": [{"title": "Estimate", "detail": "Practise QPS maths.", "resources": ["DDIA ch. 1"]}],
    }
    anthropic_server.script(Reply(text=json.dumps(report), input_tokens=2000, output_tokens=600))
    evaluation = end_interview(ws, session_id, llm=ANTHROPIC)

    assert evaluation.engine == "anthropic" and evaluation.model == "claude-test"
    assert evaluation.prompt_version == "evaluator/v1"
    expected = rubric.overall({c.key: (4.0 if c.key == "scalability" else 2.0) for c in rubric.competencies})
    assert evaluation.overall_score == expected
    scalability = next(c for c in evaluation.competencies if c.key == "scalability")
    assert [e.quote for e in scalability.evidence] == ["I'd cache hot links in Redis because reads dominate"]
    assert evaluation.communication["candidate_words"] > 0  # measured offline, not asked of the model

    summary = usage_summary(ws, session_id)
    assert summary.by_operation["evaluation"]["input_tokens"] == 2000
    assert summary.by_operation["question_generation"]["calls"] == 1
    assert summary.cost_usd == pytest.approx((2300 * 3.0 + 609 * 15.0) / 1_000_000)


def test_an_evaluation_that_does_not_fit_the_schema_falls_back_offline_and_says_so(
    ws: Workspace, anthropic_server: AnthropicServer
) -> None:
    session_id = started(ws, ANTHROPIC)
    send_message(ws, session_id, DESIGN, llm=None)  # enough to judge (the quality gate), answered offline
    anthropic_server.script(Reply(text='{"competencies": [{"key": "requirements", "score": 9}]}'))
    evaluation = end_interview(ws, session_id, llm=ANTHROPIC)
    assert evaluation.engine == "offline"
    assert "Anthropic" in evaluation.notes[0] and "format" in evaluation.notes[0]
    assert usage_summary(ws, session_id).by_operation["evaluation"]["calls"] == 1  # the tokens were still spent


def test_credential_checks_give_actionable_messages(ws: Workspace, openai_server: OpenAIServer) -> None:
    validate_choice(ws.settings, OPENAI)

    with pytest.raises(ChatError) as wrong:
        validate_choice(ws.settings, LLMChoice("openai", "gpt-test", "sk-wrong-key-0000"))
    assert wrong.value.kind == "auth" and "401" in str(wrong.value) and "sk-wrong" not in str(wrong.value)

    with pytest.raises(ChatError) as unknown:
        validate_choice(ws.settings, LLMChoice("openai", "gpt-nope", OPENAI_KEY))
    assert unknown.value.kind == "model" and "gpt-nope" in str(unknown.value)

    with pytest.raises(ChatError) as missing:
        validate_choice(ws.settings, LLMChoice("anthropic", "claude-test", None))
    assert missing.value.kind == "missing_key" and "ANTHROPIC_API_KEY" in str(missing.value)

    openai_server.script(*[Error(429, retry_after_ms=1)] * 3)
    with pytest.raises(ChatError) as limited:
        validate_choice(ws.settings, OPENAI)
    assert limited.value.kind == "rate_limit" and "429" in str(limited.value)


def test_an_openai_compatible_server_needs_no_key(ws: Workspace, openai_server: OpenAIServer) -> None:
    openai_server.api_key = None
    openai_server.models = None  # a local server serves whatever model it has loaded
    local = LLMChoice("openai-compatible", "local", None)
    session_id = started(ws, local)
    openai_server.script(Reply(text="Tell me about the read path."))
    reply = send_message(ws, session_id, "Users shorten links.", llm=local)
    assert reply.content == "Tell me about the read path."
