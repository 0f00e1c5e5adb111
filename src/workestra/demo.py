"""`workestra demo`: the embedded default with the provider sandbox switched on and demo data seeded.

The sandbox plays Microsoft (sign-in, consent, Graph) and Google (OAuth, Calendar, Meet) on a
loopback port; Workestra is configured to it exactly as a real deployment is configured to them:
through the WORKESTRA_MICROSOFT_* and WORKESTRA_GOOGLE_* URLs.
"""

import asyncio
import contextlib
import logging
from datetime import datetime, timedelta

import httpx2

from workestra.app import build_runtime
from workestra.cli import serve_app
from workestra.clock import SystemClock
from workestra.config import Settings, load_settings
from workestra.db.migrate import upgrade_to_head
from workestra.errors import Conflict
from workestra.sandbox import SandboxServer
from workestra.services.booking_links import LinkInput, create_link, list_links
from workestra.services.context import ServiceContext
from workestra.services.users import authenticate, create_user

logger = logging.getLogger(__name__)

DEMO_CLIENT_ID = "11111111-2222-4333-8444-555555555555"
DEMO_CLIENT_SECRET = "demo-sandbox-secret"  # noqa: S105  (the sandbox's app registration)
DEMO_GOOGLE_CLIENT_ID = "123456789012-demo.apps.googleusercontent.test"
DEMO_GOOGLE_CLIENT_SECRET = "demo-google-sandbox-secret"  # noqa: S105  (the sandbox's app)
DEMO_HOST = ("hana@workestra.test", "Hana Host", "workestra-demo")
DEMO_GOOGLE_HOST = ("gus@workestra.test", "Gus Google", "workestra-demo")
GOOGLE_ACCOUNT = {
    "email": "gus@fabrikam.test",
    "name": "Gus Fabrikam",
    "password": "gus-demo",
    "kind": "workspace",
    "time_zone": "Europe/Berlin",
    "meet_allowed": True,
}
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


def _tomorrow_at_nine() -> datetime:
    tomorrow = SystemClock().now() + timedelta(days=1)
    return tomorrow.replace(hour=9, minute=0, second=0, microsecond=0)


async def _seed_google(client: httpx2.AsyncClient, settings: Settings) -> None:
    app = {
        "client_id": DEMO_GOOGLE_CLIENT_ID,
        "client_secret": DEMO_GOOGLE_CLIENT_SECRET,
        "redirect_uris": [f"{settings.base_url}/integrations/google/callback"],
    }
    (await client.post("/_sandbox/google/apps", json=app)).raise_for_status()
    (await client.post("/_sandbox/google/accounts", json=GOOGLE_ACCOUNT)).raise_for_status()
    for hours, summary in ((2, "Design review (booked in Google Calendar)"), (6, "Team standup")):
        start = _tomorrow_at_nine() + timedelta(hours=hours)
        event = {
            "summary": summary,
            "start": start.isoformat(),
            "end": (start + timedelta(hours=1)).isoformat(),
        }
        (
            await client.post(f"/_sandbox/google/accounts/{GOOGLE_ACCOUNT['email']}/events", json=event)
        ).raise_for_status()


async def _seed_sandbox(sandbox: SandboxServer, settings: Settings) -> None:
    async with httpx2.AsyncClient(base_url=sandbox.url, timeout=10) as client:
        await _seed_google(client, settings)
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
        tomorrow = _tomorrow_at_nine()
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


DEMO_LINKS: dict[tuple[str, str, str], tuple[tuple[str, str, str, bool], ...]] = {
    DEMO_HOST: (
        ("hana-intro", "Intro call (no calendar)", "none", False),
        ("hana-teams", "Teams call (Microsoft 365)", "microsoft", True),
    ),
    DEMO_GOOGLE_HOST: (("gus-meet", "Meet call (Google Calendar)", "google", True),),
}


async def _seed_workestra(settings: Settings) -> list[str]:
    await upgrade_to_head(settings.database_url)
    runtime = build_runtime(settings)
    try:
        slugs: list[str] = []
        for account, links in DEMO_LINKS.items():
            slugs += await _seed_host(runtime.ctx, account, links)
        return slugs
    finally:
        await runtime.aclose()


async def _seed_host(
    ctx: ServiceContext, account: tuple[str, str, str], links: tuple[tuple[str, str, str, bool], ...]
) -> list[str]:
    email, name, password = account
    with contextlib.suppress(Conflict):  # seeded by an earlier run
        await create_user(ctx, email=email, name=name, password=password, timezone="Europe/Berlin")
    host = await authenticate(ctx, email=email, password=password)
    existing = {link.slug for link in await list_links(ctx, host)}
    for slug, title, provider, meeting in links:
        if slug not in existing:
            await create_link(
                ctx,
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
    return [slug for slug, *_ in links]


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
            google_client_id=DEMO_GOOGLE_CLIENT_ID,
            google_client_secret=DEMO_GOOGLE_CLIENT_SECRET,
            google_auth_url=sandbox.google_auth_url,
            google_token_url=sandbox.google_token_url,
            google_revoke_url=sandbox.google_revoke_url,
            google_calendar_url=sandbox.google_calendar_url,
        )
        asyncio.run(_seed_sandbox(sandbox, settings))
        slugs = asyncio.run(_seed_workestra(settings))
        base = settings.base_url
        lines = [
            "",
            "Workestra demo is running (SQLite, sandbox providers, demo data).",
            f"  Open:            {base}/",
            f"  Host login:      {base}/login  as {DEMO_HOST[0]} / {DEMO_HOST[2]} (Microsoft 365), "
            f"or {DEMO_GOOGLE_HOST[0]} / {DEMO_GOOGLE_HOST[2]} (Google)",
            *(f"  Booking page:    {base}/book/{slug}" for slug in slugs),
            f"  Connect M365:    {base}/settings/connected-accounts  (sandbox sign-in: "
            f"{SANDBOX_USERS[0]['email']} / {SANDBOX_USERS[0]['password']})",
            f"  Connect Google:  {base}/settings/connected-accounts  (sandbox sign-in: "
            f"{GOOGLE_ACCOUNT['email']} / {GOOGLE_ACCOUNT['password']})",
            f"  Sandbox:         {sandbox.url}",
            f"  Sandbox mailbox: {sandbox.url}/_sandbox/microsoft/users/alice@contoso.test/events",
            f"  Sandbox calendar: {sandbox.url}/_sandbox/google/accounts/{GOOGLE_ACCOUNT['email']}/events",
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
