"""The base URL a person types for an OpenAI-compatible server: checked and tidied before any request."""

from __future__ import annotations

import pytest

from core.errors import InvalidInput
from core.llm.base_url import is_private, parse_base_url, same_server


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("http://localhost:8080/v1", "http://localhost:8080/v1"),
        ("  HTTP://127.0.0.1:11434/v1/  ", "http://127.0.0.1:11434/v1"),
        ("https://llm.example.com/openai/v1", "https://llm.example.com/openai/v1"),
        ("http://[::1]:8000/v1", "http://[::1]:8000/v1"),
        ("http://gpu-box", "http://gpu-box"),
    ],
)
def test_a_good_base_url_is_kept_tidied(typed: str, expected: str) -> None:
    assert parse_base_url(typed) == expected


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ("", "Enter the server's base URL, for example http://localhost:8080/v1."),
        ("   ", "Enter the server's base URL, for example http://localhost:8080/v1."),
        (None, "Enter the server's base URL, for example http://localhost:8080/v1."),
        ("localhost:8080/v1", "The base URL must start with http:// or https://, for example http://localhost:8080/v1."),
        ("ftp://host/v1", "The base URL must start with http:// or https://, for example http://localhost:8080/v1."),
        ("127.0.0.1:8080", "The base URL must start with http:// or https://, for example http://localhost:8080/v1."),
        ("http:///v1", "The base URL has no host name; for example http://localhost:8080/v1."),
        ("http://", "The base URL has no host name; for example http://localhost:8080/v1."),
        ("http://host:99999/v1", "The port in the base URL must be a number from 1 to 65535."),
        ("http://host:eighty/v1", "The port in the base URL must be a number from 1 to 65535."),
        ("http://host:0/v1", "The port in the base URL must be a number from 1 to 65535."),
        ("http://local host/v1", "A base URL has no spaces in it; for example http://localhost:8080/v1."),
        ("http://host/v1?key=abc", "A base URL ends with its path (usually /v1), without ?… or #…; for example "
         "http://localhost:8080/v1."),
        ("http://host/v1#models", "A base URL ends with its path (usually /v1), without ?… or #…; for example "
         "http://localhost:8080/v1."),
    ],
)  # fmt: skip
def test_a_bad_base_url_gets_a_sentence_saying_what_to_fix(typed: str | None, said: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_base_url(typed)
    assert str(caught.value) == said


def test_credentials_in_the_address_are_refused_without_being_repeated() -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_base_url("http://admin:hunter2@127.0.0.1:8080/v1")
    assert "API key field" in str(caught.value) and "hunter2" not in str(caught.value)


def test_two_spellings_of_one_server_are_the_same_server() -> None:
    assert same_server("http://127.0.0.1:8080/v1/", "HTTP://127.0.0.1:8080/v1")
    assert not same_server("http://127.0.0.1:8080/v1", "http://localhost:8080/v1")  # by spelling: no DNS
    assert not same_server("http://127.0.0.1:8080/v1", "http://127.0.0.1:8081/v1")
    assert not same_server("http://127.0.0.1:8080/v1", None) and not same_server(None, None)


@pytest.mark.parametrize(
    ("url", "private"),
    [
        ("http://localhost:8080/v1", True),
        ("http://127.0.0.1:8080/v1", True),
        ("http://[::1]:8080/v1", True),
        ("http://192.168.1.20:11434/v1", True),
        ("http://10.0.0.5/v1", True),
        ("http://gpu-box:8000/v1", True),
        ("http://llm.internal/v1", True),
        ("http://studio.local:1234/v1", True),
        ("https://api.together.xyz/v1", False),
        ("http://8.8.8.8/v1", False),
        ("", False),
        (None, False),
    ],
)
def test_an_address_on_this_machine_or_a_private_network_is_private(url: str | None, private: bool) -> None:
    assert is_private(url) is private
