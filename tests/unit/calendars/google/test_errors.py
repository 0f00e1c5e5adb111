"""Every documented Google OAuth and Calendar API error maps to the intended CalendarError (G1, G5)."""

from typing import Any

import httpx2
import pytest

from workestra.calendars.errors import (
    AdminConsentRequired,
    AuthorizationCodeRejected,
    CalendarError,
    CalendarNotFound,
    ConsentDeclined,
    MissingScope,
    NeedsReauth,
    ProviderRejected,
    ProviderUnavailable,
    Throttled,
)
from workestra.calendars.google import EVENTS_SCOPE, authorization_error
from workestra.calendars.google.errors import api_error, parse_retry_after, token_error, transport_error

SCOPES = frozenset({EVENTS_SCOPE})


def _api(
    status: int,
    reason: str,
    domain: str = "global",
    *,
    headers: dict[str, str] | None = None,
    extra: dict[str, Any] | None = None,
) -> httpx2.Response:
    error: dict[str, Any] = {
        "errors": [{"domain": domain, "reason": reason, "message": "m"}],
        "code": status,
        "message": "m",
        **(extra or {}),
    }
    return httpx2.Response(status, json={"error": error}, headers=headers)


# --- Calendar API (G5 table) ----------------------------------------------------------------------

G5_TABLE: list[tuple[int, str, str, type[CalendarError]]] = [
    (400, "calendar", "timeRangeEmpty", ProviderRejected),
    (400, "global", "invalid", ProviderRejected),
    (400, "global", "badRequest", ProviderRejected),
    (401, "global", "authError", ProviderUnavailable),  # after the one refresh: an outage
    (403, "usageLimits", "userRateLimitExceeded", Throttled),
    (403, "usageLimits", "rateLimitExceeded", Throttled),
    (403, "usageLimits", "quotaExceeded", Throttled),
    (403, "usageLimits", "dailyLimitExceeded", Throttled),  # any usageLimits 403
    (403, "calendar", "forbiddenForNonOrganizer", ProviderRejected),
    (403, "global", "forbidden", ProviderRejected),
    (403, "global", "insufficientPermissions", MissingScope),
    (404, "global", "notFound", CalendarNotFound),
    (409, "global", "duplicate", ProviderRejected),
    (409, "global", "conflict", ProviderRejected),
    (410, "global", "deleted", CalendarNotFound),
    (410, "calendar", "fullSyncRequired", ProviderRejected),
    (410, "calendar", "updatedMinTooLongAgo", ProviderRejected),
    (412, "global", "conditionNotMet", ProviderRejected),
    (429, "usageLimits", "rateLimitExceeded", Throttled),
    (500, "global", "backendError", ProviderUnavailable),
    (503, "global", "backendError", ProviderUnavailable),
]


@pytest.mark.parametrize(("status", "domain", "reason", "kind"), G5_TABLE)
def test_g5_table(status: int, domain: str, reason: str, kind: type[CalendarError]) -> None:
    error = api_error(_api(status, reason, domain), scopes=SCOPES)
    assert type(error) is kind
    assert reason.lower() in error.detail


def test_missing_scope_names_the_scope_the_call_needed() -> None:
    error = api_error(_api(403, "insufficientPermissions"), scopes=SCOPES)
    assert isinstance(error, MissingScope)
    assert error.missing_scopes == SCOPES


def test_scope_shortage_is_recognised_from_the_newer_details_alone() -> None:
    details = [
        {
            "@type": "type.googleapis.com/google.rpc.ErrorInfo",
            "reason": "ACCESS_TOKEN_SCOPE_INSUFFICIENT",
            "domain": "googleapis.com",
        }
    ]
    response = _api(403, "somethingNew", extra={"status": "PERMISSION_DENIED", "details": details})
    assert isinstance(api_error(response, scopes=SCOPES), MissingScope)


@pytest.mark.parametrize(
    ("status", "reason"),
    [(403, "rateLimitExceeded"), (429, "rateLimitExceeded"), (403, "userRateLimitExceeded")],
)
def test_rate_limits_carry_retry_after_when_sent(status: int, reason: str) -> None:
    error = api_error(_api(status, reason, "usageLimits", headers={"Retry-After": "7"}), scopes=SCOPES)
    assert isinstance(error, Throttled)
    assert error.retry_after == 7.0
    without = api_error(_api(status, reason, "usageLimits"), scopes=SCOPES)
    assert isinstance(without, Throttled)
    assert without.retry_after is None


@pytest.mark.parametrize(
    ("status", "kind"),
    [(400, ProviderRejected), (403, ProviderRejected), (429, Throttled), (502, ProviderUnavailable)],
)
def test_bodies_that_are_not_google_json_map_by_status(status: int, kind: type[CalendarError]) -> None:
    assert type(api_error(httpx2.Response(status, content=b"<html>"), scopes=SCOPES)) is kind


def test_transport_errors_are_provider_unavailable() -> None:
    request = httpx2.Request("GET", "https://www.googleapis.com/calendar/v3/freeBusy")
    assert isinstance(transport_error(httpx2.ConnectError("refused", request=request)), ProviderUnavailable)


@pytest.mark.parametrize(
    ("value", "seconds"),
    [("2", 2.0), ("1.5", 1.5), (None, None), ("soon", None), ("-1", None), ("nan", None)],
)
def test_retry_after(value: str | None, seconds: float | None) -> None:
    assert parse_retry_after(value) == seconds


# --- token endpoint (G1) --------------------------------------------------------------------------


def _token(status: int, error: str, description: str = "Bad Request") -> httpx2.Response:
    return httpx2.Response(status, json={"error": error, "error_description": description})


@pytest.mark.parametrize(
    ("description", "reason"),
    [
        ("Token has been expired or revoked.", "revoked"),
        ("Token has been revoked.", "revoked"),
        ("Token has expired.", "expired"),
        ("Bad Request", "revoked"),
    ],
)
def test_invalid_grant_on_refresh_needs_reauth_with_the_described_reason(
    description: str, reason: str
) -> None:
    error = token_error(_token(400, "invalid_grant", description), refreshing=True)
    assert isinstance(error, NeedsReauth)
    assert error.reason == reason
    assert description not in error.detail  # only the error code is kept


def test_invalid_grant_on_code_exchange_is_a_rejected_code() -> None:
    error = token_error(_token(400, "invalid_grant", "Malformed auth code."), refreshing=False)
    assert type(error) is AuthorizationCodeRejected


@pytest.mark.parametrize("refreshing", [True, False])
@pytest.mark.parametrize(
    ("status", "error", "kind"),
    [
        (400, "admin_policy_enforced", AdminConsentRequired),
        (401, "invalid_client", ProviderRejected),
        (400, "invalid_request", ProviderRejected),
        (400, "redirect_uri_mismatch", ProviderRejected),
        (400, "unauthorized_client", ProviderRejected),
        (400, "unsupported_grant_type", ProviderRejected),
        (400, "invalid_scope", ProviderRejected),
        (503, "temporarily_unavailable", ProviderUnavailable),
        (500, "server_error", ProviderUnavailable),
    ],
)
def test_token_errors(status: int, error: str, kind: type[CalendarError], refreshing: bool) -> None:
    assert type(token_error(_token(status, error), refreshing=refreshing)) is kind


def test_token_endpoint_outage_without_oauth_body() -> None:
    response = httpx2.Response(503, content=b"<html>", headers={"Retry-After": "3"})
    error = token_error(response, refreshing=True)
    assert isinstance(error, ProviderUnavailable)
    assert error.retry_after == 3.0
    assert type(token_error(httpx2.Response(400, content=b""), refreshing=True)) is ProviderRejected


# --- the authorization callback (G1) --------------------------------------------------------------


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        ("access_denied", ConsentDeclined),
        ("admin_policy_enforced", AdminConsentRequired),
        ("temporarily_unavailable", ProviderUnavailable),
        ("server_error", ProviderUnavailable),
        ("invalid_scope", ProviderRejected),
        ("org_internal", ProviderRejected),
        ("consent_required", ProviderRejected),
    ],
)
def test_callback_errors(error: str, kind: type[CalendarError]) -> None:
    assert type(authorization_error(error, "")) is kind
