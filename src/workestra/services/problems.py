"""Provider failures in the host's words, and the note on the host's Connected Accounts card.

Every ``CalendarError`` is worded here, once; a test walks every subclass.
"""

from dataclasses import dataclass

from workestra.calendars.base import CalendarTerms, Permission
from workestra.calendars.errors import (
    AdminConsentRequired,
    AuthorizationCodeRejected,
    CalendarError,
    CalendarNotFound,
    ConsentDeclined,
    MeetingLinkPending,
    MissingScope,
    NeedsReauth,
    OnlineMeetingUnavailable,
    ProviderNotConfigured,
    ProviderRejected,
    ProviderUnavailable,
    Throttled,
)
from workestra.db.models import UserIntegration
from workestra.enums import PROVIDER_SLOT, ConnectionProblem, IntegrationProvider, IntegrationStatus
from workestra.services.context import ServiceContext


@dataclass(frozen=True, slots=True)
class Wording:
    """What the texts need to know of one provider: its terms, and what each permission is for."""

    terms: CalendarTerms
    permissions: tuple[Permission, ...] = ()


GENERIC_WORDING = Wording(CalendarTerms(meeting_link="meeting"))

PROBLEM_TEXT: dict[ConnectionProblem, str] = {
    ConnectionProblem.EXPIRED: (
        "The connection expired (the sign-in wasn't used for too long, or an organisation policy ended "
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
        "A permission is missing: {scopes}.{consequence} Reconnect and grant all requested permissions."
    ),
    ConnectionProblem.PERSONAL_ACCOUNT: (
        "{personal_limit} Availability and events still work, but bookings won't get a "
        "{meeting} link; connect a work account for {meeting} links."
    ),
    ConnectionProblem.NO_MEETING_LINK: (
        "This account can't create {meeting} meetings (they aren't enabled for it). "
        "Availability and events still work; bookings won't get a {meeting} link."
    ),
    ConnectionProblem.CALENDAR_NOT_FOUND: (
        "Calendar not found: the account has no calendar Workestra can use{not_found_hint}. "
        "Confirm the account has at least one calendar, then reconnect."
    ),
    ConnectionProblem.ADMIN_CONSENT_REQUIRED: (
        "Your organisation's admin must approve Workestra before you can connect: only an "
        "administrator of your organisation can grant{admin_permissions}, for everyone at once. "
        "Send them the admin-consent link on the Connected Accounts card (or open it yourself if "
        "you are an admin); once they accept, connect again."
    ),
    ConnectionProblem.UNAVAILABLE: (
        "The calendar couldn't be read just now (the provider is throttling or unavailable). "
        "Booking pages using it show no slots until it can be read again."
    ),
}

CODE_REJECTED_TEXT = "That sign-in link was already used or has expired. Connect again."
GENERIC_PERSONAL_LIMIT = "This is a personal account, and it can't create meeting links."

TRANSIENT_PROBLEMS = frozenset({ConnectionProblem.UNAVAILABLE})
RECONNECT_PROBLEMS = frozenset(
    {
        ConnectionProblem.EXPIRED,
        ConnectionProblem.REVOKED,
        ConnectionProblem.CONSENT_MISSING,
        ConnectionProblem.INTERACTION_REQUIRED,
        ConnectionProblem.MISSING_SCOPE,
        ConnectionProblem.CALENDAR_NOT_FOUND,
        ConnectionProblem.ADMIN_CONSENT_REQUIRED,  # once the admin has approved
    }
)
# What a booking's note may blame for a missing meeting link.
MEETING_LINK_PROBLEMS = frozenset(
    {ConnectionProblem.PERSONAL_ACCOUNT, ConnectionProblem.NO_MEETING_LINK, ConnectionProblem.MISSING_SCOPE}
)


def wording(ctx: ServiceContext, provider: IntegrationProvider) -> Wording:
    """The provider's own words when this server has its adapter; plain generic ones otherwise."""
    calendar = next((name for name, slot in PROVIDER_SLOT.items() if slot is provider), None)
    try:
        terms = ctx.calendars.calendar(calendar).terms if calendar else GENERIC_WORDING.terms
        permissions = ctx.calendars.oauth(provider).permissions
    except ProviderNotConfigured:
        return GENERIC_WORDING
    return Wording(terms, permissions)


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
            return ConnectionProblem.NO_MEETING_LINK
        case AdminConsentRequired():
            return ConnectionProblem.ADMIN_CONSENT_REQUIRED
        case ConsentDeclined():
            return ConnectionProblem.CONSENT_MISSING
        case AuthorizationCodeRejected():  # only on connecting; "connect again" is the fix
            return ConnectionProblem.EXPIRED
        case Throttled() | ProviderUnavailable() | ProviderRejected() | MeetingLinkPending():
            return ConnectionProblem.UNAVAILABLE
        case _:
            return ConnectionProblem.UNAVAILABLE


def describe(
    problem: ConnectionProblem, *, wording: Wording = GENERIC_WORDING, missing_scopes: str = ""
) -> str:
    """The problem in the host's words, naming the provider's meeting link and permissions."""
    terms = wording.terms
    scopes = [s for s in missing_scopes.split() if s]
    if_missing = {p.scope.lower(): p.if_missing for p in wording.permissions}
    consequence = " ".join(dict.fromkeys(if_missing.get(s.lower(), "") for s in scopes)).strip()
    hint = terms.calendar_not_found_hint
    return PROBLEM_TEXT[problem].format(
        scopes=", ".join(scopes) or "unknown",
        consequence=f" {consequence}" if consequence else "",
        meeting=terms.meeting_link,
        personal_limit=terms.personal_account_limit or GENERIC_PERSONAL_LIMIT,
        not_found_hint=f" ({hint})" if hint else "",
        admin_permissions=_admin_permissions(wording.permissions),
    )


def _admin_permissions(permissions: tuple[Permission, ...]) -> str:
    """The exact permissions an admin approves, those Workestra can't work without first."""
    required = ", ".join(p.scope for p in permissions if p.required)
    optional = ", ".join(p.scope for p in permissions if not p.required)
    if not required and not optional:
        return " the permissions Workestra asks for"
    needs = f" the permissions Workestra needs ({required})" if required else ""
    also = f" the optional ones ({optional})" if optional else ""
    return f"{needs} and{also}" if needs and also else needs or also


def connect_failure(error: CalendarError, *, wording: Wording = GENERIC_WORDING) -> str:
    """Why connecting failed, in the host's words (the callback's code exchange or profile read)."""
    if isinstance(error, AuthorizationCodeRejected):
        return CODE_REJECTED_TEXT
    return describe(problem_for(error), wording=wording)


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
