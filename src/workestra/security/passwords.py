"""Argon2id password hashing (argon2-cffi, RFC 9106 low-memory profile); never logs passwords."""

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError


@cache
def _hasher() -> PasswordHasher:
    # Built on first use, not at import (STYLE 4.2). argon2-cffi's defaults are argon2id.
    return PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password: str, hashed: str) -> bool:
    """True when ``password`` matches; False for a mismatch or a malformed/foreign hash."""
    try:
        return _hasher().verify(hashed, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(hashed: str) -> bool:
    """True when ``hashed`` was made with weaker parameters than today's (or is not ours)."""
    try:
        return _hasher().check_needs_rehash(hashed)
    except InvalidHashError:
        return True
