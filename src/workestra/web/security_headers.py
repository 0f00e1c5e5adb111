"""Headers every response carries (nosniff, a Referrer-Policy) and the Content-Security-Policy of
HTML pages: our own scripts and styles only, no inline script, never framed.

A page of the embedded booking flow calls ``allow_framing`` with its link's allowed origins: its
policy then names them in ``frame-ancestors`` (``*`` when the link lists none) instead of
``'none'``. A route that needs another policy altogether sets its own ``Content-Security-Policy``
header; this middleware then leaves it as it is.
"""

import re
from collections.abc import Iterable

from starlette.datastructures import MutableHeaders
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

_BASE_POLICY = (
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",  # data: for the empty favicon in base.html
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
)
_FRAME_ANCESTORS = "workestra.frame_ancestors"
# An origin as the links service normalises it; anything else never reaches the header.
_ORIGIN = re.compile(r"^https?://[a-z0-9.\-]+(?::[0-9]{1,5})?$|^https?://\[[0-9a-f:.]+\](?::[0-9]{1,5})?$")


def content_security_policy(frame_ancestors: str = "'none'") -> str:
    return "; ".join((*_BASE_POLICY, f"frame-ancestors {frame_ancestors}"))


CONTENT_SECURITY_POLICY = content_security_policy()
ALWAYS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}


def allow_framing(request: HTTPConnection, origins: Iterable[str]) -> None:
    """Let pages of ``origins`` frame this response; no origins: pages of any site may. An origin
    that isn't in the links service's normal form leaves the page unframable (fail closed)."""
    listed = tuple(origins)
    if not all(_ORIGIN.match(origin) for origin in listed):
        return
    request.scope[_FRAME_ANCESTORS] = " ".join(listed) or "*"


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp, *, content_security_policy: str = CONTENT_SECURITY_POLICY) -> None:
        self.app = app
        self._csp = content_security_policy

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in ALWAYS.items():
                    headers.setdefault(name, value)
                if headers.get("content-type", "").startswith("text/html"):
                    framing = scope.get(_FRAME_ANCESTORS)
                    policy = self._csp if framing is None else content_security_policy(framing)
                    headers.setdefault("Content-Security-Policy", policy)
            await send(message)

        await self.app(scope, receive, send_with_headers)
