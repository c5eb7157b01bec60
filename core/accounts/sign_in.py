"""Signing in and staying signed in: passwords with a lock after repeated failures, sign-in sessions held
by a browser cookie (only a hash of the token is stored), sign-out, and identities from an OIDC provider.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from core import audit
from core.accounts import failed_sign_ins, passwords
from core.accounts.services import new_account
from core.errors import AlreadyExists, SignInRefused
from core.models import Account, AccountRole, SignInSession, email_key
from core.unit_of_work import UnitOfWork
from core.workspace import Workspace

log = logging.getLogger(__name__)

WRONG = "Wrong email or password."  # the same for an unknown email: nobody learns who has an account
TOUCH_EVERY = timedelta(minutes=1)  # a page run extends the sign-in at most this often (one write, not one per run)


@dataclass(frozen=True)
class SignedIn:
    account: Account
    token: str  # for the browser's cookie; never stored


@dataclass(frozen=True)
class Resumed:
    """What a browser's token is worth now: the account, or why not (expired tells a person to sign in again)."""

    account: Account | None
    expired: bool = False


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def failure_delay(failures: int) -> float:
    """Seconds to wait before answering a failed sign-in: grows with the failures in a row, capped."""
    return min(0.25 * 2 ** max(failures - 1, 0), 4.0)


def sign_in_with_password(ws: Workspace, email: str, password: str) -> SignedIn:
    """Raises SignInRefused (wrong, locked or disabled) carrying the address's failures in a row, for the delay.

    An address with no account takes the same steps as an account with a wrong password, so neither answer nor
    timing says which addresses have accounts: an argon2 check (against a decoy hash), a count under the
    address's hash in the same table, the same lock and the same message. Only the audit entry is the account's.
    """
    now = ws.clock()
    settings = ws.settings.accounts
    key = failed_sign_ins.failure_key(settings, email)
    with ws.uow_factory() as uow:
        account = uow.accounts.by_email(email) if email_key(email) else None
        matches = passwords.verify(account.password_hash if account else None, password)
        record = failed_sign_ins.current(uow, key, now)
        locked = failed_sign_ins.locked_until(record, now)
        if record is not None and locked is not None:  # even the right password waits for the lock to end
            raise SignInRefused(_locked_message(locked), failures=record.failures)
        if account is None or not matches:
            record = failed_sign_ins.count_failure(uow, settings, key, now)
            locked = failed_sign_ins.locked_until(record, now)
            if account is not None:  # mirrored for the People page and the audit log
                account.failed_sign_ins = record.failures
                account.locked_until = locked
                uow.accounts.update(account)
                detail: dict[str, object] = {"account": account.id, "failures": record.failures}
                if locked is not None:
                    detail["locked_until"] = locked.isoformat()
                audit.record(uow, "sign_in_failed", actor=account.audit_name, detail=detail, logger=log)
            uow.commit()
            if locked is not None:
                raise SignInRefused(_locked_message(locked), failures=record.failures)
            raise SignInRefused(WRONG, failures=record.failures)
        if not account.active:
            raise SignInRefused(
                "This account is disabled. Ask an administrator to enable it.",
                failures=record.failures if record else 0,
            )
        if account.password_hash and passwords.needs_rehash(account.password_hash):
            account.password_hash = passwords.hash_password(password)
        account.failed_sign_ins = 0
        account.locked_until = None
        uow.sign_in_failures.forget(key)
        uow.sign_in_failures.remove_expired(now)
        return _start(ws, uow, account, method="password")


def identity_account(ws: Workspace, *, email: str, email_verified: bool, name: str) -> Account:
    """The account for an identity the OIDC provider vouched for: the one with this verified email, or a new
    one when its domain is allow-listed; anyone else needs an invitation (an account an admin added).
    Streamlit's own signed cookie is the sign-in session for these people, so no token is issued here."""
    if not email_verified or email_key(email) is None:
        raise SignInRefused("Your identity provider did not confirm your email address, so it cannot sign you in.")
    with ws.uow_factory() as uow:
        account = uow.accounts.by_email(email)
    if account is None:
        try:
            account = _join(ws, email=email, name=name)
        except AlreadyExists:  # another tab of the same person joined at the same moment: theirs is the account
            with ws.uow_factory() as uow:
                account = uow.accounts.by_email(email)
            if account is None:
                raise
    if not account.active:
        raise SignInRefused("This account is disabled. Ask an administrator to enable it.")
    return account


def _join(ws: Workspace, *, email: str, name: str) -> Account:
    """A new account for an allow-listed domain, with the configured roles."""
    settings = ws.settings.accounts
    domain = email.rsplit("@", 1)[-1].strip().lower()
    if domain not in {d.strip().lower().lstrip("@") for d in settings.oidc_allowed_domains}:
        raise SignInRefused("You have not been invited to this workspace. Ask an administrator to add you.")
    roles = [AccountRole(r) for r in settings.oidc_default_roles] or [AccountRole.CANDIDATE]
    with ws.uow_factory() as uow:
        account = uow.accounts.add(new_account(email, name or email.split("@")[0], roles, ""))
        audit.record(uow, "account_created", actor="identity provider", detail={"account": account.id})
        uow.commit()
    return account


def note_identity_sign_in(ws: Workspace, account: Account) -> None:
    """Once per browser session signed in through the identity provider: when, and in the audit log."""
    with ws.uow_factory() as uow:
        stored = uow.accounts.get(account.id)
        stored.last_sign_in_at = ws.clock()
        uow.accounts.update(stored)
        audit.record(uow, "signed_in", actor=account.audit_name, detail={"method": "oidc"})
        uow.commit()


def resume(ws: Workspace, token: str | None) -> Resumed:
    """The account a browser's token signs in, extending the sign-in while it is used."""
    if not token:
        return Resumed(None)
    now = ws.clock()
    key = token_hash(token)
    with ws.uow_factory() as uow:
        held = uow.sign_ins.find(key)
        if held is None:
            return Resumed(None)
        if held.expires_at <= now:
            uow.sign_ins.remove(key)
            uow.commit()
            return Resumed(None, expired=True)
        account = uow.accounts.get(held.account_id)
        if not account.active:
            return Resumed(None)
        if held.last_seen_at is None or now - held.last_seen_at >= TOUCH_EVERY:
            uow.sign_ins.touch(key, seen_at=now, expires_at=_expiry(ws, held.created_at or now, now))
            uow.commit()
        return Resumed(account)


def sign_out(ws: Workspace, token: str | None) -> None:
    if not token:
        return
    with ws.uow_factory() as uow:
        held = uow.sign_ins.find(token_hash(token))
        if held is None:
            return
        uow.sign_ins.remove(held.token_hash)
        audit.record(uow, "signed_out", actor=f"account:{held.account_id}")
        uow.commit()


def _start(ws: Workspace, uow: UnitOfWork, account: Account, *, method: str) -> SignedIn:
    """Opens a sign-in for `account` inside `uow` and commits; old expired sign-ins are swept on the way."""
    now = ws.clock()
    token = secrets.token_urlsafe(32)
    account.last_sign_in_at = now
    stored = uow.accounts.update(account)
    uow.sign_ins.remove_expired(now)
    held = SignInSession(token_hash(token), account.id, expires_at=_expiry(ws, now, now), created_at=now, method=method)
    uow.sign_ins.add(held)
    audit.record(uow, "signed_in", actor=account.audit_name, detail={"method": method})
    uow.commit()
    return SignedIn(stored, token)


def _expiry(ws: Workspace, created_at: datetime, now: datetime) -> datetime:
    settings = ws.settings.accounts
    return min(now + timedelta(hours=settings.session_hours), created_at + timedelta(days=settings.max_session_days))


def _locked_message(until: datetime) -> str:
    return (
        f"Too many wrong passwords: this account is locked until {until:%H:%M} UTC. "
        "Try again then, or ask an administrator to unlock it."
    )
