"""The published Google error shapes: OAuth token errors (G1) and Calendar API errors (G5).

References: G-ERR (Calendar error bodies and reasons), G-OAUTH (token endpoint); bodies observed
in public issue threads where the reference is silent are marked [O], our own choices [R].
"""

from typing import Any


class OAuthError(Exception):
    """A token or revoke endpoint error: `{"error", "error_description"}` (RFC 6749 5.2)."""

    def __init__(self, error: str, description: str, *, status: int = 400) -> None:
        super().__init__(f"{error}: {description}")
        self.error = error
        self.description = description
        self.status = status

    def body(self) -> dict[str, str]:
        return {"error": self.error, "error_description": self.description}


def missing_parameter(name: str) -> OAuthError:
    return OAuthError("invalid_request", f"Missing required parameter: {name}")


def bad_grant() -> OAuthError:
    """Unknown, reused or expired code; unknown refresh token [O]."""
    return OAuthError("invalid_grant", "Bad Request")


def expired_or_revoked() -> OAuthError:
    """G1: a refresh token that was revoked or expired [O]."""
    return OAuthError("invalid_grant", "Token has been expired or revoked.")


class ApiError(Exception):
    """A Calendar API error answer: HTTP status, one `errors[]` item, extra headers."""

    def __init__(
        self,
        status: int,
        domain: str,
        reason: str,
        message: str,
        *,
        location_type: str | None = None,
        location: str | None = None,
        top_message: str | None = None,
        extra: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(f"{status} {reason}: {message}")
        self.status = status
        self.domain = domain
        self.reason = reason
        self.message = message
        self.location_type = location_type
        self.location = location
        self.top_message = top_message or message
        self.extra = extra or {}
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        """G5: `{"error": {"errors": [{domain, reason, message, ...}], "code", "message"}}`."""
        item: dict[str, Any] = {"domain": self.domain, "reason": self.reason, "message": self.message}
        if self.location_type is not None:
            item["locationType"] = self.location_type
        if self.location is not None:
            item["location"] = self.location
        error: dict[str, Any] = {"errors": [item], "code": self.status, "message": self.top_message}
        error.update(self.extra)
        return {"error": error}


CHALLENGE = 'Bearer realm="https://accounts.google.com/"'


def login_required() -> ApiError:
    """No Authorization header [O]."""
    return ApiError(
        401,
        "global",
        "required",
        "Login Required.",
        location_type="header",
        location="Authorization",
        headers={"WWW-Authenticate": CHALLENGE},
    )


def auth_error() -> ApiError:
    """G5 401: an invalid, expired or revoked access token."""
    return ApiError(
        401,
        "global",
        "authError",
        "Invalid Credentials",
        location_type="header",
        location="Authorization",
        headers={"WWW-Authenticate": CHALLENGE},
    )


def insufficient_permissions(method: str, accepted: tuple[str, ...]) -> ApiError:
    """G1: a token without any scope the method accepts, with the newer `details` [O]."""
    return ApiError(
        403,
        "global",
        "insufficientPermissions",
        "Insufficient Permission",
        top_message="Request had insufficient authentication scopes.",
        extra={
            "status": "PERMISSION_DENIED",
            "details": [
                {
                    "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                    "reason": "ACCESS_TOKEN_SCOPE_INSUFFICIENT",
                    "domain": "googleapis.com",
                    "metadata": {"method": method, "service": "calendar-json.googleapis.com"},
                }
            ],
        },
        headers={
            "WWW-Authenticate": f'{CHALLENGE}, error="insufficient_scope", scope="{" ".join(accepted)}"'
        },
    )


def not_found() -> ApiError:
    return ApiError(404, "global", "notFound", "Not Found")


def deleted() -> ApiError:
    """G4: deleting an event that is already deleted."""
    return ApiError(410, "global", "deleted", "Resource has been deleted")


def duplicate() -> ApiError:
    """G5.2: a client-chosen event id that exists already."""
    return ApiError(409, "global", "duplicate", "The requested identifier already exists.")


def forbidden() -> ApiError:
    """[R] writing to a calendar the caller may only see (the brief's `forbidden`)."""
    return ApiError(403, "global", "forbidden", "Forbidden")


def invalid(message: str, *, location: str | None = None) -> ApiError:
    location_type = "parameter" if location is not None else None
    return ApiError(400, "global", "invalid", message, location_type=location_type, location=location)


def required(message: str, *, location: str | None = None) -> ApiError:
    location_type = "parameter" if location is not None else None
    return ApiError(400, "global", "required", message, location_type=location_type, location=location)


def bad_request(message: str = "Bad Request") -> ApiError:
    return ApiError(400, "global", "badRequest", message)


def parse_error() -> ApiError:
    return ApiError(400, "global", "parseError", "Parse Error")


def time_range_empty(location: str | None = "timeMax") -> ApiError:
    """G5 400: the example body, location `timeMax` (none for an event's own start and end)."""
    return ApiError(
        400,
        "calendar",
        "timeRangeEmpty",
        "The specified time range is empty.",
        location_type="parameter" if location is not None else None,
        location=location,
    )


def full_sync_required() -> ApiError:
    """G4/G5 410: a sync token the server no longer accepts."""
    return ApiError(
        410, "calendar", "fullSyncRequired", "Sync token is no longer valid, a full sync is required."
    )


def time_range_too_long() -> ApiError:
    """G2: free/busy windows longer than ~90 days; message [O], domain and reason [R]."""
    return ApiError(400, "global", "invalid", "The requested time range is too long.")


def not_emulated(feature: str) -> ApiError:
    """[R] the sandbox says what it leaves out instead of answering with data that may be wrong."""
    return ApiError(501, "global", "notImplemented", f"The sandbox does not emulate {feature}.")


# Injected faults, by reason (G5 table): domain and message.
FAULT_REASONS: dict[str, tuple[str, str]] = {
    "rateLimitExceeded": ("usageLimits", "Rate Limit Exceeded"),
    "userRateLimitExceeded": ("usageLimits", "User Rate Limit Exceeded"),
    "quotaExceeded": ("usageLimits", "Calendar usage limits exceeded."),
    "backendError": ("global", "Backend Error"),
    "authError": ("global", "Invalid Credentials"),
    "notFound": ("global", "Not Found"),
    "forbidden": ("global", "Forbidden"),
    "conflict": ("global", "Conflict"),
    "badRequest": ("global", "Bad Request"),
}
# The reason an injected fault carries when the control API names only the status.
DEFAULT_FAULT_REASON = {
    400: "badRequest",
    401: "authError",
    403: "rateLimitExceeded",
    404: "notFound",
    409: "conflict",
    429: "rateLimitExceeded",
    500: "backendError",
    503: "backendError",
}


def injected(status: int, reason: str | None) -> ApiError:
    chosen = reason or DEFAULT_FAULT_REASON.get(status, "backendError")
    domain, message = FAULT_REASONS.get(chosen, ("global", "Injected fault."))
    headers = {"WWW-Authenticate": CHALLENGE} if status == 401 else {}
    return ApiError(status, domain, chosen, message, headers=headers)
