"""Fakes of the account repositories: accounts (unique by email key), sign-in sessions, failed sign-ins."""

from __future__ import annotations

import copy
from datetime import datetime

from core.errors import AlreadyExists, NotFound
from core.models import Account, SignInFailures, SignInSession, email_key
from tests.fakes.base import FakeIntegrityError, Repo, now


class FakeAccountRepository(Repo):
    def add(self, account: Account) -> Account:
        accounts = self._state.accounts
        if account.id in accounts:
            self._fail(FakeIntegrityError("UNIQUE constraint failed: accounts.id"))
            raise AlreadyExists("Someone already has an account with that email.")  # storage words any clash so
        key = email_key(account.email)
        if any(email_key(a.email) == key for a in accounts.values()):
            self._fail(FakeIntegrityError("UNIQUE constraint failed: accounts.email_key"))
            raise AlreadyExists("Someone already has an account with that email.")
        stored = copy.deepcopy(account)
        stored.created_at = stored.created_at or now()
        accounts[stored.id] = stored
        return copy.deepcopy(stored)

    def get(self, account_id: str) -> Account:
        if account_id not in self._state.accounts:
            raise NotFound(f"No account {account_id}.")
        return copy.deepcopy(self._state.accounts[account_id])

    def by_email(self, email: str) -> Account | None:
        key = email_key(email)
        found = [a for a in self._state.accounts.values() if key is not None and email_key(a.email) == key]
        return copy.deepcopy(found[0]) if found else None

    def update(self, account: Account) -> Account:
        if account.id not in self._state.accounts:
            raise NotFound(f"No account {account.id}.")
        self._check_email(account)
        self._state.accounts[account.id] = copy.deepcopy(account)
        return copy.deepcopy(account)

    def all(self) -> list[Account]:
        rows = sorted(self._state.accounts.values(), key=lambda a: (a.name, email_key(a.email) or ""))
        return copy.deepcopy(rows)

    def count(self) -> int:
        return len(self._state.accounts)

    def delete(self, account_id: str) -> None:
        """As the database's foreign keys do: sign-ins cascade, owned sessions keep no owner."""
        if self._state.accounts.pop(account_id, None) is None:
            raise NotFound(f"No account {account_id}.")
        for token, held in list(self._state.sign_ins.items()):
            if held.account_id == account_id:
                del self._state.sign_ins[token]
        for session in self._state.sessions.values():
            if session.owner_id == account_id:
                session.owner_id = None

    def rename_team(self, old: str, new: str) -> int:
        renamed = [a for a in self._state.accounts.values() if a.team == old]
        for account in renamed:
            account.team = new
        return len(renamed)

    def _check_email(self, account: Account) -> None:
        key = email_key(account.email)
        if any(a.id != account.id and email_key(a.email) == key for a in self._state.accounts.values()):
            raise self._fail(FakeIntegrityError("UNIQUE constraint failed: accounts.email_key"))


class FakeSignInSessionRepository(Repo):
    def add(self, session: SignInSession) -> SignInSession:
        self._require("sign_in_sessions", {"account_id": "accounts"}, {"account_id": session.account_id})
        stored = copy.deepcopy(session)
        stored.created_at = stored.created_at or now()
        stored.last_seen_at = stored.last_seen_at or stored.created_at
        self._state.sign_ins[stored.token_hash] = stored
        return copy.deepcopy(stored)

    def find(self, token_hash: str) -> SignInSession | None:
        found = self._state.sign_ins.get(token_hash)
        return copy.deepcopy(found)

    def touch(self, token_hash: str, *, seen_at: datetime, expires_at: datetime) -> None:
        found = self._state.sign_ins.get(token_hash)
        if found is not None:
            found.last_seen_at, found.expires_at = seen_at, expires_at

    def remove(self, token_hash: str) -> None:
        self._state.sign_ins.pop(token_hash, None)

    def remove_for_account(self, account_id: str) -> int:
        gone = [k for k, s in self._state.sign_ins.items() if s.account_id == account_id]
        for key in gone:
            del self._state.sign_ins[key]
        return len(gone)

    def remove_expired(self, moment: datetime) -> int:
        gone = [k for k, s in self._state.sign_ins.items() if s.expires_at <= moment]
        for key in gone:
            del self._state.sign_ins[key]
        return len(gone)


class FakeSignInFailureRepository(Repo):
    """One writer at a time, as the fake has: hold() needs no lock."""

    def find(self, key: str) -> SignInFailures | None:
        return copy.deepcopy(self._state.sign_in_failures.get(key))

    def hold(self, key: str, *, at: datetime) -> SignInFailures:
        found = self._state.sign_in_failures.setdefault(key, SignInFailures(key, 0, at, expires_at=at))
        return copy.deepcopy(found)

    def save(self, record: SignInFailures) -> None:
        if record.key not in self._state.sign_in_failures:
            raise NotFound(f"No failed sign-ins under {record.key}.")
        self._state.sign_in_failures[record.key] = copy.deepcopy(record)

    def forget(self, key: str) -> None:
        self._state.sign_in_failures.pop(key, None)

    def remove_expired(self, moment: datetime) -> int:
        gone = [k for k, r in self._state.sign_in_failures.items() if r.expires_at <= moment]
        for key in gone:
            del self._state.sign_in_failures[key]
        return len(gone)
