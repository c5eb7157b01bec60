"""A loopback fake of Anthropic's Messages and Models endpoints, on the real wire protocol.

POST /v1/messages answers JSON (`"type": "message"`) or, with "stream": true, SSE with `event:`
lines: message_start (usage.input_tokens), content_block_start, ping, one content_block_delta
(text_delta) per piece, content_block_stop, message_delta (usage.output_tokens), message_stop.
A message's content is a string or a list of blocks: {"type": "text", "text"} and {"type": "image",
"source": {"type": "base64", "media_type": "image/png", "data"}}, refused like Anthropic refuses an
image whose data is not of its media type, is over 5 MB, or goes to a model set up without vision.
Prompt caching as Anthropic does it: a block (a tool, a system block, a message's content block) carrying
`"cache_control": {"type": "ephemeral"}` is a breakpoint; the prefix up to it (tools, system, messages, in that
order) is written to the fake's cache when it reaches `min_cache_tokens` (the fake counts a text block's
characters / 4, a picture 1,000) and read back by a later request for the same model whose prefix up to one of
its breakpoints, or up to a block at most 20 before one, is the same. Reply.input_tokens stays the whole input
billed; usage splits it as Anthropic does: `cache_read_input_tokens` (the longest prefix found),
`cache_creation_input_tokens` (what the request wrote beyond it), each at most what is left of the scripted
total, and `input_tokens` the rest (the input after the last breakpoint). More than 4
breakpoints is refused (400), as Anthropic refuses them. `cache_writes` lists the prefixes written (tokens).
GET /v1/models/{id} answers a `model` object. Every request must carry `anthropic-version`
(else 400) and, when the fake has an api_key, exactly that key in `x-api-key` or
`Authorization: Bearer` (else 401). Errors are
`{"type": "error", "error": {"type", "message"}, "request_id"}` with Anthropic's statuses
(400, 401, 403, 404, 413, 429 + retry-after, 500, 529) and headers.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.llm_fakes.server import (
    IMAGE_SIGNATURES,
    Error,
    FakeServer,
    RecordedRequest,
    Reply,
    StreamError,
    StreamParts,
    image_type,
    new_id,
    retry_headers,
    sse_event,
)

MAX_IMAGE_BYTES = 5 * 1024 * 1024
MAX_BREAKPOINTS = 4
LOOKBACK_BLOCKS = 20  # a breakpoint finds a cached prefix ending this many blocks before it, at most
IMAGE_TOKENS = 1_000
CACHE = "_fake_prompt_cache"  # where a request's cache figures travel to its reply (never on the wire)

_DEFAULT_ERRORS: dict[int, tuple[str, str]] = {  # status: (error.type, error.message)
    400: ("invalid_request_error", "Invalid request."),
    401: ("authentication_error", "invalid x-api-key"),
    403: ("permission_error", "Your API key does not have permission to use the specified resource."),
    404: ("not_found_error", "model: {model}"),
    413: ("request_too_large", "Request exceeds the maximum allowed number of bytes."),
    429: (
        "rate_limit_error",
        "This request would exceed the rate limit for your organization of 50 requests per minute. "
        "For details, refer to: https://docs.claude.com/en/api/rate-limits.",
    ),
    500: ("api_error", "Internal server error"),
    529: ("overloaded_error", "Overloaded"),
}


class AnthropicServer(FakeServer):
    """Fake Anthropic. `base_url` (the root, no /v1) is what an Anthropic client takes."""

    def __init__(self, *, min_cache_tokens: int = 1024, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.min_cache_tokens = min_cache_tokens  # the model's minimum cacheable prompt
        self._cached: set[str] = set()  # digests of the cached prefixes (model included)
        self.cache_writes: list[int] = []  # the tokens of each prefix written to the cache, in order

    def reset(self) -> None:
        super().reset()
        self._cached.clear()
        self.cache_writes.clear()

    @property
    def base_url(self) -> str:
        return self.url

    def routes(self) -> list[Route]:
        return [
            Route("/v1/messages", self._messages, methods=["POST"]),
            Route("/v1/models/{model:path}", self._model, methods=["GET"]),
        ]

    def response_headers(self) -> dict[str, str]:
        return {
            "request-id": new_id("req_"),
            "anthropic-organization-id": "00000000-0000-0000-0000-000000000000",
            "anthropic-ratelimit-requests-limit": "50",
            "anthropic-ratelimit-requests-remaining": "49",
            "anthropic-ratelimit-requests-reset": "2030-01-01T00:00:00Z",
        }

    # -- endpoints -----------------------------------------------------------------------------

    async def _messages(self, request: Request) -> Response:
        body = await self.record(request)
        if (denied := self._denied(request)) is not None:
            return denied
        if not isinstance(body, dict) or not all(k in body for k in ("model", "messages", "max_tokens")):
            return self.error_response(Error(400, message="model, messages and max_tokens: Field required"))
        model = str(body["model"])
        if not self.model_known(model):
            return self.error_response(Error(404), model=model)
        if (refused := self._content_error(body["messages"], model)) is not None:
            return self.error_response(refused, model=model)
        item = self.next_item()
        if isinstance(item, Error):
            return self.error_response(item, model=model)
        cache = self._prompt_cache(body, model)
        if isinstance(cache, Error):
            return self.error_response(cache, model=model)
        return await self.answer(item, {**body, CACHE: cache}, model=model)

    def _prompt_cache(self, body: dict[str, Any], model: str) -> dict[str, int] | Error:
        """What this request reads from and writes to the cache (and the writes done), as Anthropic counts it."""
        blocks = _blocks_in_order(body)
        breakpoints = [i for i, (_key, _tokens, marked) in enumerate(blocks) if marked]
        if len(breakpoints) > MAX_BREAKPOINTS:
            return Error(
                400,
                message=f"A maximum of {MAX_BREAKPOINTS} blocks with cache_control may be provided. "
                f"Found {len(breakpoints)}.",
            )
        digests, totals = [], []
        digest, total = hashlib.sha256(model.encode()), 0
        for key, tokens, _marked in blocks:
            digest.update(key.encode())
            total += tokens
            digests.append(digest.copy().hexdigest())
            totals.append(total)
        hit = -1
        for point in breakpoints:
            for j in range(point, max(-1, point - LOOKBACK_BLOCKS - 1), -1):
                if digests[j] in self._cached:
                    hit = max(hit, j)
                    break
        read = totals[hit] if hit >= 0 else 0
        cacheable = [p for p in breakpoints if totals[p] >= self.min_cache_tokens]
        written = 0
        if cacheable and cacheable[-1] > hit:
            written = totals[cacheable[-1]] - read
            self.cache_writes.append(totals[cacheable[-1]])
        self._cached.update(digests[p] for p in cacheable)
        return {"read": read, "written": written}

    def _content_error(self, messages: object, model: str) -> Error | None:
        """What Anthropic says about content blocks it will not take."""
        for i, message in enumerate(messages if isinstance(messages, list) else []):
            content = message.get("content") if isinstance(message, dict) else None
            if not isinstance(content, list):
                continue
            for j, block in enumerate(content):
                where = f"messages.{i}.content.{j}"
                kind = block.get("type") if isinstance(block, dict) else None
                if kind == "text" and isinstance(block.get("text"), str):
                    continue
                if kind != "image":
                    return Error(
                        400,
                        message=f"{where}: Input tag '{kind}' found using 'type' does not match any of "
                        "the expected tags: 'text', 'image'",
                    )
                if not self.reads_images(model):
                    return Error(400, message=f"{where}: this model does not support image input.")
                source = block.get("source") if isinstance(block.get("source"), dict) else {}
                media_type, data = source.get("media_type"), str(source.get("data", ""))
                if source.get("type") != "base64" or media_type not in IMAGE_SIGNATURES:
                    return Error(400, message=f"{where}.image.source: Input should be a valid base64 image source")
                if image_type(data) != media_type:
                    return Error(
                        400,
                        message=f"{where}.image.source.base64: Image does not match the provided media type "
                        f"{media_type}",
                    )
                if len(data) * 3 // 4 > MAX_IMAGE_BYTES:
                    return Error(
                        400,
                        message=f"{where}.image.source.base64: image exceeds 5 MB maximum: {len(data) * 3 // 4} "
                        f"bytes > {MAX_IMAGE_BYTES} bytes",
                    )
        return None

    @staticmethod
    def images(request: RecordedRequest) -> list[bytes]:
        """The images a messages request carried as base64 blocks, decoded, in order."""
        found = []
        for message in request.body.get("messages", []) if isinstance(request.body, dict) else []:
            for block in message.get("content") if isinstance(message.get("content"), list) else []:
                if block.get("type") == "image":
                    found.append(base64.b64decode(block["source"]["data"]))
        return found

    async def _model(self, request: Request) -> Response:
        await self.record(request)
        if (denied := self._denied(request)) is not None:
            return denied
        model = request.path_params["model"]
        if not self.model_known(model):
            return self.error_response(Error(404), model=model)
        item = self.next_item()
        if isinstance(item, Error):
            return self.error_response(item, model=model)
        if not isinstance(item, Reply):
            return self.dropped_response()
        return JSONResponse(
            {
                "type": "model",
                "id": model,
                "display_name": model.replace("-", " ").title(),
                "created_at": "2025-02-19T00:00:00Z",
                "lifecycle": "active",
            },
            headers=self.response_headers(),
        )

    def _denied(self, request: Request) -> Response | None:
        if not request.headers.get("anthropic-version"):
            return self.error_response(Error(400, message="anthropic-version: header is required"))
        if self.api_key is None:
            return None
        # Anthropic takes the key as `x-api-key` or as `Authorization: Bearer` (what this SDK sends).
        scheme, _, bearer = request.headers.get("authorization", "").partition(" ")
        key = request.headers.get("x-api-key") or (bearer if scheme.lower() == "bearer" else "")
        if not key:
            return self.error_response(Error(401, message="x-api-key header is required"))
        if key != self.api_key:
            return self.error_response(Error(401))
        return None

    # -- wire shapes ---------------------------------------------------------------------------

    def error_response(self, error: Error, *, model: str | None = None) -> Response:
        kind, message = _DEFAULT_ERRORS.get(
            error.status, ("api_error" if error.status >= 500 else "invalid_request_error", f"Error {error.status}.")
        )
        payload = {
            "type": "error",
            "error": {
                "type": error.type or kind,
                "message": (error.message or message).replace("{model}", model or ""),
            },
            "request_id": new_id("req_"),
        }
        headers = {"request-id": payload["request_id"]}
        if error.status == 429:
            headers |= {
                "anthropic-ratelimit-requests-limit": "50",
                "anthropic-ratelimit-requests-remaining": "0",
                "anthropic-ratelimit-requests-reset": "2030-01-01T00:00:00Z",
            }
        headers |= retry_headers(error)
        return JSONResponse(payload, status_code=error.status, headers={**headers, **error.headers})

    def reply_json(self, reply: Reply, body: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": new_id("msg_"),
            "type": "message",
            "role": "assistant",
            "model": body["model"],
            "content": [{"type": "text", "text": reply.full_text}],
            "stop_reason": self._stop(reply),
            "stop_sequence": None,
            "usage": self._usage(reply.input_tokens, reply.completion_tokens, body.get(CACHE)),
        }

    def stream_parts(self, reply: Reply, body: dict[str, Any]) -> StreamParts:
        start = {
            "type": "message_start",
            "message": {
                "id": new_id("msg_"),
                "type": "message",
                "role": "assistant",
                "model": body["model"],
                "content": [],
                "stop_reason": None,
                "stop_sequence": None,
                "usage": self._usage(reply.input_tokens, 1, body.get(CACHE)),
            },
        }
        return StreamParts(
            head=[
                sse_event("message_start", start),
                sse_event(
                    "content_block_start",
                    {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}},
                ),
                sse_event("ping", {"type": "ping"}),
            ],
            deltas=[
                sse_event(
                    "content_block_delta",
                    {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": piece}},
                )
                for piece in reply.pieces
            ],
            tail=[
                sse_event("content_block_stop", {"type": "content_block_stop", "index": 0}),
                sse_event(
                    "message_delta",
                    {
                        "type": "message_delta",
                        "delta": {"stop_reason": self._stop(reply), "stop_sequence": None},
                        "usage": {"output_tokens": reply.completion_tokens},
                    },
                ),
                sse_event("message_stop", {"type": "message_stop"}),
            ],
        )

    def stream_error_event(self, item: StreamError) -> bytes:
        kind = item.type or "overloaded_error"
        message = item.message or ("Overloaded" if kind == "overloaded_error" else "Internal server error")
        return sse_event("error", {"type": "error", "error": {"type": kind, "message": message}})

    @staticmethod
    def _stop(reply: Reply) -> str:
        return "max_tokens" if reply.stop == "length" else "end_turn"

    @staticmethod
    def _usage(input_tokens: int, output_tokens: int, cache: dict[str, int] | None) -> dict[str, Any]:
        read = min((cache or {}).get("read", 0), input_tokens)
        written = min((cache or {}).get("written", 0), input_tokens - read)
        return {
            "input_tokens": input_tokens - read - written,
            "cache_creation_input_tokens": written,
            "cache_read_input_tokens": read,
            "cache_creation": {"ephemeral_5m_input_tokens": written, "ephemeral_1h_input_tokens": 0},
            "output_tokens": output_tokens,
            "service_tier": "standard",
        }


def _blocks_in_order(body: dict[str, Any]) -> list[tuple[str, int, bool]]:
    """The prompt as the cache sees it: (what the block is, its tokens, whether it is a breakpoint) for each
    tool, system block and message content block, in that order. A string is one text block."""
    found: list[tuple[str, int, bool]] = []

    def add(where: str, block: object) -> None:
        if not isinstance(block, dict):
            block = {"type": "text", "text": str(block)}
        bare = {k: v for k, v in block.items() if k != "cache_control"}
        tokens = IMAGE_TOKENS if bare.get("type") == "image" else math.ceil(len(str(bare.get("text", ""))) / 4)
        key = where + json.dumps(bare, sort_keys=True)
        found.append((key, max(tokens, 1), isinstance(block.get("cache_control"), dict)))

    for tool in body.get("tools") or []:
        add("tool:", tool)
    system = body.get("system")
    for block in [system] if isinstance(system, str) and system else system if isinstance(system, list) else []:
        add("system:", block)
    for index, message in enumerate(body.get("messages") or []):
        content = message.get("content") if isinstance(message, dict) else None
        role = message.get("role") if isinstance(message, dict) else None
        for block in [content] if isinstance(content, str) else content if isinstance(content, list) else []:
            add(f"message {index} {role}:", block)
    return found
