"""API keys ``wk_<prefix>_<secret>``: the prefix finds the row, the SHA-256 digest proves the key.

Only the digest is stored; the full key is shown once and never logged.
"""

import hashlib
import hmac
import re
import secrets

_SCHEME = "wk"
_PREFIX_BYTES = 5  # 10 hex characters
_SECRET_BYTES = 32  # 43 url-safe base64 characters
_KEY_PATTERN = re.compile(r"wk_(?P<prefix>[0-9a-f]{10})_[A-Za-z0-9_-]{43}")


def hash_api_key(key: str) -> str:
    # A plain hash is enough: the key carries 256 random bits, so there is nothing to brute-force.
    return hashlib.sha256(key.encode()).hexdigest()


def generate_api_key() -> tuple[str, str, str]:
    """Return ``(full key, prefix, digest)``; store the prefix and digest, show the key once."""
    prefix = secrets.token_hex(_PREFIX_BYTES)
    key = f"{_SCHEME}_{prefix}_{secrets.token_urlsafe(_SECRET_BYTES)}"
    return key, prefix, hash_api_key(key)


def parse_prefix(key: str) -> str | None:
    """The lookup prefix of a well-formed key, or None."""
    match = _KEY_PATTERN.fullmatch(key)
    return match["prefix"] if match else None


def verify_api_key(key: str, digest: str) -> bool:
    """Constant-time comparison of ``key``'s digest with the stored one."""
    return hmac.compare_digest(hash_api_key(key), digest)
