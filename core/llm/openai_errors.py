"""OpenAI SDK exceptions as ChatError: one mapping for every OpenAI call (chat and transcription).

The SDK raises the same exceptions whichever endpoint failed, so they are sorted into chat_errors' cases
here once; a caller adds only its own wording (the transcriber's 413 and model hints) and its log line.
"""

from __future__ import annotations

from collections.abc import Iterable

import openai

from core.llm import chat_errors
from core.llm.chat_errors import Endpoint
from core.llm.chat_models import ChatError


def openai_error(
    exc: Exception,
    endpoint: Endpoint,
    *,
    model: str,
    secrets: Iterable[str | None],
    timeout: float,
    mid_stream: bool = False,
) -> ChatError:
    """The ChatError for an exception from an OpenAI SDK call; never carries a key (`secrets` are scrubbed).

    `timeout` is the limit the call had (named in the timeout message); `mid_stream` tells a dropped stream
    from a server that could not be reached.
    """
    if isinstance(exc, openai.APITimeoutError):
        return chat_errors.timed_out(endpoint, timeout)
    if isinstance(exc, openai.APIConnectionError):
        return chat_errors.stream_dropped(endpoint) if mid_stream else chat_errors.connection_failed(endpoint)
    if isinstance(exc, openai.APIStatusError):
        return chat_errors.status_error(
            endpoint,
            exc.status_code,
            model=model,
            detail=body_message(exc.body),
            error_type=exc.type,
            code=exc.code,
            headers=exc.response.headers,
            secrets=secrets,
        )
    if isinstance(exc, openai.APIError):  # an error object inside a 200 stream
        return chat_errors.status_error(
            endpoint,
            200,
            model=model,
            detail=body_message(exc.body) or exc.message,
            error_type=exc.type,
            code=exc.code,
            secrets=secrets,
        )
    return ChatError("server", f"{endpoint.Name} sent a reply this app cannot read; try again.")


def http_status(exc: Exception) -> int | None:
    """The HTTP status an SDK exception stands for, for log lines: 200 for an error inside a stream, None
    when no answer came (timeout, connection) or the exception is not the SDK's."""
    if isinstance(exc, openai.APIStatusError):
        return exc.status_code
    if isinstance(exc, openai.APIError) and not isinstance(exc, openai.APIConnectionError):
        return 200
    return None


def body_message(body: object) -> str | None:
    """The provider's own words from an error body: OpenAI's error.message, or what a compatible server sent."""
    if isinstance(body, dict):
        for field in ("message", "detail", "error"):
            value = body.get(field)
            if isinstance(value, str) and value.strip():
                return value
        return None
    if isinstance(body, str) and body.strip():
        return body
    return None
