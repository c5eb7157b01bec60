"""A database that goes away after start-up: the page says so plainly and works again once it is back."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from tests.integration.conftest import DEFAULT_TEST_POSTGRES_URL, PostgresServer
from tests.ui.conftest import AppFactory, assert_clean, page_title

pytestmark = pytest.mark.postgres

AWAY = "The database is not reachable right now"


@pytest.fixture
def postgres() -> Iterator[PostgresServer]:
    server = PostgresServer(os.environ.get("TEST_POSTGRES_URL", DEFAULT_TEST_POSTGRES_URL))
    try:
        server.ping()
    except SQLAlchemyError:
        if os.environ.get("CI") == "true":
            raise
        pytest.skip("PostgreSQL is unreachable (set TEST_POSTGRES_URL)")
    try:
        yield server
    finally:
        server.close()


def _set_reachable(server: PostgresServer, url: str, reachable: bool) -> None:
    """Refuses new connections to the database and drops the open ones — or lets them in again."""
    name = make_url(url).database
    with server._admin.connect() as connection:
        connection.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS {str(reachable).lower()}'))
        if not reachable:
            connection.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :name"), {"name": name}
            )


def test_a_lost_database_shows_a_message_and_the_page_recovers(
    new_app: AppFactory, app_env: pytest.MonkeyPatch, postgres: PostgresServer
) -> None:
    url = postgres.create_database()
    app_env.setenv("DATABASE_URL", url)
    at = new_app().run()  # starts: connects and migrates
    assert_clean(at)
    at.switch_page("pages/history.py").run()
    assert_clean(at)
    assert page_title(at) == "History"

    _set_reachable(postgres, url, reachable=False)
    try:
        at.run()
        assert not at.exception, at.exception[0].stack_trace  # no traceback box
        assert [w.value for w in at.warning if AWAY in w.value], [w.value for w in at.warning]
        assert "your work is saved" in at.warning[-1].value
        assert any(b.label == "Try again" for b in at.button)
        assert "postgres" not in at.warning[-1].value.lower(), "no driver text or address in the message"
    finally:
        _set_reachable(postgres, url, reachable=True)

    at.run()
    assert_clean(at)
    assert page_title(at) == "History"
    assert not [w for w in at.warning if AWAY in w.value]
    assert at.info and at.info[0].value.startswith("No interviews yet")
