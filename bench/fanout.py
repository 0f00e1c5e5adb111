"""A round-robin link's slots request asks every rep's calendar at once: with each provider call
taking 200 ms (the sandboxes' latency switch), a 10-rep pool (5 on Microsoft 365, 5 on Google)
should answer in about one round trip, like a 1-rep link, not in ten.
"""

import asyncio
import statistics
import tempfile
import time
from collections.abc import Callable
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
from workestra.services.teams import accept, create_team, invite
from workestra.services.users import Host, create_user, get_host

MS_CLIENT, MS_SECRET = "fanout-ms-client", "fanout-ms-secret"
GOOGLE_CLIENT, GOOGLE_SECRET = "fanout.apps.googleusercontent.test", "fanout-google-secret"
REPS = 10
LATENCY_SECONDS = 0.2
REQUESTS = 15  # per link, alternating; the first 3 warm connections and tokens
TARGET_RATIO = 1.3
HOURS = {d: [("09:00", "17:00")] for d in ("monday", "tuesday", "wednesday", "thursday", "friday")}


def _account(n: int) -> tuple[IntegrationProvider, str]:
    if n % 2 == 0:
        return IntegrationProvider.MICROSOFT_CALENDAR, f"rep{n}@contoso.test"
    return IntegrationProvider.GOOGLE_CALENDAR, f"rep{n}@fabrikam.test"


async def _seed_sandbox(client: httpx2.AsyncClient, settings: Settings) -> None:
    base = settings.base_url
    apps = (
        ("/_sandbox/microsoft/apps", MS_CLIENT, MS_SECRET, f"{base}/integrations/microsoft/callback"),
        ("/_sandbox/google/apps", GOOGLE_CLIENT, GOOGLE_SECRET, f"{base}/integrations/google/callback"),
    )
    for path, client_id, secret, redirect in apps:
        app = {"client_id": client_id, "client_secret": secret, "redirect_uris": [redirect]}
        (await client.post(path, json=app)).raise_for_status()
    start = SystemClock().now().replace(hour=9, minute=0, second=0, microsecond=0)
    for n in range(REPS):
        provider, email = _account(n)
        if provider is IntegrationProvider.MICROSOFT_CALENDAR:
            user = {"email": email, "display_name": f"Rep {n}", "password": "pw", "kind": "work"}
            (await client.post("/_sandbox/microsoft/users", json=user)).raise_for_status()
            events = f"/_sandbox/microsoft/users/{email}/events"
            title = "subject"
        else:
            account = {"email": email, "name": f"Rep {n}", "password": "pw", "kind": "workspace"}
            (await client.post("/_sandbox/google/accounts", json=account)).raise_for_status()
            events = f"/_sandbox/google/accounts/{email}/events"
            title = "summary"
        for day in range(7):  # a realistic week: meetings at different hours for each rep
            at = start + timedelta(days=day, hours=(n + day) % 7)
            event = {title: "Busy", "start": at.isoformat(), "end": (at + timedelta(minutes=45)).isoformat()}
            (await client.post(events, json=event)).raise_for_status()


async def _seed(settings: Settings, sandbox: SandboxServer) -> None:
    await upgrade_to_head(settings.database_url)
    runtime = build_runtime(settings)
    try:
        ctx = runtime.ctx
        async with httpx2.AsyncClient(base_url=sandbox.url, timeout=30) as client:
            await _seed_sandbox(client, settings)
            reps: list[Host] = []
            for n in range(REPS):
                created = await create_user(
                    ctx, email=f"rep{n}@workestra.test", name=f"Rep {n}", password="password-123"
                )
                host = await get_host(ctx, created.id)
                assert host is not None
                await connect_through_sandbox(ctx, client, host, *_account(n))
                reps.append(host)
        lead = reps[0]
        team = await create_team(ctx, lead, slug="fanout", name="Fan-out")
        for rep in reps[1:]:
            await invite(ctx, lead, team.id, rep.email)
            await accept(ctx, rep, team.id)
        for slug, members in (("pool-10", [r.email for r in reps]), ("pool-1", [lead.email])):
            await create_link(
                ctx,
                lead,
                LinkInput(
                    slug=slug,
                    title=slug,
                    duration_minutes=30,
                    timezone="Europe/Berlin",
                    weekly_hours=HOURS,
                    team_id=team.id,
                    round_robin_members=members,
                ),
            )
    finally:
        await runtime.aclose()


def _slots(client: httpx2.Client, slug: str, params: dict[str, str]) -> None:
    client.get(f"/api/v1/public/links/{slug}/slots", params=params).raise_for_status()


def _provider_calls(sandbox_url: str, request: Callable[[], None]) -> int:
    """How many Graph and Calendar API calls ``request`` made (the sandboxes' request logs)."""

    def logged() -> int:
        with httpx2.Client(base_url=sandbox_url) as control:
            paths = ("/_sandbox/microsoft/requests", "/_sandbox/google/requests")
            return sum(len(control.get(path).json()["value"]) for path in paths)

    before = logged()
    request()
    return logged() - before


def round_robin_fanout(*, repeat: int) -> Comparison:
    """Median time of one week's slots for the 10-rep link ÷ the same for a 1-rep link."""
    del repeat  # REQUESTS sequential calls per link stand in for timeit's repeats
    with tempfile.TemporaryDirectory() as folder, SandboxServer() as sandbox:
        settings = sandbox_settings(
            folder,
            18766,
            sandbox,
            requests=REQUESTS,
            microsoft_client_id=MS_CLIENT,
            microsoft_client_secret=MS_SECRET,
            google_client_id=GOOGLE_CLIENT,
            google_client_secret=GOOGLE_SECRET,
        )
        asyncio.run(_seed(settings, sandbox))
        with httpx2.Client(base_url=sandbox.url) as control:
            for provider in ("microsoft", "google"):
                control.post(
                    f"/_sandbox/{provider}/latency", json={"seconds": LATENCY_SECONDS}
                ).raise_for_status()
        with serving(settings, 18766) as url:
            params = one_week()
            timings: dict[str, list[float]] = {"pool-10": [], "pool-1": []}
            with httpx2.Client(base_url=url, timeout=60) as client:
                for _ in range(REQUESTS):
                    for slug, spent in timings.items():  # alternate, so drift hits both alike
                        started = time.perf_counter()
                        response = client.get(f"/api/v1/public/links/{slug}/slots", params=params)
                        spent.append(time.perf_counter() - started)
                        response.raise_for_status()
                calls = _provider_calls(sandbox.url, lambda: _slots(client, "pool-10", params))
    if calls < REPS:
        raise RuntimeError(f"the 10-rep request made {calls} provider calls: some rep wasn't read")
    ten, one = (statistics.median(timings[slug][3:]) for slug in ("pool-10", "pool-1"))
    return Comparison(
        name="round-robin-fanout",
        subject=f"{REPS}-rep link (5 Microsoft, 5 Google)",
        subject_seconds=ten,
        baseline="1-rep link (Microsoft)",
        baseline_seconds=one,
        target_ratio=TARGET_RATIO,
        detail=(
            f"{LATENCY_SECONDS * 1000:.0f} ms per provider call, {calls} calls per 10-rep request; "
            f"median of {REQUESTS - 3} requests each, SQLite"
        ),
    )
