"""In-memory state of the Google emulator: apps, accounts, grants, tokens, events, faults, log.

Plain data under one re-entrant lock; no HTTP here. Its clock is its own (see `wall_clock_now`).
"""

import secrets
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

ACCESS_TOKEN_LIFETIME = timedelta(seconds=3599)  # G1: `expires_in` ~3599
CODE_LIFETIME = timedelta(minutes=10)  # [R] codes are short-lived and single-use
FLOW_LIFETIME = timedelta(hours=1)
TESTING_REFRESH_LIFETIME = timedelta(days=7)  # G1: app in Testing status, External users
IDLE_REFRESH_LIFETIME = timedelta(days=183)  # G1: refresh token unused for six months
MAX_REFRESH_TOKENS = 100  # G1: live refresh tokens per account per client; oldest dropped

AccountKind = Literal["workspace", "consumer"]
AccessRole = Literal["freeBusyReader", "reader", "writer", "owner"]
MeetOutcome = Literal["success", "failure"]


def wall_clock_now() -> datetime:
    """The real time. The sandbox is an independent program, not part of workestra, so it reads
    the wall clock itself; `GoogleState.now()` adds the offset set through the control API so
    tests can age tokens (7-day Testing tokens, six idle months)."""
    return datetime.now(UTC)  # noqa: TID251


def opaque(prefix: str, nbytes: int = 24) -> str:
    return prefix + secrets.token_urlsafe(nbytes)


@dataclass(slots=True)
class App:
    client_id: str
    client_secret: str
    redirect_uris: list[str]
    name: str
    testing: bool = False  # "Testing" publishing status: refresh tokens last 7 days


@dataclass(slots=True)
class Conference:
    """A Meet conference being created asynchronously [G3]: pending until resolved."""

    request_id: str
    solution_type: str
    outcome: MeetOutcome
    reads_left: int
    ready_at: datetime
    status: Literal["pending", "success", "failure"] = "pending"
    conference_id: str | None = None
    signature: str | None = None


@dataclass(slots=True)
class Event:
    id: str
    calendar_email: str  # the calendar (account) holding it
    starts_at: datetime  # aware UTC; all-day events at midnight in the calendar's zone
    ends_at: datetime
    created_at: datetime
    updated_at: datetime
    resource: dict[str, Any]  # writable properties as stored (start, end, summary, ...)
    organizer_email: str
    creator_email: str
    ical_uid: str
    status: Literal["confirmed", "tentative", "cancelled"] = "confirmed"
    sequence: int = 0
    etag_serial: int = 0
    change_serial: int = 0
    conference: Conference | None = None


@dataclass(slots=True)
class Notification:
    """What `sendUpdates` made Google send for one write (G3): who got an email."""

    event_id: str
    action: Literal["insert", "patch", "update", "delete"]
    send_updates: str
    recipients: list[str]


@dataclass(slots=True)
class Account:
    email: str
    name: str
    password: str
    kind: AccountKind
    time_zone: str
    subject: str  # the stable `sub` of its id_token
    meet_allowed: bool = True
    dropped_scopes: set[str] = field(default_factory=set)  # full scope URIs the user unticks
    events: dict[str, Event] = field(default_factory=dict)
    notifications: list[Notification] = field(default_factory=list)
    shared_with: dict[str, AccessRole] = field(default_factory=dict)  # grantee email -> role

    @property
    def domain(self) -> str:
        return self.email.rpartition("@")[2].lower()

    @property
    def conference_types(self) -> list[str]:
        """`conferenceProperties.allowedConferenceSolutionTypes` of its primary calendar."""
        return ["hangoutsMeet"] if self.meet_allowed else []


@dataclass(slots=True)
class PendingAuthorization:
    """An authorization request between the sign-in page, the consent page and the redirect."""

    id: str
    client_id: str
    redirect_uri: str
    scopes: tuple[str, ...]  # canonical, as requested
    state: str | None
    code_challenge: str | None
    code_challenge_method: str | None
    offline: bool
    prompts: frozenset[str]
    include_granted_scopes: bool
    login_hint: str | None
    expires_at: datetime
    email: str | None = None


@dataclass(slots=True)
class AuthorizationCode:
    code: str
    client_id: str
    email: str
    redirect_uri: str
    scopes: tuple[str, ...]  # canonical, granted
    code_challenge: str | None
    code_challenge_method: str | None
    offline: bool
    force_refresh_token: bool  # prompt=consent
    expires_at: datetime
    redeemed: bool = False


@dataclass(slots=True)
class RefreshToken:
    token: str
    client_id: str
    email: str
    scopes: tuple[str, ...]
    issued_at: datetime
    last_used_at: datetime
    expires_at: datetime | None  # only for time-limited (Testing) grants
    revoked: bool = False


@dataclass(slots=True)
class AccessToken:
    token: str
    client_id: str
    email: str
    scopes: tuple[str, ...]
    expires_at: datetime
    refresh_token: str | None = None
    revoked: bool = False
    force_expired: bool = False


@dataclass(slots=True)
class MeetSettings:
    """How Meet creation resolves for conferences created from now on (control API)."""

    outcome: MeetOutcome = "success"
    after_reads: int = 1  # pending in the insert response, success on the first read
    after_seconds: float = 0.0


@dataclass(slots=True)
class Fault:
    status: int | None
    remaining: int
    reason: str | None = None
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


class GoogleState:
    """Everything the Google emulator knows. Callers hold `lock` while reading or writing."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self.apps: dict[str, App] = {}
            self.accounts: dict[str, Account] = {}  # lower-case email -> account
            self.consents: dict[tuple[str, str], set[str]] = {}  # (email, client) -> scopes
            self.flows: dict[str, PendingAuthorization] = {}
            self.codes: dict[str, AuthorizationCode] = {}
            self.refresh_tokens: dict[str, RefreshToken] = {}
            self.access_tokens: dict[str, AccessToken] = {}
            self.faults: list[Fault] = []
            self.requests: list[dict[str, Any]] = []
            self.meet = MeetSettings()
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

    def account(self, email: str) -> Account | None:
        return self.accounts.get(email.strip().lower())

    def take_fault(self, *, email: str | None, method: str, path: str) -> Fault | None:
        """The first armed fault matching the request, with one use consumed."""
        with self.lock:
            for fault in self.faults:
                if fault.remaining > 0 and fault.matches(email=email, method=method, path=path):
                    fault.remaining -= 1
                    return fault
            return None

    def log_request(self, entry: dict[str, Any]) -> None:
        with self.lock:
            self.requests.append(entry)
