"""Shared fixtures: settings, SQLite and PostgreSQL databases, the sandbox, an SMTP sink, a live server."""

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import httpx2
import pytest

from tests.support.calendars import GOOGLE_CLIENT_ID, GOOGLE_CLIENT_SECRET
from tests.support.databases import postgres_database
from tests.support.sandbox import SandboxControl
from tests.support.server import LiveServer, free_port
from tests.support.smtp import SmtpSink, smtp_sink
from workestra.clock import Clock
from workestra.config import Settings
from workestra.db.migrate import upgrade_to_head
from workestra.sandbox import SandboxServer

__all__ = ["smtp_sink"]

TEST_SECRET = "test-secret-key-0123456789abcdef-not-for-production"
CLIENT_ID = "00000000-0000-4000-8000-00000000c11e"
CLIENT_SECRET = "sandbox-client-secret"


@pytest.fixture(scope="session")
def sandbox_server() -> Iterator[SandboxServer]:
    server = SandboxServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
async def sandbox(sandbox_server: SandboxServer) -> SandboxControl:
    """The sandbox, reset, with Workestra's app registered (any port's callback on loopback)."""
    control = SandboxControl(sandbox_server.url)
    await control.reset()
    return control


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'workestra.sqlite3'}"


@pytest.fixture
async def postgres_url() -> AsyncIterator[str]:
    async with postgres_database() as url:
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """Each test using this runs on both engines."""
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'workestra.sqlite3'}"
        await upgrade_to_head(url)
        yield url
    else:
        async with postgres_database() as url:
            await upgrade_to_head(url)
            yield url


SettingsFactory = Callable[..., Settings]


@pytest.fixture
def make_settings(sqlite_url: str, sandbox_server: SandboxServer) -> SettingsFactory:
    def factory(**overrides: object) -> Settings:
        values: dict[str, object] = {
            "database_url": sqlite_url,
            "base_url": "http://127.0.0.1:8000",
            "secret_key": TEST_SECRET,
            "microsoft_client_id": CLIENT_ID,
            "microsoft_client_secret": CLIENT_SECRET,
            "microsoft_login_url": sandbox_server.microsoft_login_url,
            "microsoft_graph_url": sandbox_server.microsoft_graph_url,
            "google_client_id": GOOGLE_CLIENT_ID,
            "google_client_secret": GOOGLE_CLIENT_SECRET,
            "google_auth_url": sandbox_server.google_auth_url,
            "google_token_url": sandbox_server.google_token_url,
            "google_revoke_url": sandbox_server.google_revoke_url,
            "google_calendar_url": sandbox_server.google_calendar_url,
            "worker_poll_seconds": 0.05,
            "_env_file": None,
        }
        values.update(overrides)
        return Settings(**values)  # type: ignore[arg-type]  # pydantic-settings takes field kwargs

    return factory


@pytest.fixture
def live_overrides() -> dict[str, object]:
    """Settings a test changes for ``live_server`` (parametrize this name, or override the fixture)."""
    return {}


@pytest.fixture
def live_clock() -> Clock | None:
    """The clock ``live_server`` runs on (override with a FixedClock to move time); None: the system's."""
    return None


@pytest.fixture
async def live_server(
    make_settings: SettingsFactory,
    smtp_sink: SmtpSink,
    sandbox: SandboxControl,
    live_overrides: dict[str, object],
    live_clock: Clock | None,
) -> AsyncIterator[LiveServer]:
    """The app over real HTTP, with the sandbox as Microsoft and Google, and a real SMTP server."""
    port = free_port()
    settings = make_settings(base_url=f"http://127.0.0.1:{port}", smtp_url=smtp_sink.url, **live_overrides)
    await sandbox.create_microsoft_app(
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        redirect_uris=[
            f"{settings.base_url}/integrations/microsoft/callback",
            f"{settings.base_url}/integrations/microsoft/admin-consent/callback",
        ],
    )
    await sandbox.create_google_app(
        client_id=GOOGLE_CLIENT_ID,
        client_secret=GOOGLE_CLIENT_SECRET,
        redirect_uris=[f"{settings.base_url}/integrations/google/callback"],
    )
    server = LiveServer(settings, port=port, clock=live_clock)
    await asyncio.to_thread(server.start)
    try:
        yield server
    finally:
        await asyncio.to_thread(server.stop)


@pytest.fixture
async def http(live_server: LiveServer) -> AsyncIterator[httpx2.AsyncClient]:
    async with httpx2.AsyncClient(base_url=live_server.url, timeout=30) as client:
        yield client
