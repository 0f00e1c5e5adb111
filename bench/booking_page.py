"""The public booking page's data call over real HTTP: a Microsoft 365 link (Graph read through the
sandbox on every request) against the same link with no calendar (weekly hours and the database).
"""

import asyncio
import statistics
import tempfile
import time
from datetime import timedelta

import httpx2

from bench import Comparison
from bench.serving import one_week, sandbox_settings, serving
from workestra.app import build_runtime
from workestra.clock import SystemClock
from workestra.config import Settings
from workestra.db.migrate import upgrade_to_head
from workestra.demo import connect_through_sandbox
from workestra.enums import IntegrationProvider
from workestra.sandbox import SandboxServer
from workestra.services.booking_links import LinkInput, create_link
from workestra.services.users import create_user, get_host

CLIENT_ID, CLIENT_SECRET = "bench-client", "bench-secret"
ALICE = "alice@contoso.test"
HOURS = {d: [("09:00", "17:00")] for d in ("monday", "tuesday", "wednesday", "thursday", "friday")}
REQUESTS = 60
TARGET_RATIO = 4.0


async def _seed(settings: Settings, sandbox: SandboxServer) -> None:
    async with httpx2.AsyncClient(base_url=sandbox.url) as control:
        await control.post(
            "/_sandbox/microsoft/apps",
            json={
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
                "redirect_uris": [f"{settings.base_url}/integrations/microsoft/callback"],
            },
        )
        await control.post(
            "/_sandbox/microsoft/users", json={"email": ALICE, "display_name": "Alice", "password": "pw"}
        )
        start = SystemClock().now().replace(hour=9, minute=0, second=0, microsecond=0)
        for day in range(7):  # a realistic week: four meetings a day
            for hour in (0, 2, 4, 6):
                at = start + timedelta(days=day, hours=hour)
                await control.post(
                    f"/_sandbox/microsoft/users/{ALICE}/events",
                    json={
                        "subject": "Busy",
                        "start": at.isoformat(),
                        "end": (at + timedelta(minutes=45)).isoformat(),
                    },
                )
    await upgrade_to_head(settings.database_url)
    runtime = build_runtime(settings)
    try:
        created = await create_user(
            runtime.ctx, email="host@example.test", name="Host", password="password-123"
        )
        host = await get_host(runtime.ctx, created.id)
        assert host is not None
        async with httpx2.AsyncClient(base_url=sandbox.url) as control:
            await connect_through_sandbox(
                runtime.ctx, control, host, IntegrationProvider.MICROSOFT_CALENDAR, ALICE
            )
        for slug, provider in (("plain", "none"), ("outlook", "microsoft")):
            await create_link(
                runtime.ctx,
                host,
                LinkInput(
                    slug=slug,
                    title=slug,
                    duration_minutes=30,
                    timezone="Europe/Berlin",
                    weekly_hours=HOURS,
                    calendar_provider=provider,
                ),
            )
    finally:
        await runtime.aclose()


def _median_ms(client: httpx2.Client, path: str, params: dict[str, str]) -> float:
    timings = []
    for _ in range(REQUESTS):
        started = time.perf_counter()
        response = client.get(path, params=params)
        timings.append(time.perf_counter() - started)
        response.raise_for_status()
    return statistics.median(timings[5:])  # the first few warm caches and connections


def slots_api_microsoft_vs_none(*, repeat: int) -> Comparison:
    """Median latency of GET /api/v1/public/links/{slug}/slots for one week, Microsoft vs none."""
    del repeat  # REQUESTS sequential calls per link stand in for timeit's repeats
    with tempfile.TemporaryDirectory() as folder, SandboxServer() as sandbox:
        settings = sandbox_settings(
            folder,
            18765,
            sandbox,
            requests=REQUESTS,
            microsoft_client_id=CLIENT_ID,
            microsoft_client_secret=CLIENT_SECRET,
        )
        asyncio.run(_seed(settings, sandbox))
        with serving(settings, 18765) as url, httpx2.Client(base_url=url, timeout=30) as client:
            outlook = _median_ms(client, "/api/v1/public/links/outlook/slots", one_week())
            plain = _median_ms(client, "/api/v1/public/links/plain/slots", one_week())
    return Comparison(
        name="slots-api-week",
        subject="Microsoft link (Graph via sandbox)",
        subject_seconds=outlook,
        baseline="same link, provider none",
        baseline_seconds=plain,
        target_ratio=TARGET_RATIO,
        detail=f"median of {REQUESTS - 5} sequential requests, SQLite",
    )
