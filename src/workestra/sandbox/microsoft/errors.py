"""The published error shapes: identity-platform token errors (A6) and Graph error bodies (E1).

References: identity platform `reference-error-codes.md`, `v2-oauth2-auth-code-flow.md`;
Graph `concepts/errors.md`, `concepts/throttling.md`. Codes come from those pages, never ours.
"""

from datetime import datetime
from typing import Any


class IdentityError(Exception):
    """A token-endpoint (or authorize-redirect) error: OAuth `error` plus an AADSTS code."""

    def __init__(
        self,
        error: str,
        aadsts: int,
        description: str,
        *,
        status: int = 400,
        suberror: str | None = None,
        claims: str | None = None,
        with_error_uri: bool = True,
    ) -> None:
        super().__init__(f"AADSTS{aadsts}: {description}")
        self.error = error
        self.aadsts = aadsts
        self.description = description
        self.status = status
        self.suberror = suberror
        self.claims = claims
        self.with_error_uri = with_error_uri

    @property
    def headline(self) -> str:
        return f"AADSTS{self.aadsts}: {self.description}"


def identity_error_body(
    err: IdentityError, *, now: datetime, trace_id: str, correlation_id: str
) -> dict[str, Any]:
    """A6: `error_description` carries the AADSTS text then Trace ID, Correlation ID, Timestamp."""
    timestamp = now.strftime("%Y-%m-%d %H:%M:%SZ")
    body: dict[str, Any] = {
        "error": err.error,
        "error_description": (
            f"{err.headline}\r\nTrace ID: {trace_id}\r\nCorrelation ID: {correlation_id}"
            f"\r\nTimestamp: {timestamp}"
        ),
        "error_codes": [err.aadsts],
        "timestamp": timestamp,
        "trace_id": trace_id,
        "correlation_id": correlation_id,
    }
    if err.with_error_uri:
        body["error_uri"] = f"https://login.microsoftonline.com/error?code={err.aadsts}"
    if err.suberror is not None:
        body["suberror"] = err.suberror
    if err.claims is not None:
        body["claims"] = err.claims
    return body


class GraphError(Exception):
    """A Graph error answer: HTTP status, `error.code`, `error.message`, extra headers."""

    def __init__(
        self, status: int, code: str, message: str, *, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}


def graph_error_body(
    code: str, message: str, *, now: datetime, request_id: str, client_request_id: str
) -> dict[str, Any]:
    """E1: `innerError` (camel case) with a zone-less `date` and hyphenated request ids."""
    return {
        "error": {
            "code": code,
            "message": message,
            "innerError": {
                "date": now.strftime("%Y-%m-%dT%H:%M:%S"),
                "request-id": request_id,
                "client-request-id": client_request_id,
            },
        }
    }


# --- Graph errors the calendar endpoints return (E1 table) ---------------------------------

# Header observed on Graph 401s (E1).
WWW_AUTHENTICATE = (
    'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", '
    'client_id="00000003-0000-0000-c000-000000000000"'
)


def invalid_token(message: str) -> GraphError:
    return GraphError(
        401, "InvalidAuthenticationToken", message, headers={"WWW-Authenticate": WWW_AUTHENTICATE}
    )


def access_denied() -> GraphError:
    return GraphError(403, "ErrorAccessDenied", "Access is denied. Check credentials and try again.")


def request_denied() -> GraphError:
    return GraphError(
        403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation."
    )


def item_not_found() -> GraphError:
    return GraphError(404, "ErrorItemNotFound", "The specified object was not found in the store.")


def mailbox_not_enabled() -> GraphError:
    return GraphError(
        404,
        "MailboxNotEnabledForRESTAPI",
        "The mailbox is either inactive, soft-deleted, or is hosted on-premise.",
    )


def invalid_parameter(message: str) -> GraphError:
    return GraphError(400, "ErrorInvalidParameter", message)


def invalid_request(message: str) -> GraphError:
    return GraphError(400, "ErrorInvalidRequest", message)


def bad_request(message: str) -> GraphError:
    return GraphError(400, "BadRequest", message)


def unable_to_deserialize(message: str = "Cannot read the request body.") -> GraphError:
    return GraphError(400, "UnableToDeserializePostBody", message)


def unknown_property(name: str, type_name: str) -> GraphError:
    # OData's answer to a property the type does not define.
    return GraphError(
        400,
        "RequestBodyRead",
        f"The property '{name}' does not exist on type '{type_name}'. Make sure to only use "
        "property names that are defined by the type or mark the type as open type.",
    )


def time_zone_not_supported(name: str) -> GraphError:
    return GraphError(
        400,
        "TimeZoneNotSupportedException",
        f"A valid TimeZone value must be specified. The following TimeZone value is not supported: '{name}'.",
    )


def not_emulated(feature: str) -> GraphError:
    # Graph's generic code for an unimplemented feature; the sandbox says what it leaves out
    # instead of answering with data that may be wrong.
    return GraphError(501, "notSupported", f"The sandbox does not emulate {feature}.")


def throttled(retry_after: str) -> GraphError:
    return GraphError(
        429,
        "ApplicationThrottled",
        "Application is over its MailboxConcurrency limit.",
        headers={"Retry-After": retry_after},
    )


# Default bodies for injected faults, by status (ERR's generic codes; 429 as observed).
FAULT_DEFAULTS: dict[int, tuple[str, str]] = {
    401: ("InvalidAuthenticationToken", "Access token validation failure. Invalid audience."),
    429: ("ApplicationThrottled", "Application is over its MailboxConcurrency limit."),
    500: ("generalException", "An unspecified error has occurred."),
    502: ("generalException", "Bad gateway."),
    503: ("serviceNotAvailable", "The service is temporarily unavailable. Try again later."),
    504: ("generalException", "The gateway did not receive a timely response."),
}
