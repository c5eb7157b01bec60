"""SQLite's one write lock (storage.database): a server's engine takes it itself, asking again every fraction
of a millisecond while another connection holds it, where SQLite's busy handler would sleep up to 100 ms at a
time; a job worker's engine leaves the waiting to that handler, so a server waiting beside it writes first.
Either way a transaction holds the lock from its first write to its commit, reads before that stay outside it,
and a lock that never comes free ends in "database is locked" after the busy timeout, as it always did."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Engine, event, text
from sqlalchemy.exc import OperationalError

import storage.database
from storage.database import make_engine

STILL_WAITING_AFTER = 0.3  # seconds a writer is given to (wrongly) get past a lock that is held


@pytest.fixture
def path(tmp_path: Path) -> Path:
    path = tmp_path / "workspace.db"
    engine = make_engine(f"sqlite:///{path}")
    try:
        with engine.begin() as connection:
            connection.execute(text("CREATE TABLE t (who TEXT NOT NULL)"))
    finally:
        engine.dispose()
    return path


@contextmanager
def lock_held(path: Path) -> Iterator[None]:
    """Another process's connection holds the write lock, with a row written, until the block ends."""
    holder = sqlite3.connect(path, isolation_level=None, timeout=0)
    try:
        holder.execute("BEGIN IMMEDIATE")
        holder.execute("INSERT INTO t VALUES ('holder')")
        yield
        holder.execute("COMMIT")
    finally:
        holder.close()


def write_in_thread(engine: Engine, who: str, errors: list[BaseException]) -> threading.Thread:
    def write() -> None:
        try:
            with engine.begin() as connection:
                connection.execute(text("INSERT INTO t VALUES (:who)"), {"who": who})
        except BaseException as exc:  # reported by the test, not lost in the thread
            errors.append(exc)

    thread = threading.Thread(target=write, name=f"write-{who}")
    thread.start()
    return thread


def rows(path: Path) -> list[str]:
    with sqlite3.connect(path) as reader:
        return sorted(who for (who,) in reader.execute("SELECT who FROM t"))


def others_can_write(path: Path) -> bool:
    other = sqlite3.connect(path, isolation_level=None, timeout=0)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
        return True
    except sqlite3.OperationalError as exc:
        assert "database is locked" in str(exc)
        return False
    finally:
        other.close()


@pytest.mark.parametrize("background", [False, True], ids=["server", "worker"])
def test_a_write_waits_while_another_connection_holds_the_lock_and_lands_once_it_is_free(
    path: Path, background: bool
) -> None:
    engine = make_engine(f"sqlite:///{path}", background=background)
    errors: list[BaseException] = []
    try:
        with lock_held(path):
            writer = write_in_thread(engine, "writer", errors)
            writer.join(STILL_WAITING_AFTER)
            assert writer.is_alive()  # waiting for the lock, not failed and not written past it
        writer.join(10)
        assert not writer.is_alive() and errors == []
        assert rows(path) == ["holder", "writer"]
    finally:
        engine.dispose()


def test_a_server_transaction_holds_the_lock_from_its_first_write_to_its_commit(path: Path) -> None:
    engine = make_engine(f"sqlite:///{path}")
    try:
        with engine.begin() as connection:
            assert connection.execute(text("SELECT count(*) FROM t")).scalar() == 0
            assert others_can_write(path)  # a read takes no lock
            connection.execute(text("INSERT INTO t VALUES ('server')"))
            assert not others_can_write(path)
            connection.execute(text("UPDATE t SET who = 'server, updated'"))  # already ours: no second BEGIN
        assert others_can_write(path)
        assert rows(path) == ["server, updated"]
        with engine.begin() as connection:  # a transaction that rolls back lets go of the lock too
            connection.execute(text("DELETE FROM t"))
            connection.rollback()
        assert others_can_write(path) and rows(path) == ["server, updated"]
    finally:
        engine.dispose()


def test_a_lock_that_never_comes_free_ends_in_database_is_locked_and_reads_still_wait_as_before(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(storage.database, "SQLITE_BUSY_TIMEOUT_SECONDS", 0.5)
    engine = make_engine(f"sqlite:///{path}")
    try:
        with (
            lock_held(path),
            pytest.raises(OperationalError, match="database is locked"),
            engine.begin() as connection,
        ):
            connection.execute(text("INSERT INTO t VALUES ('server')"))
        with engine.begin() as connection:  # the same pooled connection, free again
            assert connection.execute(text("PRAGMA busy_timeout")).scalar() == 500  # as SQLite's handler had it
            connection.execute(text("INSERT INTO t VALUES ('server')"))
        assert rows(path) == ["holder", "server"]
    finally:
        engine.dispose()


def test_a_server_asks_again_for_a_held_lock_while_a_worker_leaves_the_waiting_to_sqlite(path: Path) -> None:
    """What makes the server write first when both wait: it asks again and again, the worker only once."""
    asked: dict[str, list[str]] = {"server": [], "worker": []}
    engines = {who: make_engine(f"sqlite:///{path}", background=who == "worker") for who in asked}
    for who, engine in engines.items():
        event.listen(engine, "connect", lambda dbapi, _record, who=who: dbapi.set_trace_callback(asked[who].append))
    errors: list[BaseException] = []
    try:
        with lock_held(path):
            writers = [write_in_thread(engine, who, errors) for who, engine in engines.items()]
            for writer in writers:
                writer.join(STILL_WAITING_AFTER)
                assert writer.is_alive()
        for writer in writers:
            writer.join(10)
        assert errors == [] and rows(path) == ["holder", "server", "worker"]
    finally:
        for engine in engines.values():
            engine.dispose()
    assert asked["server"].count("BEGIN IMMEDIATE") >= 2
    assert "BEGIN IMMEDIATE" not in asked["worker"] and any(s.startswith("BEGIN") for s in asked["worker"])
