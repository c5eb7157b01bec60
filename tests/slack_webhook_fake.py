"""A loopback Slack incoming webhook: POST JSON {"text": …, optional "blocks"} to the hook's path, answered as
Slack answers: 200 "ok", 400 "invalid_payload" (no text, or not JSON), 404 "no_service" for a path that is not
the hook; `fail_next` queues Slack's other answers (403 invalid_token, 410 channel_is_archived, 429 with
Retry-After, 500)."""

from __future__ import annotations

import json
import threading
from collections import deque
from typing import Any, Self

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from tests.loopback import LoopbackServer

HOOK_PATH = "/services/T0001/B0001/XXXXsecretXXXX"
BODIES = {400: "invalid_payload", 403: "invalid_token", 404: "no_service", 410: "channel_is_archived"}


class SlackWebhookFake:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._posts: list[dict[str, Any]] = []
        self._answers: deque[tuple[int, str, dict[str, str]]] = deque()
        app = Starlette(routes=[Route("/{path:path}", self._receive, methods=["POST"])])
        self._server = LoopbackServer(app, name="Slack webhook fake")
        self.hook_url = f"{self._server.url}{HOOK_PATH}"

    def fail_next(self, status: int, *, retry_after: int | None = None, times: int = 1) -> None:
        body = BODIES.get(status, "rate_limited" if status == 429 else "internal_error")
        headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
        with self._lock:
            self._answers.extend([(status, body, headers)] * times)

    def posts(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self._posts)

    async def _receive(self, request: Request) -> PlainTextResponse:
        if request.url.path != HOOK_PATH:
            return PlainTextResponse("no_service", status_code=404)
        try:
            payload = json.loads(await request.body())
        except ValueError:
            return PlainTextResponse("invalid_payload", status_code=400)
        if not isinstance(payload, dict) or not isinstance(payload.get("text"), str) or not payload["text"]:
            return PlainTextResponse("invalid_payload", status_code=400)
        with self._lock:
            if self._answers:
                status, body, headers = self._answers.popleft()
                return PlainTextResponse(body, status_code=status, headers=headers)
            self._posts.append(payload)
        return PlainTextResponse("ok")

    def __enter__(self) -> Self:
        self._server.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._server.stop()
