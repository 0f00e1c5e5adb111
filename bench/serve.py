"""`workestra serve --no-worker` as an operator runs it, on a loopback port, for load benchmarks.

The database is a SQLite file in a temporary folder or a throwaway PostgreSQL database (created on
127.0.0.1:5432 as user postgres, dropped afterwards). Rate limits are sized far past what a load
run asks, so every request is served (the counting itself still runs, as in production).
"""

import asyncio
import contextlib
import json
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import httpx2

WORKESTRA = [sys.executable, "-m", "workestra"]
POSTGRES_ADMIN_DSN = os.environ.get(
    "WORKESTRA_BENCH_POSTGRES_DSN", "postgresql://postgres@127.0.0.1:5432/postgres"
)
UNLIMITED = {"pages_per_client": "100000000/minute", "slots_per_client": "100000000/minute"}
WEEKDAY_HOURS = {
    day: [{"start": "09:00", "end": "17:00"}]
    for day in ("monday", "tuesday", "wednesday", "thursday", "friday")
}
LINK_SLUG = "bench"
PASSWORD = "bench-password-1"


class PostgresUnavailable(RuntimeError):
    """No PostgreSQL server answered at POSTGRES_ADMIN_DSN."""


@dataclass(frozen=True, slots=True)
class Served:
    url: str
    pid: int
    slug: str


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextlib.contextmanager
def postgres_database() -> Iterator[str]:
    """A new, empty PostgreSQL database; yields its SQLAlchemy async URL and drops it at the end."""
    name = f"wk_bench_{uuid.uuid4().hex[:12]}"

    async def admin(statement: str) -> None:
        connection = await asyncpg.connect(POSTGRES_ADMIN_DSN, timeout=5)
        try:
            await connection.execute(statement)
        finally:
            await connection.close()

    try:
        asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    except (OSError, asyncpg.PostgresError) as exc:
        raise PostgresUnavailable(f"PostgreSQL is not reachable at {POSTGRES_ADMIN_DSN} ({exc})") from exc
    try:
        base = POSTGRES_ADMIN_DSN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://", 1)
        yield f"{base}/{name}"
    finally:
        asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def _cli(args: list[str], *, env: dict[str, str], cwd: Path) -> str:
    result = subprocess.run(  # noqa: S603  (our own interpreter and arguments)
        [*WORKESTRA, *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"workestra {args[0]} failed: {result.stderr[-2000:]}")
    return result.stdout


def _wait_ready(process: subprocess.Popen[bytes], url: str, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"workestra serve exited early; see {log}")
        with contextlib.suppress(httpx2.TransportError):
            if httpx2.get(f"{url}/openapi.json", timeout=1).status_code == 200:
                return
        time.sleep(0.1)
    raise RuntimeError(f"workestra serve did not become ready; see {log}")


@contextlib.contextmanager
def served(database_url: str, workdir: Path) -> Iterator[Served]:
    """Migrate, create a host and a provider-None link (Mon-Fri 09-17 Berlin, 30 min), then serve."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "WORKESTRA_DATABASE_URL": database_url,
        "WORKESTRA_SECRET_KEY": "bench-secret-key-0123456789abcdef",
        "WORKESTRA_BASE_URL": url,
        "WORKESTRA_RATE_LIMITS": json.dumps(UNLIMITED),
    }
    _cli(["migrate"], env=env, cwd=workdir)
    host = json.loads(
        _cli(
            ["users", "create", "--email", "host@example.test", "--name", "Host", "--password", PASSWORD],
            env=env,
            cwd=workdir,
        )
    )
    log = workdir / f"serve-{port}.log"
    with log.open("w") as out:
        process = subprocess.Popen(  # noqa: S603  (our own interpreter and arguments)
            [*WORKESTRA, "serve", "--no-worker", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            cwd=workdir,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_ready(process, url, log)
        created = httpx2.post(
            f"{url}/api/v1/booking-links",
            headers={"Authorization": f"Bearer {host['api_key']}"},
            json={
                "slug": LINK_SLUG,
                "title": "Bench",
                "duration_minutes": 30,
                "timezone": "Europe/Berlin",
                "weekly_hours": WEEKDAY_HOURS,
                "calendar_provider": "none",
            },
            timeout=30,
        )
        if created.status_code != 201:
            raise RuntimeError(f"creating the bench link failed: {created.status_code} {created.text}")
        yield Served(url=url, pid=process.pid, slug=LINK_SLUG)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
