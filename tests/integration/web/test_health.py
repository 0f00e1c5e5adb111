"""/healthz and /readyz over HTTP: liveness always, readiness only with a reachable database whose
schema is at head; neither spends a rate-limit budget."""

from collections.abc import AsyncIterator, Callable
from pathlib import Path

import httpx2
import pytest
from alembic import command
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from tests.conftest import SettingsFactory
from tests.support.server import LiveServer, free_port
from workestra.db.migrate import alembic_config


async def _upgrade(url: str, revision: str) -> None:
    config = alembic_config(url)
    engine = create_async_engine(url)

    def upgrade(connection: Connection) -> None:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)

    try:
        async with engine.begin() as connection:
            await connection.run_sync(upgrade)
    finally:
        await engine.dispose()


@pytest.fixture
async def served_as_is(make_settings: SettingsFactory) -> AsyncIterator[Callable[[str], LiveServer]]:
    """Start servers on a database exactly as it is (not migrated first); stopped at the end."""
    servers: list[LiveServer] = []

    def start(database_url: str) -> LiveServer:
        port = free_port()
        settings = make_settings(
            database_url=database_url, base_url=f"http://127.0.0.1:{port}", run_worker=False
        )
        server = LiveServer(settings, port=port, migrate=False)
        server.start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


async def test_healthz_says_the_process_is_up(http: httpx2.AsyncClient) -> None:
    response = await http.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response.headers["Cache-Control"] == "no-store"
    assert "set-cookie" not in response.headers


async def test_readyz_is_ready_on_a_migrated_database(http: httpx2.AsyncClient) -> None:
    response = await http.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_readyz_is_unavailable_while_the_schema_is_behind_head(
    tmp_path: Path, served_as_is: Callable[[str], LiveServer]
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'old.sqlite3'}"
    await _upgrade(url, "0002")
    server = served_as_is(url)
    async with httpx2.AsyncClient(base_url=server.url) as client:
        assert (await client.get("/healthz")).status_code == 200  # alive, just not ready
        response = await client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["reason"].startswith("database schema at 0002, this code needs ")


async def test_readyz_is_unavailable_when_the_database_cannot_be_reached(
    tmp_path: Path, served_as_is: Callable[[str], LiveServer]
) -> None:
    server = served_as_is(f"sqlite+aiosqlite:///{tmp_path / 'no-such-folder' / 'db.sqlite3'}")
    async with httpx2.AsyncClient(base_url=server.url) as client:
        response = await client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "reason": "database unreachable (OperationalError)"}


@pytest.mark.parametrize(
    "live_overrides", [{"rate_limits": {"pages_per_client": "2/minute", "slots_per_client": "2/minute"}}]
)
async def test_probes_spend_no_rate_limit_budget(http: httpx2.AsyncClient) -> None:
    statuses = {(await http.get(path)).status_code for path in ("/healthz", "/readyz") * 20}
    assert statuses == {200}
    pages = [(await http.get("/login")).status_code for _ in range(3)]
    assert pages == [200, 200, 429]  # the tiny budget is in force for pages
    assert (await http.get("/readyz")).status_code == 200
