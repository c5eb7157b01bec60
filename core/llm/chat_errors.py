"""The words of every ChatError: one place decides what a person reads when a provider call fails.

The SDK adapters (core/llm/openai_chat.py, core/llm/anthropic_chat.py) sort their SDK's exceptions into
the cases below; this module turns a case into a ChatError whose message names the provider,
says what to do, and never carries a secret: the provider's own error text is scrubbed of
anything key-like before it is quoted, and hosts are named without scheme, path, query or
credentials.
"""

from __future__ import annotations

import email.utils
import math
import re
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from core.llm.chat_models import ChatError, ErrorKind
from core.provider_ids import ANTHROPIC, OPENAI, OPENAI_COMPATIBLE

_LABELS = {OPENAI: "OpenAI", ANTHROPIC: "Anthropic", OPENAI_COMPATIBLE: "the OpenAI-compatible server"}
_KEY_VARIABLES = {OPENAI: "OPENAI_API_KEY", ANTHROPIC: "ANTHROPIC_API_KEY"}

# sk-..., sk-proj-..., sk-ant-api03-... and the masked forms providers echo back (sk-abc****wxyz)
_KEY_LIKE = re.compile(r"\bsk-[A-Za-z0-9_\-*]{3,}")
_BEARER = re.compile(r"(?i)\bbearer\s+[^\s\"',;]+")
_KEY_FIELD = re.compile(r"(?i)\b(api[-_ ]?key|authorization)(\"?\s*[:=]\s*\"?)(?!bearer\b|\[redacted\])[^\s\"',;&]+")
REDACTED = "[redacted]"
_MAX_DETAIL = 300


def redact(text: str, secrets: Iterable[str | None] = ()) -> str:
    """`text` with every given secret and anything that looks like an API key replaced."""
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, REDACTED)
    text = _KEY_LIKE.sub(REDACTED, text)
    text = _BEARER.sub(f"Bearer {REDACTED}", text)
    return _KEY_FIELD.sub(lambda m: f"{m.group(1)}{m.group(2)}{REDACTED}", text)


def host_of(url: str) -> str:
    """host[:port] of a URL: never its scheme, user info, path or query."""
    parts = urlsplit(url if "//" in url else f"//{url}")
    host = parts.hostname or "the configured address"
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:
        port = None
    return f"{host}:{port}" if port else host


def retry_after_seconds(headers: Mapping[str, str] | None) -> float | None:
    """The wait a 429/503 asks for: `retry-after-ms`, else `retry-after` (seconds or an HTTP date)."""
    if not headers:
        return None
    lowered = {k.lower(): v for k, v in headers.items()}
    for name, divisor in (("retry-after-ms", 1000.0), ("retry-after", 1.0)):
        value = lowered.get(name)
        if value is None:
            continue
        try:
            seconds = float(value) / divisor
        except ValueError:
            if name == "retry-after-ms":
                continue
            parsed = email.utils.parsedate_tz(value)
            if parsed is None:
                return None
            seconds = email.utils.mktime_tz(parsed) - time.time()
        return seconds if math.isfinite(seconds) and seconds > 0 else None
    return None


@dataclass(frozen=True)
class Endpoint:
    """Who we were talking to, in words fit for an error message."""

    provider: str  # a provider id (core.provider_ids)
    host: str  # host[:port] only

    @property
    def name(self) -> str:
        return _LABELS.get(self.provider, self.provider)

    @property
    def Name(self) -> str:
        return self.name[:1].upper() + self.name[1:]

    @property
    def where(self) -> str:
        return f"{self.name} at {self.host}"


def _detail(text: str | None, secrets: Iterable[str | None]) -> str:
    """The provider's words, scrubbed, on one line, short, and ending like a sentence ("" when none)."""
    cleaned = " ".join(redact(text or "", secrets).split())
    if len(cleaned) > _MAX_DETAIL:
        cleaned = cleaned[: _MAX_DETAIL - 1].rstrip() + "…"
    if cleaned and cleaned[-1] not in ".!?…":
        cleaned += "."
    return cleaned


def _seconds(value: float) -> str:
    whole = max(1, math.ceil(value))
    return f"{whole} second" if whole == 1 else f"{whole} seconds"


def missing_key(provider: str) -> ChatError:
    label = _LABELS.get(provider, provider)
    variable = _KEY_VARIABLES.get(provider, "the provider's API key variable")
    return ChatError(
        "missing_key",
        f"No {label} API key: set {variable}, add it to Streamlit secrets, or paste it on the Setup page.",
    )


def missing_model(endpoint: Endpoint) -> ChatError:
    return ChatError("model", f"No {endpoint.name} model is chosen: pick one on the Setup page.")


def missing_base_url(endpoint: Endpoint) -> ChatError:
    return ChatError(
        "bad_request",
        f"No address for {endpoint.name}: set its base URL (for example http://localhost:11434/v1) on the Setup page "
        "(or with --base-url on the command line).",
    )


def connection_failed(endpoint: Endpoint) -> ChatError:
    hint = "check that it is running" if endpoint.provider == OPENAI_COMPATIBLE else "check the network connection"
    return ChatError("network", f"Cannot reach {endpoint.where}: {hint}.")


def stream_dropped(endpoint: Endpoint) -> ChatError:
    return ChatError("network", f"The connection to {endpoint.where} dropped in the middle of a reply; try again.")


def timed_out(endpoint: Endpoint, timeout: float) -> ChatError:
    return ChatError(
        "timeout", f"{endpoint.Name} at {endpoint.host} did not answer within {timeout:g} seconds; try again."
    )


def too_long(endpoint: Endpoint, model: str, *, prompt_tokens: int, window: int, min_tokens: int) -> ChatError:
    """A request that cannot fit the model's context window even with the oldest history left out: not sent."""
    left = max(0, window - prompt_tokens)
    return ChatError(
        "too_long",
        f"The request is too long for {model} at {endpoint.host}: about {prompt_tokens:,} tokens of its "
        f"{window:,}-token context window, leaving {left:,} for the answer, which needs at least {min_tokens:,}. "
        "Choose a model or server with a larger context window (llama.cpp: --ctx-size, Ollama: num_ctx, "
        "vLLM: --max-model-len; config.yaml: providers.<name>.context_windows).",
    )


def status_error(
    endpoint: Endpoint,
    status: int,
    *,
    model: str,
    detail: str | None = None,
    error_type: str | None = None,
    code: str | None = None,
    headers: Mapping[str, str] | None = None,
    secrets: Iterable[str | None] = (),
) -> ChatError:
    """A failed HTTP status (after the SDK's retries), or an error event inside a 200 stream (status 200)."""
    secrets = list(secrets)
    said = _detail(detail, secrets)
    kind = _kind_for(status, error_type)
    name, where = endpoint.Name, endpoint.where
    if status == 403 or error_type == "permission_error":
        reason = f": {said}" if said else "."
        return ChatError(
            "auth", f"{name} refused this API key access (403){reason} Check the key's permissions and project."
        )
    if kind == "auth":
        return ChatError("auth", f"{name} rejected the API key (401). Check it and try again.")
    if kind == "model":
        message = f"{name} has no model '{model}' (or this key cannot use it)."
        if endpoint.provider == OPENAI_COMPATIBLE:
            message = (
                f"{name} at {endpoint.host} has no model '{model}' (or its base URL is wrong: it usually ends in /v1)."
            )
        return ChatError("model", message)
    if kind == "rate_limit":
        wait = retry_after_seconds(headers)
        if code == "insufficient_quota":
            return ChatError(
                "rate_limit",
                f"{name} says this API key has run out of quota (429): check the plan and billing, then try again.",
                retry_after=wait,
            )
        when = f"try again in {_seconds(wait)}" if wait is not None else "wait a minute and try again"
        shown = " (429)" if status == 429 else ""
        return ChatError("rate_limit", f"{name} is rate-limiting this API key{shown}; {when}.", retry_after=wait)
    if kind == "timeout":
        return ChatError("timeout", f"{where} took too long to answer ({status}); try again.")
    if kind == "server":
        shown = f" ({status})" if status >= 500 else ""
        if status == 529 or error_type == "overloaded_error":
            return ChatError("server", f"{name} is overloaded{shown}; try again in a moment.")
        if status == 200:  # an error event in the middle of a stream
            reason = f": {said}" if said else "."
            return ChatError("server", f"{name} stopped in the middle of a reply with an error{reason} Try again.")
        return ChatError("server", f"{name} had a server error{shown}; try again in a moment.")
    reason = f": {said}" if said else "."
    return ChatError("bad_request", f"{name} rejected the request ({status}){reason}")


_TYPE_KINDS: dict[str, ErrorKind] = {
    "authentication_error": "auth",
    "permission_error": "auth",
    "not_found_error": "model",
    "rate_limit_error": "rate_limit",
    "overloaded_error": "server",
    "api_error": "server",
    "server_error": "server",
    "timeout_error": "timeout",
    "invalid_request_error": "bad_request",
    "request_too_large": "bad_request",
}


def _kind_for(status: int, error_type: str | None) -> ErrorKind:
    if status in (401, 403):
        return "auth"
    if status == 404:
        return "model"
    if status == 429:
        return "rate_limit"
    if status in (408, 504):
        return "timeout"
    if status >= 500:
        return "server"
    if 400 <= status < 500:
        return "bad_request"
    # A 2xx carrying an error (an SSE error event): the body's type decides; unknown ones count as server trouble.
    return _TYPE_KINDS.get(error_type or "", "server")
