"""ChatModel over Anthropic's Messages API.

The real `anthropic` SDK makes the calls; this module fits each request into the model's context window
(core/llm/context_budget.py), shapes requests, reads replies and SSE streams, sends a refused request
again (core/llm/resending.py: never one the server may still be working on, so the SDK's own retries are
off), and turns SDK exceptions into ChatError (words in core/llm/chat_errors.py).
"""

from __future__ import annotations

import base64
import logging
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import anthropic
import httpx2  # the SDK's own HTTP client: a connection lost mid-stream surfaces as its exception

from core.llm import anthropic_cache, chat_errors, context_budget, resending
from core.llm.chat_errors import Endpoint
from core.llm.chat_models import AnswerSchema, ChatError, ChatMessage, ChatResult, Usage
from core.llm.context_budget import FittedRequest
from core.llm.context_windows import DEFAULT_WINDOWS
from core.provider_ids import ANTHROPIC

log = logging.getLogger(__name__)

ANTHROPIC_BASE_URL = "https://api.anthropic.com"
PROVIDER = ANTHROPIC
# The Messages API wants a conversation that opens with the user and does not end on the
# assistant (newer models refuse a trailing assistant "prefill"); these stand in where needed.
OPENING_TURN = "(Start of the conversation.)"
CLOSING_TURN = "(Please continue.)"
JSON_INSTRUCTION = "Reply with a single JSON object and nothing else: no prose before or after it, no code fences."
CONNECT_TIMEOUT_SECONDS = 10.0  # an unreachable endpoint says so at once, however long answers may take

_T = TypeVar("_T")


class AnthropicChatStream:
    """Text deltas as Anthropic sends them; `usage` is set once the stream is exhausted. Read once."""

    def __init__(self, sdk_stream: Any, *, fail: Callable[[Exception], ChatError]) -> None:
        self.usage: Usage | None = None
        self.truncated = False  # the reply stopped at the output limit (stop_reason "max_tokens")
        self._stream = sdk_stream
        self._fail = fail
        self._started = False

    def __iter__(self) -> Iterator[str]:
        if self._started:
            raise RuntimeError("This ChatStream has already been read.")
        self._started = True
        usage = Usage()
        try:
            for event in self._stream:
                if event.type == "message_start":
                    usage = usage_of(event.message.usage)
                elif event.type == "content_block_delta" and event.delta.type == "text_delta":
                    if event.delta.text:
                        yield event.delta.text
                elif event.type == "message_delta":
                    self.truncated = event.delta.stop_reason == "max_tokens"
                    usage = usage_of(event.usage, earlier=usage)  # counts are cumulative for the whole message
        except (anthropic.AnthropicError, httpx2.HTTPError) as exc:
            raise self._fail(exc) from None
        finally:
            self._stream.close()
        self.usage = usage

    def close(self) -> None:
        """Stop reading early: the HTTP response is closed, and the generation with it."""
        self._stream.close()


class AnthropicChatModel:
    provider = PROVIDER

    def __init__(
        self,
        model: str,
        *,
        api_key: str | None,
        base_url: str | None = None,
        timeout: float = 30.0,
        context_window: int | None = None,
    ) -> None:
        self.model = model.strip()
        self.timeout = timeout
        url = (base_url or "").strip() or ANTHROPIC_BASE_URL
        self._endpoint = Endpoint(PROVIDER, chat_errors.host_of(url))
        self.host = self._endpoint.host
        key = (api_key or "").strip()
        if not key:
            raise chat_errors.missing_key(PROVIDER)
        if not self.model:
            raise chat_errors.missing_model(self._endpoint)
        self._secrets = (key,)
        self._window = context_window or DEFAULT_WINDOWS["anthropic"]
        self._client = anthropic.Anthropic(
            api_key=key,
            base_url=url,
            timeout=httpx2.Timeout(timeout, connect=min(timeout, CONNECT_TIMEOUT_SECONDS)),
            max_retries=0,  # resent here only when refused before any work (core/llm/resending.py)
        )

    def __repr__(self) -> str:
        return f"AnthropicChatModel(model={self.model!r}, host={self._endpoint.host!r})"

    def stream(
        self,
        system: str,
        messages: list[ChatMessage],
        *,
        max_tokens: int = 700,
        min_tokens: int | None = None,
        temperature: float = 0.4,
    ) -> AnthropicChatStream:
        params = self._params(system, self._fit(system, messages, max_tokens=max_tokens, min_tokens=min_tokens))
        sdk_stream = self._call(lambda: self._client.messages.create(**params, stream=True))
        return AnthropicChatStream(sdk_stream, fail=lambda exc: self._error(exc, mid_stream=True))

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
        schema: AnswerSchema | None = None,  # not sent: the prompt describes the shape, the caller validates it
    ) -> ChatResult:
        json_output = json_output or schema is not None
        if json_output:  # the Messages API has no schema-free JSON mode: ask for it, then trim any wrapping
            system = f"{system}\n\n{JSON_INSTRUCTION}".strip()
        fitted = self._fit(system, messages, max_tokens=max_tokens, min_tokens=min_tokens)
        params = self._params(system, fitted, whole_request=repeated)
        message = self._call(lambda: self._client.messages.create(**params))
        text = "".join(block.text for block in message.content if block.type == "text")
        truncated = message.stop_reason == "max_tokens"
        if truncated:
            log.info("anthropic reply hit max_tokens=%d and was cut short", fitted.max_tokens)
        usage = usage_of(message.usage)
        return ChatResult(text=json_object_text(text) if json_output else text, usage=usage, truncated=truncated)

    def context_window(self) -> int:
        """The model's window in tokens, from config (Anthropic's API does not say)."""
        return self._window

    def validate(self) -> None:
        self._call(lambda: self._client.models.retrieve(self.model))

    def close(self) -> None:
        self._client.close()

    def _fit(
        self, system: str, messages: list[ChatMessage], *, max_tokens: int, min_tokens: int | None
    ) -> FittedRequest:
        return context_budget.fitted_or_refused(
            system,
            messages,
            window=self._window,
            max_tokens=max_tokens,
            min_tokens=min_tokens,
            endpoint=self._endpoint,
            model=self.model,
        )

    def _params(self, system: str, fitted: FittedRequest, *, whole_request: bool = False) -> dict[str, Any]:
        """The request, with prompt-cache breakpoints on its stable part (core/llm/anthropic_cache.py)."""
        params: dict[str, Any] = {
            "model": self.model,
            "max_tokens": fitted.max_tokens,
            "messages": wire_messages(fitted.messages),
        }
        # No temperature: the Messages API this SDK speaks has none (the anthropic package knows no such
        # field). `temperature` stays in the signature for the ChatModel contract and is ignored here.
        if system:
            params["system"] = system
        anthropic_cache.mark(params, model=self.model, whole_request=whole_request)
        return params

    def _call(self, send: Callable[[], _T]) -> _T:
        try:
            return resending.send(send, wait_before_resend=_wait_before_resend)
        except anthropic.AnthropicError as exc:
            raise self._error(exc) from None

    def _error(self, exc: Exception, *, mid_stream: bool = False) -> ChatError:
        endpoint = self._endpoint
        status: int | None = None
        if isinstance(exc, anthropic.APITimeoutError | httpx2.TimeoutException):
            error = chat_errors.timed_out(endpoint, self.timeout)
        elif isinstance(exc, anthropic.APIConnectionError | httpx2.TransportError):
            error = chat_errors.stream_dropped(endpoint) if mid_stream else chat_errors.connection_failed(endpoint)
        elif isinstance(exc, anthropic.APIStatusError):  # also an `event: error` inside a 200 stream
            status = exc.status_code
            error = chat_errors.status_error(
                endpoint,
                status,
                model=self.model,
                detail=exc.api_message or (exc.body if isinstance(exc.body, str) else None),
                error_type=exc.type,
                headers=exc.response.headers,
                secrets=self._secrets,
            )
        else:
            error = ChatError("server", f"{endpoint.Name} sent a reply this app cannot read; try again.")
        log.warning(
            "%s chat call failed: %s%s",
            PROVIDER,
            error.kind,
            f" (HTTP {status})" if status else "",
            extra={"provider": PROVIDER, "model": self.model, "kind": error.kind, "status": status},
        )
        return error


def _wait_before_resend(exc: Exception, attempt: int) -> float | None:
    """Send again only what the server refused before working on it (core/llm/resending.py)."""
    if isinstance(exc, anthropic.APIStatusError):
        return resending.wait_after_status(exc.status_code, exc.response.headers, attempt)
    if isinstance(exc, anthropic.APIConnectionError) and isinstance(exc.__cause__, httpx2.ConnectError):
        return resending.backoff(attempt)  # no connection was made: nothing reached the server
    return None  # a timeout or a dropped connection: the server may still be working on it


def wire_messages(messages: list[ChatMessage]) -> list[dict[str, Any]]:
    """Messages API turns: no empty ones, same-role neighbours merged, opening with the user, ending with the user.

    A turn's content is its text, or, with pictures, content blocks: each image (base64 PNG), then the text.
    """
    turns: list[dict[str, Any]] = []
    for message in messages:
        content = message.content.strip()
        if not content and not message.images:
            continue
        blocks = [_image_block(png) for png in message.images]
        if turns and turns[-1]["role"] == message.role:
            earlier = turns[-1]["content"]
            if blocks or isinstance(earlier, list):
                turns[-1]["content"] = [*_blocks(earlier), *blocks, *_blocks(content)]
            else:
                turns[-1]["content"] = f"{earlier}\n\n{content}"
        else:
            turns.append({"role": message.role, "content": [*blocks, *_blocks(content)] if blocks else content})
    if not turns or turns[0]["role"] != "user":
        turns.insert(0, {"role": "user", "content": OPENING_TURN})
    if turns[-1]["role"] != "user":
        turns.append({"role": "user", "content": CLOSING_TURN})
    return turns


def _image_block(png: bytes) -> dict[str, Any]:
    return {
        "type": "image",
        "source": {"type": "base64", "media_type": "image/png", "data": base64.b64encode(png).decode("ascii")},
    }


def _blocks(content: str | list[dict[str, Any]]) -> list[dict[str, Any]]:
    if isinstance(content, list):
        return content
    return [{"type": "text", "text": content}] if content else []


def json_object_text(text: str) -> str:
    """The JSON object in a reply that was asked to be one: code fences and stray prose around it removed."""
    start, end = text.find("{"), text.rfind("}")
    return text[start : end + 1] if 0 <= start < end else text.strip()


def usage_of(usage: Any, *, earlier: Usage | None = None) -> Usage:
    """Anthropic's usage object as ours: its `input_tokens` counts only the input after the last cache
    breakpoint, so all the input billed is that plus what was written to and read from the prompt cache.

    `earlier`: what the stream's message_start said; a message_delta's counts replace those it carries (its
    input counts may be left out)."""
    before = earlier or Usage()
    plain = usage.input_tokens
    written = getattr(usage, "cache_creation_input_tokens", None)
    read = getattr(usage, "cache_read_input_tokens", None)
    written = before.cache_write_tokens if written is None else written
    read = before.cache_read_tokens if read is None else read
    if plain is None:
        plain = before.input_tokens - before.cache_write_tokens - before.cache_read_tokens
    return Usage(
        input_tokens=plain + written + read,
        output_tokens=usage.output_tokens or 0,
        cache_read_tokens=read,
        cache_write_tokens=written,
    )
