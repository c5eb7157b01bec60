"""ChatModel over OpenAI's Chat Completions API, for OpenAI itself and for any server that speaks it.

The real `openai` SDK makes the calls; this module fits each request into the model's context window
(core/llm/context_budget.py), shapes requests, reads replies and streams, sends a refused request again
(core/llm/resending.py: never one the server may still be working on, so the SDK's own retries are off), and
turns SDK exceptions into ChatError (core/llm/openai_errors.py, shared with the transcriber; words in
core/llm/chat_errors.py).

"openai-compatible" (Ollama, vLLM, llama.cpp, LM Studio...) needs a base URL and may need no
key: a placeholder is sent then, since the SDK insists on one and such servers ignore it. Its context
window is asked of the server where the server says it (core/llm/context_windows.py).
"""

from __future__ import annotations

import base64
import logging
import math
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import httpx2  # the SDK's own HTTP client: its timeouts and connection errors
import openai

from core.llm import answer_formats, chat_errors, context_budget, resending
from core.llm.chat_errors import Endpoint
from core.llm.chat_models import AnswerSchema, ChatError, ChatMessage, ChatResult, Usage
from core.llm.context_budget import FittedRequest
from core.llm.context_windows import ASK_TIMEOUT_SECONDS, DEFAULT_WINDOWS, SERVED_WINDOWS
from core.llm.openai_errors import body_message, http_status, openai_error
from core.provider_ids import OPENAI, OPENAI_COMPATIBLE

log = logging.getLogger(__name__)

OPENAI_BASE_URL = "https://api.openai.com/v1"
NO_KEY_PLACEHOLDER = "not-needed"
PROVIDERS = (OPENAI, OPENAI_COMPATIBLE)  # the providers speaking this protocol
CONNECT_TIMEOUT_SECONDS = 10.0  # a server that is down says so at once, however long its answers may take

_T = TypeVar("_T")


def estimate_tokens(chars: int) -> int:
    """A rough token count (about four characters a token) for servers that report no usage: what is shown
    and priced. Fitting a request into a context window uses core.llm.context_budget's safer estimate."""
    return math.ceil(chars / 4) if chars > 0 else 0


class OpenAIChatStream:
    """Text deltas as the server sends them; `usage` is set once the stream is exhausted. Read once."""

    def __init__(self, sdk_stream: Any, *, fail: Callable[[Exception], ChatError], prompt_chars: int) -> None:
        self.usage: Usage | None = None
        self.truncated = False  # the reply stopped at the output limit (finish_reason "length")
        self._stream = sdk_stream
        self._fail = fail
        self._prompt_chars = prompt_chars
        self._started = False

    def __iter__(self) -> Iterator[str]:
        if self._started:
            raise RuntimeError("This ChatStream has already been read.")
        self._started = True
        reported: Usage | None = None
        chars = 0
        try:
            for chunk in self._stream:
                if chunk.usage is not None:  # the final chunk when stream_options.include_usage is honoured
                    reported = usage_of(chunk.usage)
                for choice in chunk.choices:
                    if choice.finish_reason == "length":
                        self.truncated = True
                    text = choice.delta.content if choice.delta is not None else None
                    if text:
                        chars += len(text)
                        yield text
        except openai.OpenAIError as exc:
            raise self._fail(exc) from None
        finally:
            self._stream.close()
        # Some OpenAI-compatible servers ignore include_usage: estimate from characters (about 4 a token).
        self.usage = reported or Usage(estimate_tokens(self._prompt_chars), estimate_tokens(chars))

    def close(self) -> None:
        """Stop reading early: the HTTP response is closed, and a server that notices stops generating."""
        self._stream.close()


class OpenAIChatModel:
    def __init__(
        self,
        model: str,
        *,
        api_key: str | None,
        base_url: str | None = None,
        provider: str = OPENAI,
        timeout: float = 30.0,
        context_window: int | None = None,
        ask_window: bool = False,
    ) -> None:
        """`context_window`: the window config gives the model (default: the provider's); `ask_window`: ask the
        server for its own first (core/llm/context_windows.py), as for an OpenAI-compatible server."""
        if provider not in PROVIDERS:
            raise ValueError(f"OpenAIChatModel serves {PROVIDERS}, not {provider!r}")
        self.provider = provider
        self.model = model.strip()
        self.timeout = timeout
        url = (base_url or "").strip() or (OPENAI_BASE_URL if provider == OPENAI else "")
        self._endpoint = Endpoint(provider, chat_errors.host_of(url or "localhost"))
        self.host = self._endpoint.host
        if not url:
            raise chat_errors.missing_base_url(self._endpoint)
        key = (api_key or "").strip()
        if not key:
            if provider == OPENAI:
                raise chat_errors.missing_key(provider)
            key = NO_KEY_PLACEHOLDER
        if not self.model:
            raise chat_errors.missing_model(self._endpoint)
        self._url = url
        self._secrets = (key,)
        self._send_temperature = True  # reasoning models refuse it; learnt from the first 400 that says so
        self._configured_window = (
            context_window or DEFAULT_WINDOWS["openai" if provider == OPENAI else "openai_compatible"]
        )
        self._ask_window = ask_window
        self._window: int | None = None
        self._client = openai.OpenAI(
            api_key=key,
            base_url=url,
            timeout=httpx2.Timeout(timeout, connect=min(timeout, CONNECT_TIMEOUT_SECONDS)),
            max_retries=0,  # resent here only when refused before any work (core/llm/resending.py)
        )

    def __repr__(self) -> str:
        return f"OpenAIChatModel(provider={self.provider!r}, model={self.model!r}, host={self._endpoint.host!r})"

    def stream(
        self,
        system: str,
        messages: list[ChatMessage],
        *,
        max_tokens: int = 700,
        min_tokens: int | None = None,
        temperature: float = 0.4,
    ) -> OpenAIChatStream:
        fitted = self._fit(system, messages, max_tokens=max_tokens, min_tokens=min_tokens)
        params = self._params(system, fitted, temperature=temperature)
        sdk_stream = self._call(
            lambda p: self._client.chat.completions.create(**p, stream=True, stream_options={"include_usage": True}),
            params,
        )
        prompt_chars = len(system) + sum(len(m.content) for m in fitted.messages)
        return OpenAIChatStream(
            sdk_stream, fail=lambda exc: self._error(exc, mid_stream=True), prompt_chars=prompt_chars
        )

    def complete(
        self,
        system: str,
        messages: list[ChatMessage],
        *,
        max_tokens: int = 2000,
        min_tokens: int | None = None,
        temperature: float = 0.2,
        json_output: bool = False,
        repeated: bool = False,  # OpenAI caches every long prompt by itself: nothing to ask for
        schema: AnswerSchema | None = None,
    ) -> ChatResult:
        json_output = json_output or schema is not None
        if json_output and "json" not in (system + "".join(m.content for m in messages)).lower():
            system = f"{system}\n\nReply with one JSON object.".strip()  # json_object mode requires the word
        fitted = self._fit(system, messages, max_tokens=max_tokens, min_tokens=min_tokens)
        params = self._params(system, fitted, temperature=temperature, json_output=json_output)
        completion = self._create(params, schema)
        choice = completion.choices[0] if completion.choices else None
        message = choice.message if choice is not None else None
        text = (message.content if message is not None else None) or ""
        if not text and message is not None and message.refusal:
            raise ChatError("bad_request", f"{self._endpoint.Name} declined to answer: {message.refusal}")
        truncated = choice is not None and choice.finish_reason == "length"
        if truncated:
            log.info("%s reply hit max_tokens=%d and was cut short", self.provider, fitted.max_tokens)
        if completion.usage is not None:
            usage = usage_of(completion.usage)
        else:  # a server that reports no usage: estimate (about 4 characters a token)
            prompt_chars = len(system) + sum(len(m.content) for m in fitted.messages)
            usage = Usage(estimate_tokens(prompt_chars), estimate_tokens(len(text)))
        return ChatResult(text=text, usage=usage, truncated=truncated)

    def context_window(self) -> int:
        """The model's window in tokens: what its server says where asked and answered, else config's."""
        if self._window is None:
            window = self._configured_window
            if self._ask_window:
                window = SERVED_WINDOWS.get(self._url, self.model, self._get_json).applied_to(window)
            self._window = window
        return self._window

    def validate(self) -> None:
        try:
            self._client.models.retrieve(self.model)
            return
        except openai.APIStatusError as exc:
            # OpenAI itself answers GET /models/{id}; many compatible servers only list models, so a
            # 404/405/501 there proves nothing: fall through to a one-token completion instead.
            if self.provider == OPENAI or exc.status_code not in (404, 405, 501):
                raise self._error(exc) from None
        except openai.OpenAIError as exc:
            raise self._error(exc) from None
        probe = FittedRequest([ChatMessage("user", "Say OK.")], max_tokens=1, prompt_tokens=0, dropped=0)
        self._call(lambda p: self._client.chat.completions.create(**p), self._params("", probe, temperature=0.0))

    def close(self) -> None:
        self._client.close()

    def _fit(
        self, system: str, messages: list[ChatMessage], *, max_tokens: int, min_tokens: int | None
    ) -> FittedRequest:
        return context_budget.fitted_or_refused(
            system,
            messages,
            window=self.context_window(),
            max_tokens=max_tokens,
            min_tokens=min_tokens,
            endpoint=self._endpoint,
            model=self.model,
        )

    def _params(
        self, system: str, fitted: FittedRequest, *, temperature: float, json_output: bool = False
    ) -> dict[str, Any]:
        wire: list[dict[str, Any]] = [{"role": "system", "content": system}] if system else []
        wire += [{"role": m.role, "content": wire_content(m)} for m in fitted.messages]
        params: dict[str, Any] = {"model": self.model, "messages": wire}
        # OpenAI deprecated max_tokens (its reasoning models refuse it); compatible servers know max_tokens.
        params["max_completion_tokens" if self.provider == OPENAI else "max_tokens"] = fitted.max_tokens
        if self._send_temperature:
            params["temperature"] = temperature
        if json_output:
            params["response_format"] = {"type": "json_object"}
        return params

    def _create(self, params: dict[str, Any], schema: AnswerSchema | None) -> Any:
        """A completion, its answer held to `schema` the strongest way this server takes (core/llm/answer_formats.py):
        a way it refuses is remembered, and the request is sent at once the next way, down to JSON mode."""

        def create(p: dict[str, Any]) -> Any:
            return self._client.chat.completions.create(**p)

        if schema is None:
            return self._call(create, params)
        ways = answer_formats.untried(self.provider, self._url)
        for way in ways[:-1]:
            shaped = {**params, "response_format": answer_formats.response_format(way, schema, self.provider)}
            try:
                return self._call(create, shaped, refusable=True)
            except _FormatRefused:
                answer_formats.refused(self.provider, self._url, way)
        return self._call(
            create, {**params, "response_format": answer_formats.response_format(ways[-1], schema, self.provider)}
        )

    def _get_json(self, url: str) -> object:
        """GET `url` (the server's /props or /v1/models) with the client's key; None when it does not answer so."""
        try:
            return self._client.get(url, cast_to=object, options={"timeout": ASK_TIMEOUT_SECONDS, "max_retries": 0})
        except openai.OpenAIError:
            return None

    def _call(self, send: Callable[[dict[str, Any]], _T], params: dict[str, Any], *, refusable: bool = False) -> _T:
        """`refusable`: the request asks for its answer's shape a way the server may refuse; such a refusal (even
        a 500, as llama-cpp-python answers) raises _FormatRefused, without sending the same again."""

        def wait(exc: Exception, attempt: int) -> float | None:
            return None if refusable and answer_formats.is_refusal(exc) else _wait_before_resend(exc, attempt)

        try:
            return resending.send(lambda: send(params), wait_before_resend=wait)
        except openai.BadRequestError as exc:
            if "temperature" in params and _rejects_temperature(exc):
                log.info("%s model %s takes no temperature; sending none from now on", self.provider, self.model)
                self._send_temperature = False
                return self._call(send, {k: v for k, v in params.items() if k != "temperature"}, refusable=refusable)
            if refusable and answer_formats.is_refusal(exc):
                raise _FormatRefused from None
            raise self._error(exc) from None
        except openai.OpenAIError as exc:
            if refusable and answer_formats.is_refusal(exc):
                raise _FormatRefused from None
            raise self._error(exc) from None

    def _error(self, exc: Exception, *, mid_stream: bool = False) -> ChatError:
        error = openai_error(
            exc, self._endpoint, model=self.model, secrets=self._secrets, timeout=self.timeout, mid_stream=mid_stream
        )
        status = http_status(exc)
        log.warning(
            "%s chat call failed: %s%s",
            self.provider,
            error.kind,
            f" (HTTP {status})" if status else "",
            extra={"provider": self.provider, "model": self.model, "kind": error.kind, "status": status},
        )
        return error


class _FormatRefused(Exception):
    """The server refused the way a request asked for its answer's shape (core/llm/answer_formats.py)."""


def usage_of(usage: Any) -> Usage:
    """The server's usage as ours. OpenAI caches every prompt of 1,024 tokens or more by itself and says in
    `prompt_tokens_details.cached_tokens` how much of `prompt_tokens` its cache served (billed at a discount);
    cache writes cost nothing extra. Servers that do not say count as no cache."""
    details = getattr(usage, "prompt_tokens_details", None)
    cached = (getattr(details, "cached_tokens", None) or 0) if details is not None else 0
    prompt = usage.prompt_tokens or 0
    return Usage(prompt, usage.completion_tokens or 0, cache_read_tokens=min(cached, prompt))


def wire_content(message: ChatMessage) -> str | list[dict[str, Any]]:
    """A message's content: its text, or with pictures the content parts (text, then each image as a data URL)."""
    if not message.images:
        return message.content
    parts: list[dict[str, Any]] = [{"type": "text", "text": message.content}] if message.content else []
    for png in message.images:
        url = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
        parts.append({"type": "image_url", "image_url": {"url": url}})
    return parts


def _wait_before_resend(exc: Exception, attempt: int) -> float | None:
    """Send again only what the server refused before working on it (core/llm/resending.py)."""
    if isinstance(exc, openai.APIStatusError):
        return resending.wait_after_status(exc.status_code, exc.response.headers, attempt)
    if isinstance(exc, openai.APIConnectionError) and isinstance(exc.__cause__, httpx2.ConnectError):
        return resending.backoff(attempt)  # no connection was made: nothing reached the server
    return None  # a timeout or a dropped connection: the server may still be working on it


def _rejects_temperature(exc: openai.BadRequestError) -> bool:
    if exc.param == "temperature":
        return True
    message = body_message(exc.body) or ""
    return "temperature" in message and exc.code in ("unsupported_value", "unsupported_parameter")
