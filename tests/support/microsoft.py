"""Connecting a host to the Microsoft sandbox through the real OAuth flow (auto-consent, no browser)."""

from urllib.parse import parse_qs, urlsplit

import httpx2

from tests.support.sandbox import SandboxControl
from workestra.enums import IntegrationProvider
from workestra.services.connections import ConnectionView, complete_connection, start_connection
from workestra.services.context import ServiceContext
from workestra.services.users import Host

CLIENT_ID = "00000000-0000-4000-8000-00000000c11e"
CLIENT_SECRET = "sandbox-client-secret"
MS = IntegrationProvider.MICROSOFT_CALENDAR


async def register_app(sandbox: SandboxControl, base_url: str) -> None:
    await sandbox.create_microsoft_app(
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        redirect_uris=[
            f"{base_url}/integrations/microsoft/callback",
            f"{base_url}/integrations/microsoft/admin-consent/callback",
        ],
    )


async def authorize(ctx: ServiceContext, host: Host, *, session_id: str) -> dict[str, str]:
    """Start a connection and follow the sandbox's redirect back: the callback's query parameters."""
    url = await start_connection(ctx, host, MS, session_id=session_id)
    async with httpx2.AsyncClient(timeout=10) as client:
        response = await client.get(url)
    assert response.status_code in {302, 303}, response.text
    query = parse_qs(urlsplit(response.headers["location"]).query)
    return {key: values[0] for key, values in query.items()}


async def connect_microsoft(
    ctx: ServiceContext, host: Host, sandbox: SandboxControl, *, email: str, session_id: str = "session-1"
) -> ConnectionView:
    await sandbox.set_auto_consent(email)
    params = await authorize(ctx, host, session_id=session_id)
    return await complete_connection(
        ctx,
        host,
        MS,
        session_id=session_id,
        state=params.get("state"),
        code=params.get("code"),
        error=params.get("error"),
        error_description=params.get("error_description"),
    )
