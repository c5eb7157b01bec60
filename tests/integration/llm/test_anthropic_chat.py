"""AnthropicChatModel with the real anthropic SDK against a loopback fake of the Messages API."""

from __future__ import annotations

import base64
import logging
import socket
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from core.llm.anthropic_chat import CLOSING_TURN, JSON_INSTRUCTION, OPENING_TURN, AnthropicChatModel
from core.llm.chat_models import MAX_ATTEMPTS, ChatError, ChatMessage, Usage
from tests.llm_fakes import AnthropicServer, Disconnect, Error, Reply, StreamError

PNG = (Path(__file__).resolve().parents[2] / "fixtures" / "whiteboard" / "url_shortener.png").read_bytes()
KEY = "sk-ant-fake-SECRET"
WRONG_KEY = "sk-ant-WRONG-0000"
SYSTEM = "You are interviewing a candidate on a system design problem."
CONVERSATION = [
    ChatMessage("assistant", "Welcome. Today: design a URL shortener."),
    ChatMessage("user", "Who are the users, and how many are there?"),
]

Connect = Callable[..., AnthropicChatModel]


@pytest.fixture(autouse=True)
def keys_never_logged(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    caplog.set_level(logging.DEBUG)
    yield
    for key in (KEY, WRONG_KEY):
        assert key not in caplog.text


@pytest.fixture(scope="module")
def shared_server() -> Iterator[AnthropicServer]:
    with AnthropicServer(api_key=KEY, models=["claude-test"]) as fake:
        yield fake


@pytest.fixture
def server(shared_server: AnthropicServer) -> AnthropicServer:
    shared_server.reset()
    return shared_server


@pytest.fixture
def connect(server: AnthropicServer) -> Iterator[Connect]:
    made: list[AnthropicChatModel] = []

    def connect(
        model: str = "claude-test", *, api_key: str | None = KEY, base_url: str | None = None, timeout: float = 2.0
    ) -> AnthropicChatModel:
        chat = AnthropicChatModel(model, api_key=api_key, base_url=base_url or server.base_url, timeout=timeout)
        made.append(chat)
        return chat

    yield connect
    for chat in made:
        chat.close()


# -- streaming ---------------------------------------------------------------------------------


def test_stream_yields_the_deltas_in_order_and_records_usage(server: AnthropicServer, connect: Connect) -> None:
    server.script(Reply(chunks=["The ", "users ", "are ", "everyone."], input_tokens=40, output_tokens=9))
    stream = connect().stream(SYSTEM, CONVERSATION, max_tokens=500)
    assert stream.usage is None

    assert list(stream) == ["The ", "users ", "are ", "everyone."]
    assert stream.usage == Usage(input_tokens=40, output_tokens=9)  # message_start + message_delta

    (request,) = server.requests
    assert (request.method, request.path) == ("POST", "/v1/messages")
    assert request.headers["anthropic-version"]
    assert request.headers["authorization"] == "<redacted>", "the key travels, and is not recorded"
    assert request.body["model"] == "claude-test"
    assert request.body["stream"] is True
    assert request.body["max_tokens"] == 500
    assert request.body["system"] == SYSTEM
    assert "temperature" not in request.body, "the Messages API this SDK speaks takes no temperature"
    assert request.body["messages"] == [
        {"role": "user", "content": OPENING_TURN},
        {"role": "assistant", "content": "Welcome. Today: design a URL shortener."},
        {"role": "user", "content": "Who are the users, and how many are there?"},
    ]


def test_the_first_chunk_arrives_before_a_slow_stream_is_done(server: AnthropicServer, connect: Connect) -> None:
    server.script(Reply(chunks=["one ", "two ", "three ", "four ", "five"], chunk_delay=0.1))
    started = time.monotonic()
    stream = connect().stream(SYSTEM, CONVERSATION)
    arrivals = [(chunk, time.monotonic() - started) for chunk in stream]

    first, total = arrivals[0][1], arrivals[-1][1]
    assert [chunk for chunk, _ in arrivals] == ["one ", "two ", "three ", "four ", "five"]
    assert total >= 0.4, "the server really was slow"
    assert first < total - 0.3, f"first chunk at {first:.2f}s of {total:.2f}s: the reply was buffered"


def test_a_connection_dropped_mid_stream_is_a_network_error(server: AnthropicServer, connect: Connect) -> None:
    server.script(Disconnect(after_chunks=2))
    received: list[str] = []
    with pytest.raises(ChatError) as caught:
        for chunk in connect().stream(SYSTEM, CONVERSATION):
            received.append(chunk)

    assert received == ["Hello ", "there"]
    assert caught.value.kind == "network" and caught.value.transient
    assert "dropped in the middle of a reply" in str(caught.value)


def test_an_overloaded_event_mid_stream_is_a_server_error(server: AnthropicServer, connect: Connect) -> None:
    server.script(StreamError(after_chunks=1, type="overloaded_error"))
    with pytest.raises(ChatError) as caught:
        list(connect().stream(SYSTEM, CONVERSATION))
    assert caught.value.kind == "server" and caught.value.transient
    assert str(caught.value) == "Anthropic is overloaded; try again in a moment."


def test_a_stalled_stream_times_out(server: AnthropicServer, connect: Connect) -> None:
    server.script(Reply(chunks=["Hello ", "there"], chunk_delay=1.5))
    started = time.monotonic()
    with pytest.raises(ChatError) as caught:
        list(connect(timeout=0.3).stream(SYSTEM, CONVERSATION))
    assert caught.value.kind == "timeout"
    assert "did not answer within 0.3 seconds" in str(caught.value)
    assert time.monotonic() - started < 1.2


# -- complete ----------------------------------------------------------------------------------


def test_complete_returns_the_text_and_usage(server: AnthropicServer, connect: Connect) -> None:
    server.script(Reply(text="A read-heavy service: 100:1 reads to writes.", input_tokens=55, output_tokens=11))
    result = connect().complete(SYSTEM, CONVERSATION, max_tokens=300)

    assert result.text == "A read-heavy service: 100:1 reads to writes."
    assert result.usage == Usage(input_tokens=55, output_tokens=11)
    (request,) = server.requests
    assert "stream" not in request.body and request.body["max_tokens"] == 300


def test_json_output_asks_for_json_and_trims_what_wraps_it(server: AnthropicServer, connect: Connect) -> None:
    server.script(Reply(text='Here is the grade:\n```json\n{"score": 3, "notes": "clear"}\n```'))
    result = connect().complete("Grade the interview.", CONVERSATION, json_output=True)

    assert result.text == '{"score": 3, "notes": "clear"}'
    assert server.requests[0].body["system"] == f"Grade the interview.\n\n{JSON_INSTRUCTION}"


def test_the_conversation_is_shaped_for_the_messages_api(server: AnthropicServer, connect: Connect) -> None:
    connect().complete(
        SYSTEM,
        [
            ChatMessage("user", "First thought."),
            ChatMessage("user", "Second thought."),
            ChatMessage("user", "   "),
            ChatMessage("assistant", "Go on."),
        ],
    )
    assert server.requests[0].body["messages"] == [
        {"role": "user", "content": "First thought.\n\nSecond thought."},
        {"role": "assistant", "content": "Go on."},
        {"role": "user", "content": CLOSING_TURN},
    ]


def test_a_picture_goes_as_a_base64_image_block_before_its_text(server: AnthropicServer, connect: Connect) -> None:
    connect().complete(
        SYSTEM,
        [ChatMessage("user", "First thought."), ChatMessage("user", "What does the board show?", images=(PNG,))],
    )
    image = {
        "type": "image",
        "source": {"type": "base64", "media_type": "image/png", "data": base64.b64encode(PNG).decode()},
    }
    assert server.requests[0].body["messages"] == [
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "First thought."},
                image,
                {"type": "text", "text": "What does the board show?"},
            ],
        }
    ]  # merged into one user turn, as the Messages API wants
    assert AnthropicServer.images(server.requests[0]) == [PNG]


def test_a_model_set_up_without_vision_refuses_the_picture(server: AnthropicServer, connect: Connect) -> None:
    server.vision = False
    try:
        with pytest.raises(ChatError) as caught:
            connect().complete(SYSTEM, [ChatMessage("user", "What does the board show?", images=(PNG,))])
    finally:
        server.vision = True
    assert caught.value.kind == "bad_request" and "does not support image input" in str(caught.value)
    assert len(server.requests) == 1


# -- validate and failures ---------------------------------------------------------------------


def test_validate_retrieves_the_model(server: AnthropicServer, connect: Connect) -> None:
    connect().validate()
    assert server.paths() == ["GET /v1/models/claude-test"]


def test_a_wrong_key_is_an_auth_error_that_never_shows_the_key(server: AnthropicServer, connect: Connect) -> None:
    with pytest.raises(ChatError) as caught:
        connect(api_key=WRONG_KEY).validate()

    error = caught.value
    assert error.kind == "auth" and not error.transient
    assert str(error) == "Anthropic rejected the API key (401). Check it and try again."
    assert WRONG_KEY not in repr(error)
    assert len(server.requests) == 1, "a 401 is not retried"


def test_a_key_without_permission_is_an_auth_error(server: AnthropicServer, connect: Connect) -> None:
    server.script(Error(403))
    with pytest.raises(ChatError) as caught:
        connect().stream(SYSTEM, CONVERSATION)
    assert caught.value.kind == "auth"
    assert str(caught.value).startswith("Anthropic refused this API key access (403): Your API key does not have")


def test_an_unknown_model_is_a_model_error(connect: Connect) -> None:
    for call in (lambda chat: chat.validate(), lambda chat: chat.complete(SYSTEM, CONVERSATION)):
        with pytest.raises(ChatError) as caught:
            call(connect("claude-x"))
        assert caught.value.kind == "model"
        assert str(caught.value) == "Anthropic has no model 'claude-x' (or this key cannot use it)."


def test_rate_limits_are_retried_as_the_server_asks(server: AnthropicServer, connect: Connect) -> None:
    server.script(Error(429, retry_after=1, retry_after_ms=5), Error(429, retry_after=1, retry_after_ms=5))
    server.script(Reply(chunks=["Made ", "it."]))
    started = time.monotonic()
    assert "".join(connect().stream(SYSTEM, CONVERSATION)) == "Made it."
    assert len(server.requests) == 3
    assert time.monotonic() - started < 0.9


def test_a_lasting_rate_limit_gives_up_after_max_attempts(server: AnthropicServer, connect: Connect) -> None:
    server.script(*[Error(429, retry_after_ms=5)] * (MAX_ATTEMPTS - 1), Error(429, retry_after=30))
    with pytest.raises(ChatError) as caught:
        connect().validate()

    error = caught.value
    assert error.kind == "rate_limit" and error.retry_after == 30
    assert str(error) == "Anthropic is rate-limiting this API key (429); try again in 30 seconds."
    assert len(server.requests) == MAX_ATTEMPTS


def test_overload_is_retried_with_backoff_then_succeeds(server: AnthropicServer, connect: Connect) -> None:
    server.script(Error(529), Reply(text="Recovered."))  # no retry-after: the SDK's own backoff
    assert connect().complete(SYSTEM, CONVERSATION).text == "Recovered."
    assert len(server.requests) == 2


def test_lasting_server_errors_are_a_server_error(server: AnthropicServer, connect: Connect) -> None:
    server.script(Error(529, retry_after_ms=1), Error(500, retry_after_ms=1), Error(529, retry_after_ms=1))
    with pytest.raises(ChatError) as caught:
        connect().complete(SYSTEM, CONVERSATION)
    assert caught.value.kind == "server"
    assert str(caught.value) == "Anthropic is overloaded (529); try again in a moment."
    assert len(server.requests) == MAX_ATTEMPTS


def test_a_bad_request_quotes_the_provider_without_secrets(server: AnthropicServer, connect: Connect) -> None:
    server.script(Error(400, message=f"messages.0.content: invalid, and so is x-api-key: {KEY}"))
    with pytest.raises(ChatError) as caught:
        connect().complete(SYSTEM, CONVERSATION)
    assert caught.value.kind == "bad_request"
    assert str(caught.value) == (
        "Anthropic rejected the request (400): messages.0.content: invalid, and so is x-api-key: [redacted]."
    )


def test_a_closed_port_is_a_network_error_naming_only_the_host(connect: Connect) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        host = f"127.0.0.1:{sock.getsockname()[1]}"
    started = time.monotonic()
    with pytest.raises(ChatError) as caught:
        connect(base_url=f"http://{host}", timeout=0.5).stream(SYSTEM, CONVERSATION)
    assert caught.value.kind == "network"
    assert str(caught.value) == f"Cannot reach Anthropic at {host}: check the network connection."
    assert time.monotonic() - started < 3.0


def test_no_key_is_a_missing_key_error_before_any_request(server: AnthropicServer) -> None:
    for key in (None, "", "  "):
        with pytest.raises(ChatError) as caught:
            AnthropicChatModel("claude-test", api_key=key, base_url=server.base_url)
        assert caught.value.kind == "missing_key"
        assert str(caught.value) == (
            "No Anthropic API key: set ANTHROPIC_API_KEY, add it to Streamlit secrets, or paste it on the Setup page."
        )
    assert server.requests == []


# -- single requests, cancelling, cut-off answers, the context window --------------------------


def test_a_generation_that_timed_out_or_lost_its_connection_is_not_sent_again(
    server: AnthropicServer, connect: Connect
) -> None:
    server.script(Reply(text="Too late.", delay=0.8), Reply(text="A copy."))
    with pytest.raises(ChatError) as caught:
        connect(timeout=0.3).complete(SYSTEM, CONVERSATION)
    assert caught.value.kind == "timeout" and len(server.requests) == 1
    server.reset()
    server.script(Disconnect(), Reply(text="A copy."))
    with pytest.raises(ChatError) as caught:
        connect().complete(SYSTEM, CONVERSATION)
    assert caught.value.kind == "network" and len(server.requests) == 1


def test_an_overloaded_answer_is_sent_again(server: AnthropicServer, connect: Connect) -> None:
    server.script(Error(529, retry_after_ms=1), Reply(text="Room now."))
    assert connect().complete(SYSTEM, CONVERSATION).text == "Room now."
    assert len(server.requests) == 2


def test_closing_a_stream_closes_the_response(server: AnthropicServer, connect: Connect) -> None:
    server.script(Reply(chunks=[f"word{i} " for i in range(40)], chunk_delay=0.05))
    stream = connect().stream(SYSTEM, CONVERSATION)
    pieces = iter(stream)
    assert next(pieces) == "word0 "
    stream.close()
    deadline = time.monotonic() + 2
    while not server.abandoned and time.monotonic() < deadline:
        time.sleep(0.01)
    assert server.abandoned and server.abandoned[0] < 10


def test_an_answer_stopped_at_max_tokens_says_so(server: AnthropicServer, connect: Connect) -> None:
    server.script(Reply(text='{"competencies": [', stop="length"), Reply(chunks=["Cut ", "off"], stop="length"))
    assert connect().complete(SYSTEM, CONVERSATION, json_output=True).truncated
    stream = connect().stream(SYSTEM, CONVERSATION)
    assert "".join(stream) == "Cut off" and stream.truncated
    server.script(Reply(text="Whole."))
    assert not connect().complete(SYSTEM, CONVERSATION).truncated


def test_the_conversation_is_fitted_into_the_configured_window(server: AnthropicServer) -> None:
    history = []
    for i in range(20):
        history += [
            ChatMessage("user", f"answer {i} " + "a" * 600),
            ChatMessage("assistant", f"reply {i} " + "b" * 600),
        ]
    history.append(ChatMessage("user", "the latest answer"))
    chat = AnthropicChatModel("claude-test", api_key=KEY, base_url=server.base_url, context_window=3000)
    try:
        "".join(chat.stream(SYSTEM, history, max_tokens=700))
        with pytest.raises(ChatError) as caught:
            chat.complete(SYSTEM, [ChatMessage("user", "t" * 9000)], max_tokens=2000, min_tokens=1000)
    finally:
        chat.close()
    (request,) = server.requests  # the one that could not fit was not sent
    sent = request.body["messages"]
    assert sent[-1] == {"role": "user", "content": "the latest answer"} and sent[0]["role"] == "user"
    assert 1 < len(sent) < len(history) and request.body["max_tokens"] == 700
    assert caught.value.kind == "too_long" and "3,000-token context window" in str(caught.value)
