"""The calendar port: what the booking core asks of any provider, and the value types it exchanges.

Adapters implement ``CalendarProvider`` (and, for OAuth providers, ``OAuthClient``); they never touch
the database: credentials come in through a ``CredentialSource`` the services layer implements.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from workestra.calendars.errors import CalendarError
from workestra.enums import CalendarProviderName
from workestra.scheduling import Interval


class CredentialSource(Protocol):
    """Hands an adapter a valid access token for one connection (refreshing and persisting as needed)."""

    @property
    def connection_key(self) -> str:
        """Stable id of the connection (one mailbox): adapters key per-mailbox limits on it."""
        ...

    async def access_token(self, *, rejected: str | None = None) -> str:
        """A bearer token that is not ``rejected`` (the one the provider just answered 401 to).

        With ``rejected``, a token another process already refreshed is returned as is; otherwise
        one refresh happens. Raises ``NeedsReauth`` when the grant is dead.
        """
        ...


@dataclass(frozen=True, slots=True)
class Attendee:
    email: str
    name: str


@dataclass(frozen=True, slots=True)
class EventDraft:
    """An event to create on the host's calendar for one booking."""

    idempotency_key: str  # stable per booking: Graph transactionId / Google client event id
    subject: str
    body_text: str
    starts_at: datetime  # aware UTC
    ends_at: datetime  # aware UTC
    timezone: str  # IANA zone of the booking link; the event is created in it
    attendee: Attendee
    online_meeting: bool  # ask the provider for a Teams / Meet link


@dataclass(frozen=True, slots=True)
class CreatedEvent:
    event_id: str
    ical_uid: str | None
    join_url: str | None  # None when no meeting link exists (asked or not)
    web_link: str | None = None


@dataclass(frozen=True, slots=True)
class CalendarHealth:
    """What a health check learned about the connected calendar."""

    calendar_found: bool
    online_meeting_providers: tuple[str, ...]
    teams_available: bool
    personal_account: bool


@dataclass(frozen=True, slots=True)
class TokenGrant:
    """A token endpoint answer, normalised. ``scopes`` are short names (``Calendars.ReadWrite``)."""

    access_token: str
    refresh_token: str | None
    expires_in: int  # seconds from the moment of the answer
    scopes: frozenset[str]
    tenant_id: str | None = None  # from the id_token, when there is one


@dataclass(frozen=True, slots=True)
class AccountProfile:
    account_id: str
    email: str
    display_name: str
    personal_account: bool | None = None  # None when the provider's answer doesn't tell


class CalendarProvider(Protocol):
    name: CalendarProviderName

    async def busy_intervals(self, credentials: CredentialSource, window: Interval) -> list[Interval]:
        """Busy time overlapping ``window`` (UTC, half-open), merged or not; never a guess.

        Raises a ``CalendarError`` when the calendar cannot be read.
        """
        ...

    async def create_event(self, credentials: CredentialSource, draft: EventDraft) -> CreatedEvent:
        """Create the event idempotently (a retry with the same draft never makes a second one)."""
        ...

    async def cancel_event(self, credentials: CredentialSource, event_id: str) -> None: ...

    async def check_health(self, credentials: CredentialSource) -> CalendarHealth: ...


class OAuthClient(Protocol):
    """Authorization-code + PKCE flow and refresh against one identity provider."""

    required_scopes: frozenset[str]  # without these nothing works
    requested_scopes: tuple[str, ...]  # what the authorize URL asks for (the host should grant all)

    def authorization_url(
        self, *, state: str, code_verifier: str, redirect_uri: str, login_hint: str | None = None
    ) -> str: ...

    async def exchange_code(self, *, code: str, code_verifier: str, redirect_uri: str) -> TokenGrant: ...

    async def refresh(self, refresh_token: str) -> TokenGrant: ...

    async def fetch_profile(self, access_token: str) -> AccountProfile: ...

    def authorization_error(self, error: str, description: str | None) -> CalendarError:
        """The provider error a callback's ``error``/``error_description`` stand for."""
        ...
