"""Engines for SQLite (embedded default) and PostgreSQL, and a startup check with a clear error.

The check exists so a missing database shows one actionable sentence on the page instead of
a driver traceback, and so the password in DATABASE_URL never reaches a screen or a log.

SQLite has one writer at a time. A connection that finds the write lock taken waits in SQLite's busy
handler, which sleeps in growing steps (1, 2, 5, 10 … 100 ms) whatever the holder does: beside a job worker
applying bookings, a webhook delivery waited up to a second for a lock held a few milliseconds at a time. So
the servers' engines take the lock themselves before a transaction's first write, trying every
SQLITE_WRITE_LOCK_POLL_SECONDS, and get it within a fraction of a millisecond of its release; a job worker's
engine (`background`) keeps SQLite's handler, so whenever both wait, the server that people and Cal.com wait
on writes first and the worker after it.
"""

from __future__ import annotations

import contextlib
import sqlite3
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
SQLITE_WRITE_LOCK_POLL_SECONDS = 0.0005
_SQLITE_BUSY = 5  # SQLITE_BUSY; its extended codes (_RECOVERY, _SNAPSHOT, _TIMEOUT) share the low byte
_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")  # the statements pysqlite opens a transaction for


def make_engine(url: str, *, background: bool = False) -> Engine:
    """Create an engine with the settings each backend needs in a multi-threaded Streamlit app.

    `background`: the engine of a job worker, whose writes on SQLite give way to the servers' (see above)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed, background=background)
    connect_args: dict[str, Any] = {}
    if parsed.get_backend_name() == "postgresql" and "connect_timeout" not in parsed.query:
        # Without it psycopg2 waits forever on a host that drops packets.
        connect_args["connect_timeout"] = POSTGRES_CONNECT_TIMEOUT_SECONDS
    return create_engine(parsed, pool_pre_ping=True, connect_args=connect_args)


def _sqlite_engine(url: URL, *, background: bool) -> Engine:
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
    if not background:
        event.listen(engine, "before_cursor_execute", _take_write_lock)
    return engine


def _take_write_lock(
    _connection: Any, cursor: Any, statement: str, _parameters: Any, _context: Any, _executemany: bool
) -> None:
    """Before a transaction's first write, where pysqlite would send a plain BEGIN and the write would wait in
    SQLite's busy handler: BEGIN IMMEDIATE, tried again every SQLITE_WRITE_LOCK_POLL_SECONDS until the lock is
    ours or SQLITE_BUSY_TIMEOUT_SECONDS have passed ("database is locked", as before). Reads before the first
    write stay outside the transaction, as with pysqlite's own BEGIN."""
    connection = cursor.connection
    if connection.in_transaction or not statement.lstrip()[:7].upper().startswith(_WRITES):
        return
    deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_SECONDS
    connection.execute("PRAGMA busy_timeout = 0")  # a taken lock answers at once, without the handler's sleeps
    try:
        while True:
            try:
                connection.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as exc:
                if getattr(exc, "sqlite_errorcode", 0) & 0xFF != _SQLITE_BUSY or time.monotonic() >= deadline:
                    raise
            time.sleep(SQLITE_WRITE_LOCK_POLL_SECONDS)
    finally:
        connection.execute(f"PRAGMA busy_timeout = {round(SQLITE_BUSY_TIMEOUT_SECONDS * 1000)}")


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
