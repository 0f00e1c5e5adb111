"""The one place Microsoft identity-platform and Graph failures become ``calendars.errors``.

Functions return the error; callers raise it ``from`` the provider exception. Branches key off
``error``/``error_codes`` and Graph's ``error.code``, never off free-text descriptions.
"""

import math
import re

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
from workestra.calendars.microsoft.wire import GraphErrorResponse, TokenErrorResponse

# AADSTS codes (PROVIDER-APIS A6). The docs warn numbers may change, so each set is small and named.
_EXPIRED = frozenset({700082, 70008, 700084})  # inactivity / lifetime ran out
_REVOKED = frozenset({50173, 70000, 70043})  # password reset, revoked sessions, CA sign-in freq.
_CONSENT_MISSING = frozenset({65001})  # DelegationDoesNotExist
_INTERACTION = frozenset({50076, 50079, 53003, 50058})  # MFA, MFA enrolment, CA block, no session
_USER_DECLINED = frozenset({65004})
# Only an admin of the tenant can grant what is asked (application-sign-in-unexpected-user-consent-
# error.md): 90093 not authorised / user consent turned off by policy, 90094 AdminConsentRequired,
# 90095 the admin-consent-workflow request, 900941 AdminConsentRequiredDueToRiskyApp (an unverified
# publisher, which every self-hosted registration is).
_ADMIN_CONSENT = frozenset({90093, 90094, 90095, 900941})
# How the admin-consent endpoint says the admin said no: the reference's example is
# consent_required + AADSTS65004 (v2-admin-consent.md); access_denied as on /authorize (A3), and
# permission_denied (PROVIDER-APIS A9) are accepted too.
_DECLINED_ERRORS = frozenset({"access_denied", "consent_required", "permission_denied"})

# On a code exchange these still mean what they say (grant the permissions, pass MFA) rather than
# "that code was spent".
_ASK_THE_USER = frozenset({"consent_missing", "interaction_required"})
_REAUTH_ERRORS = frozenset({"invalid_grant", "interaction_required", "consent_required", "login_required"})
_TRANSIENT_ERRORS = frozenset({"temporarily_unavailable", "server_error"})

# Graph error codes (PROVIDER-APIS E1): calendar endpoints use Exchange-style codes, the generic
# list is lower camel; compare case-insensitively.
_SCOPE_CODES = frozenset({"erroraccessdenied", "accessdenied", "authorization_requestdenied"})
_THROTTLE_CODES = frozenset({"applicationthrottled", "toomanyrequests", "activitylimitreached"})

_AADSTS = re.compile(r"AADSTS(\d+)")
_ERROR_URI_CODE = re.compile(r"[?&]code=(\d+)")


def parse_retry_after(value: str | None) -> float | None:
    """``Retry-After`` in seconds, fractions kept (Graph sends ``2.128``, E2); None if absent/odd.

    The HTTP-date form is not used by Graph and would need the clock, so it reads as None.
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
    return ProviderUnavailable(f"{type(exc).__name__} talking to Microsoft")


def _token_detail(body: TokenErrorResponse) -> str:
    # Ids and codes only: the description can carry user names, and nothing here may carry tokens.
    return (
        f"error={body.error} codes={body.error_codes} suberror={body.suberror} "
        f"trace_id={body.trace_id} correlation_id={body.correlation_id}"
    )


def _reauth_reason(body: TokenErrorResponse) -> str | None:
    codes = set(body.error_codes)
    if codes & _EXPIRED:
        return "expired"
    if codes & _REVOKED:
        return "revoked"
    if codes & _CONSENT_MISSING or "consent_required" in (body.error, body.suberror):
        return "consent_missing"
    if (
        codes & _INTERACTION
        or body.error in ("interaction_required", "login_required")
        or body.suberror == "basic_action"  # MFA challenge on refresh (A8.4)
    ):
        return "interaction_required"
    return None


def token_error(response: httpx2.Response, *, refreshing: bool) -> CalendarError:
    """A non-2xx answer of ``/oauth2/v2.0/token`` (PROVIDER-APIS A6).

    ``refreshing`` tells a refresh (any ``invalid_grant`` = reconnect, A7) from a code exchange
    (``invalid_grant`` there is a spent, expired or foreign code: ``AuthorizationCodeRejected``,
    unless it asks for consent or MFA).
    """
    retry_after = parse_retry_after(response.headers.get("Retry-After"))
    try:
        body = TokenErrorResponse.model_validate_json(response.content)
    except ValidationError:
        detail = f"token endpoint answered {response.status_code} without an OAuth error body"
        if response.status_code >= 500 or response.status_code == 429:
            return ProviderUnavailable(detail, retry_after=retry_after)
        return ProviderRejected(detail)

    detail = _token_detail(body)
    codes = set(body.error_codes)
    if codes & _ADMIN_CONSENT:
        return AdminConsentRequired(detail)
    if codes & _USER_DECLINED:
        return ConsentDeclined(detail)
    if body.error in _TRANSIENT_ERRORS or response.status_code >= 500:
        return ProviderUnavailable(detail, retry_after=retry_after)
    if body.error in _REAUTH_ERRORS:
        reason = _reauth_reason(body)
        if not refreshing and reason == "consent_missing":
            # The host has just been through the consent screen, and still no delegation exists
            # (65001, consent_required): the tenant lets no user grant it, only its admin can.
            return AdminConsentRequired(detail)
        if not refreshing and body.error == "invalid_grant" and reason not in _ASK_THE_USER:
            # The code itself was refused: redeemed already (54005), expired (70008), issued for
            # another client or redirect URI. Starting the connect flow again is the whole fix.
            return AuthorizationCodeRejected(detail)
        if reason is not None:
            return NeedsReauth(detail, reason=reason)
        if refreshing:
            return NeedsReauth(detail, reason="revoked")
    # invalid_client (bad secret, 70002), invalid_request (redirect mismatch, 50011), invalid_scope,
    # unauthorized_client, unsupported_grant_type, invalid_resource, a spent code (54005): operator
    # configuration or a flow to restart, never fixed by retrying.
    return ProviderRejected(detail)


def authorization_error(
    error: str, error_description: str = "", error_uri: str | None = None
) -> CalendarError:
    """The ``error`` of the authorize redirect (PROVIDER-APIS A3) → what to tell the host.

    The AADSTS number (``_redirect_codes``) is the structured key here, with ``error``.
    """
    codes = _redirect_codes(error_description, error_uri)
    detail = f"authorize error={error} codes={sorted(codes)}"
    if codes & _ADMIN_CONSENT:
        return AdminConsentRequired(detail)
    # User pressed Cancel: access_denied today, consent_required in older reports (A3).
    if error in ("access_denied", "consent_required") and codes & _USER_DECLINED:
        return ConsentDeclined(detail)
    # The interactive sign-in ended without consent and without the user declining it: the tenant
    # keeps users from consenting (consent_required; 65001 DelegationDoesNotExist, also behind an
    # interaction_required). Workestra never sends prompt=none, so this is no "sign in silently".
    if error == "consent_required" or codes & _CONSENT_MISSING:
        return AdminConsentRequired(detail)
    if error in _TRANSIENT_ERRORS:
        return ProviderUnavailable(detail)
    return ProviderRejected(detail)


def admin_consent_error(
    error: str, error_description: str = "", error_uri: str | None = None
) -> CalendarError:
    """The ``error`` of the admin-consent endpoint's redirect (v2-admin-consent.md, "Error
    response"; it carries ``admin_consent=True`` too, so ``error`` is what tells a refusal).

    ConsentDeclined: the admin refused. AdminConsentRequired: who signed in can't grant it for the
    organisation (not an admin): the link must go to one who can.
    """
    codes = _redirect_codes(error_description, error_uri)
    detail = f"adminconsent error={error} codes={sorted(codes)}"
    if codes & _ADMIN_CONSENT:
        return AdminConsentRequired(detail)
    if error in _DECLINED_ERRORS or codes & _USER_DECLINED:
        return ConsentDeclined(detail)
    if error in _TRANSIENT_ERRORS:
        return ProviderUnavailable(detail)
    return ProviderRejected(detail)


def _redirect_codes(error_description: str, error_uri: str | None) -> set[int]:
    """A redirect carries no ``error_codes``: the AADSTS number leads the description and is in
    ``error_uri`` (``?code=65004``)."""
    codes = {int(c) for c in _AADSTS.findall(error_description)}
    if error_uri:
        codes.update(int(c) for c in _ERROR_URI_CODE.findall(error_uri))
    return codes


def _graph_error_body(response: httpx2.Response) -> tuple[str, str | None]:
    try:
        error = GraphErrorResponse.model_validate_json(response.content).error
    except ValidationError:
        return "", None
    return error.code, error.inner_error.request_id if error.inner_error else None


def graph_error_code(response: httpx2.Response) -> str:
    """Graph's ``error.code`` (E1) of a failed answer, ``""`` when the body has none."""
    return _graph_error_body(response)[0]


def graph_error(response: httpx2.Response, *, scopes: frozenset[str]) -> CalendarError:
    """A non-2xx Graph answer (PROVIDER-APIS E1, E2) for a call that needed ``scopes``.

    401 here means Graph refused the retry with a freshly refreshed token too. That is an outage of
    this read, not a dead grant: only the token endpoint can say a grant is dead (``token_error``),
    and a 401 storm at Graph must not leave the connection needing its host.
    """
    status = response.status_code
    retry_after = parse_retry_after(response.headers.get("Retry-After"))
    code, request_id = _graph_error_body(response)
    detail = f"graph {status} code={code or '-'} request_id={request_id or '-'}"
    key = code.lower()

    if status == 401:
        return ProviderUnavailable(detail, retry_after=retry_after)
    if status == 429 or key in _THROTTLE_CODES:
        return Throttled(detail, retry_after=retry_after)
    if status >= 500:
        return ProviderUnavailable(detail, retry_after=retry_after)
    if status == 403 and key in _SCOPE_CODES:
        return MissingScope(detail, missing_scopes=scopes)
    if status == 404:
        # MailboxNotEnabledForRESTAPI (no Exchange Online licence, guests), ErrorItemNotFound.
        return CalendarNotFound(detail)
    # 400 ErrorInvalidParameter / TimeZoneNotSupportedException / ..., 409, 412, other 403s:
    # our request or the account's state is wrong; retrying the same request cannot help.
    return ProviderRejected(detail)
