"""Admin consent: the adminconsent URL (v2-admin-consent.md, PROVIDER-APIS A9) and every consent
refusal the identity platform sends, at the callback and at the token endpoint, mapped to who must act.
"""

import json
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx2
import pytest

from workestra.calendars.base import AdminConsentClient
from workestra.calendars.errors import (
    AdminConsentRequired,
    CalendarError,
    ConsentDeclined,
    NeedsReauth,
    ProviderRejected,
    ProviderUnavailable,
)
from workestra.calendars.microsoft import (
    PERSONAL_ACCOUNT_TENANT_ID,
    MicrosoftConfig,
    MicrosoftOAuth,
    authorization_error,
)
from workestra.calendars.microsoft.errors import admin_consent_error, token_error

TENANT = "5b0eae9f-1111-4222-8333-c444d555e666"
CALLBACK = "https://workestra.example/integrations/microsoft/admin-consent/callback"
FOUR_SCOPES = (
    "offline_access https://graph.microsoft.com/User.Read "
    "https://graph.microsoft.com/Calendars.ReadWrite https://graph.microsoft.com/OnlineMeetings.ReadWrite"
)


def _config(**overrides: str) -> MicrosoftConfig:
    values = {
        "client_id": "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
        "client_secret": "s3cret-value",
        "redirect_uri": "https://workestra.example/integrations/microsoft/callback",
        "tenant": "common",
        "login_url": "https://login.example.test/",
        "graph_url": "https://graph.example.test/v1.0",
    }
    values.update(overrides)
    return MicrosoftConfig(**values)


def _split(url: str) -> tuple[str, dict[str, list[str]]]:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}", parse_qs(parts.query)


# --- the URL ----------------------------------------------------------------------------------------


def test_admin_consent_url_carries_exactly_the_documented_parameters() -> None:
    url = MicrosoftOAuth(_config()).admin_consent_url(state="st-9", redirect_uri=CALLBACK, tenant=TENANT)

    endpoint, query = _split(url)
    assert endpoint == f"https://login.example.test/{TENANT}/v2.0/adminconsent"
    assert query == {
        "client_id": ["0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"],
        "scope": [FOUR_SCOPES],
        "redirect_uri": [CALLBACK],
        "state": ["st-9"],
    }
    assert "%20" in url  # space-separated, percent-encoded
    assert "+" not in url


@pytest.mark.parametrize(
    ("configured", "given", "expected"),
    [
        ("common", None, "organizations"),  # personal accounts have no admin: never /common
        ("consumers", None, "organizations"),
        ("organizations", None, "organizations"),
        (TENANT, None, TENANT),  # a single-tenant registration asks its own admin
        ("contoso.onmicrosoft.com", None, "contoso.onmicrosoft.com"),
        ("common", TENANT, TENANT),  # the host's organisation, once known, wins
        ("common", PERSONAL_ACCOUNT_TENANT_ID, "organizations"),
        ("common", "common", "organizations"),
    ],
)
def test_admin_consent_tenant(configured: str, given: str | None, expected: str) -> None:
    url = MicrosoftOAuth(_config(tenant=configured)).admin_consent_url(
        state="s", redirect_uri=CALLBACK, tenant=given
    )
    assert _split(url)[0] == f"https://login.example.test/{expected}/v2.0/adminconsent"


@pytest.mark.parametrize(
    ("graph_url", "resource"),
    [
        ("https://graph.microsoft.com/v1.0", "https://graph.microsoft.com/"),
        ("https://graph.microsoft.us/v1.0", "https://graph.microsoft.us/"),
        ("https://dod-graph.microsoft.us/v1.0", "https://dod-graph.microsoft.us/"),
        ("https://microsoftgraph.chinacloudapi.cn/v1.0", "https://microsoftgraph.chinacloudapi.cn/"),
        ("http://127.0.0.1:8900/microsoft/graph/v1.0", "https://graph.microsoft.com/"),  # sandbox
    ],
)
def test_admin_consent_scopes_name_the_clouds_graph(graph_url: str, resource: str) -> None:
    oauth = MicrosoftOAuth(_config(graph_url=graph_url, login_url="https://login.chinacloudapi.cn"))
    assert oauth.admin_consent_scopes() == (
        "offline_access",
        f"{resource}User.Read",
        f"{resource}Calendars.ReadWrite",
        f"{resource}OnlineMeetings.ReadWrite",
    )
    endpoint, _ = _split(oauth.admin_consent_url(state="s", redirect_uri=CALLBACK))
    assert endpoint == "https://login.chinacloudapi.cn/organizations/v2.0/adminconsent"


def test_microsoft_offers_admin_consent_through_the_optional_port() -> None:
    assert isinstance(MicrosoftOAuth(_config()), AdminConsentClient)


# --- who must act: the authorize callback ---------------------------------------------------------

AUTHORIZE_REFUSALS: list[tuple[str, str, type[CalendarError]]] = [
    (
        "access_denied",
        "AADSTS90093: Workestra is requesting permissions you aren't authorized to grant.",
        AdminConsentRequired,
    ),
    ("access_denied", "AADSTS90094: The grant requires admin permission.", AdminConsentRequired),
    ("access_denied", "AADSTS90095: Admin consent is required ...", AdminConsentRequired),
    (
        "access_denied",
        "AADSTS900941: Administrator consent is required. App is considered risky.",
        AdminConsentRequired,
    ),
    (
        "consent_required",
        "AADSTS65001: The user or administrator has not consented ...",
        AdminConsentRequired,
    ),
    (
        "interaction_required",
        "AADSTS65001: The user or administrator has not consented ...",
        AdminConsentRequired,
    ),
    ("consent_required", "", AdminConsentRequired),  # we never send prompt=none
    ("access_denied", "AADSTS65004: User declined to consent to access the app.", ConsentDeclined),
    ("consent_required", "AADSTS65004: User declined to consent to access the app.", ConsentDeclined),
    ("interaction_required", "AADSTS50076: MFA", ProviderRejected),  # not about consent
    (
        "access_denied",
        "AADSTS53003: Access has been blocked by Conditional Access policies.",
        ProviderRejected,
    ),
]


@pytest.mark.parametrize(("error", "description", "expected"), AUTHORIZE_REFUSALS)
def test_authorize_refusal_says_who_must_act(
    error: str, description: str, expected: type[CalendarError]
) -> None:
    assert type(authorization_error(error, description)) is expected


def test_admin_code_is_read_from_error_uri_too() -> None:
    error = authorization_error("access_denied", "", "https://login.microsoftonline.com/error?code=900941")
    assert isinstance(error, AdminConsentRequired)


# --- who must act: the token endpoint -----------------------------------------------------------


def _token_response(error: str, code: int | None, suberror: str | None = None) -> httpx2.Response:
    body: dict[str, Any] = {
        "error": error,
        "error_description": f"AADSTS{code}: ..." if code else "...",
        "error_codes": [code] if code else [],
    }
    if suberror:
        body["suberror"] = suberror
    request = httpx2.Request("POST", "https://login.example.test/common/oauth2/v2.0/token")
    return httpx2.Response(400, content=json.dumps(body).encode(), request=request)


TOKEN_REFUSALS: list[tuple[str, int | None, str | None, bool, type[CalendarError], str | None]] = [
    # (error, AADSTS, suberror, refreshing, expected, NeedsReauth reason)
    ("invalid_grant", 90093, None, False, AdminConsentRequired, None),
    ("invalid_grant", 90094, None, True, AdminConsentRequired, None),
    ("invalid_grant", 900941, None, False, AdminConsentRequired, None),
    ("interaction_required", 90095, None, True, AdminConsentRequired, None),
    ("invalid_grant", 65001, "consent_required", False, AdminConsentRequired, None),
    ("consent_required", None, None, False, AdminConsentRequired, None),
    ("interaction_required", 65001, "consent_required", False, AdminConsentRequired, None),
    # On a refresh the host reconnects first: a tenant that lets users consent needs nobody else,
    # and one that doesn't says so on that reconnect.
    ("invalid_grant", 65001, "consent_required", True, NeedsReauth, "consent_missing"),
    ("consent_required", None, None, True, NeedsReauth, "consent_missing"),
    ("consent_required", 65004, None, False, ConsentDeclined, None),
]


@pytest.mark.parametrize(("error", "code", "suberror", "refreshing", "expected", "reason"), TOKEN_REFUSALS)
def test_token_refusal_says_who_must_act(
    error: str,
    code: int | None,
    suberror: str | None,
    refreshing: bool,
    expected: type[CalendarError],
    reason: str | None,
) -> None:
    mapped = token_error(_token_response(error, code, suberror), refreshing=refreshing)
    assert type(mapped) is expected, mapped.detail
    if reason is not None:
        assert isinstance(mapped, NeedsReauth)
        assert mapped.reason == reason


# --- the admin-consent callback's error ------------------------------------------------------------

ADMIN_CALLBACK_ERRORS: list[tuple[str, str, type[CalendarError]]] = [
    # The reference's own example (v2-admin-consent.md, "Error response").
    (
        "consent_required",
        "AADSTS65004: The resource owner or authorization server denied the request.",
        ConsentDeclined,
    ),
    (
        "access_denied",
        "AADSTS65004: The resource owner or authorization server denied the request.",
        ConsentDeclined,
    ),
    ("access_denied", "", ConsentDeclined),
    ("permission_denied", "", ConsentDeclined),  # PROVIDER-APIS A9
    ("access_denied", "AADSTS90094: The grant requires admin permission.", AdminConsentRequired),
    ("invalid_request", "AADSTS50011: The redirect URI ... does not match", ProviderRejected),
    ("invalid_scope", "AADSTS70011: The scope ... is not valid.", ProviderRejected),
    ("temporarily_unavailable", "", ProviderUnavailable),
    ("server_error", "AADSTS90033: A transient error", ProviderUnavailable),
]


@pytest.mark.parametrize(("error", "description", "expected"), ADMIN_CALLBACK_ERRORS)
def test_admin_consent_callback_error(error: str, description: str, expected: type[CalendarError]) -> None:
    assert type(admin_consent_error(error, description)) is expected
    assert type(MicrosoftOAuth(_config()).admin_consent_error(error, description or None)) is expected


def test_admin_consent_error_detail_names_codes_not_text() -> None:
    error = admin_consent_error("access_denied", "AADSTS65004: admin ada@contoso.test said no")
    assert "65004" in error.detail
    assert "ada@contoso.test" not in error.detail
