"""Failed password sign-ins in a row, per typed address, whether or not an account has that address.

Counting only accounts told a prober which addresses have one (only they were answered ever more slowly, only
they locked). So every address counts the same way, in the database (replicas and restarts share it), under a
hash of the address rather than the address: HMAC-SHA256 keyed by `accounts.failure_key` when the operator set
one, which a copy of the database alone cannot reverse; else a plain SHA-256 of the normalised address. No
per-workspace secret exists that every deployment has and every replica shares (the OIDC cookie secret and the
Cal.com secret are optional; a key generated into data/runtime would differ per replica and split the counts;
one kept in the database would sit beside the hashes), and the records only live failure_memory_hours.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta

from core.config import AccountSettings
from core.models import SignInFailures, email_key
from core.unit_of_work import UnitOfWork

_UNKEYED_PREFIX = b"interview-workspace sign-in failures\x00"  # a plain hash here matches no other use of it


def failure_key(settings: AccountSettings, email: str) -> str:
    """The key an address's failures are counted under: any case and surrounding space give the same key."""
    address = (email_key(email) or "").encode("utf-8")
    secret = settings.failure_key.get_secret_value()
    if secret:
        return hmac.new(secret.encode("utf-8"), address, hashlib.sha256).hexdigest()
    return hashlib.sha256(_UNKEYED_PREFIX + address).hexdigest()


def current(uow: UnitOfWork, key: str, now: datetime) -> SignInFailures | None:
    """The address's failures now: None when it has none, or they are old enough to be forgotten."""
    record = uow.sign_in_failures.find(key)
    return record if record is not None and record.expires_at > now else None


def locked_until(record: SignInFailures | None, now: datetime) -> datetime | None:
    if record is None or record.locked_until is None or record.locked_until <= now:
        return None
    return record.locked_until


def count_failure(uow: UnitOfWork, settings: AccountSettings, key: str, now: datetime) -> SignInFailures:
    """One more failure for the address (locking it at lock_after_failures), and old records deleted on the way,
    so the table holds only addresses tried within failure_memory_hours. The caller commits."""
    record = uow.sign_in_failures.hold(key, at=now)
    if record.expires_at <= now:  # new, or forgotten: start again
        record.failures, record.locked_until = 0, None
    record.failures += 1
    record.last_failed_at = now
    if record.failures >= settings.lock_after_failures:
        record.locked_until = now + timedelta(minutes=settings.lock_minutes)
    record.expires_at = max(now + timedelta(hours=settings.failure_memory_hours), record.locked_until or now)
    uow.sign_in_failures.save(record)
    uow.sign_in_failures.remove_expired(now)
    return record


def forget(uow: UnitOfWork, settings: AccountSettings, email: str) -> None:
    """After a sign-in, an unlock or a new password (or a new account): the address starts from no failures."""
    uow.sign_in_failures.forget(failure_key(settings, email))
