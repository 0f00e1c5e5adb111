"""Connecting calendars: start the OAuth flow, take the provider's callback, test and disconnect."""

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from workestra.enums import IntegrationProvider
from workestra.errors import Forbidden, NotFound, WorkestraError
from workestra.services.connections import (
    PROVIDER_LABEL,
    check_connection,
    complete_connection,
    disconnect,
    start_connection,
)
from workestra.web.deps import CsrfDep, CtxDep, CurrentHost, session_id
from workestra.web.pages.rendering import flash, see_other

router = APIRouter(prefix="/integrations", tags=["pages"])

ACCOUNTS = "/settings/connected-accounts"
PROVIDERS: dict[str, IntegrationProvider] = {
    "microsoft": IntegrationProvider.MICROSOFT_CALENDAR,
    "google": IntegrationProvider.GOOGLE_CALENDAR,
}
Param = Annotated[str | None, Query(max_length=4000)]


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
    except WorkestraError as exc:  # ConnectionFailed, InvalidInput, …: a message on the card page
        flash(request, exc.message, "error")
        return see_other(ACCOUNTS)
    flash(
        request, f"Connected as {view.account_email}." if view.account_email else f"{view.label} connected."
    )
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
