"""Engines per backend, and the startup check's one-line, password-free error."""

from __future__ import annotations

import threading
import uuid
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import URL

import storage.database
from core.errors import DatabaseUnavailable
from storage.database import check_database, make_engine, safe_url

CLOSED_PORT_URL = "postgresql+psycopg2://postgres:s3cret-pw@127.0.0.1:1/test"


def test_sqlite_engine_creates_its_folder_and_sets_pragmas(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "er" / "workspace.db"
    engine = make_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as connection:
            assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
            assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert path.exists()

        results: list[object] = []

        def other_thread() -> None:  # pooled connections are shared with Streamlit's threads
            with engine.connect() as connection:
                results.append(connection.execute(text("SELECT 1")).scalar())

        worker = threading.Thread(target=other_thread)
        worker.start()
        worker.join()
        assert results == [1]
    finally:
        engine.dispose()


def test_in_memory_sqlite_is_one_shared_database() -> None:
    engine = make_engine("sqlite://")
    try:
        with engine.begin() as connection:
            connection.execute(text("CREATE TABLE t (x INTEGER)"))
        with engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM t")).scalar() == 0
    finally:
        engine.dispose()


def test_postgres_engine_pings_and_times_out() -> None:
    engine = make_engine("postgresql+psycopg2://postgres@127.0.0.1:5432/test")
    try:
        assert engine.pool._pre_ping  # type: ignore[attr-defined]
        assert engine.dialect.name == "postgresql"
    finally:
        engine.dispose()


def test_check_database_passes_on_a_live_database(engine: Engine) -> None:
    check_database(engine, attempts=1)


@pytest.mark.timeout(15)
def test_a_closed_port_gives_one_clear_line_without_the_password(monkeypatch: pytest.MonkeyPatch) -> None:
    delays: list[float] = []
    monkeypatch.setattr(storage.database.time, "sleep", delays.append)
    engine = make_engine(CLOSED_PORT_URL)
    try:
        with pytest.raises(DatabaseUnavailable) as info:
            check_database(engine)
    finally:
        engine.dispose()
    message = str(info.value)
    assert message == (
        "Cannot reach the database at postgresql+psycopg2://postgres:***@127.0.0.1:1/test:"
        " connection refused. Is PostgreSQL running? Set DATABASE_URL to change it."
    )
    assert "s3cret" not in message and "\n" not in message and "Traceback" not in message
    assert delays == [0.5, 1.0]  # three attempts, exponential backoff


@pytest.mark.timeout(15)
def test_a_closed_port_really_retries_and_fails_fast() -> None:
    engine = make_engine("postgresql+psycopg2://postgres@127.0.0.1:1/test")
    try:
        with pytest.raises(DatabaseUnavailable, match=r"127\.0\.0\.1:1/test: connection refused"):
            check_database(engine, attempts=2, delay=0.01)
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_a_missing_database_is_reported_without_retrying(
    postgres_admin_url: URL, monkeypatch: pytest.MonkeyPatch
) -> None:
    delays: list[float] = []
    monkeypatch.setattr(storage.database.time, "sleep", delays.append)
    name = f"iw_missing_{uuid.uuid4().hex[:8]}"
    engine = make_engine(
        postgres_admin_url.set(database=name, password="hunter2").render_as_string(hide_password=False)
    )
    try:
        with pytest.raises(DatabaseUnavailable) as info:
            check_database(engine)
    finally:
        engine.dispose()
    message = str(info.value)
    assert f'database "{name}" does not exist' in message
    assert "hunter2" not in message and "\n" not in message
    assert delays == []


def test_an_unusable_sqlite_location_is_reported(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    engine = make_engine(f"sqlite:///{blocker / 'sub' / 'workspace.db'}")
    try:
        with pytest.raises(DatabaseUnavailable) as info:
            check_database(engine, attempts=1)
    finally:
        engine.dispose()
    message = str(info.value)
    assert message.startswith(f"Cannot reach the database at sqlite:///{blocker}")
    assert "unable to open the database file" in message and "\n" not in message


def test_safe_url_masks_the_password() -> None:
    assert safe_url("postgresql://u:p%40ss@h:5/db") == "postgresql://u:***@h:5/db"
    assert safe_url("sqlite:///x.db") == "sqlite:///x.db"
