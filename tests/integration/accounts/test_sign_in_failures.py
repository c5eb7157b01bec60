"""Failed sign-ins on SQLite and PostgreSQL: an address with no account counts and locks like an account with a
wrong password, the counts outlive a restart (a new Workspace on the same database, as another replica is),
old records are deleted, and replicas counting at the same moment add up."""

from __future__ import annotations

import threading
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import text

from core.accounts.failed_sign_ins import failure_key
from core.accounts.services import add_account, unlock
from core.accounts.sign_in import WRONG, failure_delay, sign_in_with_password
from core.config import Settings
from core.errors import SignInRefused
from core.permissions.actor import Actor
from core.workspace import Workspace
from entry.bootstrap import build_workspace
from storage.database import make_engine
from tests.clock import Clock
from tests.unit.fake_workspace import START

PASSWORD = "a long enough password"
SET_UP = Actor.workspace("test set-up")
KNOWN, UNKNOWN = "ada@example.com", "nobody@example.com"


def start(database_url: str, runtime: Path, clock: Clock, **accounts: object) -> Workspace:
    """A workspace process on `database_url`: a second call is a restart, or another replica."""
    settings = Settings.model_validate(
        {"database_url": database_url, "runtime_dir": runtime, "accounts": {"lock_after_failures": 3, **accounts}}
    )
    return replace(build_workspace(settings), clock=clock)


def answer(ws: Workspace, email: str, password: str) -> tuple[str, float]:
    with pytest.raises(SignInRefused) as refused:
        sign_in_with_password(ws, email, password)
    return str(refused.value), failure_delay(refused.value.failures)


@pytest.fixture
def clock() -> Clock:
    return Clock(START)


def test_both_addresses_lock_alike_and_the_counts_outlive_a_restart(
    database_url: str, tmp_path: Path, clock: Clock
) -> None:
    first = start(database_url, tmp_path, clock)
    ada = add_account(first, email=KNOWN, name="Ada", roles=["admin"], password=PASSWORD, actor=SET_UP)
    before = [(answer(first, KNOWN, "wrong guess"), answer(first, UNKNOWN, "wrong guess")) for _ in range(2)]
    assert before == [((WRONG, 0.25), (WRONG, 0.25)), ((WRONG, 0.5), (WRONG, 0.5))]

    restarted = start(database_url, tmp_path, clock)
    locked = answer(restarted, KNOWN, "wrong guess")
    assert locked == answer(restarted, UNKNOWN, "wrong guess")  # the third in a row, counted across the restart
    assert locked[0].startswith("Too many wrong passwords: this account is locked until") and locked[1] == 1.0
    assert answer(restarted, KNOWN, PASSWORD) == locked  # the right password does not open the lock
    assert answer(restarted, UNKNOWN, PASSWORD) == locked

    unlock(restarted, ada.id, actor=SET_UP)
    assert sign_in_with_password(start(database_url, tmp_path, clock), KNOWN, PASSWORD).account.id == ada.id
    assert answer(restarted, UNKNOWN, PASSWORD) == locked  # unlocking Ada's account leaves the other lock alone


def test_no_address_is_stored_and_records_no_longer_remembered_are_deleted(
    database_url: str, tmp_path: Path, clock: Clock
) -> None:
    ws = start(database_url, tmp_path, clock, failure_key="a workspace key nobody else has")
    answer(ws, UNKNOWN, "wrong guess")
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            rows = [tuple(row) for row in connection.execute(text("SELECT * FROM sign_in_failures"))]
        assert len(rows) == 1 and rows[0][0] == failure_key(ws.settings.accounts, UNKNOWN)
        assert "nobody" not in repr(rows)
        clock.advance(days=1, seconds=1)  # a day after the last failure: forgotten
        answer(ws, "someone@example.com", "wrong guess")
        with engine.connect() as connection:
            keys = connection.execute(text("SELECT key FROM sign_in_failures")).scalars().all()
        assert keys == [failure_key(ws.settings.accounts, "someone@example.com")]
    finally:
        engine.dispose()


@pytest.mark.parametrize("backend", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True)
def test_replicas_failing_at_the_same_moment_all_count(database_url: str, tmp_path: Path, clock: Clock) -> None:
    """Two replicas reading 2 and both writing 3 would let a prober try more than lock_after_failures."""
    replicas = [start(database_url, tmp_path, clock, lock_after_failures=100) for _ in range(4)]
    errors: list[BaseException] = []

    def fail(ws: Workspace) -> None:
        try:
            for _ in range(3):
                answer(ws, UNKNOWN, "wrong guess")
        except BaseException as exc:  # reported below: a thread's failure would otherwise pass silently
            errors.append(exc)

    threads = [threading.Thread(target=fail, args=(ws,)) for ws in replicas]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with replicas[0].uow_factory() as uow:
        record = uow.sign_in_failures.find(failure_key(replicas[0].settings.accounts, UNKNOWN))
    assert record is not None and record.failures == 12
