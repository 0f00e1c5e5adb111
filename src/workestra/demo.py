"""`workestra demo`: the embedded default with the provider sandbox switched on and demo data seeded.

The sandbox plays Microsoft (sign-in, consent, Graph) on a loopback port; Workestra is configured to
it exactly as a real deployment is configured to Microsoft: through the WORKESTRA_MICROSOFT_* URLs.
"""

import asyncio
import contextlib
import logging
from datetime import timedelta

import httpx2

from workestra.app import build_runtime
from workestra.cli import serve_app
from workestra.clock import SystemClock
from workestra.config import Settings, load_settings
from workestra.db.migrate import upgrade_to_head
from workestra.errors import Conflict
from workestra.sandbox import SandboxServer
from workestra.services.booking_links import LinkInput, create_link, list_links
from workestra.services.users import authenticate, create_user

logger = logging.getLogger(__name__)

DEMO_CLIENT_ID = "11111111-2222-4333-8444-555555555555"
DEMO_CLIENT_SECRET = "demo-sandbox-secret"  # noqa: S105  (the sandbox's app registration)
DEMO_HOST = ("hana@workestra.test", "Hana Host", "workestra-demo")
SANDBOX_USERS = [
    {
        "email": "alice@contoso.test",
        "display_name": "Alice Contoso",
        "password": "alice-demo",
        "kind": "work",
        "teams": True,
    },
    {
        "email": "bob@outlook.test",
        "display_name": "Bob Personal",
        "password": "bob-demo",
        "kind": "personal",
        "teams": False,
    },
]
WEEKDAYS_9_TO_5 = {d: [("09:00", "17:00")] for d in ("monday", "tuesday", "wednesday", "thursday", "friday")}


async def _seed_sandbox(sandbox: SandboxServer, settings: Settings) -> None:
    async with httpx2.AsyncClient(base_url=sandbox.url, timeout=10) as client:
        (
            await client.post(
                "/_sandbox/microsoft/apps",
                json={
                    "client_id": DEMO_CLIENT_ID,
                    "client_secret": DEMO_CLIENT_SECRET,
                    "redirect_uris": [f"{settings.base_url}/integrations/microsoft/callback"],
                },
            )
        ).raise_for_status()
        for user in SANDBOX_USERS:
            (await client.post("/_sandbox/microsoft/users", json=user)).raise_for_status()
        tomorrow = (SystemClock().now() + timedelta(days=1)).replace(
            hour=9, minute=0, second=0, microsecond=0
        )
        for hours, subject in ((1, "Roadmap review (booked in Outlook)"), (5, "Customer call")):
            start = tomorrow + timedelta(hours=hours)
            (
                await client.post(
                    "/_sandbox/microsoft/users/alice@contoso.test/events",
                    json={
                        "subject": subject,
                        "start": start.isoformat(),
                        "end": (start + timedelta(hours=1)).isoformat(),
                        "show_as": "busy",
                    },
                )
            ).raise_for_status()


async def _seed_workestra(settings: Settings) -> list[str]:
    await upgrade_to_head(settings.database_url)
    runtime = build_runtime(settings)
    email, name, password = DEMO_HOST
    try:
        with contextlib.suppress(Conflict):  # seeded by an earlier run
            await create_user(
                runtime.ctx, email=email, name=name, password=password, timezone="Europe/Berlin"
            )
        host = await authenticate(runtime.ctx, email=email, password=password)
        existing = {link.slug for link in await list_links(runtime.ctx, host)}
        for slug, title, provider, meeting in (
            ("hana-intro", "Intro call (no calendar)", "none", False),
            ("hana-teams", "Teams call (Microsoft 365)", "microsoft", True),
        ):
            if slug not in existing:
                await create_link(
                    runtime.ctx,
                    host,
                    LinkInput(
                        slug=slug,
                        title=title,
                        duration_minutes=30,
                        timezone="Europe/Berlin",
                        weekly_hours=WEEKDAYS_9_TO_5,
                        calendar_provider=provider,
                        auto_meeting_link=meeting,
                        slot_interval_minutes=30,
                    ),
                )
        return ["hana-intro", "hana-teams"]
    finally:
        await runtime.aclose()


def run_demo(*, host: str, port: int, sandbox_port: int = 0) -> None:
    sandbox = SandboxServer(port=sandbox_port)
    sandbox.start()
    try:
        settings = load_settings(
            demo=True,
            base_url=f"http://{host}:{port}",
            microsoft_client_id=DEMO_CLIENT_ID,
            microsoft_client_secret=DEMO_CLIENT_SECRET,
            microsoft_login_url=sandbox.microsoft_login_url,
            microsoft_graph_url=sandbox.microsoft_graph_url,
        )
        asyncio.run(_seed_sandbox(sandbox, settings))
        slugs = asyncio.run(_seed_workestra(settings))
        base = settings.base_url
        lines = [
            "",
            "Workestra demo is running (SQLite, sandbox providers, demo data).",
            f"  Open:            {base}/",
            f"  Host login:      {base}/login  as {DEMO_HOST[0]} / {DEMO_HOST[2]}",
            *(f"  Booking page:    {base}/book/{slug}" for slug in slugs),
            f"  Connect M365:    {base}/settings/connected-accounts  (sandbox sign-in: "
            f"{SANDBOX_USERS[0]['email']} / {SANDBOX_USERS[0]['password']})",
            f"  Sandbox:         {sandbox.url}",
            f"  Sandbox mailbox: {sandbox.url}/_sandbox/microsoft/users/alice@contoso.test/events",
            f"  API docs:        {base}/docs",
            "  Emails are sent through WORKESTRA_SMTP_URL."
            if settings.smtp_url
            else "  Emails are not sent, only written to this log (set WORKESTRA_SMTP_URL to send them).",
            "",
        ]
        print("\n".join(lines), flush=True)
        serve_app(settings, host=host, port=port)
    finally:
        sandbox.stop()
