"""The identity-platform client: authorize URL, PKCE, scope normalisation, token requests.

HTTP is answered in-process by httpx2.MockTransport at the network boundary (no I/O, no patching).
"""

import json
import logging
from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

import httpx2
import pytest

from workestra.calendars.errors import (
    AuthorizationCodeRejected,
    ConsentDeclined,
    NeedsReauth,
    ProviderRejected,
    ProviderUnavailable,
)
from workestra.calendars.microsoft import (
    PERSONAL_ACCOUNT_TENANT_ID,
    REQUIRED_SCOPES,
    MicrosoftConfig,
    MicrosoftOAuth,
    code_challenge,
    is_personal_tenant,
    new_code_verifier,
    normalize_scopes,
)
from workestra.enums import AccountKind

CONFIG = MicrosoftConfig(
    client_id="0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
    client_secret="s3cret-value",
    redirect_uri="https://workestra.example/integrations/microsoft/callback",
    tenant="common",
    login_url="https://login.example.test/",
    graph_url="https://graph.example.test/v1.0",
)
VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"  # RFC 7636 appendix B
ID_TOKEN = (
    "eyJhbGciOiJub25lIn0.eyJ0aWQiOiI1YjBlYWU5Zi0xMTExLTQyMjItODMzMy1jNDQ0ZDU1NWU2NjYiLCJvaWQiOiIzYzRkLi4uIn0."
)
TOKEN_OK = {
    "token_type": "Bearer",
    "scope": "https://graph.microsoft.com/Calendars.ReadWrite "
    "https://graph.microsoft.com/OnlineMeetings.ReadWrite https://graph.microsoft.com/User.Read "
    "openid profile email",
    "expires_in": 4016,
    "ext_expires_in": 4016,
    "access_token": "sbx-at-7f1c0b2e9d",
    "refresh_token": "sbx-rt-41aa93c0e2",
    "id_token": ID_TOKEN,
}

Handler = Callable[[httpx2.Request], httpx2.Response]


def _oauth(handler: Handler) -> MicrosoftOAuth:
    return MicrosoftOAuth(CONFIG, httpx2.AsyncClient(transport=httpx2.MockTransport(handler)))


def _form(request: httpx2.Request) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(request.content.decode()).items()}


def test_authorize_url_carries_exactly_the_documented_parameters() -> None:
    url = MicrosoftOAuth(CONFIG).authorization_url(
        state="st-1", code_verifier=VERIFIER, login_hint="hana@contoso.test"
    )
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == (
        "https://login.example.test/common/oauth2/v2.0/authorize"
    )
    assert {k: v[0] for k, v in parse_qs(parts.query).items()} == {
        "client_id": CONFIG.client_id,
        "response_type": "code",
        "redirect_uri": CONFIG.redirect_uri,
        "response_mode": "query",
        "scope": "offline_access User.Read Calendars.ReadWrite OnlineMeetings.ReadWrite",
        "state": "st-1",
        "code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
        "code_challenge_method": "S256",
        "login_hint": "hana@contoso.test",
    }


def test_authorize_url_without_login_hint_omits_it_and_honours_redirect_uri() -> None:
    url = MicrosoftOAuth(CONFIG).authorization_url(
        state="s", code_verifier=VERIFIER, redirect_uri="http://127.0.0.1:9/cb"
    )
    query = parse_qs(urlsplit(url).query)
    assert "login_hint" not in query
    assert query["redirect_uri"] == ["http://127.0.0.1:9/cb"]
    assert " " not in url  # spaces are percent-encoded


def test_pkce_challenge_matches_rfc7636_vector_and_rejects_bad_verifiers() -> None:
    assert code_challenge(VERIFIER) == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    fresh = new_code_verifier()
    assert 43 <= len(fresh) <= 128
    assert len(code_challenge(fresh)) == 43
    for bad in ("short", "x" * 129, "has space" + "x" * 40):
        with pytest.raises(ValueError, match="PKCE"):
            code_challenge(bad)


@pytest.mark.parametrize(
    ("granted", "expected"),
    [
        (
            TOKEN_OK["scope"],
            {"Calendars.ReadWrite", "OnlineMeetings.ReadWrite", "User.Read", "openid", "profile", "email"},
        ),
        ("https://graph.microsoft.com/calendars.readwrite USER.READ", {"Calendars.ReadWrite", "User.Read"}),
        (
            ["HTTPS://GRAPH.MICROSOFT.COM/Calendars.Read", "offline_access"],
            {"Calendars.Read", "offline_access"},
        ),
        ("00000003-0000-0000-c000-000000000000/User.Read", {"User.Read"}),
        ("  Mail.Send  ", {"Mail.Send"}),
        ("", set()),
    ],
)
def test_granted_scopes_are_normalised_to_canonical_short_names(
    granted: str | list[str], expected: set[str]
) -> None:
    assert normalize_scopes(granted) == expected


def test_required_scopes_are_what_the_adapter_needs_granted() -> None:
    assert normalize_scopes(str(TOKEN_OK["scope"])) >= REQUIRED_SCOPES
    assert "offline_access" not in REQUIRED_SCOPES  # never echoed in `scope` (A8.1)


def test_personal_tenant_is_recognised() -> None:
    assert is_personal_tenant(PERSONAL_ACCOUNT_TENANT_ID)
    assert is_personal_tenant(PERSONAL_ACCOUNT_TENANT_ID.upper())
    assert not is_personal_tenant("5b0eae9f-1111-4222-8333-c444d555e666")
    assert not is_personal_tenant(None)


async def test_code_exchange_posts_client_secret_and_verifier_and_reads_the_grant() -> None:
    seen: list[httpx2.Request] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        seen.append(request)
        return httpx2.Response(200, json=TOKEN_OK)

    grant = await _oauth(handler).exchange_code(code="c0de", code_verifier=VERIFIER)
    (request,) = seen
    assert str(request.url) == "https://login.example.test/common/oauth2/v2.0/token"
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"
    assert _form(request) == {
        "client_id": CONFIG.client_id,
        "client_secret": "s3cret-value",
        "grant_type": "authorization_code",
        "code": "c0de",
        "redirect_uri": CONFIG.redirect_uri,
        "code_verifier": VERIFIER,
        "scope": "offline_access User.Read Calendars.ReadWrite OnlineMeetings.ReadWrite",
    }
    assert grant.access_token == "sbx-at-7f1c0b2e9d"
    assert grant.refresh_token == "sbx-rt-41aa93c0e2"
    assert grant.expires_in == 4016
    assert grant.organization_id == "5b0eae9f-1111-4222-8333-c444d555e666"
    assert grant.account_kind is AccountKind.WORK
    assert grant.scopes >= REQUIRED_SCOPES


async def test_refresh_posts_the_refresh_token_and_returns_the_rotated_one() -> None:
    forms: list[dict[str, str]] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        forms.append(_form(request))
        body = dict(TOKEN_OK, refresh_token="sbx-rt-rotated")
        del body["id_token"]
        return httpx2.Response(200, json=body)

    grant = await _oauth(handler).refresh("sbx-rt-old")
    assert forms[0]["grant_type"] == "refresh_token"
    assert forms[0]["refresh_token"] == "sbx-rt-old"
    assert grant.refresh_token == "sbx-rt-rotated"
    assert grant.organization_id is None
    assert grant.account_kind is None


async def test_malformed_id_token_costs_only_the_tenant_id() -> None:
    def handler(request: httpx2.Request) -> httpx2.Response:
        return httpx2.Response(200, json=dict(TOKEN_OK, id_token="not-a-jwt"))

    grant = await _oauth(handler).exchange_code(code="c", code_verifier=VERIFIER)
    assert grant.organization_id is None
    assert grant.access_token == "sbx-at-7f1c0b2e9d"


async def test_dead_refresh_token_raises_needs_reauth_chained_to_the_http_error() -> None:
    def handler(request: httpx2.Request) -> httpx2.Response:
        return httpx2.Response(
            400,
            json={
                "error": "invalid_grant",
                "error_codes": [50173],
                "error_description": "AADSTS50173: revoked",
            },
        )

    with pytest.raises(NeedsReauth) as caught:
        await _oauth(handler).refresh("sbx-rt-old")
    assert caught.value.reason == "revoked"
    assert isinstance(caught.value.__cause__, httpx2.HTTPStatusError)


async def test_bad_client_secret_is_provider_rejected() -> None:
    def handler(request: httpx2.Request) -> httpx2.Response:
        return httpx2.Response(401, json={"error": "invalid_client", "error_codes": [70002]})

    with pytest.raises(ProviderRejected):
        await _oauth(handler).exchange_code(code="c", code_verifier=VERIFIER)


async def test_token_endpoint_timeout_is_provider_unavailable() -> None:
    def handler(request: httpx2.Request) -> httpx2.Response:
        raise httpx2.ReadTimeout("slow", request=request)

    with pytest.raises(ProviderUnavailable):
        await _oauth(handler).refresh("sbx-rt-old")


async def test_unreadable_token_answer_is_unavailable_and_leaks_no_token() -> None:
    def handler(request: httpx2.Request) -> httpx2.Response:
        return httpx2.Response(200, json={"access_token": "sbx-at-secret"})  # no expires_in

    with pytest.raises(ProviderUnavailable) as caught:
        await _oauth(handler).refresh("sbx-rt-old")
    assert "sbx-at-secret" not in str(caught.value.__cause__)


async def test_token_failures_are_logged_without_tokens_or_codes(
    caplog: pytest.LogCaptureFixture,
) -> None:
    def handler(request: httpx2.Request) -> httpx2.Response:
        return httpx2.Response(
            400,
            json={
                "error": "invalid_grant",
                "error_codes": [700082],
                "error_description": "AADSTS700082: expired",
            },
        )

    caplog.set_level(logging.DEBUG)
    with pytest.raises(AuthorizationCodeRejected):
        await _oauth(handler).exchange_code(code="secret-code-123", code_verifier=VERIFIER)
    text = caplog.text
    assert "700082" in text
    for secret in ("secret-code-123", "s3cret-value", VERIFIER):
        assert secret not in text


async def test_profile_reads_me_and_falls_back_to_user_principal_name() -> None:
    seen: list[httpx2.Request] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        seen.append(request)
        return httpx2.Response(
            200,
            json={
                "id": "u-1",
                "displayName": "Pat Personal",
                "mail": None,
                "userPrincipalName": "pat@outlook.test",
            },
        )

    profile = await _oauth(handler).fetch_profile("at-1")
    assert (profile.account_id, profile.email, profile.display_name) == (
        "u-1",
        "pat@outlook.test",
        "Pat Personal",
    )
    assert seen[0].url.path == "/v1.0/me"
    assert seen[0].headers["authorization"] == "Bearer at-1"


@pytest.mark.parametrize(
    ("user_id", "personal"),
    [
        ("fde926f844473904", AccountKind.PERSONAL),
        ("3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f", AccountKind.WORK),
        ("something-else", None),
    ],
)
async def test_profile_tells_personal_accounts_by_their_cid_shaped_id(
    user_id: str, personal: AccountKind | None
) -> None:
    def handler(request: httpx2.Request) -> httpx2.Response:
        return httpx2.Response(200, json={"id": user_id, "displayName": "P", "mail": "p@outlook.test"})

    assert (await _oauth(handler).fetch_profile("at")).account_kind is personal


def test_callback_errors_map_through_the_client_too() -> None:
    oauth = MicrosoftOAuth(CONFIG)
    declined = oauth.authorization_error("access_denied", "AADSTS65004: User declined")
    assert isinstance(declined, ConsentDeclined)
    assert isinstance(oauth.authorization_error("invalid_request", None), ProviderRejected)


async def test_profile_refused_by_graph_is_an_outage_not_a_dead_grant() -> None:
    def handler(request: httpx2.Request) -> httpx2.Response:
        return httpx2.Response(
            401,
            content=json.dumps(
                {"error": {"code": "InvalidAuthenticationToken", "message": "Access token has expired"}}
            ),
        )

    with pytest.raises(ProviderUnavailable):
        await _oauth(handler).fetch_profile("at-1")
