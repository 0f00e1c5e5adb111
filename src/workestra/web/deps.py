"""Annotated dependency aliases: the only way routes reach settings, services' context and the caller."""

import secrets
from typing import Annotated

from fastapi import Depends, Form, Header, Request

from workestra.config import Settings
from workestra.errors import Forbidden, NotAuthenticated
from workestra.security.csrf import CsrfSigner, same_origin
from workestra.services.context import ServiceContext
from workestra.services.rate_limits import spend_page_view
from workestra.services.users import Host, get_host, host_for_api_key
from workestra.web.sessions import anonymous_id


# Dependencies are `async def` even when they don't await: FastAPI runs a plain function in its
# thread pool, a thread hop per dependency on every request.
async def _ctx(request: Request) -> ServiceContext:
    ctx: ServiceContext = request.app.state.ctx
    return ctx


async def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def _client_address(request: Request) -> str | None:
    """The caller's address: the peer, or what a trusted proxy says (WORKESTRA_FORWARDED_ALLOW_IPS)."""
    return request.client.host if request.client else None


CtxDep = Annotated[ServiceContext, Depends(_ctx)]
SettingsDep = Annotated[Settings, Depends(_settings)]
ClientAddress = Annotated[str | None, Depends(_client_address)]


async def public_page_view(ctx: CtxDep, client: ClientAddress) -> None:
    """For a public page's router: each view spends the client's page budget (429 past it)."""
    await spend_page_view(ctx, client=client)


def session_id(request: Request) -> str:
    """A random id for this browser (binds CSRF tokens and OAuth states to it): kept in the stored
    session once somebody is signed in, else in a cookie only, so anonymous views store nothing."""
    if not isinstance(request.session.get("uid"), str):
        return anonymous_id(request)
    sid = request.session.get("sid")
    if not isinstance(sid, str):
        sid = secrets.token_urlsafe(24)
        request.session["sid"] = sid
    return sid


def csrf_token(request: Request) -> str:
    signer: CsrfSigner = request.app.state.csrf
    return signer.issue(session_id(request))


async def _current_host(request: Request, ctx: CtxDep) -> Host:
    user_id = request.session.get("uid")
    host = await get_host(ctx, user_id) if isinstance(user_id, str) else None
    if host is None:
        raise NotAuthenticated("Please log in.")
    return host


async def _api_host(ctx: CtxDep, authorization: Annotated[str | None, Header()] = None) -> Host:
    scheme, _, key = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not key.strip():
        raise NotAuthenticated("Send your API key as `Authorization: Bearer <api_key>`.")
    return await host_for_api_key(ctx, key.strip())


async def _csrf(request: Request, settings: SettingsDep, csrf_token: Annotated[str, Form()] = "") -> None:
    # The Origin (or Referer) check stands beside the token: a post another site's page sent is
    # refused even when it somehow carries a valid token.
    own = (settings.base_url, str(request.base_url))
    if not same_origin(
        origin=request.headers.get("origin"), referer=request.headers.get("referer"), own_origins=own
    ):
        raise Forbidden("This form was sent from another site, so nothing was changed.")
    signer: CsrfSigner = request.app.state.csrf
    if not signer.verify(csrf_token, session_id(request)):
        raise Forbidden("This form has expired or didn't come from this site. Reload the page and try again.")


CurrentHost = Annotated[Host, Depends(_current_host)]
ApiHost = Annotated[Host, Depends(_api_host)]
CsrfDep = Annotated[None, Depends(_csrf)]
