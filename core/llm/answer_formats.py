"""How an OpenAI-style request asks for an answer's exact JSON shape, and which way each server takes.

JSON mode (`{"type": "json_object"}`) promises JSON, not the fields: a small local model closes its object
without them, or writes on to the output limit, and the evaluation falls back offline. A schema turned into
a grammar leaves it no such way out. The ways to ask, strongest first:

- "json_schema": `{"type": "json_schema", "json_schema": {"name", "schema", "strict": true}}`, OpenAI's
  structured outputs; llama.cpp's server and vLLM (guided decoding) turn the schema into a grammar. OpenAI's
  strict mode refuses string lengths (maxLength), so OpenAI is sent the schema without them.
- "json_object_schema": `{"type": "json_object", "schema": ...}`, for llama-cpp-python's server: it refuses
  "json_schema" (an HTTP 500 naming response_format), but builds its grammar from this shape.
- "json_object": JSON mode, any shape; the caller validates the answer.

A server that refuses a way (an HTTP error naming response_format or the schema) is sent the next one at once,
and remembered by base URL for the process, so later requests go straight to the way it takes.
"""

from __future__ import annotations

import logging
import threading
from typing import Any, Literal

import openai

from core.llm.chat_models import AnswerSchema
from core.provider_ids import OPENAI

log = logging.getLogger(__name__)

Way = Literal["json_schema", "json_object_schema", "json_object"]
OPENAI_WAYS: tuple[Way, ...] = ("json_schema", "json_object")  # OpenAI refuses keys it does not know
COMPATIBLE_WAYS: tuple[Way, ...] = ("json_schema", "json_object_schema", "json_object")
REFUSAL_STATUSES = frozenset({400, 415, 422, 500, 501})  # llama-cpp-python answers its validation error with a 500
STRICT_UNSUPPORTED = frozenset({"maxLength", "minLength"})  # keywords OpenAI's strict mode refuses

_lock = threading.Lock()
_first_way: dict[str, int] = {}  # base URL -> index into its ways of the first one not refused


def ways(provider: str) -> tuple[Way, ...]:
    return OPENAI_WAYS if provider == OPENAI else COMPATIBLE_WAYS


def untried(provider: str, base_url: str) -> tuple[Way, ...]:
    """The ways still worth trying with this server, strongest first (never empty: JSON mode stays)."""
    all_ways = ways(provider)
    with _lock:
        start = _first_way.get(base_url, 0)
    return all_ways[min(start, len(all_ways) - 1) :]


def refused(provider: str, base_url: str, way: Way) -> None:
    """Remember for the process that this server refuses `way`: its next requests start with the next one."""
    all_ways = ways(provider)
    with _lock:
        _first_way[base_url] = max(_first_way.get(base_url, 0), all_ways.index(way) + 1)
    log.info("%s refuses response_format %s; asking it the next way from now on", base_url, way)


def forget() -> None:
    """What was learnt about servers, forgotten (tests start each server afresh)."""
    with _lock:
        _first_way.clear()


def response_format(way: Way, schema: AnswerSchema, provider: str) -> dict[str, Any]:
    if way == "json_schema":
        shape = strict_subset(schema.schema) if provider == OPENAI else schema.schema
        return {"type": "json_schema", "json_schema": {"name": schema.name, "schema": shape, "strict": True}}
    if way == "json_object_schema":
        return {"type": "json_object", "schema": schema.schema}
    return {"type": "json_object"}


def is_refusal(exc: Exception) -> bool:
    """An HTTP error that names the response format or its schema: the server does not take this way of asking."""
    if not isinstance(exc, openai.APIStatusError) or exc.status_code not in REFUSAL_STATUSES:
        return False
    words = f"{exc.message} {exc.body}".lower()
    return "response_format" in words or "schema" in words


def strict_subset(schema: Any) -> Any:
    """`schema` without the keywords OpenAI's strict mode refuses (the prompt still asks for brevity)."""
    if isinstance(schema, dict):
        return {k: strict_subset(v) for k, v in schema.items() if k not in STRICT_UNSUPPORTED}
    if isinstance(schema, list):
        return [strict_subset(v) for v in schema]
    return schema
