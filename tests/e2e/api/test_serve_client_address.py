"""`workestra serve` as an operator runs it: with no proxy configured, X-Forwarded-For is ignored,
so a client can't spread its requests over made-up addresses."""

import asyncio
import json
from pathlib import Path

import httpx2

from tests.support.processes import ALL_DAY_HOURS, ServeProcess, cli_env, create_host, run_cli
from tests.support.server import free_port
from workestra.clock import SystemClock


def _serve(tmp_path: Path) -> tuple[ServeProcess, str]:
    port = free_port()
    env = {
        **cli_env(f"sqlite+aiosqlite:///{tmp_path / 'serve.sqlite3'}", port),
        "WORKESTRA_RATE_LIMITS": json.dumps({"slots_per_client": "3/minute"}),
    }
    run_cli(["migrate"], env=env, cwd=tmp_path)
    user = create_host(env, tmp_path)
    server = ServeProcess(port=port, env=env, cwd=tmp_path, worker=False)
    server.wait_ready()
    return server, user["api_key"]


async def test_serve_ignores_forwarded_for_unless_a_proxy_is_configured(tmp_path: Path) -> None:
    server, api_key = await asyncio.to_thread(_serve, tmp_path)
    try:
        async with httpx2.AsyncClient(base_url=server.url, timeout=30) as http:
            created = await http.post(
                "/api/v1/booking-links",
                headers={"Authorization": f"Bearer {api_key}"},
                json={
                    "slug": "intro",
                    "title": "Intro",
                    "duration_minutes": 30,
                    "timezone": "UTC",
                    "weekly_hours": ALL_DAY_HOURS,
                },
            )
            assert created.status_code == 201, created.text
            day = SystemClock().now().date().isoformat()
            statuses = []
            for i in range(4):
                response = await http.get(
                    "/api/v1/public/links/intro/slots",
                    params={"start": day, "end": day, "timezone": "UTC"},
                    headers={"X-Forwarded-For": f"198.51.100.{i + 1}"},
                )
                statuses.append(response.status_code)
            assert statuses == [200, 200, 200, 429]
            assert int(response.headers["Retry-After"]) > 0
    finally:
        await asyncio.to_thread(server.stop)
