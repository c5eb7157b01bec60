"""A loopback fake of Anthropic's Messages and Models endpoints, on the real wire protocol.

POST /v1/messages answers JSON (`"type": "message"`) or, with "stream": true, SSE with `event:`
lines: message_start (usage.input_tokens), content_block_start, ping, one content_block_delta
(text_delta) per piece, content_block_stop, message_delta (usage.output_tokens), message_stop.
A message's content is a string or a list of blocks: {"type": "text", "text"} and {"type": "image",
"source": {"type": "base64", "media_type": "image/png", "data"}}, refused like Anthropic refuses an
image whose data is not of its media type, is over 5 MB, or goes to a model set up without vision.
GET /v1/models/{id} answers a `model` object. Every request must carry `anthropic-version`
(else 400) and, when the fake has an api_key, exactly that key in `x-api-key` or
`Authorization: Bearer` (else 401). Errors are
`{"type": "error", "error": {"type", "message"}, "request_id"}` with Anthropic's statuses
(400, 401, 403, 404, 413, 429 + retry-after, 500, 529) and headers.
"""

from __future__ import annotations

import base64
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
        return await self.answer(self.next_item(), body, model=model)

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
            "usage": self._usage(reply.input_tokens, reply.completion_tokens),
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
                "usage": self._usage(reply.input_tokens, 1),
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
    def _usage(input_tokens: int, output_tokens: int) -> dict[str, Any]:
        return {
            "input_tokens": input_tokens,
            "cache_creation_input_tokens": 0,
            "cache_read_input_tokens": 0,
            "output_tokens": output_tokens,
            "service_tier": "standard",
        }
