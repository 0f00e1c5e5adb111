"""Fixtures of the calendar contract suite: the Microsoft adapter talking to the sandbox over HTTP.

Tokens come the way production gets them: /authorize (auto-consent) → code → exchange_code.
"""

import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Literal, Protocol
from urllib.parse import parse_qs, urlsplit

import httpx2
import pytest

from tests.support.credentials import InMemoryCredentials
from tests.support.sandbox import CreatedUser, SandboxControl
from workestra.calendars.base import TokenGrant
from workestra.calendars.http import build_client
from workestra.calendars.microsoft import (
    MicrosoftCalendar,
    MicrosoftConfig,
    MicrosoftOAuth,
    authorization_error,
    new_code_verifier,
)
from workestra.sandbox import SandboxServer

CLIENT_ID = "00000000-0000-4000-8000-00000000c0de"
CLIENT_SECRET = "contract-suite-client-secret"
REDIRECT_URI = "http://127.0.0.1:8000/integrations/microsoft/callback"


@dataclass(frozen=True)
class Connection:
    """One connected mailbox: the sandbox user and the credentials the adapter uses for it."""

    user: CreatedUser
    grant: TokenGrant  # the first grant, from the code exchange
    credentials: InMemoryCredentials

    @property
    def email(self) -> str:
        return self.user["email"]


class Connect(Protocol):
    def __call__(
        self,
        *,
        kind: Literal["work", "personal"] = "work",
        teams: bool = True,
        drop_scopes: tuple[str, ...] = (),
        mail_null: bool = False,
    ) -> Awaitable[Connection]: ...


@pytest.fixture
def microsoft_config(sandbox_server: SandboxServer) -> MicrosoftConfig:
    return MicrosoftConfig(
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        redirect_uri=REDIRECT_URI,
        tenant="common",
        login_url=sandbox_server.microsoft_login_url,
        graph_url=sandbox_server.microsoft_graph_url,
    )


@pytest.fixture
async def http_client() -> AsyncIterator[httpx2.AsyncClient]:
    client = build_client()
    try:
        yield client
    finally:
        await client.aclose()


@pytest.fixture
async def microsoft_sandbox(sandbox: SandboxControl) -> SandboxControl:
    await sandbox.create_microsoft_app(
        client_id=CLIENT_ID, client_secret=CLIENT_SECRET, redirect_uris=[REDIRECT_URI]
    )
    return sandbox


@pytest.fixture
def oauth(microsoft_config: MicrosoftConfig, http_client: httpx2.AsyncClient) -> MicrosoftOAuth:
    return MicrosoftOAuth(microsoft_config, http_client)


@pytest.fixture
def calendar(microsoft_config: MicrosoftConfig, http_client: httpx2.AsyncClient) -> MicrosoftCalendar:
    return MicrosoftCalendar(microsoft_config, http_client)


async def sign_in(oauth: MicrosoftOAuth, browser: httpx2.AsyncClient, *, login_hint: str) -> TokenGrant:
    """Walk the authorize redirect as a browser would (auto-consent on) and redeem the code."""
    state, verifier = secrets.token_urlsafe(16), new_code_verifier()
    response = await browser.get(
        oauth.authorization_url(state=state, code_verifier=verifier, login_hint=login_hint)
    )
    assert response.status_code == httpx2.codes.FOUND, response.text
    location = urlsplit(response.headers["location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == REDIRECT_URI
    query = {k: v[0] for k, v in parse_qs(location.query).items()}
    assert query["state"] == state
    if "error" in query:
        raise authorization_error(query["error"], query.get("error_description", ""), query.get("error_uri"))
    return await oauth.exchange_code(code=query["code"], code_verifier=verifier)


@pytest.fixture
def connect(
    microsoft_sandbox: SandboxControl, oauth: MicrosoftOAuth, http_client: httpx2.AsyncClient
) -> Connect:
    async def factory(
        *,
        kind: Literal["work", "personal"] = "work",
        teams: bool = True,
        drop_scopes: tuple[str, ...] = (),
        mail_null: bool = False,
    ) -> Connection:
        domain = "outlook.test" if kind == "personal" else "contoso.test"
        email = f"host-{secrets.token_hex(4)}@{domain}"
        user = await microsoft_sandbox.create_microsoft_user(
            email=email, display_name="Hana Host", kind=kind, teams=teams, mail_null=mail_null
        )
        for scope in drop_scopes:
            await microsoft_sandbox.drop_scope(email, scope)
        await microsoft_sandbox.set_auto_consent(email)
        grant = await sign_in(oauth, http_client, login_hint=email)
        credentials = InMemoryCredentials(oauth, grant, connection_key=f"microsoft:{user['id']}")
        return Connection(user=user, grant=grant, credentials=credentials)

    return factory


SlowClient = Callable[[float], Awaitable[httpx2.AsyncClient]]


@pytest.fixture
async def slow_client() -> AsyncIterator[SlowClient]:
    """Clients with a short read timeout, for the timeout contract (closed after the test)."""
    made: list[httpx2.AsyncClient] = []

    async def factory(seconds: float) -> httpx2.AsyncClient:
        client = build_client(timeout=httpx2.Timeout(seconds))
        made.append(client)
        return client

    yield factory
    for client in made:
        await client.aclose()
