"""Chat models behind one small surface: stream or complete a conversation, validate a key.

The real `openai` and `anthropic` SDKs do the talking (their retries honour Retry-After with
exponential backoff and jitter); this module maps their errors onto one ChatError with a
message a person can act on, and never puts a key in a message or a log line.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from core.errors import WorkspaceError

ErrorKind = Literal[
    "missing_key", "auth", "rate_limit", "network", "model", "server", "bad_request", "timeout", "too_long"
]

MAX_ATTEMPTS = 3  # one call plus two retries, for answers refusing it before any work (429, 5xx: core.llm.resending)


@dataclass(frozen=True)
class ChatMessage:
    role: Literal["user", "assistant"]
    content: str
    # PNG pictures sent with the text, for vision-capable models (core.llm.providers.vision_capable); each
    # adapter sends them in its provider's own wire format
    images: tuple[bytes, ...] = ()


@dataclass
class Usage:
    """Tokens one call (or several, summed) was billed for.

    `input_tokens` is all the input; the provider's prompt cache may have served part of it: `cache_read_tokens`
    were read from it (billed at a discount), `cache_write_tokens` written to it (Anthropic bills them at a
    premium). Both are parts of `input_tokens`, never added to it."""

    input_tokens: int = 0
    output_tokens: int = 0
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0

    def add(self, other: Usage) -> None:
        """Count another call's tokens in this total."""
        self.input_tokens += other.input_tokens
        self.output_tokens += other.output_tokens
        self.cache_read_tokens += other.cache_read_tokens
        self.cache_write_tokens += other.cache_write_tokens


CUT_OFF = "stopped at the output limit before its JSON was complete"
"""How a note says that an answer that had to be one whole JSON object was cut off (ChatResult.truncated)."""


@dataclass(frozen=True)
class AnswerSchema:
    """The exact JSON shape an answer must take. Providers that can hold their model to it do (OpenAI's structured
    outputs, llama.cpp's and vLLM's schema-driven grammars), so a small model cannot leave a field out; the others
    get JSON mode, and the caller validates the answer either way."""

    name: str  # a-z, A-Z, 0-9, _ and -, at most 64 characters (OpenAI's rule for json_schema.name)
    schema: dict[str, Any]


@dataclass
class ChatResult:
    text: str
    usage: Usage
    # the answer stopped at the output limit (max_tokens): whatever structure it was to have may be cut off
    truncated: bool = False


def json_part(text: str) -> str:
    """The JSON object in a reply asked to be one, tolerating a ``` fence or prose some models add anyway."""
    start, end = text.find("{"), text.rfind("}")
    if start < 0 or end < start:
        raise ValueError("no JSON object in the answer")
    return text[start : end + 1]


class ChatError(WorkspaceError):
    """A provider call that failed for good (after retries); str(exc) is fit to show a user."""

    def __init__(self, kind: ErrorKind, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.kind = kind
        self.retry_after = retry_after

    @property
    def transient(self) -> bool:
        """Worth falling back and trying again later (vs. a setup mistake the user must fix)."""
        return self.kind in ("rate_limit", "network", "server", "timeout")


class ChatStream(Protocol):
    """Iterate for text chunks as the provider sends them; `usage` is set once exhausted."""

    usage: Usage | None

    def __iter__(self) -> Iterator[str]: ...

    def close(self) -> None:
        """Stop early: the HTTP response is closed, so a server that notices stops generating."""
        ...


class ChatModel(Protocol):
    provider: str  # a provider id (core.provider_ids)
    model: str
    host: str  # the server's host[:port]: two servers may serve different models under one name

    def stream(
        self,
        system: str,
        messages: list[ChatMessage],
        *,
        max_tokens: int = 700,
        min_tokens: int | None = None,
        temperature: float = 0.4,
    ) -> ChatStream:
        """Raises ChatError before the first chunk if the call cannot start; a failure mid-stream
        also raises ChatError from the iterator.

        Every call is fitted into the model's context window (core.llm.context_budget): the oldest messages
        are left out while the rest does not fit, the output limit is `max_tokens` or what is left, and a
        request leaving less than `min_tokens` (default: a quarter of `max_tokens`) is a ChatError "too_long",
        never sent."""
        ...

    def complete(
        self,
        system: str,
        messages: list[ChatMessage],
        *,
        max_tokens: int = 2000,
        min_tokens: int | None = None,
        temperature: float = 0.2,
        json_output: bool = False,
        repeated: bool = False,
        schema: AnswerSchema | None = None,
    ) -> ChatResult:
        """Fitted like `stream`; `truncated` says the answer stopped at the output limit. `repeated`: the same
        request will be sent again (an evaluation's samples), so a provider whose prompt cache is opt-in
        (Anthropic) caches all of it, not only its stable start. `schema` (implies `json_output`): the answer's
        exact shape, for a provider that can enforce it; one that cannot answers in JSON mode."""
        ...

    def context_window(self) -> int:
        """Tokens the model takes, prompt and answer together (core.llm.context_windows), for a caller that plans
        its requests to fit (a long interview evaluated in parts)."""
        ...

    def validate(self) -> None:
        """A cheap real call proving the key works and the model exists; raises ChatError."""
        ...

    def close(self) -> None:
        """Release the HTTP connections (the SDK clients keep a pool open)."""
        ...
