"""The words of ChatError, key scrubbing, Retry-After reading, and the chat model factory."""

from __future__ import annotations

import email.utils
import time

import pytest

from core.llm.chat_errors import (
    Endpoint,
    connection_failed,
    host_of,
    missing_key,
    redact,
    retry_after_seconds,
    status_error,
    stream_dropped,
    timed_out,
)
from core.llm.chat_factory import make_chat_model
from core.llm.chat_models import ChatError
from core.llm.openai_chat import OpenAIChatModel

OPENAI = Endpoint("openai", "api.openai.com")
ANTHROPIC = Endpoint("anthropic", "api.anthropic.com")
LOCAL = Endpoint("openai-compatible", "localhost:11434")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Incorrect API key provided: sk-abc*****wxyz.", "Incorrect API key provided: [redacted]."),
        ("key sk-proj-AbC_12-xyz9 rejected", "key [redacted] rejected"),
        ("sk-ant-Zz9_yY8-xX7 is invalid", "[redacted] is invalid"),
        ("header Authorization: Bearer abc.def.ghi was sent", "header Authorization: Bearer [redacted] was sent"),
        ('{"x-api-key": "abc123"}', '{"x-api-key": "[redacted]"}'),
        ("api_key=abc123&model=x", "api_key=[redacted]&model=x"),
        ("The model `gpt-4o` does not exist.", "The model `gpt-4o` does not exist."),
        ("a task-specific skill", "a task-specific skill"),
    ],
)
def test_redact_removes_anything_key_like(text: str, expected: str) -> None:
    assert redact(text) == expected


def test_redact_removes_a_known_secret_of_any_shape() -> None:
    assert redact("token local-secret-42 refused", ["local-secret-42", None, ""]) == "token [redacted] refused"


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("https://api.openai.com/v1", "api.openai.com"),
        ("https://user:pa55@proxy.example.com:8443/v1?key=sk-abcdef", "proxy.example.com:8443"),
        ("http://127.0.0.1:11434/v1", "127.0.0.1:11434"),
        ("http://[::1]:8000/v1", "[::1]:8000"),
        ("localhost:1234", "localhost:1234"),
    ],
)
def test_host_of_names_only_host_and_port(url: str, host: str) -> None:
    assert host_of(url) == host


def test_retry_after_prefers_milliseconds_then_seconds_then_a_date() -> None:
    assert retry_after_seconds({"retry-after-ms": "250", "retry-after": "3"}) == 0.25
    assert retry_after_seconds({"Retry-After": "20"}) == 20
    assert retry_after_seconds({"retry-after": "1.5"}) == 1.5
    in_a_minute = email.utils.formatdate(time.time() + 60, usegmt=True)
    assert 55 < retry_after_seconds({"retry-after": in_a_minute}) <= 60  # type: ignore[operator]
    for useless in ({}, None, {"retry-after": "0"}, {"retry-after": "soon"}, {"retry-after-ms": "x"}):
        assert retry_after_seconds(useless) is None


def test_missing_keys_say_where_a_key_can_come_from() -> None:
    assert str(missing_key("openai")) == (
        "No OpenAI API key: set OPENAI_API_KEY, add it to Streamlit secrets, or paste it on the Setup page."
    )
    assert str(missing_key("anthropic")) == (
        "No Anthropic API key: set ANTHROPIC_API_KEY, add it to Streamlit secrets, or paste it on the Setup page."
    )
    assert missing_key("openai").kind == "missing_key" and not missing_key("openai").transient


def test_network_and_timeout_messages_name_the_host() -> None:
    assert str(connection_failed(OPENAI)) == "Cannot reach OpenAI at api.openai.com: check the network connection."
    assert str(connection_failed(LOCAL)) == (
        "Cannot reach the OpenAI-compatible server at localhost:11434: check that it is running."
    )
    assert str(stream_dropped(ANTHROPIC)) == (
        "The connection to Anthropic at api.anthropic.com dropped in the middle of a reply; try again."
    )
    error = timed_out(LOCAL, 30.0)
    assert error.kind == "timeout"
    assert str(error) == "The OpenAI-compatible server at localhost:11434 did not answer within 30 seconds; try again."


@pytest.mark.parametrize(
    ("endpoint", "status", "error_type", "kind", "message"),
    [
        (OPENAI, 401, None, "auth", "OpenAI rejected the API key (401). Check it and try again."),
        (ANTHROPIC, 404, "not_found_error", "model", "Anthropic has no model 'm-1' (or this key cannot use it)."),
        (OPENAI, 429, None, "rate_limit", "OpenAI is rate-limiting this API key (429); wait a minute and try again."),
        (OPENAI, 500, None, "server", "OpenAI had a server error (500); try again in a moment."),
        (OPENAI, 503, None, "server", "OpenAI had a server error (503); try again in a moment."),
        (ANTHROPIC, 529, "overloaded_error", "server", "Anthropic is overloaded (529); try again in a moment."),
        (ANTHROPIC, 504, None, "timeout", "Anthropic at api.anthropic.com took too long to answer (504); try again."),
        (ANTHROPIC, 413, "request_too_large", "bad_request", "Anthropic rejected the request (413)."),
        (
            ANTHROPIC,
            200,
            "rate_limit_error",
            "rate_limit",
            "Anthropic is rate-limiting this API key; wait a minute and try again.",
        ),
        (ANTHROPIC, 200, "overloaded_error", "server", "Anthropic is overloaded; try again in a moment."),
        (OPENAI, 200, None, "server", "OpenAI stopped in the middle of a reply with an error. Try again."),
    ],
)
def test_status_errors_get_a_kind_and_a_sentence(
    endpoint: Endpoint, status: int, error_type: str | None, kind: str, message: str
) -> None:
    error = status_error(endpoint, status, model="m-1", error_type=error_type)
    assert (error.kind, str(error)) == (kind, message)


def test_a_rate_limit_reports_the_wait_it_was_given() -> None:
    error = status_error(OPENAI, 429, model="m", headers={"retry-after": "20"})
    assert error.retry_after == 20 and str(error).endswith("try again in 20 seconds.")


def test_a_compatible_server_404_hints_at_the_base_url() -> None:
    error = status_error(LOCAL, 404, model="llama3")
    assert str(error) == (
        "The OpenAI-compatible server at localhost:11434 has no model 'llama3' "
        "(or its base URL is wrong: it usually ends in /v1)."
    )


def test_quoted_provider_text_is_scrubbed_flattened_and_short() -> None:
    detail = "Bad value\n for key sk-live-01234567. " + "x" * 600
    error = status_error(OPENAI, 400, model="m", detail=detail, secrets=["never-shown"])
    text = str(error)
    assert text.startswith("OpenAI rejected the request (400): Bad value for key [redacted]. xxx")
    assert "sk-live" not in text and "\n" not in text and len(text) < 400


# -- the factory -------------------------------------------------------------------------------


def test_the_factory_builds_each_provider_without_a_request() -> None:
    openai_model = make_chat_model("openai", "gpt-4o-mini", api_key="sk-x-123456")
    local = make_chat_model("openai-compatible", "llama3", api_key=None, base_url="http://localhost:11434/v1")
    claude = make_chat_model("anthropic", "claude-sonnet-4-5", api_key="sk-ant-x-123456")
    try:
        assert (openai_model.provider, openai_model.model) == ("openai", "gpt-4o-mini")
        assert (local.provider, local.model) == ("openai-compatible", "llama3")
        assert (claude.provider, claude.model) == ("anthropic", "claude-sonnet-4-5")
        assert isinstance(local, OpenAIChatModel)
        assert "sk-x-123456" not in repr(openai_model) and "sk-ant-x-123456" not in repr(claude)
    finally:
        for chat in (openai_model, local, claude):
            chat.close()  # type: ignore[attr-defined]


def test_the_factory_refuses_what_cannot_work() -> None:
    with pytest.raises(ChatError) as caught:
        make_chat_model("anthropic", "claude-sonnet-4-5", api_key=None)
    assert caught.value.kind == "missing_key"
    with pytest.raises(ChatError) as caught:
        make_chat_model("openai", "  ", api_key="sk-x-123456")
    assert caught.value.kind == "model"
    assert str(caught.value) == "No OpenAI model is chosen: pick one on the Setup page."
    with pytest.raises(ChatError) as caught:
        make_chat_model("openai-compatible", "llama3", api_key=None)
    assert caught.value.kind == "bad_request"
    with pytest.raises(ValueError, match="offline"):
        make_chat_model("offline", "x", api_key=None)
