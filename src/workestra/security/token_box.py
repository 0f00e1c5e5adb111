"""Encrypts secrets at rest (provider tokens) with Fernet; the key is derived from the app secret.

Never logs or echoes plaintext; every failure to open a sealed value is one ``TokenBoxError``.
"""

import base64
from collections.abc import Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

_HKDF_INFO = b"workestra token box v1"


class TokenBoxError(Exception):
    """A sealed value was tampered with, truncated, or sealed under a key we do not hold."""


def _fernet_key(secret_key: str) -> bytes:
    if not secret_key:
        raise ValueError("secret_key must not be empty")
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_HKDF_INFO).derive(
        secret_key.encode()
    )
    return base64.urlsafe_b64encode(derived)


class TokenBox:
    """Seals with ``secret_key``; opens with it or any of ``previous_secret_keys``.

    Rotation: deploy the new secret with the old one in ``previous_secret_keys``, re-seal what
    is stored (``open`` then ``seal``), then drop the old secret.
    """

    __slots__ = ("_fernet",)

    def __init__(self, secret_key: str, *, previous_secret_keys: Sequence[str] = ()) -> None:
        keys = [secret_key, *previous_secret_keys]
        self._fernet = MultiFernet([Fernet(_fernet_key(key)) for key in keys])

    def seal(self, plaintext: str) -> str:
        return self._fernet.encrypt(plaintext.encode()).decode("ascii")

    def open(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except (InvalidToken, UnicodeError) as exc:
            raise TokenBoxError("sealed value could not be opened") from exc
