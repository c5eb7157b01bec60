"""What the fake LLM servers share: the script items, the request record, and a uvicorn thread.

A fake is a small Starlette app served by uvicorn on 127.0.0.1 (a free port) in a background
thread. Starting takes a few milliseconds, stopping about 0.2 s (uvicorn's shutdown), so a test
module may share one server and call `reset()` before each test; `api_key`, `models`, `default`
(and OpenAIServer's `models_endpoint`) are read on every request and may be changed live.

A stream the client closes before its end is noted in `abandoned` (with the deltas sent before), as a
real server notices the closed connection and stops generating.

Each request that passes the fake's own checks (API key, API version, known model, well-formed
images) takes the next item of its script; when the script is empty it gets `respond(body)` for a chat
request when `respond` is set (an answer that depends on what was asked), else `default`. Every
request, to any path, is recorded first, with credential header values replaced by "<redacted>".

Images: `vision` says which models read them (True: all, False: none, or a collection of model
names); an image sent to another model is refused as the provider refuses it, and so is one whose
base64 does not decode to a PNG, JPEG, GIF or WebP. `images(request)` decodes what a request carried.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import logging
import uuid
from collections import deque
from collections.abc import AsyncIterator, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Self

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route

from tests.loopback import LoopbackServer

REDACTED = "<redacted>"
IMAGE_SIGNATURES = {
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/gif": (b"GIF87a", b"GIF89a"),
    "image/webp": (b"RIFF",),
}
_ALL_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]
CREDENTIAL_HEADERS = frozenset({"authorization", "x-api-key", "api-key"})


@dataclass(frozen=True)
class Reply:
    """A normal answer: JSON for a plain request, SSE for a streaming one.

    `chunks` are the streamed text deltas (default: `text` split after each space); `text` is
    their concatenation when chunks are given. `chunk_delay` seconds pass after each delta;
    `delay` seconds pass before the response starts. `usage=False` leaves usage out where the
    protocol lets it (OpenAI). `stop="length"` reports a reply cut short by max_tokens.
    """

    text: str = "Hello there"
    input_tokens: int = 12
    output_tokens: int | None = None  # default: one per chunk
    chunks: Sequence[str] | None = None
    chunk_delay: float = 0.0
    delay: float = 0.0
    usage: bool = True
    stop: str = "end"  # "end" | "length"

    @property
    def pieces(self) -> list[str]:
        if self.chunks is not None:
            return list(self.chunks)
        words = self.text.split(" ")
        return [word + " " for word in words[:-1]] + [words[-1]] if self.text else []

    @property
    def full_text(self) -> str:
        return "".join(self.chunks) if self.chunks is not None else self.text

    @property
    def completion_tokens(self) -> int:
        return self.output_tokens if self.output_tokens is not None else max(1, len(self.pieces))


@dataclass(frozen=True)
class Error:
    """An HTTP error in the provider's own shape. Unset fields take that provider's usual values.

    `retry_after` sends `retry-after` (seconds), `retry_after_ms` sends `retry-after-ms`; the
    SDKs prefer the latter, so a test can make retries quick with `retry_after_ms=5`.
    `type`, `code` and `param` are the error object's fields (`code`/`param`: OpenAI only).
    """

    status: int
    message: str | None = None
    type: str | None = None
    code: str | None = None
    param: str | None = None
    retry_after: float | None = None
    retry_after_ms: int | None = None
    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Disconnect:
    """Drop the connection: after the status line and headers (a plain request), or after
    `after_chunks` text deltas (a streaming one)."""

    after_chunks: int = 0


@dataclass(frozen=True)
class StreamError:
    """A 200 stream that sends `after_chunks` deltas, then the provider's in-stream error event.
    A plain (non-streaming) request given this gets an HTTP 500 instead."""

    after_chunks: int = 1
    type: str | None = None
    message: str | None = None


@dataclass(frozen=True)
class EmptyStream:
    """A 200 event stream that ends without sending anything: no delta, no finish, no `[DONE]`. llama.cpp's
    server answers a streamed request whose prompt overflows the model's context so. A plain request given
    this gets an HTTP 500."""


ScriptItem = Reply | Error | Disconnect | StreamError | EmptyStream


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]  # lower-case names; credential values replaced by "<redacted>"
    body: Any  # parsed JSON (None for an empty body)

    @property
    def stream(self) -> bool:
        return isinstance(self.body, dict) and bool(self.body.get("stream"))

    def has_header(self, name: str) -> bool:
        return name.lower() in self.headers

    @property
    def prompt_text(self) -> str:
        """The prompt as the server reads it, in order: the system prompt (Anthropic's `system`) and the
        messages, serialized as JSON. What a prefix cache can reuse is a shared start of this text."""
        body = self.body if isinstance(self.body, dict) else {}
        return json.dumps([body.get("system", ""), body.get("messages", [])], ensure_ascii=False)


def text_of(content: object) -> str:
    """A message's (or Anthropic's system prompt's) text as the model reads it: a string, or its text blocks
    joined (Anthropic's blocks, which may carry cache_control; OpenAI's content parts)."""
    if isinstance(content, list):
        return "".join(str(b.get("text", "")) for b in content if isinstance(b, dict) and b.get("type") == "text")
    return "" if content is None else str(content)


def shared_prefix_share(earlier: RecordedRequest, later: RecordedRequest) -> float:
    """How much of `later`'s prompt a prefix cache filled by `earlier` holds: their shared start, as a share."""
    a, b = earlier.prompt_text, later.prompt_text
    shared = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))
    return shared / len(b) if b else 0.0


class _Dropped(Exception):
    """Raised inside a response body so uvicorn closes the connection mid-response."""


class _QuietDrops(logging.Filter):
    """uvicorn logs an app exception as an error; a scripted Disconnect is one on purpose."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.exc_info and isinstance(record.exc_info[1], _Dropped))


def _install_quiet_drops() -> None:
    uvicorn_errors = logging.getLogger("uvicorn.error")
    if not any(isinstance(f, _QuietDrops) for f in uvicorn_errors.filters):
        uvicorn_errors.addFilter(_QuietDrops())


def sse_data(payload: object) -> bytes:
    return f"data: {json.dumps(payload)}\n\n".encode()


def sse_event(name: str, payload: object) -> bytes:
    return f"event: {name}\ndata: {json.dumps(payload)}\n\n".encode()


def new_id(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:24]}"


def header_number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


@dataclass
class StreamParts:
    """A stream cut where a script item may break it: before the deltas, the deltas, after them."""

    head: list[bytes]
    deltas: list[bytes]
    tail: list[bytes]


class FakeServer:
    """Base of the provider fakes: a context manager; `.url` is http://127.0.0.1:PORT."""

    media_type_sse = "text/event-stream; charset=utf-8"

    def __init__(
        self,
        *,
        api_key: str | None = None,
        models: Iterable[str] | None = None,
        default: Reply | None = None,
        vision: bool | Iterable[str] = True,
    ) -> None:
        self.api_key = api_key  # when set, requests must carry exactly this key
        self.models = set(models) if models is not None else None  # None: every model exists
        self.vision = vision if isinstance(vision, bool) else set(vision)  # which models read images
        self.default = default or Reply()
        self.respond: Callable[[dict[str, Any]], ScriptItem] | None = None  # a chat request's answer by its body
        self.requests: list[RecordedRequest] = []
        self.abandoned: list[int] = []  # for each stream the client closed early: the deltas sent before
        self._script: deque[ScriptItem] = deque()
        self._loopback: LoopbackServer | None = None
        self.url = ""

    # -- scripting -----------------------------------------------------------------------------

    def script(self, *items: ScriptItem) -> Self:
        """Queue answers: each item answers one request, in order."""
        self._script.extend(items)
        return self

    @property
    def pending(self) -> int:
        """Script items not used yet."""
        return len(self._script)

    def reset(self) -> None:
        """Forget the script and the recorded requests (for a server shared by several tests)."""
        self._script.clear()
        self.requests.clear()
        self.abandoned.clear()

    def paths(self) -> list[str]:
        return [f"{r.method} {r.path}" for r in self.requests]

    # -- lifecycle -----------------------------------------------------------------------------

    def start(self) -> Self:
        _install_quiet_drops()
        self._loopback = LoopbackServer(self.app(), name="fake server").start()
        self.url = self._loopback.url
        return self

    def stop(self) -> None:
        if self._loopback is not None:
            self._loopback.stop()
        self._loopback = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # -- for subclasses ------------------------------------------------------------------------

    def app(self) -> Starlette:
        return Starlette(routes=[*self.routes(), Route("/{path:path}", self.not_found, methods=_ALL_METHODS)])

    async def not_found(self, request: Request) -> Response:
        """What a bare web app answers for a path it does not serve (recorded like any request)."""
        await self.record(request)
        return PlainTextResponse("Not Found", status_code=404)

    def routes(self) -> list[Route]:
        raise NotImplementedError

    def error_response(self, error: Error, *, model: str | None = None) -> Response:
        raise NotImplementedError

    def reply_json(self, reply: Reply, body: dict[str, Any]) -> dict[str, Any]:
        raise NotImplementedError

    def stream_parts(self, reply: Reply, body: dict[str, Any]) -> StreamParts:
        raise NotImplementedError

    def stream_error_event(self, item: StreamError) -> bytes:
        raise NotImplementedError

    def response_headers(self) -> dict[str, str]:
        return {}

    # -- shared request handling ---------------------------------------------------------------

    async def record(self, request: Request) -> Any:
        raw = await request.body()
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = raw.decode(errors="replace")
        headers = {
            name.lower(): (REDACTED if name.lower() in CREDENTIAL_HEADERS else value)
            for name, value in request.headers.items()
        }
        self.requests.append(RecordedRequest(request.method, request.url.path, headers, body))
        return body

    def next_item(self, body: dict[str, Any] | None = None) -> ScriptItem:
        """The script's next item; once it is used up, `respond(body)` for a chat request (`body`), else `default`."""
        try:
            return self._script.popleft()
        except IndexError:
            return self.respond(body) if self.respond is not None and body is not None else self.default

    def model_known(self, model: object) -> bool:
        return self.models is None or model in self.models

    def reads_images(self, model: object) -> bool:
        return self.vision if isinstance(self.vision, bool) else model in self.vision

    async def answer(self, item: ScriptItem, body: dict[str, Any], *, model: str | None) -> Response:
        """The response for one scripted item to a generation request (plain or streaming)."""
        if isinstance(item, Error):
            return self.error_response(item, model=model)
        if isinstance(item, Reply) and item.delay:
            await asyncio.sleep(item.delay)
        if not body.get("stream"):
            if isinstance(item, Disconnect):
                return self.dropped_response()
            if isinstance(item, StreamError | EmptyStream):
                return self.error_response(Error(500), model=model)
            return JSONResponse(self.reply_json(item, body), headers=self.response_headers())
        if isinstance(item, EmptyStream):
            return StreamingResponse(
                _nothing(),
                media_type=self.media_type_sse,
                headers={"cache-control": "no-cache", **self.response_headers()},
            )
        reply = item if isinstance(item, Reply) else self.default
        parts = self.stream_parts(reply, body)
        return StreamingResponse(
            self._stream_body(item, parts, reply.chunk_delay if isinstance(item, Reply) else 0.0),
            media_type=self.media_type_sse,
            headers={"cache-control": "no-cache", **self.response_headers()},
        )

    def dropped_response(self) -> Response:
        async def broken() -> AsyncIterator[bytes]:
            yield b'{"id": "'
            raise _Dropped

        return StreamingResponse(broken(), media_type="application/json", headers=self.response_headers())

    async def _stream_body(self, item: ScriptItem, parts: StreamParts, delay: float) -> AsyncIterator[bytes]:
        sent = 0
        finished = False
        try:
            for event in parts.head:
                yield event
            cut = item.after_chunks if isinstance(item, Disconnect | StreamError) else len(parts.deltas)
            for event in parts.deltas[:cut]:
                yield event
                sent += 1
                if delay:
                    await asyncio.sleep(delay)
            if isinstance(item, Disconnect):
                finished = True  # the fake's own drop, not the client's
                raise _Dropped
            if isinstance(item, StreamError):
                yield self.stream_error_event(item)
                finished = True
                return
            for event in parts.tail:
                yield event
            finished = True
        finally:
            if not finished:  # the client closed the response: a real server stops generating here
                self.abandoned.append(sent)


async def _nothing() -> AsyncIterator[bytes]:
    return
    yield  # an async generator that ends at once


def retry_headers(error: Error) -> dict[str, str]:
    headers: dict[str, str] = {}
    if error.retry_after is not None:
        headers["retry-after"] = header_number(error.retry_after)
    if error.retry_after_ms is not None:
        headers["retry-after-ms"] = str(error.retry_after_ms)
    return headers


def image_type(data: str) -> str | None:
    """The media type of base64 image data (by its first bytes), or None when it is no image we know."""
    try:
        raw = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        return None
    return next((kind for kind, heads in IMAGE_SIGNATURES.items() if raw.startswith(heads)), None)
