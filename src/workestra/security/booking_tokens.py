"""The invitee's reschedule and cancel tokens: one per purpose and booking, unguessable, stored hashed.

A token is an HMAC of the purpose and the booking id under the server's secret key, so the worker
can put it in an email long after the booking was made without any copy being kept; the database
keeps only its SHA-256 digest, which is what a presented token is checked against. A token for one
purpose never works for the other, and tells nothing about any other booking.

A team invitation's emailed link carries a token made the same way (purpose ``team_invitation``,
the invited member row's id in place of the booking's), stored hashed on that row.
"""

import base64
import hashlib
import hmac
from enum import StrEnum


class TokenPurpose(StrEnum):
    CANCEL = "cancel"
    RESCHEDULE = "reschedule"
    TEAM_INVITATION = "team_invitation"  # the id is a team member row's (an invitation)


class BookingTokens:
    def __init__(self, secret_key: str) -> None:
        self._key = hashlib.sha256(f"workestra booking tokens\x00{secret_key}".encode()).digest()

    def issue(self, booking_id: str, purpose: TokenPurpose) -> str:
        """The token for ``purpose`` on this booking (43 URL-safe characters)."""
        mac = hmac.new(self._key, f"{purpose.value}\x00{booking_id}".encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(mac).rstrip(b"=").decode("ascii")

    def digest(self, booking_id: str, purpose: TokenPurpose) -> str:
        """What the database keeps: the SHA-256 of the token, never the token."""
        return digest(self.issue(booking_id, purpose))


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def matches(token: str, stored_digest: str | None) -> bool:
    """Whether a presented token is the one whose digest is stored (constant time)."""
    if not stored_digest or not token or len(token) > 200:
        return False
    return hmac.compare_digest(digest(token), stored_digest)
