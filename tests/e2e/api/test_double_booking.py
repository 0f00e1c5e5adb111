"""Fifty invitees race for one slot at running servers: exactly one wins, on SQLite and PostgreSQL."""

import asyncio
from datetime import timedelta
from pathlib import Path

import asyncpg
import httpx2
import pytest

from tests.support.databases import postgres_database
from tests.support.processes import ALL_DAY_HOURS, ServeProcess, cli_env, create_host, run_cli
from tests.support.server import free_port
from workestra.clock import SystemClock

RACERS = 50
BEHIND_PROXY = {"WORKESTRA_FORWARDED_ALLOW_IPS": "127.0.0.1"}


async def _race(urls: list[str], api_key: str) -> list[int]:
    day = (SystemClock().now() + timedelta(days=2)).date().isoformat()
    async with httpx2.AsyncClient(timeout=60) as client:
        created = await client.post(
            f"{urls[0]}/api/v1/booking-links",
            headers={"Authorization": f"Bearer {api_key}"},
            json={
                "slug": "race",
                "title": "Race",
                "duration_minutes": 30,
                "timezone": "UTC",
                "weekly_hours": ALL_DAY_HOURS,
                "minimum_notice_minutes": 60,
            },
        )
        assert created.status_code == 201, created.text
        slots = await client.get(
            f"{urls[0]}/api/v1/public/links/race/slots", params={"start": day, "end": day, "timezone": "UTC"}
        )
        start = slots.json()["slots"][0]["start"]

        async def attempt(i: int) -> int:
            response = await client.post(
                f"{urls[i % len(urls)]}/api/v1/public/links/race/bookings",
                json={
                    "start": start,
                    "name": f"Racer {i}",
                    "email": f"racer{i}@example.test",
                    "timezone": "UTC",
                },
                # Fifty invitees, not one client: each arrives through the trusted proxy on loopback.
                headers={"X-Forwarded-For": f"203.0.113.{i + 1}"},
            )
            return response.status_code

        return await asyncio.gather(*(attempt(i) for i in range(RACERS)))


def _serve(database_url: str, tmp_path: Path, count: int) -> tuple[list[ServeProcess], str]:
    ports = [free_port() for _ in range(count)]
    env = cli_env(database_url, ports[0])
    run_cli(["migrate"], env=env, cwd=tmp_path)
    user = create_host(env, tmp_path)
    servers = [
        ServeProcess(port=p, env={**cli_env(database_url, p), **BEHIND_PROXY}, cwd=tmp_path, worker=i == 0)
        for i, p in enumerate(ports)
    ]
    for server in servers:
        server.wait_ready()
    return servers, user["api_key"]


async def test_fifty_concurrent_bookings_on_sqlite_give_one_booking(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'race.sqlite3'}"
    servers, key = await asyncio.to_thread(_serve, url, tmp_path, 1)
    try:
        statuses = await _race([s.url for s in servers], key)
    finally:
        for server in servers:
            await asyncio.to_thread(server.stop)
    assert sorted(statuses) == [201] + [409] * (RACERS - 1)
    import sqlite3

    with sqlite3.connect(tmp_path / "race.sqlite3") as db:
        assert db.execute("SELECT count(*) FROM bookings").fetchone() == (1,)


@pytest.mark.postgres
async def test_fifty_concurrent_bookings_across_two_servers_on_postgres_give_one_booking(
    tmp_path: Path,
) -> None:
    async with postgres_database() as url:
        servers, key = await asyncio.to_thread(_serve, url, tmp_path, 2)
        try:
            statuses = await _race([s.url for s in servers], key)
        finally:
            for server in servers:
                await asyncio.to_thread(server.stop)
        assert sorted(statuses) == [201] + [409] * (RACERS - 1)
        connection = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
        try:
            assert await connection.fetchval("SELECT count(*) FROM bookings") == 1
        finally:
            await connection.close()
