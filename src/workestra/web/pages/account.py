"""The host's account settings: change the password, log out everywhere; a pointer to Teams (where
round-robin invitations are answered)."""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from workestra.errors import InvalidInput, RateLimited
from workestra.services.account import change_password
from workestra.services.context import ServiceContext
from workestra.services.sessions import end_all_sessions
from workestra.services.teams import my_teams
from workestra.services.users import Host
from workestra.web.deps import ClientAddress, CsrfDep, CtxDep, CurrentHost
from workestra.web.errors import STATUS, retry_after_headers
from workestra.web.pages.rendering import flash, render, see_other
from workestra.web.sessions import end_session, renew_session

router = APIRouter(prefix="/settings/account", tags=["pages"])

ACCOUNT = "/settings/account"


async def _page(
    request: Request, ctx: ServiceContext, host: Host, error: InvalidInput | RateLimited | None = None
) -> Response:
    context = {
        "error": error.message if error else None,
        "field_errors": error.fields if error else {},
        "teams": await my_teams(ctx, host),
    }
    status_code = STATUS[error.code] if error else 200
    page = render(request, "settings/account.html", context, host=host, status_code=status_code)
    if error is not None:
        page.headers.update(retry_after_headers(error))
    return page


@router.get("")
async def account(request: Request, ctx: CtxDep, host: CurrentHost) -> Response:
    return await _page(request, ctx, host)


@router.post("/password")
async def password(
    request: Request,
    ctx: CtxDep,
    host: CurrentHost,
    _csrf: CsrfDep,
    client: ClientAddress,
    current_password: Annotated[str, Form(max_length=1024)] = "",
    new_password: Annotated[str, Form(max_length=1024)] = "",
) -> Response:
    try:
        await change_password(
            ctx, host, current_password=current_password, new_password=new_password, client=client
        )
    except (InvalidInput, RateLimited) as exc:
        return await _page(request, ctx, host, exc)
    renew_session(request)  # the change ended every session of the host's: this browser gets a new one
    flash(request, "Password changed. You were logged out everywhere else.")
    return see_other(ACCOUNT)


@router.post("/logout-everywhere")
async def logout_everywhere(request: Request, ctx: CtxDep, host: CurrentHost, _csrf: CsrfDep) -> Response:
    await end_all_sessions(ctx, host)
    end_session(request)
    flash(request, "You were logged out everywhere, this browser included.")
    return see_other("/login")
