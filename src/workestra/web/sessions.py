"""Server-side sessions for the pages: an ASGI middleware that fills ``request.session`` from the
store and saves it back, so routes keep reading and writing a plain dict.

The cookie holds only the session's random id (HttpOnly, SameSite=Lax, Secure on https). A new id
is set whenever the signed-in user changes or a route asks for one with ``renew_session``.
"""

from fastapi import Request
from starlette.datastructures import MutableHeaders
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from workestra.services.context import ServiceContext
from workestra.services.sessions import ABSOLUTE_LIFETIME, open_session, save_session

COOKIE = "workestra_session"
_RENEW = "workestra.renew_session"


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
                kept_id = await save_session(
                    self._ctx, opened, scope["session"], renew=bool(scope.get(_RENEW))
                )
                headers = MutableHeaders(scope=message)
                if kept_id is not None and kept_id != sent_id:
                    headers.append(
                        "Set-Cookie", f"{COOKIE}={kept_id}; Max-Age={self._max_age}; {self._flags}"
                    )
                elif kept_id is None and sent_id is not None:
                    headers.append("Set-Cookie", f"{COOKIE}=; Max-Age=0; {self._flags}")
                headers.add_vary_header("Cookie")
            await send(message)

        await self.app(scope, receive, send_with_cookie)
