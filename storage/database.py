"""Engines for SQLite (embedded default) and PostgreSQL, and a startup check with a clear error.

The check exists so a missing database shows one actionable sentence on the page instead of
a driver traceback, and so the password in DATABASE_URL never reaches a screen or a log.
"""

from __future__ import annotations

import contextlib
import time
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.pool import StaticPool

from core.errors import DatabaseUnavailable

POSTGRES_CONNECT_TIMEOUT_SECONDS = 5
SQLITE_BUSY_TIMEOUT_SECONDS = 15


def make_engine(url: str) -> Engine:
    """Create an engine with the settings each backend needs in a multi-threaded Streamlit app."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed)
    connect_args: dict[str, Any] = {}
    if parsed.get_backend_name() == "postgresql" and "connect_timeout" not in parsed.query:
        # Without it psycopg2 waits forever on a host that drops packets.
        connect_args["connect_timeout"] = POSTGRES_CONNECT_TIMEOUT_SECONDS
    return create_engine(parsed, pool_pre_ping=True, connect_args=connect_args)


def _sqlite_engine(url: URL) -> Engine:
    database = url.database or ""
    in_memory = database in ("", ":memory:") or "mode=memory" in database
    kwargs: dict[str, Any] = {
        # Streamlit reruns and worker threads share the pool.
        "connect_args": {"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_SECONDS},
    }
    if in_memory:
        kwargs["poolclass"] = StaticPool  # one shared connection, or each one sees its own DB
    elif not database.startswith("file:"):
        # On failure, check_database() reports the unusable location in a sentence.
        with contextlib.suppress(OSError):
            Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, **kwargs)
    event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def migration_engine(url: str) -> Engine:
    """An engine for schema migrations. SQLite alters a table by copying it and dropping the old one; with
    foreign keys on, that drop cascades and empties every child table (all of a session's messages and
    evaluations), so, as SQLite's own procedure for such changes says, they are off on its connections."""
    engine = make_engine(url)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _foreign_keys_off)
    return engine


def _foreign_keys_off(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA foreign_keys=OFF")
    finally:
        cursor.close()


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """SQLite leaves foreign keys off per connection; WAL lets readers run while one thread writes."""
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
    finally:
        cursor.close()


def safe_url(engine_or_url: Engine | URL | str) -> str:
    """The URL with the password masked: the only form of it fit for messages and logs."""
    if isinstance(engine_or_url, Engine):
        url = engine_or_url.url
    elif isinstance(engine_or_url, str):
        url = make_url(engine_or_url)
    else:
        url = engine_or_url
    return url.render_as_string(hide_password=True)


def check_database(engine: Engine, *, attempts: int = 3, delay: float = 0.5) -> None:
    """Connect and run SELECT 1, retrying transient failures with exponential backoff.

    Raises DatabaseUnavailable with one line naming the database (never its password).
    """
    last: SQLAlchemyError | None = None
    for attempt in range(max(1, attempts)):
        if attempt:
            time.sleep(delay * 2 ** (attempt - 1))
        try:
            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            return
        except SQLAlchemyError as exc:
            last = exc
            if not _is_transient(_driver_message(exc)):
                break
    assert last is not None
    raise DatabaseUnavailable(_describe(engine, last)) from last


def _driver_message(exc: SQLAlchemyError) -> str:
    original = exc.orig if isinstance(exc, DBAPIError) else exc
    return str(original)


def _is_transient(message: str) -> bool:
    lowered = message.lower()
    permanent = ("authentication failed", "does not exist", "no password supplied", "unable to open")
    return not any(marker in lowered for marker in permanent)


def _reason(message: str) -> str:
    lowered = message.lower()
    known = [
        ("connection refused", "connection refused"),
        ("timeout expired", "connection timed out"),
        ("timed out", "connection timed out"),
        ("could not translate host name", "unknown host name"),
        ("name or service not known", "unknown host name"),
        ("password authentication failed", "password authentication failed"),
        ("no password supplied", "a password is required"),
        ("unable to open database file", "unable to open the database file"),
    ]
    for marker, reason in known:
        if marker in lowered:
            return reason
    for line in message.splitlines():
        line = line.strip()
        if line:
            for prefix in ("FATAL:", "ERROR:"):
                line = line.removeprefix(prefix).strip()
            return line.rstrip(".")
    return "unknown error"


def _describe(engine: Engine, exc: SQLAlchemyError) -> str:
    message = _driver_message(exc)
    reason = _reason(message)
    password = engine.url.password
    if password:
        reason = reason.replace(str(password), "***")
    if engine.dialect.name == "sqlite":
        hint = "Check that its folder exists and is writable."
    else:
        hint = "Is PostgreSQL running?"
    return f"Cannot reach the database at {safe_url(engine)}: {reason}. {hint} Set DATABASE_URL to change it."
