"""GoogleOAuth: the authorization URL (G1), code exchange, refresh, profile and revocation."""

import base64
import hashlib
import json
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx2
import pytest

from workestra.calendars.errors import AuthorizationCodeRejected, NeedsReauth, ProviderUnavailable
from workestra.calendars.google import (
    CALENDARLIST_SCOPE,
    EVENTS_SCOPE,
    FREEBUSY_SCOPE,
    PERMISSIONS,
    REQUESTED_SCOPES,
    REQUIRED_SCOPES,
    GoogleConfig,
    GoogleOAuth,
    code_challenge,
    new_code_verifier,
    normalize_scopes,
)
from workestra.enums import AccountKind

CONFIG = GoogleConfig(
    client_id="cid.apps.googleusercontent.com",
    client_secret="shh-secret",
    redirect_uri="https://w.example/integrations/google/callback",
    auth_url="https://accounts.example.test/o/oauth2/v2/auth",
    token_url="https://oauth.example.test/token",
    calendar_url="https://calendar.example.test/calendar/v3",
    revoke_url="https://oauth.example.test/revoke",
)


def _id_token(claims: dict[str, Any]) -> str:
    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'none'})}.{part(claims)}."


class FakeOAuth:
    def __init__(self) -> None:
        self.requests: list[httpx2.Request] = []
        self.responses: list[httpx2.Response] = []

    async def __call__(self, request: httpx2.Request) -> httpx2.Response:
        self.requests.append(request)
        return self.responses.pop(0)

    def form(self, index: int = -1) -> dict[str, str]:
        return {k: v[0] for k, v in parse_qs(self.requests[index].content.decode()).items()}


@pytest.fixture
def fake() -> FakeOAuth:
    return FakeOAuth()


@pytest.fixture
async def oauth(fake: FakeOAuth) -> AsyncIterator[GoogleOAuth]:
    async with httpx2.AsyncClient(transport=httpx2.MockTransport(fake)) as client:
        yield GoogleOAuth(CONFIG, client)


async def test_authorization_url_asks_for_offline_access_with_pkce_and_least_privilege(
    oauth: GoogleOAuth,
) -> None:
    verifier = new_code_verifier()
    url = oauth.authorization_url(state="st-1", code_verifier=verifier, login_hint="host@acme.test")
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == CONFIG.auth_url
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert query == {
        "client_id": CONFIG.client_id,
        "redirect_uri": CONFIG.redirect_uri,
        "response_type": "code",
        "scope": f"{EVENTS_SCOPE} {FREEBUSY_SCOPE} {CALENDARLIST_SCOPE} openid email",
        "access_type": "offline",
        "prompt": "consent",
        "include_granted_scopes": "true",
        "state": "st-1",
        "code_challenge": code_challenge(verifier),
        "code_challenge_method": "S256",
        "login_hint": "host@acme.test",
    }
    assert "%20" in url  # spaces as %20, not "+"
    assert "shh-secret" not in url


def test_pkce_s256_matches_rfc7636_appendix_b() -> None:
    verifier = "dBjftJeZ4CVP-mJ0kqk3wYXyUNl0gLOtp6oNVWdsd_s"[:43]
    digest = hashlib.sha256(verifier.encode()).digest()
    assert code_challenge(verifier) == base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    assert code_challenge("dBjftJeZ4CVP-mJ0kqk3wYXyUNl0gLOtp6oNVWdsd_s1") != code_challenge(verifier)
    with pytest.raises(ValueError, match="43-128"):
        code_challenge("short")


def test_permissions_cover_exactly_the_requested_scopes() -> None:
    assert [p.scope for p in PERMISSIONS] == list(REQUESTED_SCOPES)
    assert {p.scope for p in PERMISSIONS if p.required} >= REQUIRED_SCOPES
    assert all(p.echoed for p in PERMISSIONS)
    assert "https://www.googleapis.com/auth/calendar" not in REQUESTED_SCOPES


def test_granted_scopes_are_normalised_to_the_permission_names() -> None:
    granted = normalize_scopes(
        f"{EVENTS_SCOPE}  openid https://www.googleapis.com/auth/userinfo.email "
        "https://www.googleapis.com/auth/userinfo.profile"
    )
    assert granted == {EVENTS_SCOPE, "openid", "email", "profile"}


async def test_code_exchange_posts_the_verifier_and_reads_a_workspace_account(
    fake: FakeOAuth, oauth: GoogleOAuth
) -> None:
    claims = {"sub": "1170", "email": "host@acme.test", "hd": "acme.test", "name": "Gita Host"}
    fake.responses.append(
        httpx2.Response(
            200,
            json={
                "access_token": "ya29.a",
                "expires_in": 3599,
                "refresh_token": "1//r",
                "scope": f"{EVENTS_SCOPE} {FREEBUSY_SCOPE} openid https://www.googleapis.com/auth/userinfo.email",
                "token_type": "Bearer",
                "id_token": _id_token(claims),
            },
        )
    )
    grant = await oauth.exchange_code(code="4/abc", code_verifier="v" * 43)
    assert fake.form() == {
        "client_id": CONFIG.client_id,
        "client_secret": "shh-secret",
        "grant_type": "authorization_code",
        "code": "4/abc",
        "redirect_uri": CONFIG.redirect_uri,
        "code_verifier": "v" * 43,
    }
    assert (grant.account_kind, grant.organization_id) == (AccountKind.WORK, "acme.test")
    assert grant.refresh_token == "1//r"
    profile = grant.account  # named by the id_token: no profile request
    assert profile is not None
    assert len(fake.requests) == 1
    assert (profile.account_id, profile.email, profile.display_name) == (
        "1170",
        "host@acme.test",
        "Gita Host",
    )
    assert profile.account_kind is AccountKind.WORK


async def test_without_an_id_token_the_profile_comes_from_the_primary_calendar(
    fake: FakeOAuth, oauth: GoogleOAuth
) -> None:
    entry = {"kind": "calendar#calendarListEntry", "id": "host@gmail.test", "summary": "host@gmail.test"}
    fake.responses.append(httpx2.Response(200, json=entry))
    profile = await oauth.fetch_profile("ya29.other")
    assert profile.email == "host@gmail.test"
    assert profile.account_kind is None
    assert fake.requests[0].url.path == "/calendar/v3/users/me/calendarList/primary"
    assert fake.requests[0].headers["authorization"] == "Bearer ya29.other"


async def test_refresh_returns_no_refresh_token_when_google_sends_none(
    fake: FakeOAuth, oauth: GoogleOAuth
) -> None:
    fake.responses.append(
        httpx2.Response(200, json={"access_token": "ya29.b", "expires_in": 3599, "scope": EVENTS_SCOPE})
    )
    grant = await oauth.refresh("1//r")
    assert grant.refresh_token is None
    assert grant.access_token == "ya29.b"
    assert fake.form()["grant_type"] == "refresh_token"
    assert fake.form()["refresh_token"] == "1//r"


async def test_invalid_grant_on_refresh_needs_reauth_and_on_exchange_rejects_the_code(
    fake: FakeOAuth, oauth: GoogleOAuth, caplog: pytest.LogCaptureFixture
) -> None:
    body = {"error": "invalid_grant", "error_description": "Token has been expired or revoked."}
    fake.responses += [httpx2.Response(400, json=body), httpx2.Response(400, json=body)]
    with pytest.raises(NeedsReauth) as caught:
        await oauth.refresh("1//secret-refresh")
    assert caught.value.reason == "revoked"
    with pytest.raises(AuthorizationCodeRejected):
        await oauth.exchange_code(code="4/secret-code", code_verifier="v" * 43)
    assert "secret-refresh" not in caplog.text
    assert "secret-code" not in caplog.text


async def test_unreadable_token_answer_is_an_outage(fake: FakeOAuth, oauth: GoogleOAuth) -> None:
    fake.responses.append(httpx2.Response(200, content=b'{"access_token": "ya29.leak"}'))
    with pytest.raises(ProviderUnavailable) as caught:
        await oauth.refresh("1//r")
    assert "ya29.leak" not in repr(caught.value.__cause__)


@pytest.mark.parametrize("status", [200, 400])
async def test_revoke_posts_the_token_and_accepts_one_already_dead(
    fake: FakeOAuth, oauth: GoogleOAuth, status: int
) -> None:
    fake.responses.append(httpx2.Response(status, json={}))
    await oauth.revoke("1//r")
    assert fake.requests[0].url == CONFIG.revoke_url
    assert fake.form() == {"token": "1//r"}
