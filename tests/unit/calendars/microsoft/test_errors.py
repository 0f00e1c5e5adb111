"""Every documented identity-platform and Graph error maps to the intended CalendarError.

The tables below are PROVIDER-APIS A3, A6 and E1; the coverage tests fail when a documented value
has no row, so a new documented error cannot slip through unmapped.
"""

import json
from dataclasses import dataclass
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
from workestra.calendars.microsoft import authorization_error
from workestra.calendars.microsoft.errors import (
    graph_error,
    parse_retry_after,
    token_error,
    transport_error,
)

# --- documented values (PROVIDER-APIS) ------------------------------------------------------------

A3_AUTHORIZE_ERRORS = {
    "invalid_request",
    "unauthorized_client",
    "access_denied",
    "unsupported_response_type",
    "server_error",
    "temporarily_unavailable",
    "invalid_resource",
    "login_required",
    "interaction_required",
}
A6_TOKEN_ERRORS = {
    "invalid_request",
    "invalid_grant",
    "unauthorized_client",
    "invalid_client",
    "unsupported_grant_type",
    "invalid_resource",
    "interaction_required",
    "temporarily_unavailable",
    "consent_required",
    "invalid_scope",
}
A6_AADSTS_CODES = {
    65001,
    65004,
    90094,
    90095,
    650056,
    650057,
    65005,
    70008,
    700082,
    700084,
    50173,
    70043,
    70000,
    54005,
    50076,
    50079,
    53003,
    50058,
    50011,
    70002,
    70011,
    9002313,
}
E1_GRAPH_CODES = {
    "ErrorInvalidParameter",
    "ErrorInvalidRequest",
    "ErrorTimeIntervalTooBig",
    "TimeZoneNotSupportedException",
    "ErrorPropertyValidationFailure",
    "ErrorOccurrenceCrossingBoundary",
    "InvalidAuthenticationToken",
    "ErrorAccessDenied",
    "Authorization_RequestDenied",
    "ErrorItemNotFound",
    "MailboxNotEnabledForRESTAPI",
    "TooManyRequests",
    "ApplicationThrottled",
    "serviceNotAvailable",
}


@dataclass(frozen=True)
class Expect:
    kind: type[CalendarError]
    reason: str | None = None  # NeedsReauth.reason


def _assert_maps(error: CalendarError, expect: Expect) -> None:
    assert type(error) is expect.kind, f"{error!r}: {error.detail}"
    if expect.reason is not None:
        assert isinstance(error, NeedsReauth)
        assert error.reason == expect.reason


def _token_body(error: str, code: int | None, *, suberror: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "error": error,
        "error_description": (
            f"AADSTS{code}: text that must not matter.\r\nTrace ID: 5d1e0a6c\r\n"
            "Correlation ID: 8a7b6c5d\r\nTimestamp: 2025-04-06 10:00:01Z"
            if code
            else "no AADSTS here"
        ),
        "error_codes": [code] if code else [],
        "timestamp": "2025-04-06 10:00:01Z",
        "trace_id": "5d1e0a6c-0000-4c2b-9a11-0f0e0d0c0b0a",
        "correlation_id": "8a7b6c5d-1111-4222-8333-944455566677",
    }
    if suberror:
        body["suberror"] = suberror
    return body


def _response(
    status: int, body: dict[str, Any] | bytes | None = None, headers: dict[str, str] | None = None
) -> httpx2.Response:
    request = httpx2.Request("POST", "https://login.example.test/common/oauth2/v2.0/token")
    content = b"" if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
    return httpx2.Response(status, content=content, headers=headers, request=request)


# --- token endpoint: refresh ---------------------------------------------------------------------

# (error, AADSTS code, suberror, status) -> expected, for a REFRESH (A6 table rows + error values).
REFRESH_CASES: list[tuple[str, int | None, str | None, int, Expect]] = [
    ("invalid_grant", 700082, "bad_token", 400, Expect(NeedsReauth, "expired")),
    ("invalid_grant", 70008, None, 400, Expect(NeedsReauth, "expired")),
    ("invalid_grant", 700084, None, 400, Expect(NeedsReauth, "expired")),
    ("invalid_grant", 50173, None, 400, Expect(NeedsReauth, "revoked")),
    ("invalid_grant", 70000, None, 400, Expect(NeedsReauth, "revoked")),
    ("invalid_grant", 70043, None, 400, Expect(NeedsReauth, "revoked")),
    ("invalid_grant", 65001, "consent_required", 400, Expect(NeedsReauth, "consent_missing")),
    ("invalid_grant", 50076, "basic_action", 400, Expect(NeedsReauth, "interaction_required")),
    ("interaction_required", 50076, None, 400, Expect(NeedsReauth, "interaction_required")),
    ("invalid_grant", 50079, "basic_action", 400, Expect(NeedsReauth, "interaction_required")),
    ("invalid_grant", 53003, None, 400, Expect(NeedsReauth, "interaction_required")),
    ("login_required", 50058, None, 400, Expect(NeedsReauth, "interaction_required")),
    ("invalid_grant", 54005, None, 400, Expect(NeedsReauth, "revoked")),
    ("invalid_grant", 9002313, None, 400, Expect(NeedsReauth, "revoked")),
    ("invalid_grant", None, None, 400, Expect(NeedsReauth, "revoked")),
    ("interaction_required", None, None, 400, Expect(NeedsReauth, "interaction_required")),
    ("consent_required", None, None, 400, Expect(NeedsReauth, "consent_missing")),
    ("consent_required", 65004, None, 400, Expect(ConsentDeclined)),
    ("invalid_grant", 90094, None, 400, Expect(AdminConsentRequired)),
    ("invalid_grant", 90095, None, 400, Expect(AdminConsentRequired)),
    ("invalid_client", 70002, None, 401, Expect(ProviderRejected)),
    ("invalid_client", 650056, None, 400, Expect(ProviderRejected)),
    ("invalid_request", 650057, None, 400, Expect(ProviderRejected)),
    ("invalid_request", 65005, None, 400, Expect(ProviderRejected)),
    ("invalid_request", 50011, None, 400, Expect(ProviderRejected)),
    ("invalid_scope", 70011, None, 400, Expect(ProviderRejected)),
    ("unauthorized_client", None, None, 400, Expect(ProviderRejected)),
    ("unsupported_grant_type", None, None, 400, Expect(ProviderRejected)),
    ("invalid_resource", None, None, 400, Expect(ProviderRejected)),
    ("temporarily_unavailable", None, None, 400, Expect(ProviderUnavailable)),
    ("server_error", None, None, 500, Expect(ProviderUnavailable)),
]


@pytest.mark.parametrize(
    ("error", "code", "suberror", "status", "expect"),
    REFRESH_CASES,
    ids=[f"{c[0]}-{c[1]}" for c in REFRESH_CASES],
)
def test_refresh_failure_maps_to_host_problem(
    error: str, code: int | None, suberror: str | None, status: int, expect: Expect
) -> None:
    response = _response(status, _token_body(error, code, suberror=suberror))
    _assert_maps(token_error(response, refreshing=True), expect)


# For a CODE EXCHANGE invalid_grant means the code was spent, expired or foreign: "start the
# connect flow again", which is not a dead grant (nor an outage); consent and MFA keep their words.
@pytest.mark.parametrize(
    ("code", "expect"),
    [
        (54005, Expect(AuthorizationCodeRejected)),
        (70008, Expect(AuthorizationCodeRejected)),
        (70000, Expect(AuthorizationCodeRejected)),
        (500112, Expect(AuthorizationCodeRejected)),
        (9002313, Expect(AuthorizationCodeRejected)),
        (None, Expect(AuthorizationCodeRejected)),
        # Just through the consent screen, still no delegation: only the tenant's admin can grant.
        (65001, Expect(AdminConsentRequired)),
        (50076, Expect(NeedsReauth, "interaction_required")),
    ],
)
def test_code_exchange_failure_maps_to_host_problem(code: int | None, expect: Expect) -> None:
    response = _response(400, _token_body("invalid_grant", code))
    _assert_maps(token_error(response, refreshing=False), expect)


def test_every_documented_token_error_and_aadsts_code_has_a_row() -> None:
    errors = {case[0] for case in REFRESH_CASES}
    codes = {case[1] for case in REFRESH_CASES} | {65004}  # 65004 is the A3 redirect's (below)
    assert A6_TOKEN_ERRORS - errors == set()
    assert A6_AADSTS_CODES - codes == set()


def test_mapping_keys_off_codes_not_description_text() -> None:
    body = _token_body("invalid_grant", 50173)
    body["error_description"] = "AADSTS700082: The refresh token has expired due to inactivity."
    _assert_maps(token_error(_response(400, body), refreshing=True), Expect(NeedsReauth, "revoked"))


def test_documented_examples_a8_map_as_the_table_says() -> None:
    a82 = {
        "error": "invalid_grant",
        "error_description": "AADSTS700082: The refresh token has expired due to inactivity. "
        "The token was issued on 2025-01-05T09:12:44.0000000Z and was inactive for 90.00:00:00."
        "\r\nTrace ID: 5d1e0a6c-0000-4c2b-9a11-0f0e0d0c0b0a\r\nCorrelation ID: "
        "8a7b6c5d-1111-4222-8333-944455566677\r\nTimestamp: 2025-04-06 10:00:01Z",
        "error_codes": [700082],
        "timestamp": "2025-04-06 10:00:01Z",
        "trace_id": "5d1e0a6c-0000-4c2b-9a11-0f0e0d0c0b0a",
        "correlation_id": "8a7b6c5d-1111-4222-8333-944455566677",
        "error_uri": "https://login.microsoftonline.com/error?code=700082",
        "suberror": "bad_token",
    }
    a83 = {
        "error": "invalid_grant",
        "error_description": "AADSTS65001: The user or administrator has not consented ...",
        "error_codes": [65001],
        "suberror": "consent_required",
    }
    a84 = {
        "error": "invalid_grant",
        "error_description": "AADSTS50076: Due to a configuration change ...",
        "error_codes": [50076],
        "suberror": "basic_action",
        "claims": '{"access_token":{"capolids":{"essential":true,"values":["2f3e"]}}}',
    }
    cases = [(a82, "expired"), (a83, "consent_missing"), (a84, "interaction_required")]
    for body, reason in cases:
        _assert_maps(token_error(_response(400, body), refreshing=True), Expect(NeedsReauth, reason))


def test_token_error_detail_keeps_ids_and_drops_description() -> None:
    body = _token_body("invalid_grant", 700082)
    body["error_description"] = "AADSTS700082: user hana@contoso.test was inactive"
    error = token_error(_response(400, body), refreshing=True)
    assert "700082" in error.detail
    assert "5d1e0a6c-0000-4c2b-9a11-0f0e0d0c0b0a" in error.detail
    assert "hana@contoso.test" not in error.detail


@pytest.mark.parametrize(
    ("status", "expect"),
    [(502, Expect(ProviderUnavailable)), (429, Expect(ProviderUnavailable)), (400, Expect(ProviderRejected))],
)
def test_token_endpoint_answer_without_oauth_body(status: int, expect: Expect) -> None:
    _assert_maps(token_error(_response(status, b"<html>gateway</html>"), refreshing=True), expect)


# --- authorize redirect (A3) ---------------------------------------------------------------------

AUTHORIZE_CASES: list[tuple[str, str, Expect]] = [
    ("access_denied", "AADSTS65004: User declined to consent to access the app.", Expect(ConsentDeclined)),
    ("consent_required", "AADSTS65004: User declined to consent to access the app.", Expect(ConsentDeclined)),
    ("access_denied", "AADSTS90094: The grant requires admin permission.", Expect(AdminConsentRequired)),
    ("access_denied", "AADSTS90095: Admin consent is required ...", Expect(AdminConsentRequired)),
    (
        "access_denied",
        "AADSTS53003: Access has been blocked by Conditional Access policies.",
        Expect(ProviderRejected),
    ),
    ("invalid_request", "AADSTS50011: The redirect URI ... does not match", Expect(ProviderRejected)),
    ("unauthorized_client", "AADSTS700016: Application not found", Expect(ProviderRejected)),
    ("unsupported_response_type", "", Expect(ProviderRejected)),
    ("invalid_resource", "AADSTS500011: resource principal not found", Expect(ProviderRejected)),
    ("login_required", "AADSTS50058: no session", Expect(ProviderRejected)),
    ("interaction_required", "AADSTS50076: MFA", Expect(ProviderRejected)),
    ("server_error", "AADSTS90033: A transient error", Expect(ProviderUnavailable)),
    ("temporarily_unavailable", "", Expect(ProviderUnavailable)),
]


@pytest.mark.parametrize(
    ("error", "description", "expect"), AUTHORIZE_CASES, ids=[f"{c[0]}-{c[1][:12]}" for c in AUTHORIZE_CASES]
)
def test_authorize_callback_error_maps_to_host_problem(error: str, description: str, expect: Expect) -> None:
    _assert_maps(authorization_error(error, description), expect)


def test_every_documented_authorize_error_has_a_row() -> None:
    assert A3_AUTHORIZE_ERRORS - {case[0] for case in AUTHORIZE_CASES} == set()


def test_authorize_cancel_is_recognised_from_error_uri_too() -> None:
    error = authorization_error("access_denied", "", "https://login.microsoftonline.com/error?code=65004")
    assert isinstance(error, ConsentDeclined)


def test_access_denied_without_aadsts_code_is_not_read_as_a_decline() -> None:
    assert isinstance(authorization_error("access_denied", "User cancelled"), ProviderRejected)


# --- Graph (E1, E2) ------------------------------------------------------------------------------


def _graph_body(code: str, message: str = "msg") -> dict[str, Any]:
    return {
        "error": {
            "code": code,
            "message": message,
            "innerError": {
                "date": "2025-06-02T10:00:00",
                "request-id": "0f9e8d7c-6b5a-4948-8372-615049382716",
                "client-request-id": "0f9e8d7c-6b5a-4948-8372-615049382716",
            },
        }
    }


GRAPH_CASES: list[tuple[int, str, dict[str, str], Expect]] = [
    (400, "ErrorInvalidParameter", {}, Expect(ProviderRejected)),
    (400, "ErrorInvalidRequest", {}, Expect(ProviderRejected)),
    (400, "ErrorTimeIntervalTooBig", {}, Expect(ProviderRejected)),
    (400, "TimeZoneNotSupportedException", {}, Expect(ProviderRejected)),
    (400, "ErrorPropertyValidationFailure", {}, Expect(ProviderRejected)),
    (400, "ErrorOccurrenceCrossingBoundary", {}, Expect(ProviderRejected)),
    (
        401,
        "InvalidAuthenticationToken",
        {"WWW-Authenticate": 'Bearer realm=""'},
        Expect(ProviderUnavailable),  # after the refreshed retry: an outage, not a dead grant
    ),
    (403, "ErrorAccessDenied", {}, Expect(MissingScope)),
    (403, "Authorization_RequestDenied", {}, Expect(MissingScope)),
    (403, "accessDenied", {}, Expect(MissingScope)),
    (403, "ErrorSomethingElse", {}, Expect(ProviderRejected)),
    (404, "ErrorItemNotFound", {}, Expect(CalendarNotFound)),
    (404, "MailboxNotEnabledForRESTAPI", {}, Expect(CalendarNotFound)),
    (404, "itemNotFound", {}, Expect(CalendarNotFound)),
    (409, "ErrorIrresolvableConflict", {}, Expect(ProviderRejected)),
    (412, "ErrorIrresolvableConflict", {}, Expect(ProviderRejected)),
    (429, "TooManyRequests", {"Retry-After": "2.128"}, Expect(Throttled)),
    (429, "ApplicationThrottled", {"Retry-After": "3"}, Expect(Throttled)),
    (500, "generalException", {}, Expect(ProviderUnavailable)),
    (503, "serviceNotAvailable", {"Retry-After": "10"}, Expect(ProviderUnavailable)),
    (504, "", {}, Expect(ProviderUnavailable)),
]


@pytest.mark.parametrize(
    ("status", "code", "headers", "expect"), GRAPH_CASES, ids=[f"{c[0]}-{c[1]}" for c in GRAPH_CASES]
)
def test_graph_error_maps_to_calendar_error(
    status: int, code: str, headers: dict[str, str], expect: Expect
) -> None:
    error = graph_error(
        _response(status, _graph_body(code), headers), scopes=frozenset({"Calendars.ReadWrite"})
    )
    _assert_maps(error, expect)


def test_every_documented_graph_code_has_a_row() -> None:
    assert E1_GRAPH_CODES - {case[1] for case in GRAPH_CASES} == set()


def test_throttled_carries_fractional_retry_after() -> None:
    error = graph_error(
        _response(429, _graph_body("ApplicationThrottled"), {"Retry-After": "1.5"}), scopes=frozenset()
    )
    assert isinstance(error, Throttled)
    assert error.retry_after == 1.5


def test_unavailable_carries_retry_after_only_when_sent() -> None:
    with_header = graph_error(_response(503, b"", {"Retry-After": "7"}), scopes=frozenset())
    without = graph_error(_response(503, b""), scopes=frozenset())
    assert isinstance(with_header, ProviderUnavailable)
    assert isinstance(without, ProviderUnavailable)
    assert (with_header.retry_after, without.retry_after) == (7.0, None)


def test_missing_scope_names_the_scopes_the_call_needed() -> None:
    error = graph_error(
        _response(403, _graph_body("ErrorAccessDenied")), scopes=frozenset({"Calendars.ReadWrite"})
    )
    assert isinstance(error, MissingScope)
    assert error.missing_scopes == {"Calendars.ReadWrite"}


def test_graph_codes_compare_case_insensitively() -> None:
    error = graph_error(_response(403, _graph_body("ERRORACCESSDENIED")), scopes=frozenset())
    assert isinstance(error, MissingScope)


def test_graph_error_detail_has_code_and_request_id() -> None:
    error = graph_error(_response(404, _graph_body("MailboxNotEnabledForRESTAPI")), scopes=frozenset())
    assert "MailboxNotEnabledForRESTAPI" in error.detail
    assert "0f9e8d7c-6b5a-4948-8372-615049382716" in error.detail


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("1.5", 1.5),
        ("2.128", 2.128),
        ("3", 3.0),
        (" 0 ", 0.0),
        (None, None),
        ("", None),
        ("-1", None),
        ("nan", None),
        ("inf", None),
        ("Wed, 21 Oct 2015 07:28:00 GMT", None),
    ],
)
def test_retry_after_is_read_in_seconds(value: str | None, seconds: float | None) -> None:
    assert parse_retry_after(value) == seconds


@pytest.mark.parametrize(
    "exc",
    [
        httpx2.ReadTimeout("slow"),
        httpx2.ConnectTimeout("slow"),
        httpx2.ConnectError("refused"),
        httpx2.RemoteProtocolError("eof"),
        httpx2.DecodingError("garbled"),
    ],
)
def test_transport_failures_are_provider_unavailable(exc: httpx2.HTTPError) -> None:
    assert isinstance(transport_error(exc), ProviderUnavailable)
