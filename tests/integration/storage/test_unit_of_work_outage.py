"""A connection lost after start-up reaches services as core's DatabaseUnavailable, not a driver error."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from core.errors import DatabaseUnavailable
from storage.database import make_engine
from storage.migrate import upgrade
from storage.unit_of_work import UNREACHABLE, make_uow_factory
from tests.integration.conftest import PostgresServer


@pytest.mark.postgres
def test_a_dropped_connection_becomes_database_unavailable(postgres_server: PostgresServer) -> None:
    url = postgres_server.create_database()
    upgrade(url)
    name = make_url(url).database
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))  # a pooled connection, as after start-up
        with postgres_server._admin.connect() as admin:
            admin.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false'))
            admin.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"), {"n": name}
            )

        with pytest.raises(DatabaseUnavailable) as info, make_uow_factory(engine)() as uow:
            uow.sessions.interviewers()
        assert str(info.value) == UNREACHABLE
        assert name not in str(info.value), "the message names no database"

        with postgres_server._admin.connect() as admin:
            admin.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'))
        with make_uow_factory(engine)() as uow:
            assert uow.sessions.interviewers() == []  # back without a restart
    finally:
        engine.dispose()


def test_a_query_error_is_not_taken_for_an_outage(tmp_path: Path) -> None:
    """Only lost, refused or locked connections are outages; a bug in a query still raises as itself."""
    engine = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")  # not migrated: no tables
    try:
        with pytest.raises(OperationalError, match="no such table"), make_uow_factory(engine)() as uow:
            uow.sessions.interviewers()
    finally:
        engine.dispose()
