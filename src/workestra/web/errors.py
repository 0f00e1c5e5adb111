"""The single table from error code to HTTP status, and the JSON / HTML renderings of errors."""

import logging
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException

from workestra.errors import ErrorCode, RateLimited, WorkestraError
from workestra.web.security_headers import ALWAYS, CONTENT_SECURITY_POLICY

logger = logging.getLogger(__name__)

STATUS: dict[ErrorCode, int] = {
    ErrorCode.NOT_FOUND: 404,
    ErrorCode.INVALID_INPUT: 422,
    ErrorCode.SLOT_UNAVAILABLE: 409,
    ErrorCode.CONFLICT: 409,
    ErrorCode.NOT_AUTHENTICATED: 401,
    ErrorCode.FORBIDDEN: 403,
    ErrorCode.CALENDAR_UNAVAILABLE: 503,
    ErrorCode.CONNECTION_FAILED: 400,
    ErrorCode.RATE_LIMITED: 429,
    ErrorCode.TEMPORARILY_UNAVAILABLE: 503,
}


def wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or "application/json" in request.headers.get("accept", "")


def error_body(code: str, message: str, fields: dict[str, str] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"code": code, "message": message}
    if fields:
        body["fields"] = fields
    return {"error": body}


def _html(
    request: Request, status: int, title: str, message: str, headers: dict[str, str] | None = None
) -> Response:
    templates = request.app.state.templates
    return templates.TemplateResponse(  # type: ignore[no-any-return]
        request, "error.html", {"title": title, "message": message}, status_code=status, headers=headers
    )


def retry_after_headers(exc: WorkestraError) -> dict[str, str]:
    """`Retry-After` (whole seconds) on a rate-limited answer, for JSON and HTML alike."""
    if isinstance(exc, RateLimited) and exc.retry_after is not None:
        return {"Retry-After": str(exc.retry_after)}
    return {}


async def _workestra_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, WorkestraError)  # noqa: S101  (registered for this class only)
    status = STATUS[exc.code]
    if exc.code is ErrorCode.NOT_AUTHENTICATED and not wants_json(request):
        return RedirectResponse(f"/login?next={quote(request.url.path)}", status_code=303)
    headers = retry_after_headers(exc)
    if wants_json(request):
        if status == 401:
            headers["WWW-Authenticate"] = "Bearer"
        return JSONResponse(error_body(exc.code, exc.message, exc.fields), status, headers=headers)
    return _html(request, status, "Something needs your attention", exc.message, headers)


def _field_name(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in {"body", "query", "path", "header"}]
    return ".".join(parts) or "body"


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)  # noqa: S101
    fields: dict[str, str] = {}
    for item in exc.errors():
        if item.get("type") == "json_invalid":
            fields["body"] = "malformed JSON"
        else:
            fields.setdefault(_field_name(tuple(item.get("loc", ()))), str(item.get("msg", "invalid")))
    message = (
        "The request body isn't valid JSON."
        if fields.get("body") == "malformed JSON"
        else ("Some fields are invalid: " + "; ".join(f"{k}: {v}" for k, v in fields.items()))
    )
    if wants_json(request):
        return JSONResponse(error_body(ErrorCode.INVALID_INPUT, message, fields), 422)
    return _html(request, 422, "Please check your input", message)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)  # noqa: S101
    message = str(exc.detail) if exc.detail else "Error"
    if exc.status_code == 404:
        message = "There's nothing at this address."
    if exc.status_code == 413:
        message = "The request body is too large."
    if wants_json(request):
        code = {404: "not_found", 413: "too_large"}.get(exc.status_code, "http_error")
        return JSONResponse(error_body(code, message), exc.status_code, headers=exc.headers)
    return _html(request, exc.status_code, "Not found" if exc.status_code == 404 else "Error", message)


async def _unexpected(request: Request, exc: Exception) -> Response:
    # Last resort at the process edge: log with context, answer plainly, never leak a trace.
    logger.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    message = "Something went wrong on our side. Nothing was booked; please try again."
    # This answer leaves from outside every middleware, so it carries its own security headers.
    headers = {**ALWAYS, "Content-Security-Policy": CONTENT_SECURITY_POLICY}
    if wants_json(request):
        return JSONResponse(error_body("internal_error", message), 500, headers=headers)
    return HTMLResponse(f"<h1>Sorry</h1><p>{message}</p>", 500, headers=headers)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(WorkestraError, _workestra_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)
