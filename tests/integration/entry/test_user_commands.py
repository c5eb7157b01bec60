"""`python -m core users add|reset|unlock|list` as an operator runs it on the server: a real process on a real
database, the password on stdin; what it stores is then used to sign in as the web page does."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from core.accounts.sign_in import resume, sign_in_with_password
from core.config import Settings
from core.errors import SignInRefused
from core.workspace import Workspace
from entry.bootstrap import build_workspace

ROOT = Path(__file__).resolve().parents[3]
FIRST, SECOND = "correct horse battery", "staple gun tractor beam"


def users(*args: str, env: dict[str, str], password: str | None = None) -> subprocess.CompletedProcess[str]:
    """One `users` command; `password` goes to stdin as the operator would pipe it (never in the arguments)."""
    return subprocess.run(
        [sys.executable, "-m", "core", "users", *args], cwd=ROOT, env=env, input=password and f"{password}\n",
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip


@pytest.fixture
def env(database_url: str, tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "DATABASE_URL": database_url, "IW_RUNTIME_DIR": str(tmp_path)}


@pytest.fixture
def ws(database_url: str, tmp_path: Path) -> Workspace:
    return build_workspace(Settings(database_url=database_url, runtime_dir=tmp_path))


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)  # accounts storage: tests/integration/accounts
def test_an_operator_adds_resets_unlocks_and_lists_accounts(env: dict[str, str], ws: Workspace) -> None:
    empty = users("list", env=env)
    assert empty.returncode == 0 and "No accounts yet" in empty.stdout

    added = users(
        "add", "Ada@Example.com", "--name", "Ada Admin", "--role", "admin", "--role", "reviewer", "--team", "core",
        "--password-stdin", env=env, password=FIRST,
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    assert added.stdout.strip() == "added Ada@Example.com (admin, reviewer)"  # kept as typed, matched in any case
    signed = sign_in_with_password(ws, "ADA@example.com", FIRST)  # the stored argon2 hash, as /signin checks it
    assert (signed.account.name, signed.account.team) == ("Ada Admin", "core")
    with ws.uow_factory() as uow:
        created = [e for e in uow.audit.latest() if e.action == "account_created"]
    assert [e.actor for e in created] == ["cli"]  # the audit log says who: whoever holds the server's shell

    again = users("add", "ada@example.com", "--name", "Eve", "--password-stdin", env=env, password=FIRST)
    assert again.returncode == 2 and "already has an account" in again.stderr and "Traceback" not in again.stderr
    short = users("add", "bo@example.com", "--name", "Bo", "--password-stdin", env=env, password="short")
    assert short.returncode == 2 and "Traceback" not in short.stderr
    assert "at least" in short.stderr  # says what to do

    for _ in range(ws.settings.accounts.lock_after_failures):  # Ada forgot her password and locked herself out
        with pytest.raises(SignInRefused):
            sign_in_with_password(ws, "ada@example.com", "a guess that is wrong")
    with pytest.raises(SignInRefused, match="locked until"):
        sign_in_with_password(ws, "ada@example.com", FIRST)

    unlocked = users("unlock", "ada@example.com", env=env)
    assert unlocked.returncode == 0 and unlocked.stdout.strip() == "unlocked Ada@Example.com"
    assert sign_in_with_password(ws, "ada@example.com", FIRST).account.id == signed.account.id

    reset = users("reset", "ADA@example.com", "--password-stdin", env=env, password=SECOND)
    assert reset.returncode == 0 and "new password set for Ada@Example.com" in reset.stdout
    assert resume(ws, signed.token).account is None  # a reset ends every sign-in made with the old password
    with pytest.raises(SignInRefused, match="Wrong email or password"):
        sign_in_with_password(ws, "ada@example.com", FIRST)
    assert sign_in_with_password(ws, "ada@example.com", SECOND).account.id == signed.account.id

    invited = users("add", "ivan@partner.test", "--name", "Ivan", "--role", "interviewer", "--invite", env=env)
    assert invited.returncode == 0 and "invited" in invited.stdout
    with pytest.raises(SignInRefused):  # no password of any kind: only the identity provider signs Ivan in
        sign_in_with_password(ws, "ivan@partner.test", "")

    listed = users("list", env=env).stdout.splitlines()
    assert [line.split()[0] for line in listed] == ["Ada@Example.com", "ivan@partner.test"]
    assert "admin,reviewer" in listed[0] and "core" in listed[0] and "interviewer" in listed[1]

    unknown = users("reset", "nobody@example.com", "--password-stdin", env=env, password=SECOND)
    assert unknown.returncode == 2 and "Traceback" not in unknown.stderr
