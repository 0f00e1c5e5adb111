"""Connected accounts: the OAuth connect and callback, health checks, the cards' views, disconnect.

Problems are worded in ``services.problems``; tokens are handled in ``services.credentials``.
"""

import asyncio
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from workestra.calendars.base import OAuthClient
from workestra.calendars.errors import (
    AdminConsentRequired,
    CalendarError,
    ConsentDeclined,
    ProviderNotConfigured,
)
from workestra.db.models import OAuthState, UserIntegration
from workestra.enums import (
    AccountKind,
    CalendarProviderName,
    ConnectionProblem,
    IntegrationProvider,
    IntegrationStatus,
)
from workestra.errors import ConnectionFailed, Forbidden, InvalidInput, NotFound
from workestra.security import TokenBoxError
from workestra.services.context import ServiceContext
from workestra.services.credentials import ConnectionCredentials, store_grant
from workestra.services.problems import (
    RECONNECT_PROBLEMS,
    Wording,
    connect_failure,
    describe,
    record_problem,
    wording,
)
from workestra.services.users import Host

logger = logging.getLogger(__name__)

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


@dataclass(frozen=True, slots=True)
class PermissionView:
    """One row of a card's permission table."""

    scope: str
    purpose: str
    granted: bool


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
    meeting_link: str = "meeting"  # what this provider's meeting link is called
    meeting_link_available: bool | None = None  # None until a health check has looked
    account_kind: AccountKind | None = None
    permissions: tuple[PermissionView, ...] = ()
    calendar_found: bool | None = None
    checked_at: datetime | None = None
    configured: bool = True


def _permissions(words: Wording, row: UserIntegration) -> tuple[PermissionView, ...]:
    """The permission table, each granted or missing, as ``missing_scopes`` judges them."""
    missing = {s.lower() for s in _missing(words, row)}
    return tuple(
        PermissionView(p.scope, p.purpose, p.scope.lower() not in missing) for p in words.permissions
    )


def _view(ctx: ServiceContext, provider: IntegrationProvider, row: UserIntegration | None) -> ConnectionView:
    configured = provider in CALENDAR_OF and ctx.calendars.is_configured(CALENDAR_OF[provider])
    words = wording(ctx, provider)
    base = {
        "provider": provider,
        "label": PROVIDER_LABEL[provider],
        "url_name": URL_NAME.get(provider, ""),
        "configured": configured,
        "meeting_link": words.terms.meeting_link,
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
        problem_message=(
            describe(problem, wording=words, missing_scopes=row.last_error or "") if problem else None
        ),
        needs_reconnect=row.status != IntegrationStatus.ACTIVE or problem in RECONNECT_PROBLEMS,
        meeting_link_available=row.meeting_link_available,
        account_kind=AccountKind(row.account_kind) if row.account_kind else None,
        permissions=_permissions(words, row),
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
        await uow.integrations.purge_states(created_before=ctx.clock.now() - STATE_LIFETIME)
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
    words: Wording, granted: frozenset[str] | set[str], *, has_refresh_token: bool
) -> list[str]:
    """Requested scopes the grant lacks, compared case-insensitively. A scope the provider never
    echoes back (``Permission.echoed``) is proven by the refresh token it exists for."""
    have = {s.lower() for s in granted}
    return [
        p.scope
        for p in words.permissions
        if p.scope.lower() not in have and (p.echoed or not has_refresh_token)
    ]


def _missing(words: Wording, row: UserIntegration) -> list[str]:
    return missing_scopes(words, set(row.scopes.split()), has_refresh_token=row.refresh_token_enc is not None)


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

    Raises Forbidden for another session's state (left for its own session to use), and
    ConnectionFailed with a plain-words message for a refused, replayed or failed callback.
    """
    if not state:
        raise InvalidInput("The sign-in response is missing its state; start again from Connected Accounts.")
    now = ctx.clock.now()
    async with ctx.uow(write=True) as uow:
        # Locked until used up: of two callbacks carrying one state, exactly one exchanges the code.
        pending = await uow.integrations.get_state(state, for_update=True)
        if pending is not None and (pending.session_id, pending.user_id, pending.provider) != (
            session_id,
            host.id,
            provider,
        ):
            # Checked before the state is used up: somebody else opening a host's callback URL
            # must not end the host's own sign-in.
            raise Forbidden(
                "This sign-in response belongs to another browser session, so it can't be finished "
                "here and nothing was changed. To connect a calendar, start from Connected Accounts."
            )
        if pending is not None and not await uow.integrations.use_state(state):
            pending = None  # used meanwhile by another callback
        await uow.commit()
    if pending is None or now - pending.created_at > STATE_LIFETIME:
        raise ConnectionFailed(
            "This sign-in response isn't valid any more (it was used already or has expired). "
            "Start again from Connected Accounts."
        )
    oauth = _oauth(ctx, provider)
    if error:
        refused = oauth.authorization_error(error, error_description)
        logger.info("authorization for user %s refused: %s", host.id, type(refused).__name__)
        if isinstance(refused, AdminConsentRequired):
            raise ConnectionFailed(
                describe(ConnectionProblem.ADMIN_CONSENT_REQUIRED, wording=wording(ctx, provider))
            )
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
        profile = grant.account or await oauth.fetch_profile(grant.access_token)
    except CalendarError as exc:
        logger.warning("connecting %s for user %s failed: %s", provider, host.id, type(exc).__name__)
        reason = connect_failure(exc, wording=wording(ctx, provider))
        message = f"Connecting {PROVIDER_LABEL[provider]} failed: {reason}"
        raise ConnectionFailed(message) from exc
    async with ctx.uow(write=True) as uow:
        row = await uow.integrations.get(host.id, provider, for_update=True)
        if row is None:
            row = UserIntegration(user_id=host.id, provider=provider, created_at=now, token_version=0)
            uow.integrations.add(row)
        row.account_id = profile.account_id
        row.account_email = profile.email
        row.display_name = profile.display_name
        row.organization_id = grant.organization_id
        kind = grant.account_kind or profile.account_kind
        row.account_kind = kind.value if kind else None
        store_grant(ctx, row, grant, now=now)
        if row.refresh_lease_until is not None and row.refresh_lease_until <= now:
            row.refresh_lease_until = None  # a new grant: the old one's last refresh doesn't count
        row.status = IntegrationStatus.ACTIVE
        row.problem, row.last_error = None, None
        await uow.commit()
    return await check_connection(ctx, host, provider)


async def check_connection(ctx: ServiceContext, host: Host, provider: IntegrationProvider) -> ConnectionView:
    """Health check (on connect and on demand): read the calendar, note the meeting link, the
    scopes and the account kind."""
    async with ctx.uow() as uow:
        row = await uow.integrations.get(host.id, provider)
    if row is None or provider not in CALENDAR_OF:
        raise NotFound(f"{PROVIDER_LABEL[provider]} isn't connected.")
    credentials = ConnectionCredentials(ctx, host.id, provider)
    now = ctx.clock.now()
    try:
        health = await ctx.calendars.calendar(CALENDAR_OF[provider]).check_health(credentials)
    except CalendarError as exc:  # ProviderNotConfigured included: the card says so, no 500
        await record_problem(ctx, host.id, provider, exc, token_version=credentials.token_version)
    else:
        async with ctx.uow(write=True) as uow:
            row = await uow.integrations.get(host.id, provider, for_update=True)
            if row is not None:
                words = wording(ctx, provider)
                missing = _missing(words, row)
                required = {p.scope.lower() for p in words.permissions if p.required}
                hard = [s for s in missing if s.lower() in required]
                kind = health.account_kind or (AccountKind(row.account_kind) if row.account_kind else None)
                no_link = not health.meeting.available
                row.calendar_found = health.calendar_found
                row.meeting_link_available = health.meeting.available
                row.account_kind = kind.value if kind else None
                row.checked_at = now
                row.status = IntegrationStatus.ACTIVE
                if not health.calendar_found:
                    row.problem, row.last_error = ConnectionProblem.CALENDAR_NOT_FOUND, None
                elif hard:
                    row.problem, row.last_error = ConnectionProblem.MISSING_SCOPE, " ".join(hard)
                elif no_link and kind is AccountKind.PERSONAL and words.terms.personal_account_limit:
                    # The account kind is the news: no permission would bring the meeting link.
                    row.problem, row.last_error = ConnectionProblem.PERSONAL_ACCOUNT, None
                elif missing:
                    row.problem, row.last_error = ConnectionProblem.MISSING_SCOPE, " ".join(missing)
                elif no_link:
                    row.problem, row.last_error = ConnectionProblem.NO_MEETING_LINK, None
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


async def check_connections(ctx: ServiceContext, host: Host) -> list[ConnectionView]:
    """Every card, with the connected ones health-checked first (concurrently)."""
    views = await list_connections(ctx, host)
    async with asyncio.TaskGroup() as group:
        checks = {
            v.provider: group.create_task(check_connection(ctx, host, v.provider))
            for v in views
            if v.connected
        }
    return [checks[v.provider].result() if v.provider in checks else v for v in views]


async def disconnect(ctx: ServiceContext, host: Host, provider: IntegrationProvider) -> None:
    """Remove this connection's tokens only; other slots (e.g. ``microsoft_mail``) stay untouched."""
    async with ctx.uow(write=True) as uow:
        row = await uow.integrations.get(host.id, provider, for_update=True)
        if row is not None:
            await uow.integrations.remove(row)
            await uow.commit()
