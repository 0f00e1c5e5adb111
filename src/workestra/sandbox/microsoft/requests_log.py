"""Entries of the request log the control API returns: what a client actually sent.

Secrets stay out: the Authorization header and a posted client_secret are redacted.
"""

from collections.abc import Mapping
from typing import Any

from starlette.requests import Request

REDACTED = "[redacted]"
_SECRET_FIELDS = frozenset({"client_secret", "client_assertion"})


def redact_headers(headers: Mapping[str, str]) -> dict[str, str]:
    return {k: (REDACTED if k.lower() == "authorization" else v) for k, v in headers.items()}


def log_entry(request: Request, body: object) -> dict[str, Any]:
    """One log entry for an HTTP request (form bodies arrive as dicts, JSON as parsed)."""
    return entry(
        method=request.method,
        path=request.url.path,
        query=dict(request.query_params),
        headers=dict(request.headers),
        body=body,
    )


def entry(
    *, method: str, path: str, query: dict[str, str], headers: Mapping[str, str], body: object
) -> dict[str, Any]:
    if isinstance(body, dict) and "client_secret" in body:
        body = {k: (REDACTED if k in _SECRET_FIELDS else v) for k, v in body.items()}
    return {
        "method": method,
        "path": path,
        "query": query,
        "headers": redact_headers(headers),
        "body": body,
    }
