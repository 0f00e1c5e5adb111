"""Entries of the request log the control API returns: what a client actually sent to Google.

Secrets stay out: the Authorization header and a posted client_secret are redacted.
"""

from collections.abc import Mapping
from typing import Any

REDACTED = "[redacted]"
_SECRET_FIELDS = frozenset({"client_secret"})


def entry(
    *, method: str, path: str, query: Mapping[str, str], headers: Mapping[str, str], body: object
) -> dict[str, Any]:
    """One log entry (form bodies arrive as dicts, JSON as parsed, nothing as None)."""
    if isinstance(body, dict) and _SECRET_FIELDS.intersection(body):
        body = {k: (REDACTED if k in _SECRET_FIELDS else v) for k, v in body.items()}
    return {
        "method": method,
        "path": path,
        "query": dict(query),
        "headers": {k: (REDACTED if k.lower() == "authorization" else v) for k, v in headers.items()},
        "body": body,
    }
