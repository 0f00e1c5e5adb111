"""Request outcomes with stable codes and plain-words messages; HTTP status lives in web/errors.py."""

from collections.abc import Mapping
from enum import StrEnum


class ErrorCode(StrEnum):
    NOT_FOUND = "not_found"
    INVALID_INPUT = "invalid_input"
    SLOT_UNAVAILABLE = "slot_unavailable"
    CONFLICT = "conflict"
    NOT_AUTHENTICATED = "not_authenticated"
    FORBIDDEN = "forbidden"
    CALENDAR_UNAVAILABLE = "calendar_unavailable"
    CONNECTION_FAILED = "connection_failed"
    RATE_LIMITED = "rate_limited"
    TEMPORARILY_UNAVAILABLE = "temporarily_unavailable"


class WorkestraError(Exception):
    code: ErrorCode = ErrorCode.INVALID_INPUT

    def __init__(self, message: str, *, fields: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fields: dict[str, str] = dict(fields or {})


class NotFound(WorkestraError):
    code = ErrorCode.NOT_FOUND


class InvalidInput(WorkestraError):
    code = ErrorCode.INVALID_INPUT


class SlotUnavailable(WorkestraError):
    code = ErrorCode.SLOT_UNAVAILABLE


class Conflict(WorkestraError):
    code = ErrorCode.CONFLICT


class NotAuthenticated(WorkestraError):
    code = ErrorCode.NOT_AUTHENTICATED


class Forbidden(WorkestraError):
    code = ErrorCode.FORBIDDEN


class CalendarUnavailable(WorkestraError):
    """The host's calendar could not be read, so no slot can be offered on a guess."""

    code = ErrorCode.CALENDAR_UNAVAILABLE


class TemporarilyUnavailable(WorkestraError):
    """Something this server relies on (the session store) is down; trying later will work."""

    code = ErrorCode.TEMPORARILY_UNAVAILABLE


class ConnectionFailed(WorkestraError):
    """Connecting an account did not complete (declined consent, admin approval needed, …)."""

    code = ErrorCode.CONNECTION_FAILED


class RateLimited(WorkestraError):
    """Too many requests from this client (or for this address); ``retry_after``: seconds to wait."""

    code = ErrorCode.RATE_LIMITED

    def __init__(self, message: str, *, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after
