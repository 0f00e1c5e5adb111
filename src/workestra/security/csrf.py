"""CSRF tokens bound to a session id, signed and timestamped with itsdangerous.

The token carries a random nonce, a timestamp and a signature; the session id only enters the key,
so a token never reveals it.
"""

import hashlib
import secrets
from datetime import datetime

from itsdangerous import BadSignature, TimestampSigner

_SALT = "workestra-csrf"


class _Signer(TimestampSigner):
    """A TimestampSigner whose clock is the caller's ``now`` when one is given."""

    def __init__(self, secret_key: str, *, session_id: str, now: datetime | None) -> None:
        # Salting with the session id binds the signature to it (key = HMAC(secret, salt)).
        super().__init__(
            secret_key,
            salt=f"{_SALT}:{session_id}",
            key_derivation="hmac",
            digest_method=hashlib.sha256,
        )
        self._now = now

    def get_timestamp(self) -> int:
        if self._now is None:
            return super().get_timestamp()
        return int(self._now.timestamp())


class CsrfSigner:
    __slots__ = ("_secret_key",)

    def __init__(self, secret_key: str) -> None:
        if not secret_key:
            raise ValueError("secret_key must not be empty")
        self._secret_key = secret_key

    def issue(self, session_id: str, *, now: datetime | None = None) -> str:
        signer = _Signer(self._secret_key, session_id=session_id, now=now)
        return signer.sign(secrets.token_urlsafe(16)).decode("ascii")

    def verify(
        self,
        token: str,
        session_id: str,
        max_age_seconds: int = 86400,
        *,
        now: datetime | None = None,
    ) -> bool:
        """True for a token issued for ``session_id`` at most ``max_age_seconds`` before ``now``."""
        signer = _Signer(self._secret_key, session_id=session_id, now=now)
        try:
            signer.unsign(token, max_age=max_age_seconds)
        except BadSignature:  # includes SignatureExpired and malformed tokens
            return False
        return True
