"""Password hashing with argon2id (argon2-cffi's defaults, the RFC 9106 low-memory profile)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from core.errors import InvalidInput

MIN_LENGTH = 10
MAX_LENGTH = 1024  # longer input is refused before hashing: hashing cost must not be the caller's to choose

_hasher = PasswordHasher()
# Verified against when the email is unknown, so a wrong email costs the same time as a wrong password.
DECOY_HASH = _hasher.hash("not a password anyone has")


def check_strength(password: str) -> None:
    """Raises InvalidInput with what to change; length is what matters most (NIST SP 800-63B)."""
    if len(password) < MIN_LENGTH:
        raise InvalidInput(f"Choose a password of at least {MIN_LENGTH} characters.")
    if len(password) > MAX_LENGTH:
        raise InvalidInput(f"A password can be at most {MAX_LENGTH} characters.")
    if len(set(password)) < 4:
        raise InvalidInput("That password repeats too few characters; choose a less guessable one.")


def hash_password(password: str) -> str:
    check_strength(password)
    return _hasher.hash(password)


def verify(password_hash: str | None, password: str) -> bool:
    """True when `password` matches; an account without a password (identity provider only) never matches."""
    if len(password) > MAX_LENGTH:
        return False
    try:
        return _hasher.verify(password_hash or DECOY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """After a successful sign-in: re-hash when the stored parameters are older than today's defaults."""
    try:
        return _hasher.check_needs_rehash(password_hash)
    except InvalidHashError:
        return True
