"""CSRF tokens bound to a session id, signed and timestamped with itsdangerous; and the check that a
form post's Origin (or Referer) is this site's own.

The token carries a random nonce, a timestamp and a signature; the session id only enters the key,
so a token never reveals it.
"""

import hashlib
import secrets
from collections.abc import Iterable
from datetime import datetime
from urllib.parse import urlsplit

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


_DEFAULT_PORTS = {"http": 80, "https": 443}


def origin_of(url: str) -> str | None:
    """The serialised origin (``scheme://host[:port]``, default port left out) of an http(s) URL or
    Origin header; None for anything else (``null`` included)."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    try:
        host, port = parts.hostname, parts.port
    except ValueError:  # a port that isn't a number in range
        return None
    if scheme not in _DEFAULT_PORTS or not host:
        return None
    netloc = f"[{host}]" if ":" in host else host
    return f"{scheme}://{netloc}" if port in (None, _DEFAULT_PORTS[scheme]) else f"{scheme}://{netloc}:{port}"


def same_origin(*, origin: str | None, referer: str | None, own_origins: Iterable[str | None]) -> bool:
    """Whether a form post came from one of ``own_origins``, judged by its Origin header, or its
    Referer when the browser sent no Origin. A post with neither is not refused here: the CSRF
    token still has to match."""
    claimed = origin if origin is not None else referer
    if claimed is None:
        return True
    sent = origin_of(claimed)
    return sent is not None and sent in {origin_of(own) for own in own_origins if own}
