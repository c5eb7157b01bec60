"""Structured JSON logs to the console and a rotating file, with the session id in every line.

The session id travels in a ContextVar, so code deep inside a service logs it without
passing it around; `session_context(id)` sets it for the duration of one interview action.
A terminal conversation (`python -m core interview`) keeps the JSON in the file and gives the
console only short plain lines, and only when something failed.
"""

from __future__ import annotations

import contextlib
import logging
import logging.handlers
import sys
from collections.abc import Iterator
from contextvars import ContextVar
from pathlib import Path
from typing import Literal

from pythonjsonlogger.json import JsonFormatter

current_session_id: ContextVar[str | None] = ContextVar("current_session_id", default=None)

_HANDLER_MARK = "_interview_workspace"
# Client libraries whose debug/info lines carry request details (URLs, headers, bodies): only
# their warnings reach our logs, so no request content or credential can leak through them.
_QUIET_LIBRARIES = ("openai", "anthropic", "httpx", "httpx2", "httpcore")
_FIELDS = "%(asctime)s %(levelname)s %(name)s %(message)s %(session_id)s"


class SessionIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "session_id"):
            record.session_id = current_session_id.get()
        return True


@contextlib.contextmanager
def session_context(session_id: str | None) -> Iterator[None]:
    token = current_session_id.set(session_id)
    try:
        yield
    finally:
        current_session_id.reset(token)


class PlainFormatter(logging.Formatter):
    """ "warning: message" — one short line a person reads in a terminal; no fields, no traceback."""

    def format(self, record: logging.LogRecord) -> str:
        return f"{record.levelname.lower()}: {' '.join(record.getMessage().split())}"


def configure_logging(
    *,
    level: str = "INFO",
    log_dir: Path | None = None,
    max_bytes: int = 5_000_000,
    backups: int = 5,
    console: Literal["json", "plain"] = "json",
    console_level: str | None = None,
) -> None:
    """Install our handlers on the root logger once; safe to call on every Streamlit rerun.

    `console="plain"` writes short plain lines to stderr instead of JSON; `console_level` raises the bar
    for stderr only (the file keeps everything from `level`).
    """
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, _HANDLER_MARK, False):
            root.removeHandler(handler)
            handler.close()

    json_lines = JsonFormatter(_FIELDS, rename_fields={"levelname": "level", "asctime": "time"})
    stderr = logging.StreamHandler(sys.stderr)
    stderr.setFormatter(PlainFormatter() if console == "plain" else json_lines)
    if console_level is not None:
        stderr.setLevel(console_level)
    handlers: list[logging.Handler] = [stderr]
    if log_dir is not None:
        log_dir.mkdir(parents=True, exist_ok=True)
        log_file = logging.handlers.RotatingFileHandler(
            log_dir / "workspace.log", maxBytes=max_bytes, backupCount=backups, encoding="utf-8"
        )
        log_file.setFormatter(json_lines)
        handlers.append(log_file)
    for handler in handlers:
        setattr(handler, _HANDLER_MARK, True)
        handler.addFilter(SessionIdFilter())
        root.addHandler(handler)
    root.setLevel(level)
    for name in _QUIET_LIBRARIES:
        logging.getLogger(name).setLevel(logging.WARNING)
