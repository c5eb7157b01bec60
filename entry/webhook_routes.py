"""The HTTP side of POST /webhooks/calcom, mounted into Streamlit's own server by server.py and served alone
by the intake server (entry/intake.py).

The handler reads at most the configured number of bytes (a huge body is cut off, not buffered) and
hands the raw bytes to core.scheduling.calcom.webhooks, which stores the delivery with a job that applies
it (deliveries arriving together in one transaction: see _Batches), and answers. The worker (`python -m
core worker`) applies it, so Cal.com gets its 2xx in milliseconds and a restart or a second replica neither
loses nor repeats an event.
"""

from __future__ import annotations

import asyncio
import logging
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


MAX_BATCH = 64  # deliveries stored in one transaction at most


def calcom_webhook_route(
    workspace: Callable[[], Workspace],
    *,
    secrets: Callable[[], Mapping[str, object] | None] = lambda: None,
    built: Callable[[], Workspace | None] = lambda: None,
) -> Route:
    """`workspace` builds (or returns the cached) Workspace; `secrets` gives Streamlit secrets if any;
    `built` gives the Workspace only if it needs no building (None otherwise), which spares a delivery the
    thread that building would need."""
    batches = _Batches(workspace, secrets)

    async def receive_calcom(request: Request) -> JSONResponse:
        ws = built()
        if ws is None:
            try:
                ws = await anyio.to_thread.run_sync(workspace)
            except WorkspaceError as exc:
                return _unavailable(exc)
        body = await _read_limited(request, ws.settings.scheduling.webhook_max_bytes)
        if isinstance(body, int):
            receipt = await anyio.to_thread.run_sync(lambda: calcom_webhooks.refuse_oversized(ws, body))
        else:
            signature = request.headers.get(calcom_webhooks.SIGNATURE_HEADER)
            receipt = await batches.receive(calcom_webhooks.Delivery(body, signature))
        return JSONResponse(receipt.body, status_code=receipt.status_code)

    return Route(PATH, receive_calcom, methods=["POST"])


UNAVAILABLE = calcom_webhooks.Receipt(503, "The workspace is not available; try again.")


def _unavailable(exc: WorkspaceError) -> JSONResponse:
    log.error("webhook: workspace unavailable", extra={"error": str(exc)})
    return JSONResponse(UNAVAILABLE.body, status_code=UNAVAILABLE.status_code)


class _Batches:
    """Deliveries that arrive while earlier ones are being stored wait, and are then stored together in one
    transaction (core.scheduling.calcom.webhooks.receive_many), by one writer per process: under a burst a
    commit serves many deliveries instead of each waiting its turn at the database (SQLite has one writer),
    and a lone delivery is stored at once, as before."""

    def __init__(self, workspace: Callable[[], Workspace], secrets: Callable[[], Mapping[str, object] | None]) -> None:
        self._workspace = workspace
        self._secrets = secrets
        self._waiting: list[tuple[calcom_webhooks.Delivery, asyncio.Future[calcom_webhooks.Receipt]]] = []
        self._writer: asyncio.Task[None] | None = None

    async def receive(self, delivery: calcom_webhooks.Delivery) -> calcom_webhooks.Receipt:
        answer: asyncio.Future[calcom_webhooks.Receipt] = asyncio.get_running_loop().create_future()
        self._waiting.append((delivery, answer))
        if self._writer is None or self._writer.done() or self._writer.get_loop() is not answer.get_loop():
            self._writer = asyncio.create_task(self._write())
        return await answer

    async def _write(self) -> None:
        """Store what waits, batch after batch, until nothing does."""
        while self._waiting:
            batch, self._waiting = self._waiting[:MAX_BATCH], self._waiting[MAX_BATCH:]
            try:
                answers = await anyio.to_thread.run_sync(self._store, [delivery for delivery, _ in batch])
                if len(answers) != len(batch):
                    raise RuntimeError(f"{len(answers)} answers for {len(batch)} deliveries")
            except Exception as exc:  # the database failed the whole batch: every sender hears it and retries
                answers = [exc] * len(batch)
            for (_, future), answer in zip(batch, answers, strict=True):
                if future.done():  # the request went away
                    continue
                if isinstance(answer, Exception):
                    future.set_exception(answer)
                else:
                    future.set_result(answer)

    def _store(self, deliveries: list[calcom_webhooks.Delivery]) -> list[calcom_webhooks.Receipt | Exception]:
        try:
            ws = self._workspace()
        except WorkspaceError as exc:
            log.error("webhook: workspace unavailable", extra={"error": str(exc)})
            return [UNAVAILABLE] * len(deliveries)
        return calcom_webhooks.receive_many(ws, deliveries, secret=calcom_webhook_secret(self._secrets()))


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
