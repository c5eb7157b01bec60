"""A loopback fake of OpenAI's Chat Completions and Models endpoints, on the real wire protocol.

POST /v1/chat/completions answers JSON (`chat.completion`) or, with "stream": true, SSE
`data: {chat.completion.chunk}` lines (a role chunk, one chunk per text delta, a finish chunk,
a usage chunk with empty choices when stream_options.include_usage is set) and `data: [DONE]`.
A message's content is a string or a list of parts: {"type": "text", "text"} and
{"type": "image_url", "image_url": {"url": "data:image/png;base64,…"}} (or an http(s) URL), refused
like OpenAI refuses them for a model that reads no images or an image it cannot decode.
GET /v1/models/{id} and /v1/models answer `model` objects. POST /v1/audio/transcriptions takes
the multipart form the SDK sends and answers `json` ({"text", "usage"}), `text`, or `verbose_json`
({"task", "language", "duration", "text", "segments": [...], "usage"}); like OpenAI it refuses
verbose_json for the *-transcribe models, audio under 0.1 s, a WAV it cannot read, and a body over
`max_upload_bytes` (413). Its requests are recorded with the form fields as the body (the file as
{"filename", "content_type", "size"}); the uploaded bytes are kept in `uploads`. Errors are
`{"error": {"message", "type", "param", "code"}}` with OpenAI's statuses and headers
(x-request-id, x-ratelimit-*, retry-after / retry-after-ms when scripted).

Prompt caching as OpenAI does it, by itself for every prompt of 1,024 tokens or more (the fake counts the
serialized messages' characters / 4): the longest start a request shares with an earlier prompt to the same
model, in steps of 128 tokens from 1,024, is `prompt_tokens_details.cached_tokens` (at most the scripted
Reply.input_tokens, which stays `prompt_tokens`, the whole input); a streamed reply's usage chunk says the
same. A self-hosted server reports no cached tokens, nor one made with `prompt_cache=False`.

Answers asked for in a shape: `response_format` {"type": "json_object"} or {"type": "json_schema", "json_schema":
{"name", "schema", "strict"}} (OpenAI's structured outputs). As OpenAI, it refuses a json_schema without a valid
name or a schema object, a strict schema outside strict mode's subset (an object without additionalProperties
false or not requiring every property; maxLength/minLength) and keys it does not know (a json_object's
"schema"), each a 400 naming response_format. `refuse_json_schema=Error(...)` plays a server without
structured outputs: a json_schema request gets that error (LLAMA_CPP_PYTHON_REFUSAL: llama-cpp-python's 500),
while json_object with a "schema" (llama-cpp-python's own way) is answered. A self-hosted server (below) takes
both ways with any schema, as llama.cpp and vLLM make a grammar of it. The scripted text is the answer
either way: the fake holds no model to a grammar.

`self_hosted=SelfHosted(...)` makes it a llama.cpp, vLLM or Ollama server as far as the context window
goes: what it says about its window (llama.cpp's GET /props and /v1/models `meta`, vLLM's `max_model_len`,
Ollama nothing) and how it holds requests to it (see SelfHosted).
"""

from __future__ import annotations

import asyncio
import base64
import io
import json
import math
import re
import time
import wave
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from tests.llm_fakes.server import (
    Disconnect,
    Error,
    FakeServer,
    RecordedRequest,
    Reply,
    ScriptItem,
    StreamError,
    StreamParts,
    image_type,
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


CACHE = "_fake_prompt_cache"  # where a request's cached tokens travel to its reply (never on the wire)
CACHE_MIN_TOKENS = 1024
CACHE_STEP_TOKENS = 128

STRICT_REFUSED = ("maxLength", "minLength")  # string keywords OpenAI's strict structured outputs refuse
LLAMA_CPP_PYTHON_REFUSAL = Error(  # llama-cpp-python 0.3's server, asked for response_format json_schema
    500,
    message="1 validation error:\n  {'type': 'literal_error', 'loc': ('body', 'response_format', 'type'), "
    "'msg': \"Input should be 'text' or 'json_object'\", 'input': 'json_schema', "
    "'ctx': {'expected': \"'text' or 'json_object'\"}}",
    type="internal_server_error",
)
API_LIMIT_BYTES = 26_214_400  # OpenAI's "Maximum content size limit" for a request body


@dataclass(frozen=True)
class Transcript(Reply):
    """A transcription answer with exact segments: (start, end, text), in seconds of the uploaded file.

    A plain Reply answers a transcription too: its `chunks` become segments spread evenly over the
    uploaded audio (no chunks: its `text` as one segment over all of it). `silent` lists indices of
    segments Whisper marks as not speech (high no_speech_prob, low avg_logprob).
    """

    segments: Sequence[tuple[float, float, str]] = ()
    silent: Sequence[int] = ()

    @property
    def full_text(self) -> str:
        return " ".join(text.strip() for _start, _end, text in self.segments)


@dataclass(frozen=True)
class SelfHosted:
    """A self-hosted server's context window, as the server says it and holds requests to it.

    The fake counts tokens its own way: one per 4 characters of a message's text, plus 4 per message.
    - "llama.cpp": GET /props answers `default_generation_settings.n_ctx`; /v1/models entries carry
      `meta.n_ctx_train`. A prompt over n_ctx is refused (400 `exceed_context_size_error`, with
      n_prompt_tokens and n_ctx); a reply that would run past n_ctx stops there (finish_reason "length"),
      as llama.cpp shrinks the output to what is left.
    - "vllm": /v1/models entries carry `max_model_len` (= n_ctx); a prompt plus max_tokens over it is refused
      (400, vLLM's words).
    - "ollama": says nothing about its window (no /props, plain model entries) and answers whatever is sent.
    Every kind stops a reply at the request's max_tokens (finish_reason "length").
    `counts_usage`: the usage a reply reports is the server's own count (the prompt as above, the reply one
    token per 4 characters), as a real server reports it, instead of the scripted figures.
    """

    kind: Literal["llama.cpp", "vllm", "ollama"]
    n_ctx: int = 4096
    n_ctx_train: int = 32768
    props: bool = True  # False: llama.cpp behind a proxy that passes only /v1/* on (no /props)
    refusals: list[int] = field(default_factory=list)  # the prompt tokens of each request refused as too long
    counts_usage: bool = False

    @staticmethod
    def prompt_tokens(messages: object) -> int:
        total = 0
        for message in messages if isinstance(messages, list) else []:
            content = message.get("content") if isinstance(message, dict) else None
            if isinstance(content, list):
                content = " ".join(str(p.get("text", "")) for p in content if isinstance(p, dict))
            total += 4 + math.ceil(len(str(content or "")) / 4)
        return total


def masked(key: str) -> str:
    """How OpenAI echoes a wrong key: its first and last few characters around stars."""
    return f"{key[:3]}{'*' * max(3, len(key) - 7)}{key[-4:]}" if len(key) > 8 else "***"


class OpenAIServer(FakeServer):
    """Fake OpenAI. `base_url` (…/v1) is what an OpenAI client takes.

    `models_endpoint=False` behaves like an OpenAI-compatible server without GET /v1/models/{id}
    (a plain-text 404 there, as a bare Starlette/FastAPI app answers).
    `model_lookup=False` keeps the list (GET /v1/models) but not GET /v1/models/{id}, and
    `any_model_name=True` answers a request naming any model while listing only `models`: together they
    behave like llama.cpp's server, which runs the one model it loaded whatever a request names.
    """

    def __init__(
        self,
        *,
        models_endpoint: bool = True,
        model_lookup: bool = True,
        any_model_name: bool = False,
        max_upload_bytes: int = API_LIMIT_BYTES,
        self_hosted: SelfHosted | None = None,
        prompt_cache: bool = True,
        refuse_json_schema: Error | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.refuse_json_schema = refuse_json_schema
        self.prompt_cache = prompt_cache  # False: reports no cached tokens (a test about round dollar figures)
        self.models_endpoint = models_endpoint
        self.model_lookup = model_lookup
        self.any_model_name = any_model_name
        self.max_upload_bytes = max_upload_bytes
        self.self_hosted = self_hosted
        self.uploads: list[bytes] = []  # audio files received by /v1/audio/transcriptions, in order
        self._prompts: list[tuple[str, str]] = []  # (model, serialized prompt) of the prompts cached so far

    def reset(self) -> None:
        super().reset()
        self.uploads.clear()
        self._prompts.clear()

    def _cached_tokens(self, body: dict[str, Any], model: str) -> int:
        """What OpenAI's automatic prompt cache serves of this request, and the prompt kept for later ones."""
        if self.self_hosted is not None or not self.prompt_cache:
            return 0
        prompt = json.dumps([body.get("tools") or [], body.get("messages")], sort_keys=True, ensure_ascii=False)
        if len(prompt) / 4 < CACHE_MIN_TOKENS:
            return 0
        shared = max((_shared_chars(prompt, earlier) for m, earlier in self._prompts if m == model), default=0)
        self._prompts.append((model, prompt))
        tokens = shared // 4
        if tokens < CACHE_MIN_TOKENS:
            return 0
        return CACHE_MIN_TOKENS + (tokens - CACHE_MIN_TOKENS) // CACHE_STEP_TOKENS * CACHE_STEP_TOKENS

    @property
    def base_url(self) -> str:
        return f"{self.url}/v1"

    def routes(self) -> list[Route]:
        return [
            Route("/v1/chat/completions", self._chat, methods=["POST"]),
            Route("/v1/models", self._list_models, methods=["GET"]),
            Route("/v1/models/{model:path}", self._model, methods=["GET"]),
            Route("/v1/audio/transcriptions", self._transcribe, methods=["POST"]),
            Route("/props", self._props, methods=["GET"]),
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
        if (refused := self._content_error(body["messages"], model)) is not None:
            return self.error_response(refused, model=model)
        if (refused := self._format_error(body.get("response_format"))) is not None:
            return self.error_response(refused, model=model)
        item = self.next_item(body)
        if self.self_hosted is not None:
            held = self._held_to_context(self.self_hosted, body, item)
            if isinstance(held, Response):
                return held
            item = held
        if isinstance(item, Error):
            return self.error_response(item, model=model)
        return await self.answer(item, {**body, CACHE: self._cached_tokens(body, model)}, model=model)

    def _held_to_context(self, server: SelfHosted, body: dict[str, Any], item: ScriptItem) -> ScriptItem | Response:
        """A request as a self-hosted server holds it to its context window: refused, or its reply cut short."""
        prompt = server.prompt_tokens(body.get("messages"))
        asked = body.get("max_tokens") or body.get("max_completion_tokens")
        limit = int(asked) if isinstance(asked, int) else server.n_ctx
        if server.kind == "llama.cpp" and prompt > server.n_ctx:
            server.refusals.append(prompt)
            return JSONResponse(
                {
                    "error": {
                        "code": 400,
                        "message": "the request exceeds the available context size, try increasing it",
                        "type": "exceed_context_size_error",
                        "n_prompt_tokens": prompt,
                        "n_ctx": server.n_ctx,
                    }
                },
                status_code=400,
            )
        if server.kind == "vllm" and prompt + limit > server.n_ctx:
            server.refusals.append(prompt)
            return JSONResponse(
                {
                    "object": "error",
                    "message": f"This model's maximum context length is {server.n_ctx} tokens. However, you "
                    f"requested {prompt + limit} tokens ({prompt} in the messages, {limit} in the completion). "
                    "Please reduce the length of the messages or completion.",
                    "type": "BadRequestError",
                    "param": None,
                    "code": 400,
                },
                status_code=400,
            )
        if server.kind == "llama.cpp":
            limit = min(limit, server.n_ctx - prompt)
        if isinstance(item, Reply) and server.counts_usage:
            item = replace(item, input_tokens=prompt, output_tokens=math.ceil(len(item.full_text) / 4))
        if isinstance(item, Reply) and math.ceil(len(item.full_text) / 4) > limit:
            text = item.full_text[: limit * 4]
            return replace(item, text=text, chunks=None, output_tokens=limit, stop="length")
        return item

    async def _props(self, request: Request) -> Response:
        """llama.cpp's server properties (the parts that matter here, in its shape)."""
        server = self.self_hosted
        if server is None or server.kind != "llama.cpp" or not server.props:
            return await self.not_found(request)
        await self.record(request)
        return JSONResponse(
            {
                "default_generation_settings": {
                    "id": 0,
                    "id_task": -1,
                    "n_ctx": server.n_ctx,
                    "speculative": False,
                    "is_processing": False,
                    "params": {"n_predict": -1, "temperature": 0.8, "top_k": 40, "top_p": 0.95, "stream": False},
                    "prompt": "",
                },
                "total_slots": 1,
                "model_path": "/models/qwen2.5-0.5b-instruct-q4_k_m.gguf",
                "chat_template": "{% for message in messages %}...{% endfor %}",
                "modalities": {"vision": False, "audio": False},
                "build_info": "b5400-fake",
            }
        )

    def _format_error(self, response_format: object) -> Error | None:
        """Why a response_format is refused, as OpenAI (or the server played) refuses it; None: it is answered."""
        if response_format is None:
            return None
        kind = response_format.get("type") if isinstance(response_format, dict) else None
        if not isinstance(response_format, dict) or kind not in ("text", "json_object", "json_schema"):
            return _format_refusal(
                f"Invalid value: '{kind}'. Supported values are: 'json_object', 'json_schema', and 'text'."
            )
        if kind == "json_schema" and self.refuse_json_schema is not None:
            return self.refuse_json_schema
        if self.refuse_json_schema is not None or self.self_hosted is not None:
            return None  # llama.cpp and vLLM take any schema they can make a grammar of, and json_object's "schema"
        allowed = {"type", "json_schema"} if kind == "json_schema" else {"type"}
        if unknown := sorted(set(response_format) - allowed):
            return _format_refusal(f"Unrecognized request argument supplied: response_format.{unknown[0]}")
        if kind != "json_schema":
            return None
        spec = response_format.get("json_schema")
        if not isinstance(spec, dict) or not isinstance(spec.get("name"), str):
            return _format_refusal("Missing required parameter: 'response_format.json_schema.name'.")
        if not re.fullmatch(r"[A-Za-z0-9_-]{1,64}", spec["name"]) or not isinstance(spec.get("schema"), dict):
            return _format_refusal(
                "Invalid 'response_format.json_schema': a name of [a-zA-Z0-9_-]{1,64} and a schema object."
            )
        if spec.get("strict") and (problem := _strict_problem(spec["schema"], ())) is not None:
            return _format_refusal(f"Invalid schema for response_format '{spec['name']}': {problem}")
        return None

    def _content_error(self, messages: object, model: str) -> Error | None:
        """What OpenAI says about content parts it will not take (an image for a text-only model, a bad image)."""
        for i, message in enumerate(messages if isinstance(messages, list) else []):
            content = message.get("content") if isinstance(message, dict) else None
            if not isinstance(content, list):
                continue
            for j, part in enumerate(content):
                kind = part.get("type") if isinstance(part, dict) else None
                if kind == "text" and isinstance(part.get("text"), str):
                    continue
                if kind != "image_url":
                    return Error(
                        400,
                        message=f"Invalid value: '{kind}'. Supported values are: 'text' and 'image_url'.",
                        param=f"messages[{i}].content[{j}].type",
                        code="invalid_value",
                    )
                if not self.reads_images(model):
                    return Error(
                        400,
                        message="Invalid content type. image_url is only supported by certain models.",
                        param=f"messages.[{i}].content.[{j}].type",
                    )
                url = str((part.get("image_url") or {}).get("url", ""))
                header, _, data = url.partition(",")
                if not url.startswith(("http://", "https://")) and (
                    not header.startswith("data:image/") or not header.endswith(";base64") or image_type(data) is None
                ):
                    return Error(
                        400,
                        message="You uploaded an unsupported image. Please make sure your image has of one the "
                        "following formats: ['png', 'jpeg', 'gif', 'webp'].",
                        code="invalid_image_format",
                    )
        return None

    @staticmethod
    def images(request: RecordedRequest) -> list[bytes]:
        """The images a chat request carried as data URLs, decoded, in order."""
        found = []
        for message in request.body.get("messages", []) if isinstance(request.body, dict) else []:
            for part in message.get("content") if isinstance(message.get("content"), list) else []:
                url = str(part.get("image_url", {}).get("url", "")) if part.get("type") == "image_url" else ""
                if url.startswith("data:"):
                    found.append(base64.b64decode(url.partition(",")[2]))
        return found

    def model_known(self, model: object) -> bool:
        return self.any_model_name or super().model_known(model)

    async def _model(self, request: Request) -> Response:
        if not self.models_endpoint or not self.model_lookup:
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
        return JSONResponse({"object": "list", "data": [self._listed_model(n) for n in names]})

    def _listed_model(self, model: str) -> dict[str, Any]:
        """A /v1/models entry, with what a self-hosted server adds about the model's context."""
        entry = self._model_object(model)
        server = self.self_hosted
        if server is not None and server.kind == "llama.cpp":
            entry |= {
                "owned_by": "llamacpp",
                "meta": {
                    "vocab_type": 2,
                    "n_vocab": 151936,
                    "n_ctx_train": server.n_ctx_train,
                    "n_embd": 896,
                    "n_params": 494032768,
                    "size": 491400032,
                },
            }
        elif server is not None and server.kind == "vllm":
            entry |= {
                "owned_by": "vllm",
                "root": model,
                "parent": None,
                "max_model_len": server.n_ctx,
                "permission": [
                    {
                        "id": "modelperm-fake",
                        "object": "model_permission",
                        "created": 1721172741,
                        "allow_create_engine": False,
                        "allow_sampling": True,
                        "allow_logprobs": True,
                        "allow_search_indices": False,
                        "allow_view": True,
                        "allow_fine_tuning": False,
                        "organization": "*",
                        "group": None,
                        "is_blocking": False,
                    }
                ],
            }
        elif server is not None:  # Ollama
            entry["owned_by"] = "library"
        return entry

    async def _transcribe(self, request: Request) -> Response:
        size = len(await request.body())
        await self.record(request)  # its body (the multipart text) is replaced by the parsed fields below
        index = len(self.requests) - 1
        fields: dict[str, Any] = {}
        audio: bytes | None = None
        async with request.form() as form:
            for name, value in form.multi_items():
                if isinstance(value, UploadFile):
                    audio = await value.read()
                    value = {"filename": value.filename, "content_type": value.content_type, "size": len(audio)}
                fields[name] = [*fields[name], value] if name.endswith("[]") and name in fields else value
        self.requests[index] = replace(self.requests[index], body=fields)
        if size > self.max_upload_bytes:
            return self.error_response(
                Error(
                    413,
                    message=f"Maximum content size limit ({self.max_upload_bytes}) exceeded ({size} bytes read)",
                    type="server_error",
                )
            )
        if (denied := self._denied(request)) is not None:
            return denied
        if audio is None or "model" not in fields:
            missing = "file" if audio is None else "model"
            return self.error_response(
                Error(
                    400, message=f"1 validation error for Request\nbody -> {missing}\n  field required", param=missing
                )
            )
        self.uploads.append(audio)
        model = str(fields["model"])
        if not self.model_known(model):
            return self.error_response(Error(404, param="model"), model=model)
        response_format = str(fields.get("response_format", "json"))
        if response_format not in ("json", "text", "verbose_json"):
            return self.error_response(
                Error(400, message=f"This fake does not answer response_format '{response_format}'.")
            )
        if response_format == "verbose_json" and "transcribe" in model:
            return self.error_response(
                Error(
                    400,
                    message=f"response_format 'verbose_json' is not compatible with model '{model}'. "
                    "Use 'json' or 'text' instead.",
                    param="response_format",
                    code="unsupported_value",
                )
            )
        duration = _wav_seconds(audio) if str(fields["file"]["filename"]).endswith(".wav") else 1.0
        if duration is None:
            return self.error_response(
                Error(400, message="Audio file might be corrupted or unsupported", param="file", code="invalid_value")
            )
        if duration < 0.1:
            return self.error_response(
                Error(
                    400,
                    message="Audio file is too short. Minimum audio length is 0.1 seconds.",
                    param="file",
                    code="audio_too_short",
                )
            )
        item = self.next_item()
        if isinstance(item, Error):
            return self.error_response(item, model=model)
        if isinstance(item, Disconnect):
            return self.dropped_response()
        if not isinstance(item, Reply):  # a StreamError: this endpoint does not stream
            return self.error_response(Error(500), model=model)
        if item.delay:
            await asyncio.sleep(item.delay)
        if response_format == "text":
            return PlainTextResponse(_transcript_text(item, duration) + "\n", headers=self.response_headers())
        return JSONResponse(
            self._transcription_json(item, model, duration, verbose=response_format == "verbose_json"),
            headers=self.response_headers(),
        )

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
            payload["usage"] = self._usage(reply, body.get(CACHE, 0))
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
            tail.append(sse_data({**base, "choices": [], "usage": self._usage(reply, body.get(CACHE, 0))}))
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
    def _usage(reply: Reply, cached: int) -> dict[str, Any]:
        return {
            "prompt_tokens": reply.input_tokens,
            "completion_tokens": reply.completion_tokens,
            "total_tokens": reply.input_tokens + reply.completion_tokens,
            "prompt_tokens_details": {"cached_tokens": min(cached, reply.input_tokens), "audio_tokens": 0},
            "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0},
        }

    @staticmethod
    def _transcription_json(reply: Reply, model: str, duration: float, *, verbose: bool) -> dict[str, Any]:
        segments = _transcript_segments(reply, duration)
        text = " ".join(t for _start, _end, t in segments)
        if "transcribe" in model:  # the gpt-4o family bills tokens
            audio_tokens = math.ceil(duration * 10)
            usage: dict[str, Any] = {
                "type": "tokens",
                "input_tokens": reply.input_tokens + audio_tokens,
                "input_token_details": {"text_tokens": reply.input_tokens, "audio_tokens": audio_tokens},
                "output_tokens": reply.completion_tokens,
                "total_tokens": reply.input_tokens + audio_tokens + reply.completion_tokens,
            }
        else:  # whisper bills seconds
            usage = {"type": "duration", "seconds": math.ceil(duration)}
        if not verbose:
            return {"text": text, "usage": usage}
        silent = set(reply.silent) if isinstance(reply, Transcript) else set()
        return {
            "task": "transcribe",
            "language": "english",
            "duration": round(duration, 2),
            "text": text,
            "segments": [
                {
                    "id": i,
                    "seek": 0,
                    "start": start,
                    "end": end,
                    "text": f" {words}",
                    "tokens": [50364 + j for j in range(len(words.split()) + 1)],
                    "temperature": 0.0,
                    "avg_logprob": -1.35 if i in silent else -0.21,
                    "compression_ratio": 1.31,
                    "no_speech_prob": 0.92 if i in silent else 0.008,
                }
                for i, (start, end, words) in enumerate(segments)
            ],
            "usage": usage,
        }

    @staticmethod
    def _model_object(model: str) -> dict[str, Any]:
        return {"id": model, "object": "model", "created": 1721172741, "owned_by": "system"}


def _format_refusal(message: str) -> Error:
    return Error(400, message=message, param="response_format", code="invalid_value")


def _strict_problem(schema: object, where: tuple[str, ...]) -> str | None:
    """What OpenAI's strict mode refuses in `schema` (its words), or None."""
    if not isinstance(schema, dict):
        return None
    context = f"In context={where}, "
    for keyword in STRICT_REFUSED:
        if keyword in schema:
            return f"{context}'{keyword}' is not permitted."
    if schema.get("type") == "object":
        properties = schema.get("properties") or {}
        if schema.get("additionalProperties") is not False:
            return f"{context}'additionalProperties' is required to be supplied and to be false."
        if sorted(schema.get("required") or []) != sorted(properties):
            return (
                f"{context}'required' is required to be supplied and to be an array including every key in properties."
            )
        for name, value in properties.items():
            if (problem := _strict_problem(value, (*where, "properties", name))) is not None:
                return problem
    if "items" in schema:
        return _strict_problem(schema["items"], (*where, "items"))
    return None


def _shared_chars(a: str, b: str) -> int:
    return next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))


def _wav_seconds(data: bytes) -> float | None:
    """How long a WAV file plays, or None when it is not one."""
    try:
        with wave.open(io.BytesIO(data), "rb") as wav:
            return wav.getnframes() / float(wav.getframerate())
    except (wave.Error, EOFError, ZeroDivisionError):
        return None


def _transcript_segments(reply: Reply, duration: float) -> list[tuple[float, float, str]]:
    """(start, end, text) of each segment of a scripted reply, in seconds of the uploaded audio."""
    if isinstance(reply, Transcript):
        return [(float(start), float(end), text.strip()) for start, end, text in reply.segments]
    pieces = [p.strip() for p in reply.chunks] if reply.chunks is not None else [reply.text.strip()]
    pieces = [p for p in pieces if p]
    step = duration / len(pieces) if pieces else 0.0
    return [(round(i * step, 2), round((i + 1) * step, 2), piece) for i, piece in enumerate(pieces)]


def _transcript_text(reply: Reply, duration: float) -> str:
    return " ".join(text for _start, _end, text in _transcript_segments(reply, duration))
