"""Server-side sessions for the pages: an ASGI middleware that fills ``request.session`` from the
store and saves it back, so routes keep reading and writing a plain dict.

The cookie holds only the session's random id (HttpOnly, SameSite=Lax, Secure on https). A new id
is set whenever the signed-in user changes or a route asks for one with ``renew_session``.

Somebody not signed in gets no stored session for a form's CSRF token: the token binds to a random
id kept only in the ``workestra_anon`` cookie (a double-submit cookie, signed through the token),
so anonymous page views and forged posts store nothing. A store outage opens no session and keeps
the browser's cookie as it is.
"""

import logging

from fastapi import Request
from starlette.datastructures import MutableHeaders
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from workestra.security.session_ids import is_session_id, new_session_id
from workestra.services.context import ServiceContext
from workestra.services.sessions import (
    ABSOLUTE_LIFETIME,
    OpenSession,
    SessionStoreUnavailable,
    open_session,
    save_session,
)

logger = logging.getLogger(__name__)

COOKIE = "workestra_session"
ANONYMOUS_COOKIE = "workestra_anon"
_RENEW = "workestra.renew_session"
_NEW_ANONYMOUS = "workestra.new_anonymous_id"
_ENDED = "workestra.session_ended"


def end_session(request: Request) -> None:
    """Log this browser out: its session data goes, and so does its cookie, even while the store
    is down (the record then ends with its idle lifetime)."""
    request.session.clear()
    request.scope[_ENDED] = True


def anonymous_id(request: Request) -> str:
    """The id that binds a signed-out browser's form tokens: its cookie's, or a new one that goes
    out with the response. Nothing is stored on the server."""
    fresh = request.scope.get(_NEW_ANONYMOUS)
    if isinstance(fresh, str):
        return fresh
    sent = request.cookies.get(ANONYMOUS_COOKIE, "")
    if is_session_id(sent):
        return sent
    fresh = new_session_id()
    request.scope[_NEW_ANONYMOUS] = fresh
    return fresh


def renew_session(request: Request) -> None:
    """Give this browser a new session id when the response goes out (its data moves along)."""
    request.scope[_RENEW] = True


class ServerSessionMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        ctx: ServiceContext,
        https_only: bool,
        sessionless_prefixes: tuple[str, ...] = (),
    ) -> None:
        self.app = app
        self._ctx = ctx
        self._sessionless = sessionless_prefixes
        self._flags = "Path=/; HttpOnly; SameSite=Lax" + ("; Secure" if https_only else "")
        self._max_age = int(ABSOLUTE_LIFETIME.total_seconds())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or str(scope["path"]).startswith(self._sessionless):
            # Static files and the bearer-key JSON API never read a session: no store round trip.
            scope["session"] = {}
            await self.app(scope, receive, send)
            return
        sent_id = HTTPConnection(scope).cookies.get(COOKIE)
        opened = await open_session(self._ctx, sent_id)
        scope["session"] = opened.data

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                await self._save(opened, scope, sent_id, headers)
                anonymous = scope.get(_NEW_ANONYMOUS)
                if isinstance(anonymous, str):
                    headers.append("Set-Cookie", self._cookie(ANONYMOUS_COOKIE, anonymous))
                headers.add_vary_header("Cookie")
            await send(message)

        await self.app(scope, receive, send_with_cookie)

    async def _save(
        self, opened: OpenSession, scope: Scope, sent_id: str | None, headers: MutableHeaders
    ) -> None:
        try:
            kept_id = await save_session(self._ctx, opened, scope["session"], renew=bool(scope.get(_RENEW)))
        except SessionStoreUnavailable as exc:
            logger.error("session store unavailable, session not saved: %s", exc)
            kept_id = None if scope.get(_ENDED) else sent_id  # a logout: this browser forgets it anyway
        if kept_id != sent_id:
            value, max_age = (kept_id, self._max_age) if kept_id is not None else ("", 0)
            headers.append("Set-Cookie", self._cookie(COOKIE, value, max_age=max_age))

    def _cookie(self, name: str, value: str, *, max_age: int | None = None) -> str:
        lifetime = "" if max_age is None else f"Max-Age={max_age}; "
        return f"{name}={value}; {lifetime}{self._flags}"
