"""OAuth pieces every provider's client shares: PKCE (RFC 7636) and reading an id_token's claims."""

import base64
import binascii
import hashlib
import re
import secrets
from typing import TypeVar

from pydantic import BaseModel

_PKCE_VERIFIER = re.compile(r"[A-Za-z0-9\-._~]{43,128}")  # RFC 7636 section 4.1
_Claims = TypeVar("_Claims", bound=BaseModel)


def new_code_verifier() -> str:
    """A fresh PKCE verifier (86 unreserved characters); keep it server-side with the state."""
    return secrets.token_urlsafe(64)


def code_challenge(code_verifier: str) -> str:
    """PKCE S256: base64url(sha256(verifier)) without padding (RFC 7636 section 4.2)."""
    if not _PKCE_VERIFIER.fullmatch(code_verifier):
        raise ValueError("a PKCE code verifier is 43-128 unreserved characters")
    digest = hashlib.sha256(code_verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def id_token_claims(id_token: str | None, model: type[_Claims]) -> _Claims | None:
    """The payload of an id_token as ``model``, unverified on purpose: it came straight from the
    token endpoint over TLS and only names the account. A malformed one gives None, never an error
    (it costs what it would have told, never the grant)."""
    if not id_token:
        return None
    parts = id_token.split(".")
    if len(parts) < 2:
        return None
    payload = parts[1] + "=" * (-len(parts[1]) % 4)
    try:
        return model.model_validate_json(base64.urlsafe_b64decode(payload))
    except (binascii.Error, ValueError):  # pydantic's ValidationError is a ValueError
        return None
