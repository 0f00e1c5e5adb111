"""Provider failures in the host's words, and the note on the host's Connected Accounts card.

Every ``CalendarError`` is worded here, once; a test walks every subclass.
"""

from workestra.calendars.errors import (
    AdminConsentRequired,
    AuthorizationCodeRejected,
    CalendarError,
    CalendarNotFound,
    ConsentDeclined,
    MissingScope,
    NeedsReauth,
    OnlineMeetingUnavailable,
    ProviderRejected,
    ProviderUnavailable,
    Throttled,
)
from workestra.db.models import UserIntegration
from workestra.enums import ConnectionProblem, IntegrationProvider, IntegrationStatus
from workestra.services.context import ServiceContext

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

CODE_REJECTED_TEXT = "That sign-in link was already used or has expired. Connect again."

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
        case AuthorizationCodeRejected():  # only on connecting; "connect again" is the fix
            return ConnectionProblem.EXPIRED
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


def connect_failure(error: CalendarError) -> str:
    """Why connecting failed, in the host's words (the callback's code exchange or profile read)."""
    if isinstance(error, AuthorizationCodeRejected):
        return CODE_REJECTED_TEXT
    return describe(problem_for(error))


async def record_problem(
    ctx: ServiceContext,
    user_id: str,
    provider: IntegrationProvider,
    error: CalendarError,
    *,
    token_version: int | None = None,
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
        token_version=token_version,
    )


async def record_problem_code(
    ctx: ServiceContext,
    user_id: str,
    provider: IntegrationProvider,
    problem: ConnectionProblem,
    *,
    needs_reauth: bool = False,
    missing_scopes: str | None = None,
    token_version: int | None = None,
) -> None:
    """Store ``problem`` on the card unless it already says so; a passing outage (throttled,
    unavailable) never hides a lasting note such as "personal account" or a missing permission.

    Checked before and again under the write lock, so of many concurrent callers one writes."""

    def nothing_new(row: UserIntegration | None) -> bool:
        if row is None or (token_version is not None and row.token_version != token_version):
            return True  # gone, or reconnected since the failing call read it: not about it
        if problem in TRANSIENT_PROBLEMS and row.problem not in {None, *TRANSIENT_PROBLEMS}:
            return True
        reauth_known = not needs_reauth or row.status == IntegrationStatus.NEEDS_REAUTH
        return row.problem == problem and row.last_error == missing_scopes and reauth_known

    async with ctx.uow() as uow:
        if nothing_new(await uow.integrations.get(user_id, provider)):
            return  # no write (public pages must not queue on the write lock)
    async with ctx.uow(write=True) as uow:
        row = await uow.integrations.get(user_id, provider, for_update=True)
        if row is None or nothing_new(row):
            return  # another caller wrote it meanwhile
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


async def note_public_read(
    ctx: ServiceContext,
    user_id: str,
    provider: IntegrationProvider,
    outcome: CalendarError | None,
    *,
    token_version: int | None,
    stored: ConnectionProblem | None,
) -> None:
    """What an anonymous read of the host's calendar saw, onto the card: a failure, or a recovery
    from a passing one (``stored`` is the note as the read found it). Each at most once per
    ``ctx.public_notes`` interval per connection in this process, so anonymous views never write
    on every view; the health check and the worker record everything they see."""
    if outcome is None and stored not in TRANSIENT_PROBLEMS:
        return
    kind = "failed" if outcome is not None else "recovered"
    if not ctx.public_notes.claim((user_id, provider, kind), ctx.clock.now()):
        return
    if outcome is None:
        await clear_transient_problem(ctx, user_id, provider)
    else:
        await record_problem(ctx, user_id, provider, outcome, token_version=token_version)
