"""Real databases for integration tests: a temporary SQLite file and a throwaway PostgreSQL database.

PostgreSQL: one uniquely named database per test run (created from TEST_POSTGRES_URL,
dropped at the end), migrated once; each test starts from emptied tables. SQLite: each test
gets a copy of a file migrated once per run. When PostgreSQL is unreachable its tests are
skipped, except on CI (CI=true), where that is a failure.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, insert, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

from core.llm import answer_formats
from storage.database import make_engine
from storage.migrate import upgrade
from storage.tables import SessionTallyRow, metadata
from storage.unit_of_work import SqlAlchemyUnitOfWork, make_uow_factory

DEFAULT_TEST_POSTGRES_URL = "postgresql+psycopg2://postgres@127.0.0.1:5432/test"

BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


class PostgresServer:
    """Creates and drops uniquely named databases through an AUTOCOMMIT admin connection."""

    def __init__(self, admin_url: str) -> None:
        self.admin_url = make_url(admin_url)
        self._admin = create_engine(
            self.admin_url,
            isolation_level="AUTOCOMMIT",
            poolclass=NullPool,
            connect_args={"connect_timeout": 3},
        )
        self.created: list[str] = []

    def ping(self) -> None:
        with self._admin.connect() as connection:
            connection.execute(text("SELECT 1"))

    def create_database(self) -> str:
        name = f"iw_test_{uuid.uuid4().hex[:16]}"  # only hex: safe to quote as an identifier
        with self._admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        self.created.append(name)
        return self.admin_url.set(database=name).render_as_string(hide_password=False)

    def drop_database(self, url: str) -> None:
        name = make_url(url).database
        assert name in self.created
        with self._admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        self.created.remove(name)

    def close(self) -> None:
        for name in list(self.created):
            self.drop_database(self.admin_url.set(database=name).render_as_string(hide_password=False))
        self._admin.dispose()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    server = PostgresServer(os.environ.get("TEST_POSTGRES_URL", DEFAULT_TEST_POSTGRES_URL))
    try:
        server.ping()
    except SQLAlchemyError as exc:
        reason = f"PostgreSQL at {server.admin_url.render_as_string(hide_password=True)} is unreachable"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason} and CI=true requires it: {exc.orig if hasattr(exc, 'orig') else exc}")
        pytest.skip(f"{reason} (set TEST_POSTGRES_URL)")
    try:
        yield server
    finally:
        server.close()


@pytest.fixture(scope="session")
def postgres_admin_url(postgres_server: PostgresServer) -> URL:
    """TEST_POSTGRES_URL, once the server is known to answer."""
    return postgres_server.admin_url


@pytest.fixture(scope="session")
def migrated_postgres(postgres_server: PostgresServer) -> Iterator[tuple[str, Engine]]:
    """One database per run, migrated once, and an engine that empties it between tests."""
    url = postgres_server.create_database()
    upgrade(url)
    cleaner = create_engine(url)
    try:
        yield url, cleaner
    finally:
        cleaner.dispose()


def _empty_all_tables(engine: Engine) -> None:
    """DELETE, children first: on a handful of rows it is far quicker than TRUNCATE. The sessions' tally starts
    again at 0, as a migrated database's does (a test may have removed it)."""
    with engine.begin() as connection:
        for table in reversed(metadata.sorted_tables):
            connection.execute(table.delete())
        connection.execute(insert(SessionTallyRow).values(id=1, sessions=0))


@pytest.fixture(scope="session")
def migrated_sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Migrate one SQLite file per run; each test gets a copy of it."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    upgrade(f"sqlite:///{path}")  # the engine is disposed afterwards, so the WAL is checkpointed
    return path


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def database_url(backend: str, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A migrated, empty database of each backend."""
    if backend == "sqlite":
        path = tmp_path_factory.mktemp("db") / "test.db"
        shutil.copyfile(request.getfixturevalue("migrated_sqlite_template"), path)
        return f"sqlite:///{path}"
    url, cleaner = request.getfixturevalue("migrated_postgres")
    _empty_all_tables(cleaner)
    return str(url)


@pytest.fixture
def empty_database_url(
    backend: str, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A brand-new database of each backend with no tables at all (for migration tests)."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'empty.db'}"
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    url = server.create_database()
    try:
        yield url
    finally:
        server.drop_database(url)


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    try:
        yield engine
    finally:
        engine.dispose()


@pytest.fixture
def uow_factory(engine: Engine) -> Callable[[], SqlAlchemyUnitOfWork]:
    return make_uow_factory(engine)


@pytest.fixture(scope="session")
def shared_models_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One folder for the assembled Whisper base model per test run (assembling copies 145 MB)."""
    return tmp_path_factory.mktemp("models") / "whisper-base"


DEFAULT_TEST_REDIS_URL = "redis://127.0.0.1:6379"


@pytest.fixture(scope="session")
def redis_server() -> str:
    """TEST_REDIS_URL's server (no database number); skipped when unreachable, except on CI (CI=true)."""
    import redis

    url = os.environ.get("TEST_REDIS_URL", DEFAULT_TEST_REDIS_URL).rstrip("/")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"Redis at {url} is unreachable and CI=true requires it: {exc}")
        pytest.skip(f"Redis at {url} is unreachable (set TEST_REDIS_URL)")
    return url


@pytest.fixture
def redis_url(redis_server: str) -> Iterator[str]:
    """An emptied Redis database of its own for this pytest worker (gw0 uses 10, gw1 11, …)."""
    import redis

    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw")
    url = f"{redis_server}/{10 + (int(worker) if worker.isdigit() else 0)}"
    client = redis.Redis.from_url(url)
    client.flushdb()
    try:
        yield url
    finally:
        client.flushdb()
        client.close()


@pytest.fixture(autouse=True)
def servers_not_yet_asked() -> None:
    """Loopback servers come and go on reused ports: what one refused (core.llm.answer_formats) says nothing of
    the next."""
    answer_formats.forget()
