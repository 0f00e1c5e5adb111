"""Invitees race for one slot of a two-rep round-robin link at running servers: two win, with
different reps, and every other one gets 409; on SQLite, and on PostgreSQL across two servers."""

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

RACERS = 12
BEHIND_PROXY = {"WORKESTRA_FORWARDED_ALLOW_IPS": "127.0.0.1"}


def _serve(database_url: str, tmp_path: Path, count: int) -> tuple[list[ServeProcess], list[dict[str, str]]]:
    ports = [free_port() for _ in range(count)]
    env = cli_env(database_url, ports[0])
    run_cli(["migrate"], env=env, cwd=tmp_path)
    people = [create_host(env, tmp_path, email=f"{who}@example.test") for who in ("lead", "rep")]
    servers = [
        ServeProcess(port=p, env={**cli_env(database_url, p), **BEHIND_PROXY}, cwd=tmp_path, worker=i == 0)
        for i, p in enumerate(ports)
    ]
    for server in servers:
        server.wait_ready()
    return servers, people


async def _team_link(client: httpx2.AsyncClient, url: str, lead: dict[str, str], rep: dict[str, str]) -> None:
    """The lead's team, the rep invited and accepting, and a round-robin link over both."""
    as_lead = {"Authorization": f"Bearer {lead['api_key']}"}
    team = await client.post(f"{url}/api/v1/teams", headers=as_lead, json={"slug": "sales", "name": "Sales"})
    assert team.status_code == 201, team.text
    team_id = team.json()["id"]
    invited = await client.post(
        f"{url}/api/v1/teams/{team_id}/members", headers=as_lead, json={"email": rep["email"]}
    )
    assert invited.status_code == 201, invited.text
    accepted = await client.post(
        f"{url}/api/v1/teams/{team_id}/accept", headers={"Authorization": f"Bearer {rep['api_key']}"}
    )
    assert accepted.status_code == 200, accepted.text
    created = await client.post(
        f"{url}/api/v1/booking-links",
        headers=as_lead,
        json={
            "slug": "pool",
            "title": "Pool",
            "duration_minutes": 30,
            "timezone": "UTC",
            "weekly_hours": ALL_DAY_HOURS,
            "minimum_notice_minutes": 60,
            "team_id": team_id,
            "round_robin_members": [lead["email"], rep["email"]],
        },
    )
    assert created.status_code == 201, created.text


async def _race(urls: list[str], lead: dict[str, str], rep: dict[str, str]) -> list[httpx2.Response]:
    day = (SystemClock().now() + timedelta(days=2)).date().isoformat()
    async with httpx2.AsyncClient(timeout=60) as client:
        await _team_link(client, urls[0], lead, rep)
        slots = await client.get(
            f"{urls[0]}/api/v1/public/links/pool/slots", params={"start": day, "end": day, "timezone": "UTC"}
        )
        start = slots.json()["slots"][0]["start"]

        async def attempt(i: int) -> httpx2.Response:
            return await client.post(
                f"{urls[i % len(urls)]}/api/v1/public/links/pool/bookings",
                json={
                    "start": start,
                    "name": f"Racer {i}",
                    "email": f"racer{i}@example.test",
                    "timezone": "UTC",
                },
                headers={"X-Forwarded-For": f"203.0.113.{i + 1}"},  # each invitee through the proxy
            )

        return await asyncio.gather(*(attempt(i) for i in range(RACERS)))


def _check(responses: list[httpx2.Response], lead: dict[str, str], rep: dict[str, str]) -> None:
    won = [r for r in responses if r.status_code == 201]
    assert sorted(r.status_code for r in responses) == [201, 201] + [409] * (RACERS - 2)
    assert sorted(r.json()["host"]["email"] for r in won) == sorted([lead["email"], rep["email"]])


async def test_racing_invitees_on_sqlite_get_both_reps_then_409(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'race.sqlite3'}"
    servers, (lead, rep) = await asyncio.to_thread(_serve, url, tmp_path, 1)
    try:
        responses = await _race([s.url for s in servers], lead, rep)
    finally:
        for server in servers:
            await asyncio.to_thread(server.stop)
    _check(responses, lead, rep)


@pytest.mark.postgres
async def test_racing_invitees_across_two_servers_on_postgres_get_both_reps_then_409(tmp_path: Path) -> None:
    async with postgres_database() as url:
        servers, (lead, rep) = await asyncio.to_thread(_serve, url, tmp_path, 2)
        try:
            responses = await _race([s.url for s in servers], lead, rep)
        finally:
            for server in servers:
                await asyncio.to_thread(server.stop)
        _check(responses, lead, rep)
        connection = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
        try:
            counts = await connection.fetch(
                "SELECT email, assigned_count FROM link_members ORDER BY email"
            )  # the rotation moved once for each, under the link's lock
            assert [tuple(row) for row in counts] == [(lead["email"], 1), (rep["email"], 1)]
        finally:
            await connection.close()
