"""Connected accounts: OAuth connect/callback/disconnect, token refresh, health, and host-facing problems.

Every ``CalendarError`` is worded for the host here, once (``PROBLEM_TEXT``); tokens only ever leave
this module encrypted (into the database) or as a bearer token handed to an adapter.
"""

import asyncio
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from workestra.calendars.base import OAuthClient, TokenGrant
from workestra.calendars.errors import (
    AdminConsentRequired,
    CalendarError,
    CalendarNotFound,
    ConsentDeclined,
    MissingScope,
    NeedsReauth,
    OnlineMeetingUnavailable,
    ProviderNotConfigured,
    ProviderRejected,
    ProviderUnavailable,
    Throttled,
)
from workestra.db.models import OAuthState, UserIntegration
from workestra.enums import (
    CalendarProviderName,
    ConnectionProblem,
    IntegrationProvider,
    IntegrationStatus,
)
from workestra.errors import ConnectionFailed, InvalidInput, NotFound
from workestra.security import TokenBoxError
from workestra.services.context import ServiceContext
from workestra.services.users import Host

logger = logging.getLogger(__name__)

MSA_TENANT_ID = "9188040d-6c67-4c5b-b112-36a304b66dad"  # personal Microsoft accounts (PROVIDER-APIS A5)
REFRESH_MARGIN = timedelta(minutes=2)
REFRESH_LEASE = timedelta(seconds=30)
LEASE_WAIT_SECONDS = 0.05
LEASE_WAIT_ROUNDS = 600  # up to ~30 s, the lease's own length
STATE_LIFETIME = timedelta(minutes=15)

CALENDAR_OF: dict[IntegrationProvider, CalendarProviderName] = {
    IntegrationProvider.MICROSOFT_CALENDAR: CalendarProviderName.MICROSOFT,
    IntegrationProvider.GOOGLE_CALENDAR: CalendarProviderName.GOOGLE,
}
URL_NAME: dict[IntegrationProvider, str] = {
    IntegrationProvider.MICROSOFT_CALENDAR: "microsoft",
    IntegrationProvider.GOOGLE_CALENDAR: "google",
}
PROVIDER_LABEL: dict[IntegrationProvider, str] = {
    IntegrationProvider.MICROSOFT_CALENDAR: "Microsoft Calendar",
    IntegrationProvider.GOOGLE_CALENDAR: "Google Calendar",
    IntegrationProvider.MICROSOFT_MAIL: "Microsoft mail",
}

PROBLEM_TEXT: dict[ConnectionProblem, str] = {
    ConnectionProblem.EXPIRED: (
        "The connection expired (the sign-in wasn't used for too long, or a tenant policy ended "
        "it). Reconnect to keep checking availability and creating events."
    ),
    ConnectionProblem.REVOKED: (
        "Access was revoked (for example after a password reset or a sign-out of all sessions). "
        "Reconnect to restore availability checks and event creation."
    ),
    ConnectionProblem.CONSENT_MISSING: (
        "Workestra no longer has your consent to use this calendar. Reconnect and grant the "
        "requested permissions."
    ),
    ConnectionProblem.INTERACTION_REQUIRED: (
        "Your organisation asks you to sign in again (multi-factor or Conditional Access). Reconnect."
    ),
    ConnectionProblem.MISSING_SCOPE: (
        "A permission is missing: {scopes}. {consequence} Reconnect and grant all requested permissions."
    ),
    ConnectionProblem.PERSONAL_ACCOUNT: (
        "This is a personal Microsoft account (such as @outlook.com or @hotmail.com). Personal "
        "accounts don't have Teams for Business, so Teams links can't be created. Availability "
        "and events still work; connect a Microsoft 365 work account for Teams links."
    ),
    ConnectionProblem.NO_TEAMS: (
        "This account can't create Teams meetings (Teams for Business isn't enabled for it). "
        "Availability and events still work; bookings won't get a Teams link."
    ),
    ConnectionProblem.CALENDAR_NOT_FOUND: (
        "Calendar not found: the account has no calendar Workestra can use (or its mailbox isn't "
        "enabled for Microsoft 365). Confirm the account has at least one calendar, then reconnect."
    ),
    ConnectionProblem.ADMIN_CONSENT_REQUIRED: (
        "Your organisation requires an administrator to approve Workestra before you can connect. "
        "Ask an admin to approve the app (Calendars.ReadWrite), then try again."
    ),
    ConnectionProblem.UNAVAILABLE: (
        "The calendar couldn't be read just now (the provider is throttling or unavailable). "
        "Booking pages using it show no slots until it can be read again."
    ),
}

_SCOPE_CONSEQUENCE = {
    "onlinemeetings.readwrite": "Teams links can't be created.",
    "calendars.readwrite": "Availability can't be read and events can't be created.",
    "user.read": "The connected account can't be identified.",
    "offline_access": "The connection can't stay alive between sessions.",
}
TRANSIENT_PROBLEMS = frozenset({ConnectionProblem.UNAVAILABLE})
RECONNECT_PROBLEMS = frozenset(
    {
        ConnectionProblem.EXPIRED,
        ConnectionProblem.REVOKED,
        ConnectionProblem.CONSENT_MISSING,
        ConnectionProblem.INTERACTION_REQUIRED,
        ConnectionProblem.MISSING_SCOPE,
        ConnectionProblem.CALENDAR_NOT_FOUND,
    }
)


def problem_for(error: CalendarError) -> ConnectionProblem:
    """The host-facing category of a provider error (every CalendarError subclass is covered)."""
    match error:
        case NeedsReauth(reason="expired"):
            return ConnectionProblem.EXPIRED
        case NeedsReauth(reason="consent_missing"):
            return ConnectionProblem.CONSENT_MISSING
        case NeedsReauth(reason="interaction_required"):
            return ConnectionProblem.INTERACTION_REQUIRED
        case NeedsReauth():
            return ConnectionProblem.REVOKED
        case MissingScope():
            return ConnectionProblem.MISSING_SCOPE
        case CalendarNotFound():
            return ConnectionProblem.CALENDAR_NOT_FOUND
        case OnlineMeetingUnavailable():
            return ConnectionProblem.NO_TEAMS
        case AdminConsentRequired():
            return ConnectionProblem.ADMIN_CONSENT_REQUIRED
        case ConsentDeclined():
            return ConnectionProblem.CONSENT_MISSING
        case Throttled() | ProviderUnavailable() | ProviderRejected():
            return ConnectionProblem.UNAVAILABLE
        case _:
            return ConnectionProblem.UNAVAILABLE


def describe(problem: ConnectionProblem, *, missing_scopes: str = "") -> str:
    text = PROBLEM_TEXT[problem]
    if problem is ConnectionProblem.MISSING_SCOPE:
        scopes = [s for s in missing_scopes.split() if s]
        consequence = " ".join(dict.fromkeys(_SCOPE_CONSEQUENCE.get(s.lower(), "") for s in scopes)).strip()
        text = text.format(scopes=", ".join(scopes) or "unknown", consequence=consequence)
    return text


@dataclass(frozen=True, slots=True)
class ConnectionView:
    provider: IntegrationProvider
    label: str
    url_name: str
    connected: bool
    account_email: str | None = None
    display_name: str | None = None
    scopes: tuple[str, ...] = ()
    status: IntegrationStatus | None = None
    problem: ConnectionProblem | None = None
    problem_message: str | None = None
    needs_reconnect: bool = False
    teams_available: bool | None = None
    personal_account: bool | None = None
    calendar_found: bool | None = None
    checked_at: datetime | None = None
    configured: bool = True


def _view(ctx: ServiceContext, provider: IntegrationProvider, row: UserIntegration | None) -> ConnectionView:
    configured = provider in CALENDAR_OF and ctx.calendars.is_configured(CALENDAR_OF[provider])
    base = {
        "provider": provider,
        "label": PROVIDER_LABEL[provider],
        "url_name": URL_NAME.get(provider, ""),
        "configured": configured,
    }
    if row is None:
        return ConnectionView(connected=False, **base)  # type: ignore[arg-type]  # keys match fields
    problem = ConnectionProblem(row.problem) if row.problem else None
    return ConnectionView(
        connected=True,
        account_email=row.account_email,
        display_name=row.display_name,
        scopes=tuple(row.scopes.split()),
        status=IntegrationStatus(row.status),
        problem=problem,
        problem_message=describe(problem, missing_scopes=row.last_error or "") if problem else None,
        needs_reconnect=row.status != IntegrationStatus.ACTIVE or problem in RECONNECT_PROBLEMS,
        teams_available=row.teams_available,
        personal_account=row.personal_account,
        calendar_found=row.calendar_found,
        checked_at=row.checked_at,
        **base,  # type: ignore[arg-type]
    )


def redirect_uri(ctx: ServiceContext, provider: IntegrationProvider) -> str:
    return f"{ctx.base_url}/integrations/{URL_NAME[provider]}/callback"


def _oauth(ctx: ServiceContext, provider: IntegrationProvider) -> OAuthClient:
    try:
        return ctx.calendars.oauth(provider)
    except ProviderNotConfigured as exc:
        raise ConnectionFailed(f"{PROVIDER_LABEL[provider]} isn't configured on this server.") from exc


async def start_connection(
    ctx: ServiceContext, host: Host, provider: IntegrationProvider, *, session_id: str
) -> str:
    """Remember a single-use state + PKCE verifier bound to this browser session; return the authorize URL."""
    oauth = _oauth(ctx, provider)
    state = secrets.token_urlsafe(32)
    verifier = secrets.token_urlsafe(64)
    async with ctx.uow(write=True) as uow:
        uow.integrations.add_state(
            OAuthState(
                state=state,
                user_id=host.id,
                session_id=session_id,
                provider=provider,
                code_verifier_enc=ctx.token_box.seal(verifier),
                created_at=ctx.clock.now(),
            )
        )
        await uow.commit()
    return oauth.authorization_url(
        state=state, code_verifier=verifier, redirect_uri=redirect_uri(ctx, provider)
    )


def missing_scopes(
    oauth: OAuthClient, granted: frozenset[str] | set[str], *, has_refresh_token: bool
) -> list[str]:
    """Requested scopes the grant lacks, compared case-insensitively (Graph answers full URIs)."""
    have = {s.lower() for s in granted}
    # Microsoft does not echo offline_access; a refresh token proves it was granted.
    if has_refresh_token:
        have.add("offline_access")
    return [s for s in oauth.requested_scopes if s.lower() not in have]


async def complete_connection(
    ctx: ServiceContext,
    host: Host,
    provider: IntegrationProvider,
    *,
    session_id: str,
    state: str | None,
    code: str | None,
    error: str | None = None,
    error_description: str | None = None,
) -> ConnectionView:
    """Finish the OAuth dance: check the state is this session's, exchange the code, store, check health.

    Raises ConnectionFailed with a plain-words message for a refused, replayed or failed callback.
    """
    if not state:
        raise InvalidInput("The sign-in response is missing its state; start again from Connected Accounts.")
    async with ctx.uow(write=True) as uow:
        pending = await uow.integrations.pop_state(state)
        await uow.commit()
    now = ctx.clock.now()
    if (
        pending is None
        or pending.session_id != session_id
        or pending.user_id != host.id
        or pending.provider != provider
        or now - pending.created_at > STATE_LIFETIME
    ):
        raise ConnectionFailed(
            "This sign-in response doesn't belong to your session (it may have been used already "
            "or have expired). Start again from Connected Accounts."
        )
    oauth = _oauth(ctx, provider)
    if error:
        refused = oauth.authorization_error(error, error_description)
        logger.info("authorization for user %s refused: %s", host.id, type(refused).__name__)
        if isinstance(refused, AdminConsentRequired):
            raise ConnectionFailed(PROBLEM_TEXT[ConnectionProblem.ADMIN_CONSENT_REQUIRED])
        if isinstance(refused, ConsentDeclined):
            raise ConnectionFailed(
                "You cancelled the permission request, so nothing was connected. Click Connect "
                "again and accept the permissions to connect your calendar."
            )
        raise ConnectionFailed(
            f"{PROVIDER_LABEL[provider]} refused the connection ({error}). Try again, "
            "or ask your administrator."
        )
    if not code:
        raise InvalidInput("The sign-in response is missing its code; start again.")
    try:
        verifier = ctx.token_box.open(pending.code_verifier_enc)
    except TokenBoxError as exc:
        raise ConnectionFailed("This sign-in started before the server's key changed. Start again.") from exc
    try:
        grant = await oauth.exchange_code(
            code=code, code_verifier=verifier, redirect_uri=redirect_uri(ctx, provider)
        )
        profile = await oauth.fetch_profile(grant.access_token)
    except CalendarError as exc:
        logger.warning("connecting %s for user %s failed: %s", provider, host.id, type(exc).__name__)
        raise ConnectionFailed(
            f"Connecting {PROVIDER_LABEL[provider]} failed: {describe(problem_for(exc))}"
        ) from exc
    async with ctx.uow(write=True) as uow:
        row = await uow.integrations.get(host.id, provider, for_update=True)
        if row is None:
            row = UserIntegration(user_id=host.id, provider=provider, created_at=now, token_version=0)
            uow.integrations.add(row)
        row.account_id = profile.account_id
        row.account_email = profile.email
        row.display_name = profile.display_name
        row.tenant_id = grant.tenant_id
        row.personal_account = (
            grant.tenant_id == MSA_TENANT_ID if grant.tenant_id else profile.personal_account
        )
        _store_grant(ctx, row, grant, now=now)
        row.status = IntegrationStatus.ACTIVE
        row.problem, row.last_error = None, None
        await uow.commit()
    return await check_connection(ctx, host, provider)


def _store_grant(ctx: ServiceContext, row: UserIntegration, grant: TokenGrant, *, now: datetime) -> None:
    row.access_token_enc = ctx.token_box.seal(grant.access_token)
    if grant.refresh_token:  # every refresh stores the newest refresh token
        row.refresh_token_enc = ctx.token_box.seal(grant.refresh_token)
    row.expires_at = now + timedelta(seconds=grant.expires_in)
    scopes = set(grant.scopes)
    if grant.refresh_token:  # Microsoft doesn't echo offline_access; a refresh token proves it
        scopes.add("offline_access")
    row.scopes = " ".join(sorted(scopes))
    row.token_version = (row.token_version or 0) + 1
    row.updated_at = now


def _open(ctx: ServiceContext, sealed: str) -> str:
    """Decrypt a stored token; one sealed under another secret key means the host must reconnect."""
    try:
        return ctx.token_box.open(sealed)
    except TokenBoxError as exc:
        raise NeedsReauth("stored token can't be decrypted (secret key changed?)", reason="revoked") from exc


class ConnectionCredentials:
    """CredentialSource over one ``user_integrations`` row: refreshes before expiry or on demand.

    Refreshes are serialised per connection by a lease on the row (no transaction stays open across
    the network call); a process that waited re-reads the row and uses the token the other stored,
    so concurrent refreshers never lose a rotation and the provider sees one refresh.
    """

    def __init__(self, ctx: ServiceContext, user_id: str, provider: IntegrationProvider) -> None:
        self._ctx = ctx
        self._user_id = user_id
        self._provider = provider
        self.problem: ConnectionProblem | None = None  # the card's note, as last read

    @property
    def connection_key(self) -> str:
        return f"{self._provider}:{self._user_id}"

    async def access_token(self, *, rejected: str | None = None) -> str:
        ctx = self._ctx
        async with ctx.uow() as uow:
            row = await uow.integrations.get(self._user_id, self._provider)
            if row is None:
                raise NeedsReauth("not connected", reason="revoked")
            if row.status != IntegrationStatus.ACTIVE:
                raise NeedsReauth(f"connection is {row.status}", reason=row.problem or "revoked")
            self.problem = ConnectionProblem(row.problem) if row.problem else None
            fresh = row.expires_at - REFRESH_MARGIN > ctx.clock.now()
            if fresh:
                stored = _open(ctx, row.access_token_enc)
                if stored != rejected:  # fresh, and not the one refused (or someone refreshed it)
                    return stored
            seen = row.token_version
        return await self._refresh(seen_version=seen)

    async def _refresh(self, *, seen_version: int) -> str:
        """Refresh once per connection across processes: take a short lease in one transaction,
        call the identity provider outside any transaction, store the result in another."""
        ctx = self._ctx
        oauth = ctx.calendars.oauth(self._provider)
        refresh_token: str | None = None
        for _ in range(LEASE_WAIT_ROUNDS):
            async with ctx.uow(write=True) as uow:
                row = await uow.integrations.get(self._user_id, self._provider, for_update=True)
                if row is None:
                    raise NeedsReauth("not connected", reason="revoked")
                now = ctx.clock.now()
                if row.token_version != seen_version and row.expires_at - REFRESH_MARGIN > now:
                    return _open(ctx, row.access_token_enc)  # another process refreshed meanwhile
                if row.status != IntegrationStatus.ACTIVE:
                    raise NeedsReauth(f"connection is {row.status}", reason=row.problem or "revoked")
                if row.refresh_token_enc is None:
                    raise NeedsReauth("no refresh token", reason="expired")
                if row.refresh_lease_until is None or row.refresh_lease_until <= now:
                    row.refresh_lease_until = now + REFRESH_LEASE
                    refresh_token = _open(ctx, row.refresh_token_enc)
                    await uow.commit()
                    break
            await asyncio.sleep(LEASE_WAIT_SECONDS)
        if refresh_token is None:
            raise ProviderUnavailable("another process is still refreshing this connection")
        try:
            grant = await oauth.refresh(refresh_token)
        except NeedsReauth as exc:
            await self._settle(problem=problem_for(exc))
            logger.info("connection %s needs reauth (%s)", self.connection_key, exc.reason)
            raise
        except BaseException:
            await self._settle()
            raise
        return await self._settle(grant=grant)

    async def _settle(
        self, *, grant: TokenGrant | None = None, problem: ConnectionProblem | None = None
    ) -> str:
        """End the lease: store the new grant, or mark the connection dead, or just let go."""
        ctx = self._ctx
        async with ctx.uow(write=True) as uow:
            row = await uow.integrations.get(self._user_id, self._provider, for_update=True)
            if row is None:
                raise NeedsReauth("disconnected during refresh", reason="revoked")
            now = ctx.clock.now()
            row.refresh_lease_until = None
            if grant is not None:
                _store_grant(ctx, row, grant, now=now)
            elif problem is not None:
                row.status = IntegrationStatus.NEEDS_REAUTH
                row.problem, row.last_error, row.updated_at = problem, None, now
            await uow.commit()
        return grant.access_token if grant is not None else ""


async def record_problem(
    ctx: ServiceContext, user_id: str, provider: IntegrationProvider, error: CalendarError
) -> None:
    """Show a provider failure on the host's card (NeedsReauth also flips the status)."""
    missing = " ".join(sorted(error.missing_scopes)) if isinstance(error, MissingScope) else None
    await record_problem_code(
        ctx,
        user_id,
        provider,
        problem_for(error),
        needs_reauth=isinstance(error, NeedsReauth),
        missing_scopes=missing,
    )


async def record_problem_code(
    ctx: ServiceContext,
    user_id: str,
    provider: IntegrationProvider,
    problem: ConnectionProblem,
    *,
    needs_reauth: bool = False,
    missing_scopes: str | None = None,
) -> None:
    """Store ``problem`` on the card unless it already says so; a passing outage (throttled,
    unavailable) never hides a lasting note such as "personal account" or a missing permission."""
    async with ctx.uow() as uow:
        row = await uow.integrations.get(user_id, provider)
    if row is None:
        return
    if problem in TRANSIENT_PROBLEMS and row.problem not in {None, *TRANSIENT_PROBLEMS}:
        return
    reauth_known = not needs_reauth or row.status == IntegrationStatus.NEEDS_REAUTH
    if row.problem == problem and row.last_error == missing_scopes and reauth_known:
        return  # nothing new: no write (public pages must not queue on the write lock)
    async with ctx.uow(write=True) as uow:
        row = await uow.integrations.get(user_id, provider, for_update=True)
        if row is None:
            return
        if needs_reauth:
            row.status = IntegrationStatus.NEEDS_REAUTH
        row.problem = problem
        row.last_error = missing_scopes
        row.updated_at = ctx.clock.now()
        await uow.commit()


async def clear_transient_problem(ctx: ServiceContext, user_id: str, provider: IntegrationProvider) -> None:
    """A read just worked: take a passing "couldn't be read" note off the card."""
    async with ctx.uow(write=True) as uow:
        row = await uow.integrations.get(user_id, provider, for_update=True)
        if row is not None and row.problem in TRANSIENT_PROBLEMS:
            row.problem, row.last_error = None, None
            row.updated_at = ctx.clock.now()
            await uow.commit()


async def check_connection(ctx: ServiceContext, host: Host, provider: IntegrationProvider) -> ConnectionView:
    """Health check (on connect and on demand): read the calendar, note Teams, scopes and account kind."""
    async with ctx.uow() as uow:
        row = await uow.integrations.get(host.id, provider)
    if row is None or provider not in CALENDAR_OF:
        raise NotFound(f"{PROVIDER_LABEL[provider]} isn't connected.")
    calendar = ctx.calendars.calendar(CALENDAR_OF[provider])
    credentials = ConnectionCredentials(ctx, host.id, provider)
    now = ctx.clock.now()
    try:
        health = await calendar.check_health(credentials)
    except CalendarError as exc:
        await record_problem(ctx, host.id, provider, exc)
    else:
        async with ctx.uow(write=True) as uow:
            row = await uow.integrations.get(host.id, provider, for_update=True)
            if row is not None:
                oauth = ctx.calendars.oauth(provider)
                missing = missing_scopes(
                    oauth, set(row.scopes.split()), has_refresh_token=row.refresh_token_enc is not None
                )
                required = {s.lower() for s in oauth.required_scopes}
                hard = [s for s in missing if s.lower() in required]
                personal = bool(
                    health.personal_account or row.personal_account or row.tenant_id == MSA_TENANT_ID
                )
                row.calendar_found = health.calendar_found
                row.teams_available = health.teams_available
                row.personal_account = personal
                row.checked_at = now
                row.status = IntegrationStatus.ACTIVE
                if not health.calendar_found:
                    row.problem, row.last_error = ConnectionProblem.CALENDAR_NOT_FOUND, None
                elif hard:
                    row.problem, row.last_error = ConnectionProblem.MISSING_SCOPE, " ".join(hard)
                elif personal and provider is IntegrationProvider.MICROSOFT_CALENDAR:
                    # Personal accounts can't hold OnlineMeetings.ReadWrite: the account kind is the news.
                    row.problem, row.last_error = ConnectionProblem.PERSONAL_ACCOUNT, None
                elif missing:
                    row.problem, row.last_error = ConnectionProblem.MISSING_SCOPE, " ".join(missing)
                elif not health.teams_available and provider is IntegrationProvider.MICROSOFT_CALENDAR:
                    row.problem, row.last_error = ConnectionProblem.NO_TEAMS, None
                else:
                    row.problem, row.last_error = None, None
                row.updated_at = now
                await uow.commit()
    async with ctx.uow() as uow:
        return _view(ctx, provider, await uow.integrations.get(host.id, provider))


async def list_connections(ctx: ServiceContext, host: Host) -> list[ConnectionView]:
    async with ctx.uow() as uow:
        rows = {row.provider: row for row in await uow.integrations.for_user(host.id)}
    shown = [IntegrationProvider.MICROSOFT_CALENDAR, IntegrationProvider.GOOGLE_CALENDAR]
    return [_view(ctx, p, rows.get(p)) for p in shown]


async def disconnect(ctx: ServiceContext, host: Host, provider: IntegrationProvider) -> None:
    """Remove this connection's tokens only; other slots (e.g. ``microsoft_mail``) stay untouched."""
    async with ctx.uow(write=True) as uow:
        row = await uow.integrations.get(host.id, provider, for_update=True)
        if row is not None:
            await uow.integrations.remove(row)
            await uow.commit()
