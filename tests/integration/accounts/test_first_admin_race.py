"""Several people open a new workspace at the same moment and each fills in the first-visit form with their own
email: each finds no account yet, each creates one. Exactly one may become the administrator; the others are
told the workspace was just set up and to sign in.

The race is made certain rather than hoped for: another connection holds the accounts table (PostgreSQL) or the
database's write lock (SQLite) while the visitors check, as a slow commit would, and lets go once they have all
checked and are waiting to write.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from core.accounts.services import JUST_SET_UP, create_first_admin, needs_first_admin
from core.config import Settings
from core.errors import AlreadyExists
from core.models import Account, AccountRole
from entry.bootstrap import build_workspace

VISITORS = 4
PASSWORD = "correct horse battery staple"
WAIT_SECONDS = 30


@contextmanager
def writes_held(database_url: str) -> Iterator[None]:
    """Every write to the accounts table waits while the block runs; reads go on."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        connection = sqlite3.connect(url.database or "", isolation_level=None)
        connection.execute("BEGIN IMMEDIATE")  # SQLite's one write lock; readers go on (WAL)
        try:
            yield
        finally:
            connection.execute("COMMIT")
            connection.close()
        return
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as connection, connection.begin():
            connection.execute(text("LOCK TABLE accounts IN EXCLUSIVE MODE"))  # SELECT goes on, INSERT waits
            yield
    finally:
        engine.dispose()


def wait_for_writers(database_url: str, count: int) -> None:
    """Until `count` connections wait to write to the accounts table. PostgreSQL says so; SQLite cannot tell,
    so there it is a pause long enough for every visitor to hash its password and check."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        time.sleep(3)
        return
    engine = create_engine(url, poolclass=NullPool)
    deadline = time.monotonic() + WAIT_SECONDS
    try:
        with engine.connect() as connection:
            while time.monotonic() < deadline:
                waiting = connection.scalar(
                    text("SELECT count(*) FROM pg_locks WHERE NOT granted AND relation = 'accounts'::regclass")
                )
                connection.rollback()  # a new snapshot for the next look
                if (waiting or 0) >= count:
                    return
                time.sleep(0.05)
    finally:
        engine.dispose()
    raise AssertionError(f"{count} visitors never came to write")


def test_of_people_setting_up_a_new_workspace_at_once_exactly_one_becomes_its_admin(
    database_url: str, tmp_path: Path
) -> None:
    ws = build_workspace(Settings(database_url=database_url, runtime_dir=tmp_path / "runtime"))
    start = threading.Barrier(VISITORS)

    def visit(n: int) -> Account | str:
        start.wait()
        try:
            return create_first_admin(ws, email=f"person{n}@example.com", name=f"Person {n}", password=PASSWORD)
        except AlreadyExists as refusal:
            return str(refusal)

    with ThreadPoolExecutor(VISITORS) as pool:
        with writes_held(database_url):
            visits = [pool.submit(visit, n) for n in range(VISITORS)]
            wait_for_writers(database_url, VISITORS)  # each has found no account and waits to store theirs
        outcomes = [v.result() for v in visits]

    admins = [o for o in outcomes if isinstance(o, Account)]
    assert len(admins) == 1, [o.email if isinstance(o, Account) else o for o in outcomes]
    assert [o for o in outcomes if not isinstance(o, Account)] == [JUST_SET_UP] * (VISITORS - 1)
    with ws.uow_factory() as uow:
        assert [(a.id, a.email) for a in uow.accounts.all()] == [(admins[0].id, admins[0].email)]
        assert AccountRole.ADMIN in uow.accounts.get(admins[0].id).roles
        created = [e for e in uow.audit.latest() if e.action == "account_created"]
    assert [e.detail["account"] for e in created] == [admins[0].id]  # the refused visits left nothing behind
    assert not needs_first_admin(ws)
