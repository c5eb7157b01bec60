"""OpenAIChatModel with the real openai SDK against a loopback fake of the Chat Completions API."""

from __future__ import annotations

import base64
import logging
import socket
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from core.llm.chat_models import MAX_ATTEMPTS, AnswerSchema, ChatError, ChatMessage, Usage
from core.llm.openai_chat import NO_KEY_PLACEHOLDER, OpenAIChatModel
from tests.llm_fakes import LLAMA_CPP_PYTHON_REFUSAL, Disconnect, Error, OpenAIServer, Reply, SelfHosted, StreamError

PNG = (Path(__file__).resolve().parents[2] / "fixtures" / "whiteboard" / "url_shortener.png").read_bytes()
KEY = "sk-test-fake-SECRET"
WRONG_KEY = "sk-wrong-fake-WRONG"
SYSTEM = "You are interviewing a candidate on a system design problem."
CONVERSATION = [
    ChatMessage("assistant", "Welcome. Today: design a URL shortener."),
    ChatMessage("user", "Who are the users, and how many are there?"),
]

Connect = Callable[..., OpenAIChatModel]


@pytest.fixture(autouse=True)
def keys_never_logged(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    caplog.set_level(logging.DEBUG)
    yield
    for key in (KEY, WRONG_KEY):
        assert key not in caplog.text


@pytest.fixture(scope="module")
def shared_server() -> Iterator[OpenAIServer]:
    with OpenAIServer(api_key=KEY, models=["gpt-test"]) as fake:
        yield fake


@pytest.fixture
def server(shared_server: OpenAIServer) -> OpenAIServer:
    shared_server.reset()
    return shared_server


@pytest.fixture
def connect(server: OpenAIServer) -> Iterator[Connect]:
    made: list[OpenAIChatModel] = []

    def connect(
        model: str = "gpt-test",
        *,
        api_key: str | None = KEY,
        base_url: str | None = None,
        provider: str = "openai",
        timeout: float = 2.0,
    ) -> OpenAIChatModel:
        chat = OpenAIChatModel(
            model, api_key=api_key, base_url=base_url or server.base_url, provider=provider, timeout=timeout
        )
        made.append(chat)
        return chat

    yield connect
    for chat in made:
        chat.close()


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/v1"


# -- streaming ---------------------------------------------------------------------------------


def test_stream_yields_the_deltas_in_order_and_records_usage(server: OpenAIServer, connect: Connect) -> None:
    server.script(Reply(chunks=["The ", "users ", "are ", "everyone."], input_tokens=40, output_tokens=4))
    stream = connect().stream(SYSTEM, CONVERSATION)
    assert stream.usage is None

    assert list(stream) == ["The ", "users ", "are ", "everyone."]
    assert stream.usage == Usage(input_tokens=40, output_tokens=4)

    (request,) = server.requests
    assert (request.method, request.path) == ("POST", "/v1/chat/completions")
    assert request.headers["authorization"] == "<redacted>"
    assert request.body["model"] == "gpt-test"
    assert request.body["stream"] is True
    assert request.body["stream_options"] == {"include_usage": True}
    assert request.body["max_completion_tokens"] == 700
    assert request.body["temperature"] == 0.4
    assert request.body["messages"] == [
        {"role": "system", "content": SYSTEM},
        {"role": "assistant", "content": "Welcome. Today: design a URL shortener."},
        {"role": "user", "content": "Who are the users, and how many are there?"},
    ]


def test_the_first_chunk_arrives_before_a_slow_stream_is_done(server: OpenAIServer, connect: Connect) -> None:
    server.script(Reply(chunks=["one ", "two ", "three ", "four ", "five"], chunk_delay=0.1))
    started = time.monotonic()
    stream = connect().stream(SYSTEM, CONVERSATION)
    arrivals = [(chunk, time.monotonic() - started) for chunk in stream]

    first, total = arrivals[0][1], arrivals[-1][1]
    assert [chunk for chunk, _ in arrivals] == ["one ", "two ", "three ", "four ", "five"]
    assert total >= 0.4, "the server really was slow"
    assert first < total - 0.3, f"first chunk at {first:.2f}s of {total:.2f}s: the reply was buffered"


def test_a_server_that_reports_no_usage_gets_an_estimate(server: OpenAIServer, connect: Connect) -> None:
    server.script(Reply(text="x" * 40, usage=False), Reply(text="y" * 80, usage=False))
    stream = connect().stream("s" * 30, [ChatMessage("user", "u" * 10)])
    assert "".join(stream) == "x" * 40
    assert stream.usage == Usage(input_tokens=10, output_tokens=10)  # about four characters a token

    result = connect().complete("s" * 30, [ChatMessage("user", "u" * 10)])
    assert result.usage == Usage(input_tokens=10, output_tokens=20)


def test_a_connection_dropped_mid_stream_is_a_network_error(server: OpenAIServer, connect: Connect) -> None:
    server.script(Disconnect(after_chunks=1))
    received: list[str] = []
    with pytest.raises(ChatError) as caught:
        for chunk in connect().stream(SYSTEM, CONVERSATION):
            received.append(chunk)

    assert received == ["Hello "]
    assert caught.value.kind == "network" and caught.value.transient
    assert "dropped in the middle of a reply" in str(caught.value)


def test_an_error_event_mid_stream_is_a_server_error(server: OpenAIServer, connect: Connect) -> None:
    server.script(StreamError(after_chunks=1, message="The model crashed while generating."))
    with pytest.raises(ChatError) as caught:
        list(connect().stream(SYSTEM, CONVERSATION))
    assert caught.value.kind == "server"
    assert str(caught.value) == (
        "OpenAI stopped in the middle of a reply with an error: The model crashed while generating. Try again."
    )


def test_a_stalled_stream_times_out(server: OpenAIServer, connect: Connect) -> None:
    server.script(Reply(chunks=["Hello ", "there"], chunk_delay=1.5))
    started = time.monotonic()
    with pytest.raises(ChatError) as caught:
        list(connect(timeout=0.3).stream(SYSTEM, CONVERSATION))
    assert caught.value.kind == "timeout"
    assert "did not answer within 0.3 seconds" in str(caught.value)
    assert time.monotonic() - started < 1.2


# -- complete ----------------------------------------------------------------------------------


def test_complete_returns_the_text_and_usage(server: OpenAIServer, connect: Connect) -> None:
    server.script(Reply(text="A read-heavy service: 100:1 reads to writes.", input_tokens=55, output_tokens=11))
    result = connect().complete(SYSTEM, CONVERSATION, max_tokens=300)

    assert result.text == "A read-heavy service: 100:1 reads to writes."
    assert result.usage == Usage(input_tokens=55, output_tokens=11)
    (request,) = server.requests
    assert "stream" not in request.body and "response_format" not in request.body
    assert request.body["max_completion_tokens"] == 300 and request.body["temperature"] == 0.2


def test_json_output_asks_for_a_json_object(server: OpenAIServer, connect: Connect) -> None:
    server.script(Reply(text='{"score": 3, "notes": "clear"}'))
    result = connect().complete("Grade the interview.", CONVERSATION, json_output=True)

    assert result.text == '{"score": 3, "notes": "clear"}'
    body = server.requests[0].body
    assert body["response_format"] == {"type": "json_object"}
    assert "JSON" in body["messages"][0]["content"], "json_object mode needs the word JSON in the messages"


GRADE = AnswerSchema(
    "grade",
    {
        "type": "object",
        "properties": {"score": {"type": "number", "enum": [1, 2, 3]}, "notes": {"type": "string", "maxLength": 50}},
        "required": ["score", "notes"],
        "additionalProperties": False,
    },
)


def test_a_schema_asks_openai_for_strict_structured_outputs_within_its_subset(
    server: OpenAIServer, connect: Connect
) -> None:
    server.script(Reply(text='{"score": 3, "notes": "clear"}'))
    result = connect().complete("Grade the interview.", CONVERSATION, schema=GRADE)

    assert result.text == '{"score": 3, "notes": "clear"}'
    (request,) = server.requests
    sent = request.body["response_format"]
    assert sent["type"] == "json_schema" and sent["json_schema"]["name"] == "grade" and sent["json_schema"]["strict"]
    assert sent["json_schema"]["schema"]["properties"]["notes"] == {"type": "string"}, "strict mode refuses maxLength"
    assert sent["json_schema"]["schema"]["properties"]["score"] == {"type": "number", "enum": [1, 2, 3]}


def test_a_self_hosted_server_gets_the_whole_schema_for_its_grammar(server: OpenAIServer, connect: Connect) -> None:
    server.self_hosted = SelfHosted("llama.cpp")
    try:
        connect(provider="openai-compatible").complete("Grade the interview.", CONVERSATION, schema=GRADE)
    finally:
        server.self_hosted = None
    sent = server.requests[0].body["response_format"]
    assert sent == {"type": "json_schema", "json_schema": {"name": "grade", "schema": GRADE.schema, "strict": True}}


@pytest.mark.parametrize(
    "refusal",
    [
        LLAMA_CPP_PYTHON_REFUSAL,  # a 500: not resent as a server error would be
        Error(
            400,
            message="Invalid value: 'json_schema'. Supported values are: 'json_object' and 'text'.",
            param="response_format",
        ),
    ],
    ids=["llama-cpp-python", "400"],
)
def test_a_server_refusing_json_schema_is_asked_again_at_once_with_json_object_and_remembered(
    refusal: Error, connect: Connect
) -> None:
    with OpenAIServer(refuse_json_schema=refusal, models=["local"], self_hosted=SelfHosted("ollama")) as local:
        local.script(Reply(text='{"score": 2, "notes": "ok"}'), Reply(text='{"score": 3, "notes": "fine"}'))
        chat = connect("local", provider="openai-compatible", base_url=local.base_url, api_key=None)
        first = chat.complete("Grade the interview.", CONVERSATION, schema=GRADE)
        again = connect("local", provider="openai-compatible", base_url=local.base_url, api_key=None)
        second = again.complete("Grade the interview.", CONVERSATION, schema=GRADE)

    assert (first.text, second.text) == ('{"score": 2, "notes": "ok"}', '{"score": 3, "notes": "fine"}')
    formats = [r.body["response_format"] for r in local.requests]
    assert [f["type"] for f in formats] == ["json_schema", "json_object", "json_object"], "refused once, then learnt"
    assert formats[1] == formats[2] == {"type": "json_object", "schema": GRADE.schema}, "llama-cpp-python's way"


def test_a_server_refusing_every_schema_gets_json_mode_and_openai_never_gets_unknown_keys(connect: Connect) -> None:
    with OpenAIServer(api_key=KEY, models=["gpt-old"]) as openai_like:
        openai_like.script(
            Error(400, message="Invalid parameter: 'response_format' of type 'json_schema' is not supported with "
                  "this model.", param="response_format"),
            Reply(text='{"score": 1, "notes": "short"}'),
        )  # fmt: skip
        result = connect("gpt-old", base_url=openai_like.base_url).complete("Grade.", CONVERSATION, schema=GRADE)

    assert result.text == '{"score": 1, "notes": "short"}'
    assert [r.body["response_format"] for r in openai_like.requests][1] == {"type": "json_object"}
    assert "JSON" in openai_like.requests[1].body["messages"][0]["content"], "json_object mode needs the word"


def test_an_error_that_is_no_refusal_of_the_format_is_not_sent_another_way(
    server: OpenAIServer, connect: Connect
) -> None:
    server.script(Error(400, message="Invalid 'messages[1]': too long."))
    with pytest.raises(ChatError) as caught:
        connect().complete("Grade the interview.", CONVERSATION, schema=GRADE)
    assert caught.value.kind == "bad_request" and len(server.requests) == 1


def test_a_picture_goes_as_an_image_url_part_with_a_png_data_url(server: OpenAIServer, connect: Connect) -> None:
    connect().complete(SYSTEM, [ChatMessage("user", "What does the board show? Answer in JSON.", images=(PNG,))])
    body = server.requests[0].body
    assert body["messages"][1] == {
        "role": "user",
        "content": [
            {"type": "text", "text": "What does the board show? Answer in JSON."},
            {"type": "image_url", "image_url": {"url": "data:image/png;base64," + base64.b64encode(PNG).decode()}},
        ],
    }
    assert OpenAIServer.images(server.requests[0]) == [PNG]


def test_a_model_that_reads_no_images_refuses_the_picture_at_once(server: OpenAIServer, connect: Connect) -> None:
    server.vision = False
    try:
        with pytest.raises(ChatError) as caught:
            connect().complete(SYSTEM, [ChatMessage("user", "What does the board show?", images=(PNG,))])
    finally:
        server.vision = True
    assert caught.value.kind == "bad_request" and "image_url is only supported by certain models" in str(caught.value)
    assert len(server.requests) == 1  # a 400 is not retried


def test_a_model_that_refuses_temperature_is_called_without_it(server: OpenAIServer, connect: Connect) -> None:
    server.script(
        Error(
            400,
            message="Unsupported value: 'temperature' does not support 0.4 with this model. "
            "Only the default (1) value is supported.",
            param="temperature",
            code="unsupported_value",
        ),
        Reply(text="Fine."),
        Reply(text="Still fine."),
    )
    chat = connect()
    assert "".join(chat.stream(SYSTEM, CONVERSATION)) == "Fine."
    assert chat.complete(SYSTEM, CONVERSATION).text == "Still fine."

    first, second, third = (r.body for r in server.requests)
    assert "temperature" in first and "temperature" not in second and "temperature" not in third


def test_a_bad_request_quotes_the_provider_without_secrets(server: OpenAIServer, connect: Connect) -> None:
    server.script(Error(400, message="Invalid 'messages[1]': key sk-live-01234567 is not allowed here"))
    with pytest.raises(ChatError) as caught:
        connect().complete(SYSTEM, CONVERSATION)
    assert caught.value.kind == "bad_request" and not caught.value.transient
    assert (
        str(caught.value)
        == "OpenAI rejected the request (400): Invalid 'messages[1]': key [redacted] is not allowed here."
    )
    assert len(server.requests) == 1, "a 400 is not retried"


# -- validate and failures ---------------------------------------------------------------------


def test_validate_retrieves_the_model(server: OpenAIServer, connect: Connect) -> None:
    connect().validate()
    assert server.paths() == ["GET /v1/models/gpt-test"]


def test_a_wrong_key_is_an_auth_error_that_never_shows_the_key(server: OpenAIServer, connect: Connect) -> None:
    with pytest.raises(ChatError) as caught:
        connect(api_key=WRONG_KEY).validate()

    error = caught.value
    assert error.kind == "auth" and not error.transient
    assert str(error) == "OpenAI rejected the API key (401). Check it and try again."
    assert WRONG_KEY not in repr(error) and WRONG_KEY[-4:] not in str(error)
    assert len(server.requests) == 1, "a 401 is not retried"


def test_a_forbidden_key_is_an_auth_error(server: OpenAIServer, connect: Connect) -> None:
    server.script(Error(403))
    with pytest.raises(ChatError) as caught:
        connect().complete(SYSTEM, CONVERSATION)
    assert caught.value.kind == "auth"
    assert str(caught.value) == (
        "OpenAI refused this API key access (403): Country, region, or territory not supported. "
        "Check the key's permissions and project."
    )


def test_an_unknown_model_is_a_model_error(connect: Connect) -> None:
    with pytest.raises(ChatError) as caught:
        connect("gpt-x").validate()
    assert caught.value.kind == "model"
    assert str(caught.value) == "OpenAI has no model 'gpt-x' (or this key cannot use it)."

    with pytest.raises(ChatError) as caught:
        connect("gpt-x").stream(SYSTEM, CONVERSATION)
    assert caught.value.kind == "model"


def test_rate_limits_are_retried_as_the_server_asks(server: OpenAIServer, connect: Connect) -> None:
    # retry-after says 1 s, retry-after-ms 5 ms: the SDK prefers the finer one.
    server.script(Error(429, retry_after=1, retry_after_ms=5), Error(429, retry_after=1, retry_after_ms=5))
    server.script(Reply(text="Made it."))
    started = time.monotonic()
    assert connect().complete(SYSTEM, CONVERSATION).text == "Made it."
    assert len(server.requests) == 3
    assert time.monotonic() - started < 0.9


def test_a_lasting_rate_limit_gives_up_after_max_attempts(server: OpenAIServer, connect: Connect) -> None:
    server.script(*[Error(429, retry_after_ms=5)] * (MAX_ATTEMPTS - 1), Error(429, retry_after=7))
    with pytest.raises(ChatError) as caught:
        connect().stream(SYSTEM, CONVERSATION)

    error = caught.value
    assert error.kind == "rate_limit" and error.transient
    assert error.retry_after == 7
    assert len(server.requests) == MAX_ATTEMPTS
    assert str(error) == "OpenAI is rate-limiting this API key (429); try again in 7 seconds."


def test_an_exhausted_quota_says_so(server: OpenAIServer, connect: Connect) -> None:
    server.script(*[Error(429, retry_after_ms=1)] * (MAX_ATTEMPTS - 1), Error(429, code="insufficient_quota"))
    with pytest.raises(ChatError) as caught:
        connect().complete(SYSTEM, CONVERSATION)
    assert caught.value.kind == "rate_limit" and caught.value.retry_after is None
    assert "run out of quota" in str(caught.value)


def test_server_errors_are_retried_with_backoff_then_succeed(server: OpenAIServer, connect: Connect) -> None:
    server.script(Error(500), Reply(text="Recovered."))  # no retry-after: the SDK's own backoff
    assert connect().complete(SYSTEM, CONVERSATION).text == "Recovered."
    assert len(server.requests) == 2


def test_lasting_server_errors_are_a_server_error(server: OpenAIServer, connect: Connect) -> None:
    server.script(Error(500, retry_after_ms=1), Error(503, retry_after_ms=1), Error(500, retry_after_ms=1))
    with pytest.raises(ChatError) as caught:
        connect().complete(SYSTEM, CONVERSATION)
    assert caught.value.kind == "server" and caught.value.transient
    assert str(caught.value) == "OpenAI had a server error (500); try again in a moment."
    assert len(server.requests) == MAX_ATTEMPTS


def test_a_connection_dropped_before_the_reply_is_not_sent_again(server: OpenAIServer, connect: Connect) -> None:
    # The server had the request and may still be generating it: a copy would queue behind it.
    server.script(Disconnect(), Reply(text="A copy the server would have to generate too."))
    with pytest.raises(ChatError) as caught:
        connect().complete(SYSTEM, CONVERSATION)
    assert caught.value.kind == "network" and caught.value.transient
    assert len(server.requests) == 1


def test_a_generation_that_timed_out_is_not_sent_again(server: OpenAIServer, connect: Connect) -> None:
    server.script(Reply(text="Too late.", delay=0.8), Reply(text="A copy."))
    started = time.monotonic()
    with pytest.raises(ChatError) as caught:
        connect(timeout=0.3).complete(SYSTEM, CONVERSATION)
    assert caught.value.kind == "timeout"
    assert str(caught.value) == (
        f"OpenAI at {server.url.removeprefix('http://')} did not answer within 0.3 seconds; try again."
    )
    assert len(server.requests) == 1 and time.monotonic() - started < 0.7
    server.reset()
    server.script(Reply(text="Too late.", delay=0.8), Reply(text="A copy."))
    with pytest.raises(ChatError):
        list(connect(timeout=0.3).stream(SYSTEM, CONVERSATION))  # a stream that does not start: the same
    assert len(server.requests) == 1


def test_a_gateway_timeout_is_not_sent_again_but_an_overloaded_server_is(
    server: OpenAIServer, connect: Connect
) -> None:
    server.script(Error(504, retry_after_ms=1), Reply(text="A copy."))
    with pytest.raises(ChatError) as caught:
        connect().complete(SYSTEM, CONVERSATION)
    assert caught.value.kind == "timeout" and len(server.requests) == 1
    server.reset()
    server.script(Error(503, retry_after_ms=1), Reply(text="Now there is room."))
    assert connect().complete(SYSTEM, CONVERSATION).text == "Now there is room."
    assert len(server.requests) == 2


def test_closing_a_stream_closes_the_response_and_the_server_stops(server: OpenAIServer, connect: Connect) -> None:
    server.script(Reply(chunks=[f"word{i} " for i in range(40)], chunk_delay=0.05))
    stream = connect().stream(SYSTEM, CONVERSATION)
    pieces = iter(stream)
    assert [next(pieces), next(pieces)] == ["word0 ", "word1 "]
    stream.close()
    deadline = time.monotonic() + 2
    while not server.abandoned and time.monotonic() < deadline:
        time.sleep(0.01)
    assert server.abandoned and server.abandoned[0] < 10, "the server went on sending after the close"


def test_a_reply_cut_at_the_output_limit_says_so(server: OpenAIServer, connect: Connect) -> None:
    server.script(Reply(text='{"score": 3, "notes": "cle', stop="length"), Reply(text="Complete."))
    assert connect().complete(SYSTEM, CONVERSATION, json_output=True).truncated
    assert not connect().complete(SYSTEM, CONVERSATION).truncated
    server.script(Reply(chunks=["Cut ", "off"], stop="length"))
    stream = connect().stream(SYSTEM, CONVERSATION)
    assert "".join(stream) == "Cut off" and stream.truncated


def test_a_closed_port_is_a_network_error_naming_only_the_host(connect: Connect) -> None:
    url = closed_port_url()
    started = time.monotonic()
    with pytest.raises(ChatError) as caught:
        connect(base_url=url, timeout=0.5).validate()
    host = url.removeprefix("http://").removesuffix("/v1")
    assert caught.value.kind == "network"
    assert str(caught.value) == f"Cannot reach OpenAI at {host}: check the network connection."
    assert time.monotonic() - started < 3.0


def test_no_key_is_a_missing_key_error_before_any_request(server: OpenAIServer) -> None:
    for key in (None, "", "   "):
        with pytest.raises(ChatError) as caught:
            OpenAIChatModel("gpt-test", api_key=key, base_url=server.base_url)
        assert caught.value.kind == "missing_key"
        assert str(caught.value) == (
            "No OpenAI API key: set OPENAI_API_KEY, add it to Streamlit secrets, or paste it on the Setup page."
        )
    assert server.requests == []


# -- OpenAI-compatible servers -----------------------------------------------------------------


@pytest.fixture(scope="module")
def shared_local_server() -> Iterator[OpenAIServer]:
    """Like Ollama or vLLM: no key needed, no GET /v1/models/{id}."""
    with OpenAIServer(models=["llama3.1:8b"], models_endpoint=False) as fake:
        yield fake


@pytest.fixture
def local_server(shared_local_server: OpenAIServer) -> OpenAIServer:
    shared_local_server.reset()
    return shared_local_server


def test_a_compatible_server_works_without_a_key(local_server: OpenAIServer, connect: Connect) -> None:
    chat = connect("llama3.1:8b", api_key=None, base_url=local_server.base_url, provider="openai-compatible")
    local_server.script(Reply(chunks=["Hi ", "there."], input_tokens=9, output_tokens=2))
    stream = chat.stream(SYSTEM, CONVERSATION, max_tokens=50)

    assert list(stream) == ["Hi ", "there."] and stream.usage == Usage(9, 2)
    (request,) = local_server.requests
    assert request.has_header("authorization"), f"a placeholder ({NO_KEY_PLACEHOLDER}) is sent"
    assert request.body["max_tokens"] == 50 and "max_completion_tokens" not in request.body


def test_compatible_validate_falls_back_to_a_one_token_completion(local_server: OpenAIServer, connect: Connect) -> None:
    chat = connect("llama3.1:8b", api_key=None, base_url=local_server.base_url, provider="openai-compatible")
    chat.validate()
    assert local_server.paths() == ["GET /v1/models/llama3.1:8b", "POST /v1/chat/completions"]
    assert local_server.requests[1].body["max_tokens"] == 1

    with pytest.raises(ChatError) as caught:
        connect("mistral", api_key=None, base_url=local_server.base_url, provider="openai-compatible").validate()
    host = local_server.url.removeprefix("http://")
    assert caught.value.kind == "model"
    assert str(caught.value) == (
        f"The OpenAI-compatible server at {host} has no model 'mistral' "
        "(or its base URL is wrong: it usually ends in /v1)."
    )


def test_a_compatible_server_needs_an_address() -> None:
    with pytest.raises(ChatError) as caught:
        OpenAIChatModel("llama3", api_key=None, base_url=None, provider="openai-compatible")
    assert caught.value.kind == "bad_request"
    assert "base URL" in str(caught.value)


# -- context windows ---------------------------------------------------------------------------


def local_chat(server: OpenAIServer, model: str = "qwen2.5-0.5b", **kwargs: Any) -> OpenAIChatModel:
    return OpenAIChatModel(
        model, api_key=None, base_url=server.base_url, provider="openai-compatible", ask_window=True, **kwargs
    )


def long_conversation(turns: int) -> list[ChatMessage]:
    """A long interview: `turns` answers and replies of about 100 tokens each, the latest answer last."""
    messages = []
    for i in range(turns):
        messages.append(ChatMessage("user", f"Answer {i}: " + "we shard the links table by hash of the key " * 7))
        messages.append(ChatMessage("assistant", f"Reply {i}: " + "how would you rebalance the shards later? " * 7))
    return [*messages, ChatMessage("user", "The latest answer: a cache in front of the database.")]


def test_llama_cpp_says_its_window_and_every_request_is_fitted_into_it() -> None:
    hosted = SelfHosted("llama.cpp", n_ctx=2048, n_ctx_train=32768)
    with OpenAIServer(models=["qwen2.5-0.5b"], self_hosted=hosted) as server:
        chat = local_chat(server, context_window=8192)  # config says more: the server's word wins
        assert chat.context_window() == 2048
        assert server.paths() == ["GET /props"]
        messages = long_conversation(30)
        assert "".join(chat.stream(SYSTEM, messages, max_tokens=700))
        request = server.requests[-1].body
        assert hosted.refusals == [], "a request over the window was sent"
        sent = request["messages"]
        assert sent[0] == {"role": "system", "content": SYSTEM}
        assert sent[-1]["content"] == messages[-1].content, "the latest turn is always kept"
        assert sent[1]["role"] == "user" and len(sent) - 1 < len(messages), "the oldest turns were left out"
        assert [m["content"] for m in sent[1:]] == [m.content for m in messages[len(messages) - len(sent) + 1 :]]
        assert request["max_tokens"] == 700
        assert SelfHosted.prompt_tokens(sent) + request["max_tokens"] <= 2048

        chat.stream(SYSTEM, messages[-3:])
        assert server.paths().count("GET /props") == 1, "the window is asked once, not per request"


def test_vllm_says_max_model_len_in_its_model_list() -> None:
    hosted = SelfHosted("vllm", n_ctx=3000)
    with OpenAIServer(models=["meta-llama/Llama-3.1-8B-Instruct"], self_hosted=hosted) as server:
        chat = local_chat(server, "meta-llama/Llama-3.1-8B-Instruct")
        assert chat.context_window() == 3000
        assert server.paths() == ["GET /props", "GET /v1/models"]  # vLLM has no /props: a 404
        result = chat.complete(SYSTEM, [ChatMessage("user", "x" * 4500)], max_tokens=2000, min_tokens=500)
        assert hosted.refusals == [] and result.text
        assert 500 <= server.requests[-1].body["max_tokens"] < 2000, "the output limit is what is left"


def test_llama_cpp_behind_a_proxy_caps_the_configured_window_at_the_trained_one() -> None:
    hosted = SelfHosted("llama.cpp", n_ctx=1024, n_ctx_train=2048, props=False)
    with OpenAIServer(models=["tiny"], self_hosted=hosted) as server:
        assert local_chat(server, "tiny", context_window=8192).context_window() == 2048
        assert server.paths() == ["GET /props", "GET /v1/models"]
    with OpenAIServer(models=["tiny"], self_hosted=hosted) as server:
        assert local_chat(server, "tiny", context_window=1024).context_window() == 1024


def test_ollama_says_nothing_so_config_counts() -> None:
    hosted = SelfHosted("ollama")
    with OpenAIServer(models=["llama3.1"], self_hosted=hosted) as server:
        chat = local_chat(server, "llama3.1", context_window=6000)
        assert chat.context_window() == 6000
        assert server.paths() == ["GET /props", "GET /v1/models"]
        hosted_chat = OpenAIChatModel("llama3.1", api_key=None, base_url=server.base_url, provider="openai-compatible")
        assert hosted_chat.context_window() == 4096  # not asked: the provider's default


def test_a_request_that_cannot_fit_is_never_sent() -> None:
    hosted = SelfHosted("llama.cpp", n_ctx=1024)
    with OpenAIServer(models=["tiny"], self_hosted=hosted) as server:
        chat = local_chat(server, "tiny")
        transcript = ChatMessage("user", "The whole interview as JSON: " + "x" * 6000)
        with pytest.raises(ChatError) as caught:
            chat.complete(SYSTEM, [transcript], max_tokens=2000, min_tokens=1000, json_output=True)
        assert caught.value.kind == "too_long"
        assert str(caught.value).startswith(f"The request is too long for tiny at {server.url.removeprefix('http://')}")
        assert "POST /v1/chat/completions" not in server.paths()


def test_llama_cpp_shrinks_an_output_that_would_overrun_its_window() -> None:
    """Why the budget matters: asked for more than is left, llama.cpp cuts the answer short, and says so."""
    hosted = SelfHosted("llama.cpp", n_ctx=1024)
    with OpenAIServer(models=["tiny"], self_hosted=hosted, default=Reply(text="{" + '"k": "v", ' * 400)) as server:
        chat = OpenAIChatModel(
            "tiny", api_key=None, base_url=server.base_url, provider="openai-compatible", context_window=50_000
        )  # a window config got wrong and nobody asked the server
        result = chat.complete(SYSTEM, [ChatMessage("user", "x" * 2400)], max_tokens=2000)
        assert result.truncated
