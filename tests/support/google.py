"""Connecting to the Google sandbox through the real OAuth flow (auto-consent, no browser).

Adapter level: ``connect_google_account`` walks /o/oauth2/v2/auth → code → ``exchange_code`` and
hands back the grant with in-memory credentials. Service level: ``connect_google`` drives
``start_connection`` / ``complete_connection`` as the callback page does.
"""

import secrets
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import httpx2

from tests.support.credentials import InMemoryCredentials
from tests.support.sandbox import CreatedGoogleAccount, GoogleAccountKind, SandboxControl
from workestra.calendars.base import TokenGrant
from workestra.calendars.google import GoogleConfig, GoogleOAuth, authorization_error, new_code_verifier
from workestra.enums import IntegrationProvider
from workestra.sandbox import SandboxServer
from workestra.services.connections import ConnectionView, complete_connection, start_connection
from workestra.services.context import ServiceContext
from workestra.services.users import Host

CLIENT_ID = "123456789012-sandbox.apps.googleusercontent.com"
CLIENT_SECRET = "sandbox-google-client-secret"
REDIRECT_URI = "http://127.0.0.1:8000/integrations/google/callback"
GOOGLE = IntegrationProvider.GOOGLE_CALENDAR


@dataclass(frozen=True)
class GoogleConnection:
    """One connected Google account: the sandbox account, its first grant, and its credentials."""

    account: CreatedGoogleAccount
    grant: TokenGrant  # from the code exchange
    credentials: InMemoryCredentials

    @property
    def email(self) -> str:
        return self.account["email"]


def google_config(sandbox_server: SandboxServer, *, redirect_uri: str = REDIRECT_URI) -> GoogleConfig:
    """The adapter's configuration pointed at the sandbox's four Google endpoints."""
    return GoogleConfig(
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        redirect_uri=redirect_uri,
        auth_url=sandbox_server.google_auth_url,
        token_url=sandbox_server.google_token_url,
        calendar_url=sandbox_server.google_calendar_url,
        revoke_url=sandbox_server.google_revoke_url,
    )


async def register_google_app(sandbox: SandboxControl, *, redirect_uris: list[str] | None = None) -> None:
    await sandbox.create_google_app(
        client_id=CLIENT_ID, client_secret=CLIENT_SECRET, redirect_uris=redirect_uris or [REDIRECT_URI]
    )


def google_credentials(oauth: GoogleOAuth, grant: TokenGrant, *, connection_key: str) -> InMemoryCredentials:
    """InMemoryCredentials over Google (a refresh without a new refresh token keeps the old one)."""
    return InMemoryCredentials(oauth, grant, connection_key=connection_key)


async def sign_in_google(
    oauth: GoogleOAuth, browser: httpx2.AsyncClient, *, login_hint: str, redirect_uri: str = REDIRECT_URI
) -> TokenGrant:
    """Follow the authorization redirect as a browser would (auto-consent on) and redeem the code.
    A refusal on the callback raises what ``authorization_error`` maps it to."""
    state, verifier = secrets.token_urlsafe(16), new_code_verifier()
    response = await browser.get(
        oauth.authorization_url(
            state=state, code_verifier=verifier, redirect_uri=redirect_uri, login_hint=login_hint
        )
    )
    assert response.status_code == httpx2.codes.FOUND, response.text
    location = urlsplit(response.headers["location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == redirect_uri
    query = {k: v[0] for k, v in parse_qs(location.query).items()}
    assert query.get("state") == state
    if "error" in query:
        raise authorization_error(query["error"], query.get("error_description", ""))
    return await oauth.exchange_code(code=query["code"], code_verifier=verifier, redirect_uri=redirect_uri)


async def connect_google_account(
    sandbox: SandboxControl,
    oauth: GoogleOAuth,
    browser: httpx2.AsyncClient,
    *,
    email: str | None = None,
    name: str = "Gita Host",
    kind: GoogleAccountKind | None = None,
    meet_allowed: bool = True,
    time_zone: str = "UTC",
    drop_scopes: tuple[str, ...] = (),
) -> GoogleConnection:
    """Create a sandbox account (a fresh Workspace address unless ``email``), untick
    ``drop_scopes`` (full scope URIs), consent automatically and redeem the code."""
    address = email or f"host-{secrets.token_hex(4)}@acme.test"
    account = await sandbox.create_google_account(
        email=address, name=name, kind=kind, time_zone=time_zone, meet_allowed=meet_allowed
    )
    for scope in drop_scopes:
        await sandbox.drop_google_scope(address, scope)
    await sandbox.set_google_auto_consent(address)
    grant = await sign_in_google(oauth, browser, login_hint=address)
    credentials = google_credentials(oauth, grant, connection_key=f"google:{account['sub']}")
    return GoogleConnection(account=account, grant=grant, credentials=credentials)


# --- service level (the callback page's path) ------------------------------------------------------


async def register_google_service_app(sandbox: SandboxControl, base_url: str) -> None:
    """The app registration a server at ``base_url`` redirects back to."""
    await register_google_app(sandbox, redirect_uris=[f"{base_url}/integrations/google/callback"])


async def authorize_google(ctx: ServiceContext, host: Host, *, session_id: str) -> dict[str, str]:
    """Start a connection and follow the sandbox's redirect back: the callback's query parameters."""
    url = await start_connection(ctx, host, GOOGLE, session_id=session_id)
    async with httpx2.AsyncClient(timeout=10) as client:
        response = await client.get(url)
    assert response.status_code in {302, 303}, response.text
    query = parse_qs(urlsplit(response.headers["location"]).query)
    return {key: values[0] for key, values in query.items()}


async def connect_google(
    ctx: ServiceContext, host: Host, sandbox: SandboxControl, *, email: str, session_id: str = "session-1"
) -> ConnectionView:
    """Connect ``host`` to the sandbox account ``email`` through the services (auto-consent)."""
    await sandbox.set_google_auto_consent(email)
    params = await authorize_google(ctx, host, session_id=session_id)
    return await complete_connection(
        ctx,
        host,
        GOOGLE,
        session_id=session_id,
        state=params.get("state"),
        code=params.get("code"),
        error=params.get("error"),
        error_description=params.get("error_description"),
    )
