"""The command line as an operator uses it, and the outbox worker running as its own process."""

import asyncio
import json
import os
import subprocess
from datetime import timedelta
from pathlib import Path

import httpx2
import pytest

from tests.support.processes import ALL_DAY_HOURS, WORKESTRA, ServeProcess, cli_env, create_host, run_cli
from tests.support.server import free_port
from tests.support.smtp import SmtpSink
from workestra.clock import SystemClock


def _env(tmp_path: Path, port: int, smtp: str | None = None) -> dict[str, str]:
    return cli_env(f"sqlite+aiosqlite:///{tmp_path / 'cli.sqlite3'}", port, smtp_url=smtp)


def test_users_create_prints_json_with_an_id_and_an_api_key(tmp_path: Path) -> None:
    env = _env(tmp_path, 8000)
    created = json.loads(
        run_cli(
            [
                "users",
                "create",
                "--email",
                "Ops@Example.test",
                "--name",
                "Ops",
                "--password",
                "long-enough-password",
                "--timezone",
                "Europe/Berlin",
            ],
            env=env,
            cwd=tmp_path,
        )
    )
    assert set(created) >= {"id", "api_key"}
    assert created["email"] == "ops@example.test"
    again = subprocess.run(
        [
            *WORKESTRA,
            "users",
            "create",
            "--email",
            "ops@example.test",
            "--name",
            "Ops",
            "--password",
            "long-enough-password",
        ],
        env={**env},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert again.returncode != 0
    assert "already exists" in again.stderr
    assert "Traceback" not in again.stderr


def test_migrate_is_idempotent(tmp_path: Path) -> None:
    env = _env(tmp_path, 8000)
    assert "newest schema" in run_cli(["migrate"], env=env, cwd=tmp_path)
    assert "newest schema" in run_cli(["migrate"], env=env, cwd=tmp_path)


async def test_the_worker_process_sends_what_serve_no_worker_queued(
    tmp_path: Path, smtp_sink: SmtpSink
) -> None:
    port = free_port()
    env = _env(tmp_path, port, smtp_sink.url)
    key = create_host(env, tmp_path)["api_key"]
    day = (SystemClock().now() + timedelta(days=3)).date().isoformat()
    with ServeProcess(port=port, env=env, cwd=tmp_path, worker=False) as server:
        async with httpx2.AsyncClient(base_url=server.url, timeout=30) as http:
            created = await http.post(
                "/api/v1/booking-links",
                headers={"Authorization": f"Bearer {key}"},
                json={
                    "slug": "call",
                    "title": "Call",
                    "duration_minutes": 30,
                    "timezone": "UTC",
                    "weekly_hours": ALL_DAY_HOURS,
                },
            )
            assert created.status_code == 201
            slots = await http.get("/api/v1/public/links/call/slots", params={"start": day, "end": day})
            start = slots.json()["slots"][0]["start"]
            booked = await http.post(
                "/api/v1/public/links/call/bookings",
                json={"start": start, "name": "Ivo", "email": "ivo@example.test", "timezone": "UTC"},
            )
            assert booked.status_code == 201
        with pytest.raises(AssertionError):
            await smtp_sink.wait_for(1, timeout=1.5)  # nobody runs the outbox yet
        worker = await asyncio.create_subprocess_exec(
            *WORKESTRA,
            "worker",
            env={**os.environ, **env},
            cwd=tmp_path,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            message = await smtp_sink.message_to("ivo@example.test", timeout=20)
        finally:
            worker.terminate()
            await asyncio.wait_for(worker.wait(), timeout=15)
    assert message["To"] == "ivo@example.test"
