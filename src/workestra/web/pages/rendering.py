"""Shared page helpers: render a template with the common context, one-shot flash messages, redirects."""

from typing import Any, Literal, cast

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from workestra.services.users import Host
from workestra.web.deps import csrf_token

FlashKind = Literal["ok", "error"]


def flash(request: Request, text: str, kind: FlashKind = "ok") -> None:
    """Remember a message for the next page this browser renders (shown once)."""
    request.session["flash"] = {"kind": kind, "text": text}


def _pop_flash(request: Request) -> dict[str, str] | None:
    value = request.session.pop("flash", None)
    if isinstance(value, dict) and isinstance(value.get("text"), str):
        return {"kind": str(value.get("kind", "ok")), "text": value["text"]}
    return None


class LazyCsrfToken:
    """Issues the session's CSRF token only when a template prints it, so public pages set no cookie."""

    __slots__ = ("_request", "_token")

    def __init__(self, request: Request) -> None:
        self._request = request
        self._token: str | None = None

    def __str__(self) -> str:
        if self._token is None:
            self._token = csrf_token(self._request)
        return self._token


def render(
    request: Request,
    name: str,
    context: dict[str, Any] | None = None,
    *,
    host: Host | None = None,
    status_code: int = 200,
) -> Response:
    """A page with what every layout needs: the signed-in host, a CSRF token and the pending flash."""
    templates = cast(Jinja2Templates, request.app.state.templates)
    values: dict[str, Any] = {
        "host": host,
        "csrf_token": LazyCsrfToken(request),
        "flash": _pop_flash(request),
        "path": request.url.path,
    }
    values.update(context or {})
    return templates.TemplateResponse(request, name, values, status_code=status_code)


def see_other(url: str) -> RedirectResponse:
    """303: after a POST the browser follows with a GET."""
    return RedirectResponse(url, status_code=303)


def local_path(value: str | None, default: str) -> str:
    """``value`` when it is a path on this site (no scheme, host or backslash tricks), else ``default``."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return default
    if any(ord(ch) < 32 for ch in value):
        return default
    return value
