"""The calendar port: what the booking core asks of any provider, and the value types it exchanges.

Adapters implement ``CalendarProvider`` (and, for OAuth providers, ``OAuthClient``); they never touch
the database: credentials come in through a ``CredentialSource`` the services layer implements.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, runtime_checkable

from workestra.calendars.busy_rules import DEFAULT_RULES, BusyRules
from workestra.calendars.errors import CalendarError
from workestra.enums import AccountKind, CalendarProviderName
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
class CalendarChoice:
    """Which of a connection's calendars count, as the host chose them (issue 12).

    ``conflict_calendars`` empty: the primary calendar alone hides slots. ``destination`` None: new
    events go to the primary calendar. ``busy_rules``: what blocks, for adapters whose busy read
    sees each entry (Microsoft); one that only gets busy time (Google's freeBusy) can't apply them.
    """

    conflict_calendars: tuple[str, ...] = ()
    destination: str | None = None
    busy_rules: BusyRules = DEFAULT_RULES


PRIMARY_ONLY = CalendarChoice()


@dataclass(frozen=True, slots=True)
class ChoiceSupport:
    """Which parts of a ``CalendarChoice`` an adapter honours; the rest the host isn't offered."""

    conflict_calendars: bool = False  # busy time from calendars other than the primary
    destination: bool = False  # new events in a calendar other than the primary
    busy_rules: bool = False  # its busy read sees each entry, so the busy rules can apply


NO_CHOICES = ChoiceSupport()


@runtime_checkable
class ChoosesCalendars(Protocol):
    """A ``CredentialSource`` that also says which calendars of its connection count.

    Optional beside ``CredentialSource`` (adapters ask with ``isinstance``, see ``choice_of``): a
    source without it means the primary calendar and the default busy rules, so every caller and
    every other source keeps working unchanged.
    """

    async def calendar_choice(self) -> CalendarChoice:
        """The connection's current choice (read with its tokens: no second trip where avoidable).
        Raises ``NeedsReauth`` when the connection is gone, as ``access_token`` does."""
        ...


async def choice_of(credentials: CredentialSource) -> CalendarChoice:
    """The choice a credential source carries, or the primary calendar with the default rules."""
    if isinstance(credentials, ChoosesCalendars):
        return await credentials.calendar_choice()
    return PRIMARY_ONLY


@dataclass(frozen=True, slots=True)
class CalendarInfo:
    """One calendar of the connected account, as ``list_calendars`` finds it."""

    id: str  # the provider's own id (Google's primary is the account's address, never "primary")
    name: str
    is_primary: bool
    can_edit: bool  # new events may be written to it


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
    online_meeting: bool  # ask the provider for its meeting link (``CalendarTerms.meeting_link``)


@dataclass(frozen=True, slots=True)
class CreatedEvent:
    event_id: str
    ical_uid: str | None
    join_url: str | None  # None when no meeting link exists (asked or not), or not yet
    web_link: str | None = None
    # The provider took the request for a meeting link and makes it later (Google Meet): read the
    # event again (``read_event``) until ``join_url`` arrives or ``meeting_pending`` turns False.
    meeting_pending: bool = False


@dataclass(frozen=True, slots=True)
class BusyEvent:
    """Busy time with what the calendar calls it (for the host's own eyes only: the troubleshooter).

    ``subject`` is None when the provider's busy read doesn't say (Google's freeBusy) or the event
    has none."""

    interval: Interval
    subject: str | None = None


@dataclass(frozen=True, slots=True)
class MeetingCapability:
    """Whether this calendar can attach its meeting link to events, as a health check found it."""

    available: bool
    offered: tuple[str, ...] = ()  # the provider's own names for what the calendar allows


@dataclass(frozen=True, slots=True)
class CalendarHealth:
    """What a health check learned about the connected calendar."""

    calendar_found: bool
    meeting: MeetingCapability
    account_kind: AccountKind | None = None  # None when the answer doesn't tell


@dataclass(frozen=True, slots=True)
class AccountProfile:
    account_id: str
    email: str
    display_name: str
    account_kind: AccountKind | None = None  # None when the provider's answer doesn't tell


@dataclass(frozen=True, slots=True)
class TokenGrant:
    """A token endpoint answer, normalised. ``scopes`` are the provider's names, as
    ``OAuthClient.permissions`` spells them."""

    access_token: str
    refresh_token: str | None
    expires_in: int  # seconds from the moment of the answer
    scopes: frozenset[str]
    organization_id: str | None = None  # the directory the account belongs to, when the answer says
    account_kind: AccountKind | None = None  # None when the answer doesn't tell
    # The account, when the answer names it (an OpenID id_token); else ``fetch_profile`` asks.
    account: AccountProfile | None = None


@dataclass(frozen=True, slots=True)
class Permission:
    """One scope the connection asks for, in the host's words (the card's permission table)."""

    scope: str
    purpose: str  # what Workestra does with it
    if_missing: str  # what stops working without it
    required: bool  # without it nothing works (vs. only a feature, e.g. meeting links)
    # False when the provider never echoes it among the granted scopes: a refresh token proves it.
    echoed: bool = True


@dataclass(frozen=True, slots=True)
class CalendarTerms:
    """How the host-facing texts name this provider's things; the only provider words in services."""

    meeting_link: str  # "Microsoft Teams", "Google Meet"
    # Why a personal account gets no meeting link, or "" when personal accounts do get one.
    personal_account_limit: str = ""
    # What else to check when no usable calendar is found (e.g. a mailbox enabled for the service).
    calendar_not_found_hint: str = ""


class CalendarProvider(Protocol):
    name: CalendarProviderName
    terms: CalendarTerms
    choices: ChoiceSupport  # what of the host's CalendarChoice this adapter honours

    async def busy_intervals(self, credentials: CredentialSource, window: Interval) -> list[Interval]:
        """Busy time overlapping ``window`` (UTC, half-open), merged or not; never a guess.

        Read from the calendars the connection's ``CalendarChoice`` names (``choice_of``), under its
        busy rules where the provider's read allows. Raises a ``CalendarError`` when a calendar
        cannot be read (``CalendarNotFound`` for a chosen calendar that no longer exists).
        """
        ...

    async def busy_events(self, credentials: CredentialSource, window: Interval) -> list[BusyEvent]:
        """The busy time ``busy_intervals`` reads, each with its event's subject where the provider
        gives one. Slower or wider than ``busy_intervals``: for a host looking at their own
        calendar, never for booking pages. Raises a ``CalendarError`` when it cannot be read.
        """
        ...

    async def create_event(self, credentials: CredentialSource, draft: EventDraft) -> CreatedEvent:
        """Create the event idempotently (a retry with the same draft never makes a second one), in
        the choice's destination calendar where the provider supports one."""
        ...

    async def list_calendars(self, credentials: CredentialSource) -> list[CalendarInfo]:
        """Every calendar of the connected account the host could choose, the primary among them.
        Raises a ``CalendarError`` when they cannot be listed."""
        ...

    async def update_event(
        self, credentials: CredentialSource, event_id: str, draft: EventDraft
    ) -> CreatedEvent:
        """Move the event in place to the draft's times, subject and body: the same event id and
        the same meeting link; the provider tells the attendee. Repeating it changes nothing more.

        Raises ``CalendarNotFound`` when the event is gone."""
        ...

    async def read_event(self, credentials: CredentialSource, event_id: str) -> CreatedEvent:
        """The event as it stands now (a meeting link made after ``create_event`` shows here).

        Raises ``CalendarNotFound`` when the event is gone."""
        ...

    async def cancel_event(self, credentials: CredentialSource, event_id: str) -> None: ...

    async def check_health(self, credentials: CredentialSource) -> CalendarHealth: ...


class OAuthClient(Protocol):
    """Authorization-code + PKCE flow and refresh against one identity provider."""

    permissions: tuple[Permission, ...]  # what the authorize URL asks for (the host should grant all)

    def authorization_url(
        self, *, state: str, code_verifier: str, redirect_uri: str, login_hint: str | None = None
    ) -> str: ...

    async def exchange_code(self, *, code: str, code_verifier: str, redirect_uri: str) -> TokenGrant: ...

    async def refresh(self, refresh_token: str) -> TokenGrant: ...

    async def fetch_profile(self, access_token: str) -> AccountProfile: ...

    def authorization_error(self, error: str, description: str | None) -> CalendarError:
        """The provider error a callback's ``error``/``error_description`` stand for."""
        ...


@runtime_checkable
class AdminConsentClient(Protocol):
    """An identity provider whose organisations' admins can approve the app for all their users.

    Optional beside ``OAuthClient`` (only some providers have it); services ask with ``isinstance``.
    Nothing is issued: after the approval each user connects through the ordinary flow.
    """

    def admin_consent_url(self, *, state: str, redirect_uri: str, tenant: str | None = None) -> str:
        """Where an admin approves the app; ``tenant`` is the organisation (directory) id when
        known, else any organisation whose admin signs in."""
        ...

    def admin_consent_error(self, error: str, description: str | None) -> CalendarError:
        """The approval callback's ``error``: ConsentDeclined when the admin said no,
        AdminConsentRequired when who signed in can't approve for the organisation."""
        ...
