"""Connected accounts: the OAuth connect and callback, an organisation admin's approval (admin
consent), health checks, the cards' views, disconnect.

Problems are worded in ``services.problems``; tokens are handled in ``services.credentials``.
"""

import asyncio
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from workestra.calendars.base import (
    NO_CHOICES,
    AdminConsentClient,
    CalendarInfo,
    ChoiceSupport,
    OAuthClient,
    Permission,
)
from workestra.calendars.busy_rules import BusyRules
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
from workestra.errors import CalendarUnavailable, ConnectionFailed, Forbidden, InvalidInput, NotFound
from workestra.security import TokenBoxError
from workestra.services.context import ServiceContext
from workestra.services.credentials import ConnectionCredentials, calendar_choice_of, store_grant
from workestra.services.problems import (
    RECONNECT_PROBLEMS,
    Wording,
    connect_failure,
    describe,
    problem_for,
    record_problem,
    wording,
)
from workestra.services.users import Host

logger = logging.getLogger(__name__)

STATE_LIFETIME = timedelta(minutes=15)
# OAuthState.purpose: which callback may take the state.
CONNECT = "connect"
ADMIN_CONSENT = "admin_consent"
# The state of the approval link a host forwards to an admin: the admin isn't in the host's
# session (nor, usually, a Workestra user), and the approval's callback changes nothing here, it
# only says what happened. Session-bound states are for the in-app route.
FORWARDED_STATE = "forwarded"

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


class AdminConsentNeeded(ConnectionFailed):
    """Connecting failed because only an admin of the host's organisation can grant the permissions."""


@dataclass(frozen=True, slots=True)
class AdminConsentView:
    """How a host's organisation approves the app, for the card (providers that have admin consent)."""

    forward_url: str  # the provider's approval page for the host's organisation: works for an admin
    start_url: str  # the in-app route, for a host who is an admin (signed in here)
    permissions: tuple[Permission, ...]  # exactly what the admin approves
    required: bool  # the stored connection says an admin's approval is what's missing


@dataclass(frozen=True, slots=True)
class CalendarView:
    """One calendar of a connected account, and what the host chose for it."""

    id: str
    name: str
    is_primary: bool
    can_edit: bool  # may receive new bookings
    check_conflicts: bool  # its busy time hides slots
    destination: bool  # new bookings are added to it


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
    admin_consent: AdminConsentView | None = None  # None when the provider has no admin consent
    # The account's calendars with the host's choice: listed live by a check, else as last listed;
    # None when not listed yet, or when the live listing just failed (``problem`` says why).
    calendars: tuple[CalendarView, ...] | None = None
    # What of the choice this provider honours (Google: none yet; Microsoft: all).
    choices: ChoiceSupport = NO_CHOICES
    # None where the provider's busy read can't apply them (``choices.busy_rules`` False).
    busy_rules: BusyRules | None = None
    # Chosen calendar ids the last listing didn't find (deleted, or no longer shared).
    missing_calendars: tuple[str, ...] = ()


def _permissions(words: Wording, row: UserIntegration) -> tuple[PermissionView, ...]:
    """The permission table, each granted or missing, as ``missing_scopes`` judges them."""
    missing = {s.lower() for s in _missing(words, row)}
    return tuple(
        PermissionView(p.scope, p.purpose, p.scope.lower() not in missing) for p in words.permissions
    )


def _admin_consent_client(ctx: ServiceContext, provider: IntegrationProvider) -> AdminConsentClient | None:
    try:
        oauth = ctx.calendars.oauth(provider)
    except ProviderNotConfigured:
        return None
    return oauth if isinstance(oauth, AdminConsentClient) else None


def _organization(row: UserIntegration | None) -> str | None:
    """The directory to ask for approval: the connected work account's, when known."""
    if row is None or row.account_kind == AccountKind.PERSONAL:
        return None
    return row.organization_id


def _admin_consent_view(
    ctx: ServiceContext, provider: IntegrationProvider, row: UserIntegration | None, words: Wording
) -> AdminConsentView | None:
    client = _admin_consent_client(ctx, provider)
    if client is None or provider not in URL_NAME:
        return None
    forward = client.admin_consent_url(
        state=FORWARDED_STATE,
        redirect_uri=admin_consent_redirect_uri(ctx, provider),
        tenant=_organization(row),
    )
    return AdminConsentView(
        forward_url=forward,
        start_url=f"/integrations/{URL_NAME[provider]}/admin-consent",
        permissions=words.permissions,
        required=row is not None and row.problem == ConnectionProblem.ADMIN_CONSENT_REQUIRED,
    )


CHOSEN_CALENDAR_GONE = (
    "A calendar chosen on this card{calendars} can't be found any more: it was deleted, or is no "
    "longer shared with you. Booking pages using this connection show no slots until you "
    "choose the calendars again below."
)
CHOSEN_CALENDAR_HINT = (
    " If you chose calendars on this card, one of them may have been deleted or unshared: "
    "Test connection finds which."
)


def _choices(ctx: ServiceContext, provider: IntegrationProvider) -> ChoiceSupport:
    if provider not in CALENDAR_OF:
        return NO_CHOICES
    try:
        return ctx.calendars.calendar(CALENDAR_OF[provider]).choices
    except ProviderNotConfigured:
        return NO_CHOICES


def _known(row: UserIntegration) -> list[CalendarInfo] | None:
    """The calendars as last listed (``known_calendars``), skipping anything unreadable."""
    if row.known_calendars is None:
        return None
    return [
        CalendarInfo(
            id=str(item["id"]),
            name=str(item.get("name") or item["id"]),
            is_primary=item.get("is_primary") is True,
            can_edit=item.get("can_edit") is not False,
        )
        for item in row.known_calendars
        if isinstance(item.get("id"), str)
    ]


def _stored(calendars: list[CalendarInfo]) -> list[dict[str, object]]:
    return [
        {"id": c.id, "name": c.name, "is_primary": c.is_primary, "can_edit": c.can_edit} for c in calendars
    ]


def _chosen_ids(row: UserIntegration) -> list[str]:
    """Every calendar id the host chose (conflicts, then the destination), the primary not named."""
    chosen = calendar_choice_of(row)
    ids = list(chosen.conflict_calendars)
    if chosen.destination is not None:
        ids.append(chosen.destination)
    return list(dict.fromkeys(ids))


def _missing_chosen(row: UserIntegration, calendars: list[CalendarInfo] | None) -> tuple[str, ...]:
    if calendars is None:
        return ()
    have = {c.id for c in calendars}
    return tuple(i for i in _chosen_ids(row) if i not in have)


def _calendar_views(
    row: UserIntegration, calendars: list[CalendarInfo] | None
) -> tuple[CalendarView, ...] | None:
    if calendars is None:
        return None
    chosen = calendar_choice_of(row)
    conflicts = set(chosen.conflict_calendars)
    return tuple(
        CalendarView(
            id=c.id,
            name=c.name,
            is_primary=c.is_primary,
            can_edit=c.can_edit,
            check_conflicts=c.id in conflicts if conflicts else c.is_primary,
            destination=c.id == chosen.destination if chosen.destination is not None else c.is_primary,
        )
        for c in calendars
    )


def _view(
    ctx: ServiceContext,
    provider: IntegrationProvider,
    row: UserIntegration | None,
    *,
    live: list[CalendarInfo] | None = None,
    listing_failed: bool = False,
) -> ConnectionView:
    """A card. ``live``: calendars just listed; ``listing_failed``: the live listing just failed
    (no calendars shown, rather than the last ones); otherwise the calendars as last listed."""
    configured = provider in CALENDAR_OF and ctx.calendars.is_configured(CALENDAR_OF[provider])
    words = wording(ctx, provider)
    choices = _choices(ctx, provider)
    base = {
        "provider": provider,
        "label": PROVIDER_LABEL[provider],
        "url_name": URL_NAME.get(provider, ""),
        "configured": configured,
        "meeting_link": words.terms.meeting_link,
        "admin_consent": _admin_consent_view(ctx, provider, row, words) if configured else None,
        "choices": choices,
    }
    if row is None:
        return ConnectionView(connected=False, **base)  # type: ignore[arg-type]  # keys match fields
    problem = ConnectionProblem(row.problem) if row.problem else None
    calendars = None if listing_failed else live if live is not None else _known(row)
    missing = _missing_chosen(row, calendars)
    message = describe(problem, wording=words, missing_scopes=row.last_error or "") if problem else None
    reconnect = row.status != IntegrationStatus.ACTIVE or problem in RECONNECT_PROBLEMS
    if problem is ConnectionProblem.CALENDAR_NOT_FOUND and missing:
        message = CHOSEN_CALENDAR_GONE.format(calendars=f" ({row.last_error})" if row.last_error else "")
        reconnect = row.status != IntegrationStatus.ACTIVE  # choosing again is the fix
    elif problem is ConnectionProblem.CALENDAR_NOT_FOUND and _chosen_ids(row) and message:
        message += CHOSEN_CALENDAR_HINT
    return ConnectionView(
        connected=True,
        account_email=row.account_email,
        display_name=row.display_name,
        scopes=tuple(row.scopes.split()),
        status=IntegrationStatus(row.status),
        problem=problem,
        problem_message=message,
        needs_reconnect=reconnect,
        meeting_link_available=row.meeting_link_available,
        account_kind=AccountKind(row.account_kind) if row.account_kind else None,
        permissions=_permissions(words, row),
        calendar_found=row.calendar_found,
        checked_at=row.checked_at,
        calendars=_calendar_views(row, calendars),
        busy_rules=calendar_choice_of(row).busy_rules if choices.busy_rules else None,
        missing_calendars=missing,
        **base,  # type: ignore[arg-type]
    )


def redirect_uri(ctx: ServiceContext, provider: IntegrationProvider) -> str:
    return f"{ctx.base_url}/integrations/{URL_NAME[provider]}/callback"


def admin_consent_redirect_uri(ctx: ServiceContext, provider: IntegrationProvider) -> str:
    return f"{ctx.base_url}/integrations/{URL_NAME[provider]}/admin-consent/callback"


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
                purpose=CONNECT,
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
    pending = await _use_state(
        ctx, host, provider, state=state, session_id=session_id, purpose=CONNECT, what="sign-in"
    )
    oauth = _oauth(ctx, provider)
    if error:
        refused = oauth.authorization_error(error, error_description)
        logger.info("authorization for user %s refused: %s", host.id, type(refused).__name__)
        if isinstance(refused, AdminConsentRequired):
            raise AdminConsentNeeded(
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
        if isinstance(exc, AdminConsentRequired):  # the token endpoint said it (65001 on exchange)
            raise AdminConsentNeeded(message) from exc
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


async def _use_state(
    ctx: ServiceContext,
    host: Host,
    provider: IntegrationProvider,
    *,
    state: str,
    session_id: str,
    purpose: str,
    what: str,
) -> OAuthState:
    """Use up a pending state of this session, host, provider and purpose (single use).

    Raises Forbidden for another session's state (left for its own session to use), and
    ConnectionFailed for a state that is unknown, spent, expired or made for another callback.
    """
    now = ctx.clock.now()
    async with ctx.uow(write=True) as uow:
        # Locked until used up: of two callbacks carrying one state, exactly one goes on.
        pending = await uow.integrations.get_state(state, for_update=True)
        if pending is not None and (pending.session_id, pending.user_id, pending.provider) != (
            session_id,
            host.id,
            provider,
        ):
            # Checked before the state is used up: somebody else opening a host's callback URL
            # must not end the host's own sign-in.
            raise Forbidden(
                f"This {what} response belongs to another browser session, so it can't be finished "
                "here and nothing was changed. Start again from Connected Accounts."
            )
        if pending is not None and pending.purpose != purpose:
            pending = None  # another flow's state: not this callback's to use up
        if pending is not None and not await uow.integrations.use_state(state):
            pending = None  # used meanwhile by another callback
        await uow.commit()
    if pending is None or now - pending.created_at > STATE_LIFETIME:
        raise ConnectionFailed(
            f"This {what} response isn't valid any more (it was used already or has expired). "
            "Start again from Connected Accounts."
        )
    return pending


def _admin_consent(ctx: ServiceContext, provider: IntegrationProvider) -> AdminConsentClient:
    client = _admin_consent_client(ctx, provider)
    if client is None:
        _oauth(ctx, provider)  # says "isn't configured" when that is why
        raise NotFound(f"{PROVIDER_LABEL[provider]} has no admin approval.")
    return client


async def start_admin_consent(
    ctx: ServiceContext, host: Host, provider: IntegrationProvider, *, session_id: str
) -> str:
    """For a host who is an admin of their organisation: a single-use state bound to this browser
    session, and the provider's approval URL for the host's organisation (when known)."""
    client = _admin_consent(ctx, provider)
    state = secrets.token_urlsafe(32)
    async with ctx.uow(write=True) as uow:
        row = await uow.integrations.get(host.id, provider)
        await uow.integrations.purge_states(created_before=ctx.clock.now() - STATE_LIFETIME)
        uow.integrations.add_state(
            OAuthState(
                state=state,
                user_id=host.id,
                session_id=session_id,
                provider=provider,
                purpose=ADMIN_CONSENT,
                code_verifier_enc="",  # nothing is issued at the end: no PKCE verifier to keep
                created_at=ctx.clock.now(),
            )
        )
        await uow.commit()
    return client.admin_consent_url(
        state=state, redirect_uri=admin_consent_redirect_uri(ctx, provider), tenant=_organization(row)
    )


def _approval_refused(
    provider: IntegrationProvider, refused: CalendarError, error: str, *, forwarded: bool
) -> ConnectionFailed:
    if isinstance(refused, ConsentDeclined):
        return ConnectionFailed(
            "The administrator declined to approve Workestra, so nothing changed: people in your "
            "organisation still can't connect their calendars. If that was a mistake, open the "
            "approval link again and accept."
        )
    if isinstance(refused, AdminConsentRequired):
        where = "this link" if forwarded else "the approval link on the Connected Accounts card"
        return ConnectionFailed(
            "The account that signed in can't approve apps for the whole organisation (it isn't an "
            f"administrator's). Send {where} to an administrator of your organisation."
        )
    return ConnectionFailed(
        f"{PROVIDER_LABEL[provider]} couldn't record the approval ({error}). Try again, or ask "
        "your administrator."
    )


async def complete_admin_consent(
    ctx: ServiceContext,
    host: Host | None,
    provider: IntegrationProvider,
    *,
    session_id: str,
    state: str | None,
    admin_consent: str | None,
    error: str | None = None,
    error_description: str | None = None,
) -> str:
    """The approval's callback: what happened, in words for whoever arrives (the message).

    A forwarded link (or nobody signed in here) only hears the outcome; a host's own approval
    must carry this session's state. Nothing is stored either way: the provider keeps the
    approval, and each host then connects through the ordinary flow. The ``tenant`` parameter is
    not read, as the reference warns it can be forged.

    Raises Forbidden for another session's state, ConnectionFailed for a refusal or a spent state.
    """
    client = _admin_consent(ctx, provider)
    forwarded = host is None or state == FORWARDED_STATE
    if not forwarded and host is not None:
        if not state:
            raise InvalidInput(
                "The approval response is missing its state; start again from Connected Accounts."
            )
        await _use_state(
            ctx, host, provider, state=state, session_id=session_id, purpose=ADMIN_CONSENT, what="approval"
        )
    if error:  # before admin_consent: the error redirect carries admin_consent=True too
        refused = client.admin_consent_error(error, error_description)
        logger.info("admin approval of %s refused: %s", provider, type(refused).__name__)
        raise _approval_refused(provider, refused, error, forwarded=forwarded)
    if (admin_consent or "").lower() != "true":
        raise InvalidInput("This approval response says neither approved nor refused; nothing changed.")
    if forwarded:
        return (
            "Thank you: Workestra is approved for your organisation. People in it can now connect "
            "their calendars without being asked for an admin's approval."
        )
    return (
        f"Your organisation approved Workestra. Connect {PROVIDER_LABEL[provider]} now: nobody "
        "in your organisation will be asked for an admin's approval again."
    )


async def check_connection(ctx: ServiceContext, host: Host, provider: IntegrationProvider) -> ConnectionView:
    """Health check (on connect and on demand): read the calendar, note the meeting link, the
    scopes and the account kind."""
    async with ctx.uow() as uow:
        row = await uow.integrations.get(host.id, provider)
    if row is None or provider not in CALENDAR_OF:
        raise NotFound(f"{PROVIDER_LABEL[provider]} isn't connected.")
    credentials = ConnectionCredentials(ctx, host.id, provider)
    now = ctx.clock.now()
    calendars: list[CalendarInfo] | None = None
    try:
        adapter = ctx.calendars.calendar(CALENDAR_OF[provider])
        health = await adapter.check_health(credentials)
        calendars = await adapter.list_calendars(credentials)
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
                gone = _missing_chosen(row, calendars)
                # Named as the previous listing knew them (the provider no longer does).
                names = {c.id: c.name for c in _known(row) or ()}
                row.known_calendars = _stored(calendars)
                row.checked_at = now
                row.status = IntegrationStatus.ACTIVE
                if not health.calendar_found:
                    row.problem, row.last_error = ConnectionProblem.CALENDAR_NOT_FOUND, None
                elif gone:  # a chosen calendar that is gone is a problem too, never "free"
                    row.problem = ConnectionProblem.CALENDAR_NOT_FOUND
                    row.last_error = ", ".join(f'"{names[i]}"' for i in gone if i in names) or None
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
        row = await uow.integrations.get(host.id, provider)
    return _view(ctx, provider, row, live=calendars, listing_failed=calendars is None)


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


def _connected_adapter(ctx: ServiceContext, provider: IntegrationProvider) -> ChoiceSupport:
    if provider not in CALENDAR_OF:
        raise NotFound(f"{PROVIDER_LABEL[provider]} has no calendars to choose.")
    return _choices(ctx, provider)


async def _connected_row(ctx: ServiceContext, host: Host, provider: IntegrationProvider) -> UserIntegration:
    async with ctx.uow() as uow:
        row = await uow.integrations.get(host.id, provider)
    if row is None:
        raise NotFound(f"{PROVIDER_LABEL[provider]} isn't connected.")
    return row


async def _list_live(ctx: ServiceContext, host: Host, provider: IntegrationProvider) -> list[CalendarInfo]:
    """The account's calendars, read now; a failure goes onto the card and is a 503 here."""
    credentials = ConnectionCredentials(ctx, host.id, provider)
    try:
        return await ctx.calendars.calendar(CALENDAR_OF[provider]).list_calendars(credentials)
    except CalendarError as exc:
        await record_problem(ctx, host.id, provider, exc, token_version=credentials.token_version)
        why = describe(problem_for(exc), wording=wording(ctx, provider))
        raise CalendarUnavailable(f"Your calendars couldn't be listed, so nothing changed. {why}") from exc


async def choose_calendars(
    ctx: ServiceContext,
    host: Host,
    provider: IntegrationProvider,
    conflict_ids: list[str] | None,
    destination_id: str | None,
    *,
    conflicts_given: bool = True,
    destination_given: bool = True,
) -> ConnectionView:
    """Which calendars hide slots (``conflict_ids``; None: the primary) and which one receives
    new bookings (``destination_id``; None: the primary); with ``conflicts_given`` or
    ``destination_given`` False, that part stays as it is. Checked against the calendars listed
    live: an unknown id, an empty list or a destination that can't be edited is InvalidInput
    (422), and nothing changes. The primary alone is stored as the default (null), so it
    follows the account."""
    support = _connected_adapter(ctx, provider)
    row = await _connected_row(ctx, host, provider)
    current = calendar_choice_of(row)
    calendars = await _list_live(ctx, host, provider)  # listed even to reset: ids are checked live
    by_id = {c.id: c for c in calendars}
    primary = next((c.id for c in calendars if c.is_primary), None)
    fields: dict[str, str] = {}
    conflicts: list[str] | None = None
    if conflicts_given and conflict_ids is None:
        conflicts = [primary] if primary is not None else None
    elif conflicts_given and conflict_ids is not None:
        conflicts = list(dict.fromkeys(conflict_ids))
        unknown = [i for i in conflicts if i not in by_id]
        if not conflicts:
            fields["conflict_calendars"] = "Choose at least one calendar to check for conflicts."
        elif unknown:
            fields["conflict_calendars"] = f"These aren't calendars of this account: {', '.join(unknown)}."
        elif conflicts != [primary] and not support.conflict_calendars:
            fields["conflict_calendars"] = (
                f"{PROVIDER_LABEL[provider]} connections check the primary calendar only."
            )
    destination = destination_id if destination_given else current.destination
    if destination_given and destination_id is not None:
        chosen = by_id.get(destination_id)
        if chosen is None:
            fields["destination_calendar"] = f"{destination_id} isn't a calendar of this account."
        elif not chosen.can_edit:
            fields["destination_calendar"] = (
                f"New bookings can't be added to {chosen.name}: you can only read it. Choose a "
                "calendar you can edit."
            )
        elif destination_id != primary and not support.destination:
            fields["destination_calendar"] = (
                f"{PROVIDER_LABEL[provider]} connections add bookings to the primary calendar only."
            )
    if fields:
        raise InvalidInput(" ".join(fields.values()), fields=fields)
    now = ctx.clock.now()
    async with ctx.uow(write=True) as uow:
        locked = await uow.integrations.get(host.id, provider, for_update=True)
        if locked is None:
            raise NotFound(f"{PROVIDER_LABEL[provider]} isn't connected.")
        row = locked
        if conflicts_given:
            row.conflict_calendar_ids = None if conflicts in (None, [primary]) else conflicts
        row.destination_calendar_id = None if destination in (None, primary) else destination
        row.known_calendars = _stored(calendars)
        if row.problem == ConnectionProblem.CALENDAR_NOT_FOUND and not _missing_chosen(row, calendars):
            row.problem, row.last_error = None, None  # the calendars just chosen exist
        row.updated_at = now
        await uow.commit()
    async with ctx.uow() as uow:
        return _view(ctx, provider, await uow.integrations.get(host.id, provider), live=calendars)


async def set_busy_rules(
    ctx: ServiceContext,
    host: Host,
    provider: IntegrationProvider,
    *,
    tentative_blocks: bool | None = None,
    working_elsewhere_blocks: bool | None = None,
    all_day_free_blocks: bool | None = None,
) -> ConnectionView:
    """Change the connection's busy rules (None leaves a rule as it is). InvalidInput (422) where
    the provider's busy read can't apply them (Google's freeBusy names no entries)."""
    support = _connected_adapter(ctx, provider)
    if not support.busy_rules:
        raise InvalidInput(
            f"{PROVIDER_LABEL[provider]} gives Workestra busy time without the events, so these rules "
            "can't apply: every busy time it reports blocks.",
            fields={"busy_rules": "Not offered for this calendar."},
        )
    async with ctx.uow(write=True) as uow:
        row = await uow.integrations.get(host.id, provider, for_update=True)
        if row is None:
            raise NotFound(f"{PROVIDER_LABEL[provider]} isn't connected.")
        if tentative_blocks is not None:
            row.busy_tentative = tentative_blocks
        if working_elsewhere_blocks is not None:
            row.busy_working_elsewhere = working_elsewhere_blocks
        if all_day_free_blocks is not None:
            row.busy_all_day_free = all_day_free_blocks
        row.updated_at = ctx.clock.now()
        await uow.commit()
    async with ctx.uow() as uow:
        return _view(ctx, provider, await uow.integrations.get(host.id, provider))
