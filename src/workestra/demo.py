"""`workestra demo`: the embedded default with the provider sandbox switched on and demo data seeded.

The sandbox plays Microsoft (sign-in, consent, Graph) and Google (OAuth, Calendar, Meet) on a
loopback port; Workestra is configured to it exactly as a real deployment is configured to them:
through the WORKESTRA_MICROSOFT_* and WORKESTRA_GOOGLE_* URLs.
"""

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import httpx2

from workestra.app import build_runtime
from workestra.cli import serve_app
from workestra.clock import SystemClock
from workestra.config import Settings, load_settings
from workestra.db.migrate import upgrade_to_head
from workestra.enums import IntegrationProvider
from workestra.errors import Conflict
from workestra.sandbox import SandboxServer
from workestra.services.booking_links import LinkInput, create_link, list_links
from workestra.services.connections import complete_connection, start_connection
from workestra.services.context import ServiceContext
from workestra.services.teams import accept, create_team, invite, my_teams
from workestra.services.users import Host, authenticate, create_user

logger = logging.getLogger(__name__)

DEMO_CLIENT_ID = "11111111-2222-4333-8444-555555555555"
DEMO_CLIENT_SECRET = "demo-sandbox-secret"  # noqa: S105  (the sandbox's app registration)
DEMO_GOOGLE_CLIENT_ID = "123456789012-demo.apps.googleusercontent.test"
DEMO_GOOGLE_CLIENT_SECRET = "demo-google-sandbox-secret"  # noqa: S105  (the sandbox's app)
DEMO_SESSION = "workestra-demo-seed"
DEMO_ZONE = ZoneInfo("Europe/Berlin")
CALENDAR_NAMES = {
    IntegrationProvider.MICROSOFT_CALENDAR: "Microsoft 365, connected",
    IntegrationProvider.GOOGLE_CALENDAR: "Google Calendar, connected",
    None: "no calendar",
}
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


def next_workday_at_nine() -> datetime:
    """9:00 in Berlin on the next weekday: where the demo's meetings sit, inside the links' hours."""
    day = SystemClock().now().astimezone(DEMO_ZONE).date() + timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return datetime(day.year, day.month, day.day, 9, tzinfo=DEMO_ZONE)


async def _seed_google(client: httpx2.AsyncClient, settings: Settings) -> None:
    app = {
        "client_id": DEMO_GOOGLE_CLIENT_ID,
        "client_secret": DEMO_GOOGLE_CLIENT_SECRET,
        "redirect_uris": [f"{settings.base_url}/integrations/google/callback"],
    }
    (await client.post("/_sandbox/google/apps", json=app)).raise_for_status()
    (await client.post("/_sandbox/google/accounts", json=GOOGLE_ACCOUNT)).raise_for_status()
    for hours, summary in ((2, "Design review (booked in Google Calendar)"), (6, "Team standup")):
        start = next_workday_at_nine() + timedelta(hours=hours)
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
                    "redirect_uris": [
                        f"{settings.base_url}/integrations/microsoft/callback",
                        f"{settings.base_url}/integrations/microsoft/admin-consent/callback",
                    ],
                },
            )
        ).raise_for_status()
        for user in SANDBOX_USERS:
            (await client.post("/_sandbox/microsoft/users", json=user)).raise_for_status()
        day = next_workday_at_nine()
        for hours, subject in ((1, "Roadmap review (booked in Outlook)"), (5, "Customer call")):
            start = day + timedelta(hours=hours)
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


@dataclass(frozen=True, slots=True)
class DemoHost:
    """A Workestra host of the demo, their links, and the sandbox account their calendar is on."""

    email: str
    name: str
    provider: IntegrationProvider | None  # connected at start-up, so their booking pages work at once
    calendar_account: str | None
    links: tuple[tuple[str, str, str, bool], ...]  # slug, title, calendar provider, meeting link
    password: str = "workestra-demo"  # noqa: S105  (printed for the newcomer)


DEMO_HOSTS = (
    DemoHost(
        "hana@workestra.test",
        "Hana Host",
        IntegrationProvider.MICROSOFT_CALENDAR,
        "alice@contoso.test",
        (
            ("hana-intro", "Intro call (no calendar)", "none", False),
            ("hana-teams", "Teams call (Microsoft 365)", "microsoft", True),
        ),
    ),
    DemoHost(
        "gus@workestra.test",
        "Gus Google",
        IntegrationProvider.GOOGLE_CALENDAR,
        "gus@fabrikam.test",
        (("gus-meet", "Meet call (Google Calendar)", "google", True),),
    ),
    DemoHost(
        "nina@workestra.test",
        "Nina No-Calendar",
        None,
        None,
        (("nina-chat", "Quick chat (weekly hours only)", "none", False),),
    ),
)
TEAM_SLUG = "demo-team"
TEAM_NAME = "Demo team"
TEAM_LINK = ("demo-team", "Team call (round robin)")  # over every demo host, each on their own calendar
AUTO_CONSENT = {
    IntegrationProvider.MICROSOFT_CALENDAR: "/_sandbox/microsoft/auto-consent",
    IntegrationProvider.GOOGLE_CALENDAR: "/_sandbox/google/auto-consent",
}


async def _seed_workestra(settings: Settings, sandbox: SandboxServer) -> list[str]:
    await upgrade_to_head(settings.database_url)
    runtime = build_runtime(settings)
    try:
        slugs: list[str] = []
        hosts: list[Host] = []
        async with httpx2.AsyncClient(base_url=sandbox.url, timeout=10) as client:
            for demo_host in DEMO_HOSTS:
                host = await _seed_host(runtime.ctx, demo_host)
                await _connect(runtime.ctx, client, host, demo_host)
                slugs += [slug for slug, *_ in demo_host.links]
                hosts.append(host)
        await _seed_team(runtime.ctx, hosts)
        return [*slugs, TEAM_LINK[0]]
    finally:
        await runtime.aclose()


async def _seed_host(ctx: ServiceContext, demo: DemoHost) -> Host:
    with contextlib.suppress(Conflict):  # seeded by an earlier run
        await create_user(
            ctx, email=demo.email, name=demo.name, password=demo.password, timezone="Europe/Berlin"
        )
    host = await authenticate(ctx, email=demo.email, password=demo.password)
    existing = {link.slug for link in await list_links(ctx, host)}
    for slug, title, provider, meeting in demo.links:
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
    return host


async def _seed_team(ctx: ServiceContext, hosts: list[Host]) -> None:
    """The demo team: the first host its admin, the others members who accepted (each step is a
    no-op on a restarted demo), and a round-robin link over all of them."""
    admin, *members = hosts
    team = next((t for t in (await my_teams(ctx, admin)).teams if t.slug == TEAM_SLUG), None)
    if team is None:
        team = await create_team(ctx, admin, slug=TEAM_SLUG, name=TEAM_NAME)
    for member in members:
        await invite(ctx, admin, team.id, member.email)
        await accept(ctx, member, team.id)
    slug, title = TEAM_LINK
    if slug not in {link.slug for link in await list_links(ctx, admin)}:
        await create_link(
            ctx,
            admin,
            LinkInput(
                slug=slug,
                title=title,
                duration_minutes=30,
                timezone="Europe/Berlin",
                weekly_hours=WEEKDAYS_9_TO_5,
                auto_meeting_link=True,
                slot_interval_minutes=30,
                team_id=team.id,
                round_robin_members=[host.email for host in hosts],
            ),
        )


async def _connect(ctx: ServiceContext, sandbox: httpx2.AsyncClient, host: Host, demo: DemoHost) -> None:
    if demo.provider is not None and demo.calendar_account is not None:
        await connect_through_sandbox(ctx, sandbox, host, demo.provider, demo.calendar_account)


async def connect_through_sandbox(
    ctx: ServiceContext,
    sandbox: httpx2.AsyncClient,
    host: Host,
    provider: IntegrationProvider,
    account: str,
) -> None:
    """Connect the host's calendar through the real OAuth flow, the sandbox consenting for
    ``account`` (a fresh sandbox each start: earlier runs' tokens are dead). Automatic consent is
    switched off afterwards, so a newcomer who disconnects and reconnects signs in on the sandbox's
    pages (Google asks for consent again; Microsoft remembers the consent given, as it does)."""
    consent = AUTO_CONSENT[provider]
    (await sandbox.post(consent, json={"email": account})).raise_for_status()
    try:
        url = await start_connection(ctx, host, provider, session_id=DEMO_SESSION)
        async with httpx2.AsyncClient(timeout=10) as browser:
            answer = await browser.get(url)
        query = {k: v[0] for k, v in parse_qs(urlsplit(answer.headers.get("location", "")).query).items()}
        await complete_connection(
            ctx,
            host,
            provider,
            session_id=DEMO_SESSION,
            state=query.get("state"),
            code=query.get("code"),
            error=query.get("error"),
        )
    finally:
        (await sandbox.post(consent, json={"email": None})).raise_for_status()


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
        slugs = asyncio.run(_seed_workestra(settings, sandbox))
        base = settings.base_url
        notes = {TEAM_LINK[0]: f"  ({TEAM_NAME}, round robin: {', '.join(h.name for h in DEMO_HOSTS)})"}
        lines = [
            "",
            "Workestra demo is running (SQLite, sandbox providers, demo data).",
            f"  Open:            {base}/",
            *(
                f"  Host login:      {base}/login  as {h.email} / {h.password}  ({h.name}: "
                f"{CALENDAR_NAMES[h.provider]})"
                for h in DEMO_HOSTS
            ),
            *(f"  Booking page:    {base}/book/{slug}{notes.get(slug, '')}" for slug in slugs),
            f"  Reconnect:       {base}/settings/connected-accounts  (sandbox sign-in: "
            f"{SANDBOX_USERS[0]['email']} / {SANDBOX_USERS[0]['password']} for Microsoft, "
            f"{GOOGLE_ACCOUNT['email']} / {GOOGLE_ACCOUNT['password']} for Google)",
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
