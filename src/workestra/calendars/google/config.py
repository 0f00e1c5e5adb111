"""GoogleConfig: the app registration and every endpoint the Google adapter talks to.

Built from Settings by the composition root; the adapter never reads settings or the environment.
"""

from dataclasses import dataclass, field

DEFAULT_AUTH_URL = "https://accounts.google.com/o/oauth2/v2/auth"
DEFAULT_TOKEN_URL = "https://oauth2.googleapis.com/token"  # noqa: S105 - an endpoint, not a secret
DEFAULT_CALENDAR_URL = "https://www.googleapis.com/calendar/v3"
DEFAULT_REVOKE_URL = "https://oauth2.googleapis.com/revoke"


@dataclass(frozen=True, slots=True, kw_only=True)
class GoogleConfig:
    """Endpoints of PROVIDER-APIS G1 (OAuth) and G2-G4 (Calendar API v3).

    ``calendar_url`` is a root (a trailing slash is tolerated); pointing the four URLs at the
    sandbox is the only difference between tests and production. ``revoke_url`` None: the adapter
    never revokes (disconnecting then only forgets the tokens).
    """

    client_id: str
    client_secret: str = field(repr=False)
    redirect_uri: str
    auth_url: str = DEFAULT_AUTH_URL
    token_url: str = DEFAULT_TOKEN_URL
    calendar_url: str = DEFAULT_CALENDAR_URL
    revoke_url: str | None = DEFAULT_REVOKE_URL

    def calendar(self, path: str) -> str:
        """Absolute Calendar API URL for ``path`` (``/freeBusy``)."""
        return f"{self.calendar_url.rstrip('/')}{path}"
