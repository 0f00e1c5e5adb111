"""Connecting calendars: start the OAuth flow, take the provider's callback, an organisation
admin's approval (admin consent) and its callback, test and disconnect."""

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from workestra.enums import IntegrationProvider
from workestra.errors import Forbidden, NotFound, WorkestraError
from workestra.services.connections import (
    PROVIDER_LABEL,
    AdminConsentNeeded,
    check_connection,
    choose_calendars,
    complete_admin_consent,
    complete_connection,
    disconnect,
    set_busy_rules,
    start_admin_consent,
    start_connection,
)
from workestra.services.users import Host, get_host
from workestra.web.deps import CsrfDep, CtxDep, CurrentHost, session_id
from workestra.web.pages.rendering import flash, render, see_other

router = APIRouter(prefix="/integrations", tags=["pages"])

ACCOUNTS = "/settings/connected-accounts"
PROVIDERS: dict[str, IntegrationProvider] = {
    "microsoft": IntegrationProvider.MICROSOFT_CALENDAR,
    "google": IntegrationProvider.GOOGLE_CALENDAR,
}
Param = Annotated[str | None, Query(max_length=4000)]
# Cards whose last connect attempt was refused for want of an admin's approval (url names): the
# card shows the approval link until the host connects or the approval comes back.
ADMIN_CONSENT_NEEDED = "admin_consent_needed"


async def _signed_in_host(request: Request, ctx: CtxDep) -> Host | None:
    user_id = request.session.get("uid")
    return await get_host(ctx, user_id) if isinstance(user_id, str) else None


MaybeHost = Annotated[Host | None, Depends(_signed_in_host)]


def _mark_admin_consent_needed(request: Request, url_name: str, *, needed: bool) -> None:
    marked = request.session.get(ADMIN_CONSENT_NEEDED)
    names = {n for n in marked if isinstance(n, str)} if isinstance(marked, list) else set()
    updated = names | {url_name} if needed else names - {url_name}
    if updated != names:
        if updated:
            request.session[ADMIN_CONSENT_NEEDED] = sorted(updated)
        else:
            request.session.pop(ADMIN_CONSENT_NEEDED, None)


def _provider(name: str) -> IntegrationProvider:
    try:
        return PROVIDERS[name]
    except KeyError:
        raise NotFound("There's no such calendar integration.") from None


@router.get("/{provider}/connect")
async def connect(request: Request, ctx: CtxDep, host: CurrentHost, provider: str) -> Response:
    url = await start_connection(ctx, host, _provider(provider), session_id=session_id(request))
    return see_other(url)


@router.get("/{provider}/callback")
async def callback(
    request: Request,
    ctx: CtxDep,
    host: CurrentHost,
    provider: str,
    state: Param = None,
    code: Param = None,
    error: Param = None,
    error_description: Param = None,
) -> Response:
    try:
        view = await complete_connection(
            ctx,
            host,
            _provider(provider),
            session_id=session_id(request),
            state=state,
            code=code,
            error=error,
            error_description=error_description,
        )
    except Forbidden:
        raise  # another session's sign-in: an error page (403), not a note on this host's cards
    except AdminConsentNeeded as exc:  # the card shows the approval link to forward
        _mark_admin_consent_needed(request, provider, needed=True)
        flash(request, exc.message, "error")
        return see_other(ACCOUNTS)
    except WorkestraError as exc:  # ConnectionFailed, InvalidInput, …: a message on the card page
        flash(request, exc.message, "error")
        return see_other(ACCOUNTS)
    _mark_admin_consent_needed(request, provider, needed=False)
    flash(
        request, f"Connected as {view.account_email}." if view.account_email else f"{view.label} connected."
    )
    return see_other(ACCOUNTS)


@router.get("/{provider}/admin-consent")
async def admin_consent(request: Request, ctx: CtxDep, host: CurrentHost, provider: str) -> Response:
    """For a host who is an admin of their organisation: approve for everyone, then connect."""
    url = await start_admin_consent(ctx, host, _provider(provider), session_id=session_id(request))
    return see_other(url)


@router.get("/{provider}/admin-consent/callback")
async def admin_consent_callback(
    request: Request,
    ctx: CtxDep,
    host: MaybeHost,
    provider: str,
    state: Param = None,
    admin_consent: Param = None,
    error: Param = None,
    error_description: Param = None,
) -> Response:
    """Where the provider sends the admin back: a signed-in host (its own approval, or a forwarded
    link opened here) gets a note on the cards; an admin with no account here, a page."""
    slot = _provider(provider)
    try:
        message = await complete_admin_consent(
            ctx,
            host,
            slot,
            session_id=session_id(request),
            state=state,
            admin_consent=admin_consent,
            error=error,
            error_description=error_description,
        )
    except Forbidden:
        raise  # another session's approval: an error page (403)
    except WorkestraError as exc:
        if host is None:
            context = {"title": "Workestra was not approved", "message": exc.message}
            return render(request, "error.html", context, status_code=400)
        flash(request, exc.message, "error")
        return see_other(ACCOUNTS)
    if host is None:
        return render(request, "error.html", {"title": "Workestra approved", "message": message})
    _mark_admin_consent_needed(request, provider, needed=False)
    flash(request, message)
    return see_other(ACCOUNTS)


@router.post("/{provider}/check")
async def check(request: Request, ctx: CtxDep, host: CurrentHost, _csrf: CsrfDep, provider: str) -> Response:
    try:
        view = await check_connection(ctx, host, _provider(provider))
    except WorkestraError as exc:
        flash(request, exc.message, "error")
        return see_other(ACCOUNTS)
    if view.problem_message:
        flash(request, f"Connection tested: {view.problem_message}", "error")
    else:
        flash(request, f"Connection tested: {view.label} is working.")
    return see_other(ACCOUNTS)


@router.post("/{provider}/disconnect")
async def remove(request: Request, ctx: CtxDep, host: CurrentHost, _csrf: CsrfDep, provider: str) -> Response:
    slot = _provider(provider)
    await disconnect(ctx, host, slot)
    flash(request, f"Disconnected {PROVIDER_LABEL[slot]}.")
    return see_other(ACCOUNTS)


@router.post("/{provider}/calendars")
async def calendars(
    request: Request, ctx: CtxDep, host: CurrentHost, _csrf: CsrfDep, provider: str
) -> Response:
    """The card's "Calendars" form: the calendars checked for conflicts (``conflict``, one per
    checkbox), where new bookings go (``destination``) and, where offered, the busy rules (a
    checkbox each, absent: off). Checked live against the account's calendars; a refusal is a
    message on the card page and nothing changes."""
    slot = _provider(provider)
    form = await request.form()
    conflicts = [str(v) for v in form.getlist("conflict") if isinstance(v, str)]
    destination = form.get("destination")
    try:
        view = await choose_calendars(
            ctx, host, slot, conflicts, destination if isinstance(destination, str) and destination else None
        )
        if view.busy_rules is not None and form.get("busy_rules") == "1":
            await set_busy_rules(
                ctx,
                host,
                slot,
                tentative_blocks=form.get("tentative_blocks") == "on",
                working_elsewhere_blocks=form.get("working_elsewhere_blocks") == "on",
                all_day_free_blocks=form.get("all_day_free_blocks") == "on",
            )
    except WorkestraError as exc:  # InvalidInput (unknown or read-only calendar), CalendarUnavailable
        flash(request, exc.message, "error")
        return see_other(ACCOUNTS)
    flash(request, f"Saved the calendars of {PROVIDER_LABEL[slot]}.")
    return see_other(ACCOUNTS)
