"""Client-side steps of the OAuth flow against the sandbox, written from AUTHCODE, for tests."""

import base64
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any, Literal

import httpx2

from tests.support.sandbox import SandboxControl

CLIENT_ID = "0a1b2c3d-1111-4222-8333-944455566677"
CLIENT_SECRET = "sbx~secret.value"
REDIRECT_URI = "http://127.0.0.1:9/integrations/microsoft/callback"
SCOPES = "openid profile email offline_access User.Read Calendars.ReadWrite OnlineMeetings.ReadWrite"
AUTHORIZE = "/microsoft/login/{tenant}/oauth2/v2.0/authorize"
TOKEN = "/microsoft/login/{tenant}/oauth2/v2.0/token"
GRAPH = "/microsoft/graph/v1.0"


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def authorize_params(challenge: str, **overrides: str) -> dict[str, str]:
    params = {
        "client_id": CLIENT_ID,
        "response_type": "code",
        "redirect_uri": REDIRECT_URI,
        "scope": SCOPES,
        "state": "st-123",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    params.update(overrides)
    return params


def redirect_params(response: httpx2.Response) -> dict[str, str]:
    """The query of a 302 to the redirect URI."""
    assert response.status_code == 302, response.text
    location = httpx2.URL(response.headers["location"])
    assert str(location).startswith(REDIRECT_URI)
    return dict(location.params)


async def register_app(control: SandboxControl) -> None:
    await control.create_microsoft_app(
        client_id=CLIENT_ID, client_secret=CLIENT_SECRET, redirect_uris=[REDIRECT_URI]
    )


async def authorize(
    http: httpx2.AsyncClient, challenge: str, *, tenant: str = "common", **overrides: str
) -> httpx2.Response:
    params = authorize_params(challenge, **overrides)
    return await http.get(AUTHORIZE.format(tenant=tenant), params=params)


async def token(http: httpx2.AsyncClient, *, tenant: str = "common", **fields: str) -> httpx2.Response:
    form = {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET}
    form.update(fields)
    return await http.post(TOKEN.format(tenant=tenant), data=form)


async def redeem(http: httpx2.AsyncClient, code: str, verifier: str) -> httpx2.Response:
    return await token(
        http,
        grant_type="authorization_code",
        code=code,
        redirect_uri=REDIRECT_URI,
        code_verifier=verifier,
    )


async def code_for(
    control: SandboxControl, http: httpx2.AsyncClient, email: str, **overrides: str
) -> tuple[str, str]:
    """(code, verifier) via auto-consent for `email`."""
    await control.set_auto_consent(email)
    verifier, challenge = pkce_pair()
    params = redirect_params(await authorize(http, challenge, login_hint=email, **overrides))
    return params["code"], verifier


@dataclass
class Connection:
    email: str
    user_id: str
    tokens: dict[str, Any]

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens['access_token']}"}


async def connect(
    control: SandboxControl,
    http: httpx2.AsyncClient,
    *,
    email: str = "hana@contoso.test",
    display_name: str = "Hana Host",
    scope: str = SCOPES,
    register: bool = True,
    kind: Literal["work", "personal"] = "work",
    time_zone: str = "UTC",
    teams: bool = True,
    has_calendar: bool = True,
    mailbox_enabled: bool = True,
    mail_null: bool = False,
) -> Connection:
    """Register the app and a user, then run the code flow (auto-consent) to tokens."""
    if register:
        await register_app(control)
    created = await control.create_microsoft_user(
        email=email,
        display_name=display_name,
        kind=kind,
        time_zone=time_zone,
        teams=teams,
        has_calendar=has_calendar,
        mailbox_enabled=mailbox_enabled,
        mail_null=mail_null,
    )
    code, verifier = await code_for(control, http, email, scope=scope)
    response = await redeem(http, code, verifier)
    assert response.status_code == 200, response.text
    return Connection(email=email, user_id=created["id"], tokens=response.json())
