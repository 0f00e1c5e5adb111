"""Log in and out of the host's session."""

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import Response

from workestra.errors import NotAuthenticated, RateLimited
from workestra.services.users import authenticate
from workestra.web.deps import ClientAddress, CsrfDep, CtxDep, public_page_view
from workestra.web.errors import retry_after_headers
from workestra.web.pages.rendering import local_path, render, see_other
from workestra.web.sessions import end_session

router = APIRouter(tags=["pages"])

HOME = "/calendar"


@router.get("/login", dependencies=[Depends(public_page_view)])
async def login_form(request: Request, next: Annotated[str | None, Query()] = None) -> Response:
    if isinstance(request.session.get("uid"), str):
        return see_other(local_path(next, HOME))
    return render(request, "login.html", {"next": local_path(next, ""), "email": "", "error": None})


@router.post("/login")
async def login(
    request: Request,
    ctx: CtxDep,
    _csrf: CsrfDep,
    client: ClientAddress,
    email: Annotated[str, Form(max_length=320)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    next: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    try:
        host = await authenticate(ctx, email=email.strip(), password=password, client=client)
    except (NotAuthenticated, RateLimited) as exc:
        page = render(
            request,
            "login.html",
            {"next": local_path(next, ""), "email": email, "error": exc.message},
            status_code=429 if isinstance(exc, RateLimited) else 401,
        )
        page.headers.update(retry_after_headers(exc))
        return page
    request.session.clear()  # a fresh session id on login: no fixation of CSRF or OAuth state
    request.session["uid"] = host.id
    return see_other(local_path(next, HOME))


@router.post("/logout")
async def logout(request: Request, _csrf: CsrfDep) -> Response:
    end_session(request)
    return see_other("/login")
