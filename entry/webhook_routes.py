"""The HTTP side of POST /webhooks/calcom, mounted into Streamlit's own server by server.py.

The handler reads at most the configured number of bytes (a huge body is cut off, not buffered),
hands the raw bytes to core.scheduling.calcom.webhooks in a thread, which stores the delivery with a job
that applies it, and answers: the worker (`python -m core worker`) applies it, so Cal.com gets its 2xx in
milliseconds and a restart or a second replica neither loses nor repeats an event.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping

import anyio
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from core.errors import WorkspaceError
from core.scheduling.calcom import webhooks as calcom_webhooks
from core.scheduling.calcom.credentials import calcom_webhook_secret
from core.workspace import Workspace

log = logging.getLogger(__name__)

PATH = "/webhooks/calcom"


def calcom_webhook_route(
    workspace: Callable[[], Workspace], *, secrets: Callable[[], Mapping[str, object] | None] = lambda: None
) -> Route:
    """`workspace` builds (or returns the cached) Workspace; `secrets` gives Streamlit secrets if any."""

    async def receive_calcom(request: Request) -> JSONResponse:
        try:
            ws = await anyio.to_thread.run_sync(workspace)
        except WorkspaceError as exc:
            log.error("webhook: workspace unavailable", extra={"error": str(exc)})
            return JSONResponse({"ok": False, "message": "The workspace is not available; try again."}, 503)
        body = await _read_limited(request, ws.settings.scheduling.webhook_max_bytes)
        signature = request.headers.get(calcom_webhooks.SIGNATURE_HEADER)
        secret = calcom_webhook_secret(secrets())
        if isinstance(body, int):
            receipt = await anyio.to_thread.run_sync(lambda: calcom_webhooks.refuse_oversized(ws, body))
        else:
            receipt = await anyio.to_thread.run_sync(lambda: _receive(ws, body, signature, secret))
        return JSONResponse(receipt.body, status_code=receipt.status_code)

    return Route(PATH, receive_calcom, methods=["POST"])


_SQLITE_WRITES = threading.Lock()


def _receive(ws: Workspace, body: bytes, signature: str | None, secret: str | None) -> calcom_webhooks.Receipt:
    """One delivery stored at a time on SQLite: its writers queue on this lock instead of on SQLite's
    busy timeout, which sleeps in growing steps (deliveries waited seconds under a burst)."""
    if not ws.settings.effective_database_url.startswith("sqlite"):
        return calcom_webhooks.receive(ws, body, signature, secret=secret)
    with _SQLITE_WRITES:
        return calcom_webhooks.receive(ws, body, signature, secret=secret)


async def _read_limited(request: Request, limit: int) -> bytes | int:
    """The body, or its size (as far as it was read) when it is over `limit`: never buffered whole."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        return int(declared)
    raw = bytearray()
    async for chunk in request.stream():
        raw.extend(chunk)
        if len(raw) > limit:
            return len(raw)
    return bytes(raw)
