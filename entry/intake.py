"""`python -m core intake`: a small HTTP server that only takes in Cal.com webhooks, beside the workspace.

The workspace server answers POST /webhooks/calcom too (one port, nothing else to run). Under a burst
of deliveries, though, that route shares one Python process with every open page. This server runs the
same route (entry/webhook_routes.py: verify, store the event with its job, answer) and nothing else,
in a process of its own, so intake neither slows pages nor waits behind them. The reverse proxy sends
/webhooks/* here (deploy/Caddyfile) and falls back to the workspace servers when it is down.
"""

from __future__ import annotations

import gc
import logging
import time
from collections.abc import Callable

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from core.workspace import Workspace
from entry.bootstrap import built_workspace, current_workspace
from entry.streamlit_secrets import streamlit_secrets
from entry.webhook_routes import calcom_webhook_route

log = logging.getLogger(__name__)

HEALTH_PATH = "/_stcore/health"  # the path the proxy's health checks use for the workspace servers too
SETTINGS_RECHECK_SECONDS = 1.0


def recheck_at_most_every(seconds: float, built: Callable[[], Workspace | None]) -> Callable[[], Workspace | None]:
    """`built`, asked again only once `seconds` have passed since it last answered with a workspace: looking
    at config.yaml and every environment variable for each delivery took a quarter of the intake's event loop,
    and a changed config.yaml is still seen within a second."""
    last: list[tuple[float, Workspace]] = []

    def recent() -> Workspace | None:
        now = time.monotonic()
        if last and now - last[0][0] < seconds:
            return last[0][1]
        workspace = built()
        last[:] = [(now, workspace)] if workspace is not None else []
        return workspace

    return recent


async def _health(_request: Request) -> PlainTextResponse:
    return PlainTextResponse("ok")


def intake_app() -> Starlette:
    """The webhook route and a health check (answering whether or not the workspace has started)."""
    built = recheck_at_most_every(SETTINGS_RECHECK_SECONDS, built_workspace)
    webhooks = calcom_webhook_route(current_workspace, secrets=streamlit_secrets, built=built)
    return Starlette(routes=[webhooks, Route(HEALTH_PATH, _health)])


def _uvicorn_logs_as_ours() -> None:
    """Uvicorn's lines go through our JSON handlers, and it writes no access line per delivery.

    Streamlit gives uvicorn's loggers handlers of its own, again when its config is first read (with the
    first secrets): read it now, then hand the loggers back before uvicorn.run drops its access log."""
    streamlit_secrets()
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access", "uvicorn.asgi"):
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True


def run_intake(host: str, port: int) -> None:
    """Serve until interrupted (Ctrl-C or SIGTERM)."""
    current_workspace()  # migrate and load now: the first delivery should not wait for it
    _uvicorn_logs_as_ours()
    gc.freeze()  # what start-up loaded lives as long as the process: full collections need not walk it again
    log.info("webhook intake listening", extra={"host": host, "port": port})
    uvicorn.run(intake_app(), host=host, port=port, access_log=False, log_config=None)
