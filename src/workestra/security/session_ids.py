"""Browser session ids: 256 random bits in the cookie, of which only the SHA-256 is ever stored.

A plain hash is enough (as for API keys): the id is random, so there is nothing to brute-force, and
a copy of the store gives nobody a cookie that works.
"""

import hashlib
import re
import secrets

_ID_BYTES = 32  # 43 url-safe base64 characters
_ID_PATTERN = re.compile(r"[A-Za-z0-9_-]{43}")


def new_session_id() -> str:
    return secrets.token_urlsafe(_ID_BYTES)


def is_session_id(value: str) -> bool:
    """True for something ``new_session_id`` could have made (anything else is never looked up)."""
    return _ID_PATTERN.fullmatch(value) is not None


def session_key(session_id: str) -> str:
    """What the store keeps instead of the id."""
    return hashlib.sha256(session_id.encode("ascii")).hexdigest()
