"""The one place Google OAuth and Calendar API failures become ``calendars.errors``.

Functions return the error; callers raise it ``from`` the provider exception. Branches key off the
OAuth ``error`` and the Calendar API's ``errors[].reason`` (PROVIDER-APIS G1, G5); the only
free text read is the ``invalid_grant`` description, to tell an expired grant from a revoked one.
"""

import math

import httpx2
from pydantic import ValidationError

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
from workestra.calendars.google.wire import ApiErrorBody, ApiErrorResponse, TokenErrorResponse

# G5: the rate reasons arrive as 403 or 429 and are handled identically (I14).
_THROTTLE_REASONS = frozenset({"ratelimitexceeded", "userratelimitexceeded", "quotaexceeded"})
_USAGE_LIMITS_DOMAIN = "usagelimits"
_SCOPE_REASONS = frozenset({"insufficientpermissions"})
_SCOPE_DETAIL = "ACCESS_TOKEN_SCOPE_INSUFFICIENT"
_GONE_REASONS = frozenset({"deleted"})
# OAuth errors (G-OAUTH): transient ones at the token endpoint or on the callback.
_TRANSIENT_ERRORS = frozenset({"temporarily_unavailable", "server_error"})


def parse_retry_after(value: str | None) -> float | None:
    """``Retry-After`` in seconds when Google sends one (G5 does not promise it); None otherwise.

    The HTTP-date form would need the clock, so it reads as None.
    """
    if value is None:
        return None
    try:
        seconds = float(value.strip())
    except ValueError:
        return None
    if not math.isfinite(seconds) or seconds < 0:
        return None
    return seconds


def transport_error(exc: httpx2.HTTPError) -> CalendarError:
    """Timeouts, refused connections and broken responses: worth retrying later."""
    return ProviderUnavailable(f"{type(exc).__name__} talking to Google")


# --- OAuth --------------------------------------------------------------------------------------


def _reauth_reason(description: str) -> str:
    # Google says "Token has been expired or revoked." for both [O, G1]; only a description that
    # names expiry alone is read as expired. Revoked is the default: the host reconnects either way.
    text = description.lower()
    if "expired" in text and "revoked" not in text:
        return "expired"
    return "revoked"


def token_error(response: httpx2.Response, *, refreshing: bool) -> CalendarError:
    """A non-2xx answer of the token endpoint (G1).

    ``refreshing`` tells a refresh (``invalid_grant`` = the grant is dead: reconnect) from a code
    exchange (``invalid_grant`` there is a spent, expired or foreign code, or a wrong PKCE verifier:
    ``AuthorizationCodeRejected``). The description is never put in ``detail`` beyond its reason.
    """
    retry_after = parse_retry_after(response.headers.get("Retry-After"))
    try:
        body = TokenErrorResponse.model_validate_json(response.content)
    except ValidationError:
        detail = f"token endpoint answered {response.status_code} without an OAuth error body"
        if response.status_code >= 500 or response.status_code == 429:
            return ProviderUnavailable(detail, retry_after=retry_after)
        return ProviderRejected(detail)
    detail = f"token endpoint {response.status_code} error={body.error}"
    if body.error == "invalid_grant":
        if refreshing:
            return NeedsReauth(detail, reason=_reauth_reason(body.error_description))
        return AuthorizationCodeRejected(detail)
    if body.error == "admin_policy_enforced":
        return AdminConsentRequired(detail)
    if body.error in _TRANSIENT_ERRORS or response.status_code >= 500 or response.status_code == 429:
        return ProviderUnavailable(detail, retry_after=retry_after)
    # invalid_client (bad secret), invalid_request, redirect_uri_mismatch, unauthorized_client,
    # unsupported_grant_type, invalid_scope: operator configuration, never fixed by retrying.
    return ProviderRejected(detail)


def authorization_error(error: str, error_description: str = "") -> CalendarError:
    """The ``error`` of the authorization redirect (G1) → what to tell the host."""
    detail = f"authorize error={error}"
    if error == "access_denied":  # the user pressed Cancel on the consent screen
        return ConsentDeclined(detail)
    if error == "admin_policy_enforced":  # the Workspace admin blocks the app or its scopes
        return AdminConsentRequired(detail)
    if error in _TRANSIENT_ERRORS:
        return ProviderUnavailable(detail)
    return ProviderRejected(detail)


# --- Calendar API -------------------------------------------------------------------------------


def _api_error_body(response: httpx2.Response) -> ApiErrorBody | None:
    try:
        return ApiErrorResponse.model_validate_json(response.content).error
    except ValidationError:
        return None


def api_error_reason(response: httpx2.Response) -> str:
    """The first ``errors[].reason`` of a failed answer (G5), ``""`` when the body has none."""
    body = _api_error_body(response)
    if body is None or not body.errors:
        return ""
    return body.errors[0].reason


def api_error(response: httpx2.Response, *, scopes: frozenset[str]) -> CalendarError:
    """A non-2xx Calendar API answer (G5) for a call that needed one of ``scopes``.

    401 here means Google refused the retry with a freshly refreshed token too: an outage of this
    call, not a dead grant (only the token endpoint can say that, ``token_error``).
    """
    status = response.status_code
    retry_after = parse_retry_after(response.headers.get("Retry-After"))
    body = _api_error_body(response)
    reasons = {item.reason.lower() for item in body.errors} if body else set()
    domains = {item.domain.lower() for item in body.errors} if body else set()
    details = {d.reason for d in body.details if d.reason} if body else set()
    detail = f"google {status} reasons={','.join(sorted(reasons)) or '-'}"

    if status == 401:
        return ProviderUnavailable(detail, retry_after=retry_after)
    if status == 429 or (status == 403 and (reasons & _THROTTLE_REASONS or _USAGE_LIMITS_DOMAIN in domains)):
        return Throttled(detail, retry_after=retry_after)
    if status >= 500:
        return ProviderUnavailable(detail, retry_after=retry_after)
    if status == 403 and (reasons & _SCOPE_REASONS or _SCOPE_DETAIL in details):
        return MissingScope(detail, missing_scopes=scopes)
    if status == 404 or (status == 410 and reasons & _GONE_REASONS):
        return CalendarNotFound(detail)
    # 400 (invalid, timeRangeEmpty, badRequest), 403 forbidden / forbiddenForNonOrganizer, 409,
    # 410 fullSyncRequired, 412: the request or the account's state is wrong; a retry can't help.
    return ProviderRejected(detail)
