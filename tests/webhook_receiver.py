"""A loopback receiver of outgoing webhooks, as another system (an ATS, a CRM) would run one.

A small Starlette app served by uvicorn on 127.0.0.1 (tests/loopback.py). Every POST is verified with the
Standard Webhooks reference library, `standardwebhooks.Webhook(secret).verify(body, headers)`, over the raw
body exactly as received, and kept with its headers and the verdict. It answers with the statuses a test
queues (`fail_next(500, times=3)`), 401 to a request that does not verify, and 204 otherwise; `stall_next`
makes it answer only after a delay (a receiver slower than the sender's timeout).
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections import deque
from dataclasses import dataclass
from typing import Any, Self

from standardwebhooks import Webhook, WebhookVerificationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.loopback import LoopbackServer

PATH = "/hooks/interviews"


@dataclass(frozen=True)
class Received:
    """One POST as it arrived: the raw body, the headers (lower-case names), and whether it verified."""

    body: bytes
    headers: dict[str, str]
    verified: bool
    refusal: str  # why it did not verify ("" when it did)

    @property
    def webhook_id(self) -> str:
        return self.headers["webhook-id"]

    @property
    def payload(self) -> Any:
        return json.loads(self.body)


class WebhookReceiver:
    """Start with `with WebhookReceiver() as receiver:`; subscribe `receiver.url`, then `trust` the secret the
    subscription was given (until then nothing verifies)."""

    def __init__(self) -> None:
        self.secret = ""
        self._lock = threading.Lock()
        self._received: list[Received] = []
        self._answers: deque[int] = deque()
        self._stalls: deque[float] = deque()
        app = Starlette(routes=[Route(PATH, self._receive, methods=["POST"])])
        self._server = LoopbackServer(app, name="webhook receiver")
        self.url = f"{self._server.url}{PATH}"

    def trust(self, secret: str) -> None:
        """Verify deliveries with `secret` from now on (the one shown when the subscription was made)."""
        with self._lock:
            self.secret = secret

    def fail_next(self, status: int, *, times: int = 1) -> None:
        """Answer the next `times` deliveries with `status` (after verifying them), as a receiver in trouble."""
        with self._lock:
            self._answers.extend([status] * times)

    def stall_next(self, seconds: float) -> None:
        """Wait `seconds` before answering the next delivery."""
        with self._lock:
            self._stalls.append(seconds)

    def received(self) -> list[Received]:
        with self._lock:
            return list(self._received)

    async def _receive(self, request: Request) -> Response:
        body = await request.body()
        headers = {name.lower(): value for name, value in request.headers.items()}
        try:
            if not self.secret:
                raise WebhookVerificationError("No secret to verify with")
            Webhook(self.secret).verify(body, headers)
        except WebhookVerificationError as exc:
            verified, refusal = False, str(exc)
        else:
            verified, refusal = True, ""
        with self._lock:
            self._received.append(Received(body, headers, verified, refusal))
            stall = self._stalls.popleft() if self._stalls else 0.0
            status = self._answers.popleft() if self._answers and verified else None
        if stall:
            await asyncio.sleep(stall)
        if not verified:
            return JSONResponse({"error": f"signature refused: {refusal}"}, status_code=401)
        if status is not None:
            return JSONResponse({"error": "temporarily unavailable", "status": status}, status_code=status)
        return Response(status_code=204)

    def __enter__(self) -> Self:
        self._server.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._server.stop()
