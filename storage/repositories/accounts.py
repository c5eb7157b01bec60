"""Accounts, the sign-in sessions browsers hold, and failed sign-ins counted per (hashed) address."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from core.errors import AlreadyExists
from core.models import Account, AccountRole, SignInFailures, SignInSession, email_key
from storage.repositories.base import SqlRepository, now, utc
from storage.tables import AccountRow, SignInFailureRow, SignInSessionRow

DUPLICATE_EMAIL = "Someone already has an account with that email."


class SqlAccountRepository(SqlRepository[Account, AccountRow]):
    model = Account
    row_type = AccountRow
    missing = "No account {}."

    def add(self, account: Account) -> Account:
        """Stores the account; another account with the same id, or the same email (in any case), is refused by
        the unique keys, also when two sign-ins create it at the same moment: AlreadyExists, and this unit of work
        is spent."""
        try:
            return self._add(account)
        except IntegrityError as exc:
            raise AlreadyExists(DUPLICATE_EMAIL) from exc

    def get(self, account_id: str) -> Account:
        return self._get(account_id)

    def by_email(self, email: str) -> Account | None:
        key = email_key(email)
        if key is None:
            return None
        return self._first(select(AccountRow).where(AccountRow.email_key == key))

    def update(self, account: Account) -> Account:
        return self._update(account, account.id)

    def all(self) -> list[Account]:
        """By name, then email."""
        return self._many(select(AccountRow).order_by(AccountRow.name, AccountRow.email_key))

    def count(self) -> int:
        return int(self._session.scalar(select(func.count()).select_from(AccountRow)) or 0)

    def delete(self, account_id: str) -> None:
        self._session.delete(self._row(account_id))
        self._session.flush()

    def rename_team(self, old: str, new: str) -> int:
        """One UPDATE of every account of the team, not a read-then-write per person."""
        self._session.flush()  # autoflush is off: write what this unit of work holds before updating in bulk
        result = self._session.execute(update(AccountRow).where(AccountRow.team == old).values(team=new))
        return int(result.rowcount)  # type: ignore[attr-defined]  # ORM-enabled: loaded accounts follow

    def _values(self, item: Account) -> dict[str, Any]:
        values = super()._values(item)
        values["roles"] = sorted(str(role) for role in item.roles)
        values["email_key"] = email_key(item.email) or ""
        return values

    def _to_item(self, row: AccountRow) -> Account:
        return Account(
            id=row.id,
            email=row.email,
            name=row.name,
            roles=[AccountRole(role) for role in row.roles if role in AccountRole.__members__.values()],
            team=row.team,
            password_hash=row.password_hash,
            active=row.active,
            failed_sign_ins=row.failed_sign_ins,
            locked_until=utc(row.locked_until),
            created_at=utc(row.created_at),
            last_sign_in_at=utc(row.last_sign_in_at),
            notify={kind: list(channels) for kind, channels in (row.notify or {}).items()},
            phone=row.phone or "",
            timezone=row.timezone or "",
            quiet_hours=row.quiet_hours or "",
        )


class SqlSignInSessionRepository(SqlRepository[SignInSession, SignInSessionRow]):
    model = SignInSession
    row_type = SignInSessionRow
    missing = "No sign-in session {}."

    def add(self, session: SignInSession) -> SignInSession:
        session.last_seen_at = session.last_seen_at or session.created_at or now()
        return self._add(session)

    def find(self, token_hash: str) -> SignInSession | None:
        return self._first(select(SignInSessionRow).where(SignInSessionRow.token_hash == token_hash))

    def touch(self, token_hash: str, *, seen_at: datetime, expires_at: datetime) -> None:
        row = self._session.get(SignInSessionRow, token_hash)
        if row is not None:
            row.last_seen_at = seen_at
            row.expires_at = expires_at
            self._session.flush()

    def remove(self, token_hash: str) -> None:
        self._session.execute(delete(SignInSessionRow).where(SignInSessionRow.token_hash == token_hash))

    def remove_for_account(self, account_id: str) -> int:
        result = self._session.execute(delete(SignInSessionRow).where(SignInSessionRow.account_id == account_id))
        return int(result.rowcount)  # type: ignore[attr-defined]  # DML results carry rowcount

    def remove_expired(self, moment: datetime) -> int:
        result = self._session.execute(delete(SignInSessionRow).where(SignInSessionRow.expires_at <= moment))
        return int(result.rowcount)  # type: ignore[attr-defined]


class SqlSignInFailureRepository(SqlRepository[SignInFailures, SignInFailureRow]):
    model = SignInFailures
    row_type = SignInFailureRow
    missing = "No failed sign-ins under {}."

    def find(self, key: str) -> SignInFailures | None:
        return self._first(select(SignInFailureRow).where(SignInFailureRow.key == key))

    def hold(self, key: str, *, at: datetime) -> SignInFailures:
        """INSERT … ON CONFLICT DO NOTHING, then SELECT … FOR UPDATE: two replicas counting a failure for the same
        address at the same moment neither fail on the key nor overwrite each other's count (on PostgreSQL the
        second waits for the first to commit; SQLite has one writer at a time from the insert on)."""
        values = {"key": key, "failures": 0, "last_failed_at": at, "locked_until": None, "expires_at": at}
        dialect = postgresql if self._session.get_bind().dialect.name == "postgresql" else sqlite
        self._session.execute(
            dialect.insert(SignInFailureRow).values(values).on_conflict_do_nothing(index_elements=["key"])
        )
        statement = (
            select(SignInFailureRow)
            .where(SignInFailureRow.key == key)
            .with_for_update()
            .execution_options(populate_existing=True)  # the row as committed now, not as find() read it
        )
        return self._to_item(self._session.scalars(statement).one())

    def save(self, record: SignInFailures) -> None:
        self._update(record, record.key)

    def forget(self, key: str) -> None:
        self._session.execute(delete(SignInFailureRow).where(SignInFailureRow.key == key))

    def remove_expired(self, moment: datetime) -> int:
        result = self._session.execute(delete(SignInFailureRow).where(SignInFailureRow.expires_at <= moment))
        return int(result.rowcount)  # type: ignore[attr-defined]
