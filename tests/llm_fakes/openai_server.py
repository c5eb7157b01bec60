"""A loopback fake of OpenAI's Chat Completions and Models endpoints, on the real wire protocol.

POST /v1/chat/completions answers JSON (`chat.completion`) or, with "stream": true, SSE
`data: {chat.completion.chunk}` lines (a role chunk, one chunk per text delta, a finish chunk,
a usage chunk with empty choices when stream_options.include_usage is set) and `data: [DONE]`.
GET /v1/models/{id} and /v1/models answer `model` objects. Errors are
`{"error": {"message", "type", "param", "code"}}` with OpenAI's statuses and headers
(x-request-id, x-ratelimit-*, retry-after / retry-after-ms when scripted).
"""

from __future__ import annotations

import time
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.llm_fakes.server import (
    Error,
    FakeServer,
    Reply,
    StreamError,
    StreamParts,
    new_id,
    retry_headers,
    sse_data,
)

_DEFAULT_ERRORS: dict[int, tuple[str, str, str | None]] = {  # status: (type, message, code)
    400: ("invalid_request_error", "Invalid request.", None),
    401: (
        "invalid_request_error",
        "Incorrect API key provided: sk-abc*********************wxyz. "
        "You can find your API key at https://platform.openai.com/account/api-keys.",
        "invalid_api_key",
    ),
    403: ("request_forbidden", "Country, region, or territory not supported", "unsupported_country_region_territory"),
    404: (
        "invalid_request_error",
        "The model `{model}` does not exist or you do not have access to it.",
        "model_not_found",
    ),
    429: (
        "requests",
        "Rate limit reached for {model} in organization org-fake on requests per min (RPM): "
        "Limit 3, Used 3, Requested 1. Please try again in 20s.",
        "rate_limit_exceeded",
    ),
    500: ("server_error", "The server had an error while processing your request. Sorry about that!", None),
    503: ("server_error", "The engine is currently overloaded, please try again later.", None),
}


def masked(key: str) -> str:
    """How OpenAI echoes a wrong key: its first and last few characters around stars."""
    return f"{key[:3]}{'*' * max(3, len(key) - 7)}{key[-4:]}" if len(key) > 8 else "***"


class OpenAIServer(FakeServer):
    """Fake OpenAI. `base_url` (…/v1) is what an OpenAI client takes.

    `models_endpoint=False` behaves like an OpenAI-compatible server without GET /v1/models/{id}
    (a plain-text 404 there, as a bare Starlette/FastAPI app answers).
    """

    def __init__(self, *, models_endpoint: bool = True, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.models_endpoint = models_endpoint

    @property
    def base_url(self) -> str:
        return f"{self.url}/v1"

    def routes(self) -> list[Route]:
        return [
            Route("/v1/chat/completions", self._chat, methods=["POST"]),
            Route("/v1/models", self._list_models, methods=["GET"]),
            Route("/v1/models/{model:path}", self._model, methods=["GET"]),
        ]

    def response_headers(self) -> dict[str, str]:
        return {
            "x-request-id": new_id("req_"),
            "openai-version": "2020-10-01",
            "openai-processing-ms": "42",
            "openai-organization": "org-fake",
        }

    # -- endpoints -----------------------------------------------------------------------------

    async def _chat(self, request: Request) -> Response:
        body = await self.record(request)
        if (denied := self._denied(request)) is not None:
            return denied
        if not isinstance(body, dict) or "model" not in body or "messages" not in body:
            return self.error_response(Error(400, message="'messages' and 'model' are required.", param="messages"))
        model = str(body["model"])
        if not self.model_known(model):
            return self.error_response(Error(404, param="model"), model=model)
        return await self.answer(self.next_item(), body, model=model)

    async def _model(self, request: Request) -> Response:
        if not self.models_endpoint:
            return await self.not_found(request)
        await self.record(request)
        if (denied := self._denied(request)) is not None:
            return denied
        model = request.path_params["model"]
        if not self.model_known(model):
            return self.error_response(
                Error(404, message=f"The model '{model}' does not exist", param="model"), model=model
            )
        item = self.next_item()
        if isinstance(item, Error):
            return self.error_response(item, model=model)
        if not isinstance(item, Reply):
            return self.dropped_response()
        return JSONResponse(self._model_object(model), headers=self.response_headers())

    async def _list_models(self, request: Request) -> Response:
        if not self.models_endpoint:
            return await self.not_found(request)
        await self.record(request)
        if (denied := self._denied(request)) is not None:
            return denied
        names = sorted(self.models) if self.models is not None else ["gpt-fake"]
        return JSONResponse({"object": "list", "data": [self._model_object(n) for n in names]})

    def _denied(self, request: Request) -> Response | None:
        if self.api_key is None:
            return None
        header = request.headers.get("authorization", "")
        if not header:
            return self.error_response(
                Error(
                    401,
                    message="You didn't provide an API key. You need to provide your API key in an Authorization "
                    "header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
                    code="missing_api_key",
                )
            )
        scheme, _, key = header.partition(" ")
        if scheme.lower() != "bearer" or key != self.api_key:
            return self.error_response(
                Error(
                    401,
                    message=f"Incorrect API key provided: {masked(key)}. "
                    "You can find your API key at https://platform.openai.com/account/api-keys.",
                )
            )
        return None

    # -- wire shapes ---------------------------------------------------------------------------

    def error_response(self, error: Error, *, model: str | None = None) -> Response:
        kind, message, code = _DEFAULT_ERRORS.get(
            error.status,
            ("server_error" if error.status >= 500 else "invalid_request_error", f"Error {error.status}.", None),
        )
        payload = {
            "error": {
                "message": (error.message or message).replace("{model}", model or "gpt-fake"),
                "type": error.type or kind,
                "param": error.param,
                "code": error.code if error.code is not None else code,
            }
        }
        headers = {**self.response_headers(), **retry_headers(error)}
        if error.status == 429:
            headers |= {
                "x-ratelimit-limit-requests": "3",
                "x-ratelimit-remaining-requests": "0",
                "x-ratelimit-reset-requests": "20s",
                "x-ratelimit-limit-tokens": "40000",
                "x-ratelimit-remaining-tokens": "39000",
                "x-ratelimit-reset-tokens": "1.5s",
            }
        return JSONResponse(payload, status_code=error.status, headers={**headers, **error.headers})

    def reply_json(self, reply: Reply, body: dict[str, Any]) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "id": new_id("chatcmpl-"),
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body["model"],
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": reply.full_text, "refusal": None, "annotations": []},
                    "logprobs": None,
                    "finish_reason": self._finish(reply),
                }
            ],
            "service_tier": "default",
            "system_fingerprint": "fp_fake",
        }
        if reply.usage:
            payload["usage"] = self._usage(reply)
        return payload

    def stream_parts(self, reply: Reply, body: dict[str, Any]) -> StreamParts:
        include_usage = bool((body.get("stream_options") or {}).get("include_usage")) and reply.usage
        base = {
            "id": new_id("chatcmpl-"),
            "object": "chat.completion.chunk",
            "created": int(time.time()),
            "model": body["model"],
            "service_tier": "default",
            "system_fingerprint": "fp_fake",
        }

        def chunk(delta: dict[str, Any], finish: str | None = None) -> bytes:
            payload = {**base, "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}]}
            if include_usage:
                payload["usage"] = None
            return sse_data(payload)

        tail = [chunk({}, self._finish(reply))]
        if include_usage:
            tail.append(sse_data({**base, "choices": [], "usage": self._usage(reply)}))
        tail.append(b"data: [DONE]\n\n")
        return StreamParts(
            head=[chunk({"role": "assistant", "content": "", "refusal": None})],
            deltas=[chunk({"content": piece}) for piece in reply.pieces],
            tail=tail,
        )

    def stream_error_event(self, item: StreamError) -> bytes:
        return sse_data(
            {
                "error": {
                    "message": item.message or "The server had an error while processing your request.",
                    "type": item.type or "server_error",
                    "param": None,
                    "code": None,
                }
            }
        )

    @staticmethod
    def _finish(reply: Reply) -> str:
        return "length" if reply.stop == "length" else "stop"

    @staticmethod
    def _usage(reply: Reply) -> dict[str, Any]:
        return {
            "prompt_tokens": reply.input_tokens,
            "completion_tokens": reply.completion_tokens,
            "total_tokens": reply.input_tokens + reply.completion_tokens,
            "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
            "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0},
        }

    @staticmethod
    def _model_object(model: str) -> dict[str, Any]:
        return {"id": model, "object": "model", "created": 1721172741, "owned_by": "system"}
