"""The HTTP side of POST /webhooks/calcom, mounted into Streamlit's own server by server.py.

The handler reads at most the configured number of bytes (a huge body is cut off, not buffered),
hands the raw bytes to core.scheduling.calcom.webhooks in a worker thread, answers, and only then applies
the event in the background, so Cal.com gets its 2xx in milliseconds.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from datetime import timedelta

import anyio
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from core.errors import WorkspaceError
from core.scheduling.calcom import webhooks as calcom_webhooks
from core.scheduling.calcom.credentials import calcom_webhook_secret
from core.workspace import Workspace

log = logging.getLogger(__name__)

PATH = "/webhooks/calcom"
RETRY_EVERY_SECONDS = 15.0
STALE_AFTER = timedelta(minutes=5)  # a "received" event this old lost its background task


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
            receipt = await anyio.to_thread.run_sync(
                lambda: calcom_webhooks.receive(ws, body, signature, secret=secret)
            )
        task = None
        if receipt.status_code < 300 and not receipt.duplicate and receipt.event_id is not None:
            task = BackgroundTask(anyio.to_thread.run_sync, lambda: _process(ws, receipt.event_id))
        return JSONResponse(receipt.body, status_code=receipt.status_code, background=task)

    return Route(PATH, receive_calcom, methods=["POST"])


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


def _process(ws: Workspace, event_id: int | None) -> None:
    if event_id is None:
        return
    try:
        calcom_webhooks.process(ws, event_id)
    except Exception:  # only when not even "retry" could be written; keep_retrying picks the event up
        log.exception("webhook: processing failed", extra={"event_id": event_id})


def process_left_over(workspace: Callable[[], Workspace]) -> threading.Thread:
    """At start-up, apply events a previous run stored but did not get to."""

    def run() -> None:
        try:
            done = calcom_webhooks.process_waiting(workspace())
            if done:
                log.info("webhook: processed events left from the last run", extra={"count": done})
        except Exception:
            log.exception("webhook: could not process left-over events")

    thread = threading.Thread(target=run, name="webhook-catch-up", daemon=True)
    thread.start()
    return thread


def keep_retrying(
    workspace: Callable[[], Workspace], *, every: float = RETRY_EVERY_SECONDS, stop: threading.Event | None = None
) -> tuple[threading.Thread, threading.Event]:
    """A daemon thread that, every `every` seconds until `stop` is set, applies the retries that are due
    (a locked or dropped database) and events whose background task was lost STALE_AFTER ago."""
    stopping = stop or threading.Event()

    def run() -> None:
        while not stopping.wait(every):
            try:
                ws = workspace()
                calcom_webhooks.process_waiting(ws, received_before=ws.clock() - STALE_AFTER)
            except Exception:  # the database may be down: the next round tries again
                log.exception("webhook: retry round failed")

    thread = threading.Thread(target=run, name="webhook-retries", daemon=True)
    thread.start()
    return thread, stopping
