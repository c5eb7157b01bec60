"""The hosted providers' prompt caching, through the real SDKs against the loopback fakes of their APIs.

Anthropic caches only what a request marks (`cache_control` breakpoints: the system prompt and the stable
history); OpenAI caches every long prompt by itself. Both say in their usage how much input the cache served,
and that is what the product counts and prices.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from core.config import Price, ProviderSettings, Settings
from core.interview.services import create_interview, send_message, start_interview, usage_summary
from core.llm.anthropic_chat import AnthropicChatModel
from core.llm.chat_models import ChatMessage, Usage
from core.llm.openai_chat import OpenAIChatModel
from core.llm.providers import LLMChoice
from entry.bootstrap import build_workspace
from tests.actors import CANDIDATE
from tests.llm_fakes import AnthropicServer, OpenAIServer, Reply

KEY = "sk-fake-key"
EPHEMERAL = {"type": "ephemeral"}
# Long enough for any model's minimum cacheable prompt (the fakes count 4 characters a token)
SYSTEM = "You interview a candidate on designing a URL shortener. " * 320
HISTORY = [
    ChatMessage("user", "(The candidate has joined the interview.)"),
    ChatMessage("assistant", "Welcome. Who are the users, and how many are there?"),
]


@pytest.fixture(scope="module")
def anthropic_server() -> Iterator[AnthropicServer]:
    with AnthropicServer(api_key=KEY, models=["claude-test", "claude-opus-4-5"]) as fake:
        yield fake


@pytest.fixture(scope="module")
def openai_server() -> Iterator[OpenAIServer]:
    with OpenAIServer(api_key=KEY, models=["gpt-test"]) as fake:
        yield fake


@pytest.fixture
def claude(anthropic_server: AnthropicServer) -> Iterator[AnthropicChatModel]:
    anthropic_server.reset()
    chat = AnthropicChatModel("claude-test", api_key=KEY, base_url=anthropic_server.base_url, timeout=5.0)
    yield chat
    chat.close()


@pytest.fixture
def gpt(openai_server: OpenAIServer) -> Iterator[OpenAIChatModel]:
    openai_server.reset()
    chat = OpenAIChatModel("gpt-test", api_key=KEY, base_url=openai_server.base_url, timeout=5.0)
    yield chat
    chat.close()


def turn(text: str) -> list[ChatMessage]:
    return [*HISTORY, ChatMessage("user", text)]


# -- Anthropic: the breakpoints on the wire, the usage read back ----------------------------------------------


def test_anthropic_marks_the_system_prompt_and_the_history_before_the_latest_turn(
    anthropic_server: AnthropicServer, claude: AnthropicChatModel
) -> None:
    anthropic_server.script(Reply(text="How many links a day?", input_tokens=8000))
    stream = claude.stream(SYSTEM, turn("Millions of users.\n\n(Stage: requirements; 3 of 45 minutes used.)"))
    assert "".join(stream) == "How many links a day?"

    body = anthropic_server.requests[0].body
    assert body["system"] == [{"type": "text", "text": SYSTEM, "cache_control": EPHEMERAL}]
    *stable, latest = body["messages"]
    assert stable[-1]["content"][-1]["cache_control"] == EPHEMERAL, "the history up to the latest turn is cached"
    assert isinstance(latest["content"], str), "the latest turn (what changes) is not"
    # the first request writes what it marked; nothing was there to read
    assert stream.usage is not None and stream.usage.input_tokens == 8000
    assert stream.usage.cache_read_tokens == 0 and stream.usage.cache_write_tokens > 0


def test_anthropic_the_next_turn_reads_the_cached_prefix_and_writes_only_what_is_new(
    anthropic_server: AnthropicServer, claude: AnthropicChatModel
) -> None:
    anthropic_server.script(Reply(text="Noted.", input_tokens=8000), Reply(text="And reads?", input_tokens=8000))
    first = claude.complete(SYSTEM, turn("Millions of users."))
    longer = [*turn("Millions of users."), ChatMessage("assistant", "Noted."), ChatMessage("user", "1,000 QPS.")]
    second = claude.complete(SYSTEM, longer)

    written_first = first.usage.cache_write_tokens
    assert first.usage.cache_read_tokens == 0 and written_first > 0
    assert second.usage.cache_read_tokens == anthropic_server.cache_writes[0] == written_first
    assert 0 < second.usage.cache_write_tokens < written_first, "only the turns added since are written"
    assert second.usage.input_tokens == 8000, "all the input billed: read, written and plain together"


def test_anthropic_a_repeated_request_is_cached_whole_and_read_whole_the_second_time(
    anthropic_server: AnthropicServer, claude: AnthropicChatModel
) -> None:
    anthropic_server.script(*[Reply(text='{"ok": true}', input_tokens=9000)] * 2)
    question = [ChatMessage("user", "The interview to evaluate: " + "the candidate spoke. " * 200)]
    first = claude.complete(SYSTEM, question, json_output=True, repeated=True)
    second = claude.complete(SYSTEM, question, json_output=True, repeated=True)

    (last,) = anthropic_server.requests[0].body["messages"]
    assert last["content"][-1]["cache_control"] == EPHEMERAL
    assert second.usage.cache_read_tokens == first.usage.cache_write_tokens > 0
    assert second.usage.cache_write_tokens == 0


def test_anthropic_a_prompt_below_the_models_minimum_is_not_marked(
    anthropic_server: AnthropicServer, claude: AnthropicChatModel
) -> None:
    anthropic_server.script(Reply(text="Hi.", input_tokens=30))
    result = claude.complete("Be brief.", [ChatMessage("user", "Hello")])

    body = anthropic_server.requests[0].body
    assert body["system"] == "Be brief." and "cache_control" not in str(body["messages"])
    assert result.usage == Usage(input_tokens=30, output_tokens=1)


def test_anthropic_the_minimum_depends_on_the_model(anthropic_server: AnthropicServer) -> None:
    """Opus 4.5 caches nothing under 4,096 tokens: a prompt of about 3,000 is sent unmarked to it."""
    anthropic_server.reset()
    system = "Judge the interview against the rubric. " * 230  # about 3,000 tokens by the app's estimate
    for model, marked in (("claude-test", True), ("claude-opus-4-5", False)):
        chat = AnthropicChatModel(model, api_key=KEY, base_url=anthropic_server.base_url, timeout=5.0)
        chat.complete(system, [ChatMessage("user", "Hello")])
        chat.close()
        assert isinstance(anthropic_server.requests[-1].body["system"], list) is marked, model


def test_the_fake_refuses_more_than_four_breakpoints_as_anthropic_does(anthropic_server: AnthropicServer) -> None:
    anthropic_server.reset()
    blocks = [{"type": "text", "text": f"part {i}", "cache_control": EPHEMERAL} for i in range(5)]
    response = httpx.post(
        f"{anthropic_server.base_url}/v1/messages",
        headers={"x-api-key": KEY, "anthropic-version": "2023-06-01"},
        json={"model": "claude-test", "max_tokens": 10, "messages": [{"role": "user", "content": blocks}]},
    )
    assert response.status_code == 400
    assert "maximum of 4 blocks with cache_control" in response.json()["error"]["message"]


# -- OpenAI: cached by itself, said in prompt_tokens_details ------------------------------------------------


def test_openai_reports_the_cached_part_of_a_long_prompt_sent_again(
    openai_server: OpenAIServer, gpt: OpenAIChatModel
) -> None:
    openai_server.script(*[Reply(text="Noted.", input_tokens=9000)] * 2)
    first = gpt.complete(SYSTEM, turn("Millions of users."))
    second = gpt.complete(SYSTEM, turn("Millions of users, mostly reading."))

    assert first.usage.cache_read_tokens == 0
    assert second.usage.cache_read_tokens >= 1024 and second.usage.cache_read_tokens % 128 == 0
    assert second.usage.input_tokens == 9000 and second.usage.cache_write_tokens == 0
    assert "cache_control" not in str(openai_server.requests[0].body), "OpenAI takes no markers"


def test_openai_a_streamed_reply_reports_its_cached_tokens_too(
    openai_server: OpenAIServer, gpt: OpenAIChatModel
) -> None:
    openai_server.script(*[Reply(text="How many links?", input_tokens=9000)] * 2)
    list(gpt.stream(SYSTEM, turn("Millions of users.")))
    stream = gpt.stream(SYSTEM, turn("Millions of users."))
    assert "".join(stream) == "How many links?"
    assert stream.usage is not None and stream.usage.cache_read_tokens >= 1024


def test_a_short_openai_prompt_is_never_cached(openai_server: OpenAIServer, gpt: OpenAIChatModel) -> None:
    openai_server.script(*[Reply(text="Hi.", input_tokens=20)] * 2)
    gpt.complete("Be brief.", [ChatMessage("user", "Hello")])
    assert gpt.complete("Be brief.", [ChatMessage("user", "Hello")]).usage.cache_read_tokens == 0


# -- through the product: an interview's turns, counted and priced ---------------------------------------------


def test_an_anthropic_interview_counts_its_cache_reads_and_prices_them_at_a_tenth(
    anthropic_server: AnthropicServer, tmp_path: Path
) -> None:
    anthropic_server.reset()
    anthropic_server.default = Reply(text="Thanks. How would you store the links?", input_tokens=6000)
    section = ProviderSettings(models=["claude-test"], base_url=anthropic_server.base_url)
    prices = {"claude-test": Price(input=3.0, output=15.0)}
    ws = build_workspace(Settings(runtime_dir=tmp_path, providers={"anthropic": section}, prices=prices))
    choice = LLMChoice("anthropic", "claude-test", KEY)
    session = create_interview(
        ws, problem_id="url_shortener", provider="anthropic", model="claude-test", actor=CANDIDATE
    )
    start_interview(ws, session.id, actor=CANDIDATE)
    for answer in ("Millions of users, mostly reading links.", "About 1,200 writes per second.", "A Redis cache."):
        send_message(ws, session.id, answer, llm=choice, actor=CANDIDATE)

    summary = usage_summary(ws, session.id, actor=CANDIDATE)
    row = summary.by_operation["question_generation"]
    assert row["calls"] == 3 and row["input_tokens"] == 18_000
    read, written = summary.cache_read_tokens, summary.cache_write_tokens
    assert read > 0 and written > 0, "the first turn writes the prompt; the next ones read it"
    plain = 18_000 - read - written
    output = int(row["output_tokens"])
    expected = (plain * 3.0 + read * 0.3 + written * 3.75 + output * 15.0) / 1_000_000
    assert summary.cost_usd == pytest.approx(expected, abs=1e-5)  # each call rounded to a millionth of a dollar
    assert summary.prompt_cache_text() == f"{read / 18_000:.0%} of input from the prompt cache"
