"""In-memory state of the Microsoft emulator: apps, users, grants, tokens, events, faults, log.

Plain data under one re-entrant lock; no HTTP here. Its clock is its own (see `wall_clock_now`).
"""

import secrets
import threading
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

PERSONAL_TENANT_ID = "9188040d-6c67-4c5b-b112-36a304b66dad"  # tid of every personal MSA [A5]
ACCESS_TOKEN_LIFETIME = timedelta(seconds=3599)  # AUTHCODE sample `expires_in`
REFRESH_TOKEN_LIFETIME = timedelta(days=90)  # RT: default lifetime, fixed per token
CODE_LIFETIME = timedelta(minutes=10)  # AUTHCODE: codes are short-lived, about 10 minutes
FLOW_LIFETIME = timedelta(hours=1)
MAX_CONCURRENT_PER_MAILBOX = 4  # THR-L: Outlook, per app ID + mailbox

AccountKind = Literal["work", "personal"]
RefreshFaultKind = Literal["revoked", "inactive", "consent_missing", "mfa"]


def wall_clock_now() -> datetime:
    """The real time. The sandbox is an independent program, not part of workestra, so it reads
    the wall clock itself instead of taking a workestra Clock; `MicrosoftState.now()` adds the
    offset set through the control API so tests can age tokens (e.g. 90 idle days)."""
    return datetime.now(UTC)  # noqa: TID251


def new_guid() -> str:
    return str(uuid.uuid4())


def opaque(prefix: str, nbytes: int = 24) -> str:
    return prefix + secrets.token_urlsafe(nbytes)


@dataclass(slots=True)
class App:
    client_id: str
    client_secret: str
    redirect_uris: list[str]
    name: str


@dataclass(slots=True)
class RefreshFault:
    kind: RefreshFaultKind
    set_at: datetime
    # Refresh tokens with a serial up to this one fail; a fresh sign-in issues working ones,
    # as after a real revocation, consent withdrawal or MFA challenge.
    up_to_serial: int


@dataclass(slots=True)
class Event:
    id: str
    ical_uid: str
    change_key: str
    created_at: datetime
    modified_at: datetime
    subject: str
    body_type: str  # "html" | "text"
    body_content: str
    starts_at: datetime  # aware UTC; for all-day events midnight UTC of the (floating) date
    ends_at: datetime
    start_zone: str
    end_zone: str
    organizer_name: str
    organizer_address: str
    is_organizer: bool = True
    is_all_day: bool = False
    is_cancelled: bool = False
    show_as: str = "busy"
    location: dict[str, Any] = field(default_factory=dict)
    attendees: list[dict[str, Any]] = field(default_factory=list)
    is_online_meeting: bool = False
    online_meeting_provider: str = "unknown"
    online_meeting: dict[str, Any] | None = None
    transaction_id: str | None = None
    allow_new_time_proposals: bool = True
    response_requested: bool = True
    is_reminder_on: bool = True
    reminder_minutes: int = 15
    importance: str = "normal"
    sensitivity: str = "normal"
    categories: list[str] = field(default_factory=list)
    hide_attendees: bool = False
    calendar_id: str | None = None  # None: the mailbox's default calendar [C4]
    response: str | None = None  # responseStatus.response when seeded (an attendee's answer)


@dataclass(slots=True)
class Calendar:
    """A calendar of the mailbox besides its default one [C4]: made by the user, or shared with
    them (``can_edit`` False: writing to it is refused)."""

    id: str
    name: str
    can_edit: bool = True


@dataclass(slots=True)
class RemovedEvent:
    event: Event
    reason: Literal["deleted", "cancelled"]
    comment: str | None


@dataclass(slots=True)
class User:
    id: str
    email: str
    display_name: str
    password: str
    kind: AccountKind
    tenant_id: str
    time_zone: str
    teams: bool = True
    has_calendar: bool = True
    mailbox_enabled: bool = True
    mail_null: bool = False
    admin_consent_required: bool = False  # users may not consent: only an admin of the tenant can
    is_admin: bool = False  # may grant admin consent for the tenant (a Global/Cloud App Administrator)
    calendar_id: str = field(default_factory=lambda: opaque("AAMkAGsbxCal", 12) + "=")
    calendars: dict[str, Calendar] = field(default_factory=dict)  # besides the default, by id
    dropped_scopes: set[str] = field(default_factory=set)  # lower-case short Graph names
    refresh_fault: RefreshFault | None = None
    events: dict[str, Event] = field(default_factory=dict)
    removed: list[RemovedEvent] = field(default_factory=list)
    transactions: dict[str, str] = field(default_factory=dict)  # transactionId -> event id

    @property
    def is_personal(self) -> bool:
        return self.kind == "personal"

    @property
    def object_id(self) -> str:
        """The `oid` claim: personal accounts carry their 16-hex-digit id in a zero GUID."""
        if self.is_personal:
            return f"00000000-0000-0000-{self.id[:4]}-{self.id[4:]}"
        return self.id

    @property
    def teams_enabled(self) -> bool:
        return self.kind == "work" and self.teams


@dataclass(slots=True)
class PendingAuthorization:
    """An /authorize request between the sign-in page, the consent page and the redirect."""

    id: str
    tenant: str
    client_id: str
    redirect_uri: str
    scopes: tuple[str, ...]  # canonical, as requested
    state: str | None
    code_challenge: str | None
    code_challenge_method: str | None
    response_mode: str
    nonce: str | None
    login_hint: str | None
    prompt: str | None
    expires_at: datetime
    user_id: str | None = None


@dataclass(slots=True)
class PendingAdminConsent:
    """An /adminconsent request between the admin's sign-in, the approval page and the redirect."""

    id: str
    tenant: str  # as in the path: a tenant id, a domain or `organizations`
    client_id: str
    redirect_uri: str
    scopes: tuple[str, ...]  # canonical, as requested
    state: str | None
    expires_at: datetime
    admin_id: str | None = None


@dataclass(slots=True)
class AuthorizationCode:
    code: str
    client_id: str
    user_id: str
    redirect_uri: str
    scopes: tuple[str, ...]  # canonical, granted
    code_challenge: str | None
    code_challenge_method: str | None
    nonce: str | None
    expires_at: datetime
    redeemed: bool = False


@dataclass(slots=True)
class RefreshToken:
    token: str
    client_id: str
    user_id: str
    scopes: tuple[str, ...]
    issued_at: datetime
    expires_at: datetime
    serial: int


@dataclass(slots=True)
class AccessToken:
    token: str
    client_id: str
    user_id: str
    scopes: tuple[str, ...]
    expires_at: datetime
    force_expired: bool = False


@dataclass(slots=True)
class Fault:
    status: int | None
    remaining: int
    email: str | None = None
    method: str | None = None
    path_contains: str | None = None
    retry_after: str | None = None
    delay_seconds: float = 0.0
    body: Any = None

    def matches(self, *, email: str | None, method: str, path: str) -> bool:
        if self.email is not None and (email is None or email.lower() != self.email.lower()):
            return False
        if self.method is not None and self.method.upper() != method.upper():
            return False
        return self.path_contains is None or self.path_contains.lower() in path.lower()


class MicrosoftState:
    """Everything the Microsoft emulator knows. Callers hold `lock` while reading or writing."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self.apps: dict[str, App] = {}
            self.users: dict[str, User] = {}  # by id
            self.user_ids_by_email: dict[str, str] = {}  # lower-case email -> id
            self.consents: dict[tuple[str, str], set[str]] = {}  # (user, client) -> canonical
            # Tenant-wide grants an admin made through /adminconsent: (tenant id, client) -> canonical
            self.admin_consents: dict[tuple[str, str], set[str]] = {}
            self.flows: dict[str, PendingAuthorization] = {}
            self.admin_flows: dict[str, PendingAdminConsent] = {}
            self.codes: dict[str, AuthorizationCode] = {}
            self.refresh_tokens: dict[str, RefreshToken] = {}
            self.access_tokens: dict[str, AccessToken] = {}
            self.faults: list[Fault] = []
            self.requests: list[dict[str, Any]] = []
            self.in_flight: dict[tuple[str, str], int] = {}
            self.auto_consent_email: str | None = None
            self.clock_offset = timedelta()
            # Added to every API request (not sign-in): a provider far away or slow today.
            self.latency_seconds = 0.0
            self._serial = 0

    def now(self) -> datetime:
        return wall_clock_now() + self.clock_offset

    def next_serial(self) -> int:
        with self.lock:
            self._serial += 1
            return self._serial

    def user_by_email(self, email: str) -> User | None:
        user_id = self.user_ids_by_email.get(email.strip().lower())
        return self.users.get(user_id) if user_id else None

    def add_user(self, user: User) -> None:
        self.users[user.id] = user
        self.user_ids_by_email[user.email.lower()] = user.id

    def take_fault(self, *, email: str | None, method: str, path: str) -> Fault | None:
        """The first armed fault matching the request, with one use consumed."""
        with self.lock:
            for fault in self.faults:
                if fault.remaining > 0 and fault.matches(email=email, method=method, path=path):
                    fault.remaining -= 1
                    return fault
            return None

    def acquire_slot(self, key: tuple[str, str]) -> bool:
        """Count one more request in flight for app + mailbox; False when over the limit."""
        with self.lock:
            if self.in_flight.get(key, 0) >= MAX_CONCURRENT_PER_MAILBOX:
                return False
            self.in_flight[key] = self.in_flight.get(key, 0) + 1
            return True

    def release_slot(self, key: tuple[str, str]) -> None:
        with self.lock:
            left = self.in_flight.get(key, 0) - 1
            if left > 0:
                self.in_flight[key] = left
            else:
                self.in_flight.pop(key, None)

    def log_request(self, entry: dict[str, Any]) -> None:
        with self.lock:
            self.requests.append(entry)
