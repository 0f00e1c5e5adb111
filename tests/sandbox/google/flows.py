"""Client-side steps of Google's web server flow against the sandbox, written from G-OAUTH."""

import base64
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

import httpx2

from tests.support.sandbox import SandboxControl

CLIENT_ID = "123456789012-sbx.apps.googleusercontent.com"
CLIENT_SECRET = "GOCSPX-sandbox-secret"
REDIRECT_URI = "http://127.0.0.1:9/integrations/google/callback"
AUTH = "https://www.googleapis.com/auth/"
CALENDAR = AUTH + "calendar"
EVENTS = AUTH + "calendar.events"
FREEBUSY = AUTH + "calendar.freebusy"
READONLY = AUTH + "calendar.readonly"
EMAIL = AUTH + "userinfo.email"
SCOPES = f"openid email {EVENTS} {FREEBUSY}"
AUTHORIZE = "/google/o/oauth2/v2/auth"
TOKEN = "/google/token"
REVOKE = "/google/revoke"
CALENDAR_API = "/google/calendar/v3"


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def redirect_params(response: httpx2.Response) -> dict[str, str]:
    """The query of a 302 to the redirect URI."""
    assert response.status_code == 302, response.text
    location = httpx2.URL(response.headers["location"])
    assert str(location).startswith(REDIRECT_URI)
    return dict(location.params)


async def register_app(control: SandboxControl, *, testing: bool = False) -> None:
    await control.create_google_app(
        client_id=CLIENT_ID, client_secret=CLIENT_SECRET, redirect_uris=[REDIRECT_URI], testing=testing
    )


async def authorize(http: httpx2.AsyncClient, challenge: str | None, **overrides: str) -> httpx2.Response:
    params = {
        "client_id": CLIENT_ID,
        "redirect_uri": REDIRECT_URI,
        "response_type": "code",
        "scope": SCOPES,
        "access_type": "offline",
        "state": "st-123",
    }
    if challenge is not None:
        params.update({"code_challenge": challenge, "code_challenge_method": "S256"})
    params.update(overrides)
    return await http.get(AUTHORIZE, params=params)


async def token(http: httpx2.AsyncClient, **fields: str) -> httpx2.Response:
    form = {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET}
    form.update(fields)
    return await http.post(TOKEN, data=form)


async def redeem(http: httpx2.AsyncClient, code: str, verifier: str | None) -> httpx2.Response:
    fields = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI}
    if verifier is not None:
        fields["code_verifier"] = verifier
    return await token(http, **fields)


async def refresh(http: httpx2.AsyncClient, refresh_token: str) -> httpx2.Response:
    return await token(http, grant_type="refresh_token", refresh_token=refresh_token)


async def code_for(
    control: SandboxControl, http: httpx2.AsyncClient, email: str, **overrides: str
) -> tuple[dict[str, str], str]:
    """(redirect params, verifier) via auto-consent for `email`."""
    await control.set_google_auto_consent(email)
    verifier, challenge = pkce_pair()
    return redirect_params(await authorize(http, challenge, login_hint=email, **overrides)), verifier


@dataclass
class Connection:
    email: str
    tokens: dict[str, Any]

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens['access_token']}"}


async def connect(
    control: SandboxControl,
    http: httpx2.AsyncClient,
    *,
    email: str = "host@gmail.test",
    name: str = "Hana Host",
    scope: str = SCOPES,
    register: bool = True,
    time_zone: str = "UTC",
    meet_allowed: bool = True,
) -> Connection:
    """Register the app and an account, then run the code flow (auto-consent) to tokens."""
    if register:
        await register_app(control)
    await control.create_google_account(
        email=email, name=name, time_zone=time_zone, meet_allowed=meet_allowed
    )
    params, verifier = await code_for(control, http, email, scope=scope)
    response = await redeem(http, params["code"], verifier)
    assert response.status_code == 200, response.text
    return Connection(email=email, tokens=response.json())


def assert_g5(response: httpx2.Response, *, status: int, domain: str, reason: str) -> dict[str, Any]:
    """G5: `{"error": {"errors": [{domain, reason, message, ...}], "code", "message"}}`."""
    assert response.status_code == status, response.text
    error: dict[str, Any] = response.json()["error"]
    assert error["code"] == status
    assert error["message"]
    (item,) = error["errors"]
    assert (item["domain"], item["reason"]) == (domain, reason)
    assert item["message"]
    return error
