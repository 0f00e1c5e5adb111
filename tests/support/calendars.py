"""Calendars as the services see them, for tests that run the same behaviour against Microsoft and
Google, each through its sandbox over HTTP: a ``Harness`` per provider (how to make an account, a
busy block, a fault in its sandbox, and how to read its events back), and the steps every such test
takes (connect through the real OAuth flow, make a link, book, run the worker)."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol
from urllib.parse import parse_qs, urlsplit

import httpx2

from tests.support.builders import ALL_WEEK, make_host, make_link
from tests.support.microsoft import register_app
from tests.support.sandbox import SandboxControl
from tests.support.waiting import eventually
from workestra.clock import SystemClock
from workestra.enums import PROVIDER_SLOT, CalendarProviderName, IntegrationStatus
from workestra.services.availability import list_slots
from workestra.services.booking import BookingView, book
from workestra.services.booking_links import LinkView
from workestra.services.connections import ConnectionView, complete_connection, start_connection
from workestra.services.context import ServiceContext
from workestra.services.users import Host
from workestra.worker.retry import RetryPolicy
from workestra.worker.runner import Worker

GOOGLE_CLIENT_ID = "123456789012-sandbox.apps.googleusercontent.test"
GOOGLE_CLIENT_SECRET = "sandbox-google-client-secret"

DAY = (SystemClock().now() + timedelta(days=7)).date()
FAST = RetryPolicy(base=timedelta(milliseconds=20), max_attempts=6)


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(DAY.year, DAY.month, DAY.day, hour, minute, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class SeenEvent:
    """An event as the provider's own calendar shows it."""

    subject: str
    attendees: tuple[str, ...]
    join_url: str | None
    event_id: str = ""
    start: datetime | None = None


class Harness(Protocol):
    name: CalendarProviderName
    email: str
    meeting_url_prefix: str
    calendar_scope: str  # without it, events can't be created

    async def setup(self, sandbox: SandboxControl, base_url: str, *, meeting: bool = True) -> None: ...

    async def busy(self, sandbox: SandboxControl, start: datetime, end: datetime) -> None: ...

    async def events(self, sandbox: SandboxControl) -> list[SeenEvent]: ...

    async def throttle(self, sandbox: SandboxControl, *, count: int) -> None: ...

    async def revoke(self, sandbox: SandboxControl) -> None: ...

    async def drop_scope(self, sandbox: SandboxControl, scope: str) -> None: ...


class MicrosoftHarness:
    name = CalendarProviderName.MICROSOFT
    email = "alice@contoso.test"
    meeting_url_prefix = "https://teams.microsoft.com/"
    calendar_scope = "Calendars.ReadWrite"

    async def setup(self, sandbox: SandboxControl, base_url: str, *, meeting: bool = True) -> None:
        await register_app(sandbox, base_url)
        await sandbox.create_microsoft_user(email=self.email, display_name="Alice Contoso", teams=meeting)
        await sandbox.set_auto_consent(self.email)

    async def busy(self, sandbox: SandboxControl, start: datetime, end: datetime) -> None:
        await sandbox.seed_microsoft_event(self.email, subject="Busy", start=start, end=end)

    async def events(self, sandbox: SandboxControl) -> list[SeenEvent]:
        return [
            SeenEvent(
                subject=e["subject"],
                attendees=tuple(a["emailAddress"]["address"] for a in e.get("attendees") or []),
                join_url=(e.get("onlineMeeting") or {}).get("joinUrl"),
                event_id=e["id"],
                start=datetime.fromisoformat(e["start"]["dateTime"][:19]).replace(tzinfo=UTC),
            )
            for e in (await sandbox.microsoft_events(self.email))["value"]
            if e["subject"] != "Busy" and not e.get("isCancelled")
        ]

    async def throttle(self, sandbox: SandboxControl, *, count: int) -> None:
        await sandbox.add_microsoft_fault(status=429, count=count, email=self.email, retry_after="1")

    async def revoke(self, sandbox: SandboxControl) -> None:
        await sandbox.set_refresh_fault(self.email, "revoked")
        await sandbox.expire_access_tokens(self.email)

    async def drop_scope(self, sandbox: SandboxControl, scope: str) -> None:
        await sandbox.drop_scope(self.email, scope)


class GoogleHarness:
    name = CalendarProviderName.GOOGLE
    email = "gus@fabrikam.test"
    meeting_url_prefix = "https://meet.google.com/"
    calendar_scope = "https://www.googleapis.com/auth/calendar.events"

    async def setup(self, sandbox: SandboxControl, base_url: str, *, meeting: bool = True) -> None:
        await sandbox.create_google_app(
            client_id=GOOGLE_CLIENT_ID,
            client_secret=GOOGLE_CLIENT_SECRET,
            redirect_uris=[f"{base_url}/integrations/google/callback"],
        )
        await sandbox.create_google_account(email=self.email, name="Gus Fabrikam", meet_allowed=meeting)
        await sandbox.set_google_auto_consent(self.email)
        await sandbox.set_google_meet(outcome="success", after_reads=1)  # pending at insert

    async def busy(self, sandbox: SandboxControl, start: datetime, end: datetime) -> None:
        await sandbox.seed_google_event(self.email, summary="Busy", start=start, end=end)

    async def events(self, sandbox: SandboxControl) -> list[SeenEvent]:
        return [
            SeenEvent(
                subject=e.get("summary", ""),
                attendees=tuple(a["email"] for a in e.get("attendees") or []),
                join_url=e.get("hangoutLink"),
                event_id=e["id"],
                start=datetime.fromisoformat(e["start"]["dateTime"]).astimezone(UTC),
            )
            for e in await sandbox.google_events(self.email)
            if e.get("summary") != "Busy" and e.get("status") != "cancelled"
        ]

    async def throttle(self, sandbox: SandboxControl, *, count: int) -> None:
        await sandbox.add_google_fault(status=429, count=count, email=self.email)

    async def revoke(self, sandbox: SandboxControl) -> None:
        await sandbox.revoke_google_grants(self.email)
        await sandbox.expire_google_access_tokens(self.email)

    async def drop_scope(self, sandbox: SandboxControl, scope: str) -> None:
        await sandbox.drop_google_scope(self.email, scope)


HARNESSES: dict[str, Harness] = {"microsoft": MicrosoftHarness(), "google": GoogleHarness()}


async def connect(ctx: ServiceContext, host: Host, provider: Harness) -> ConnectionView:
    """The real OAuth flow: the authorize URL, the sandbox's redirect back, the callback."""
    slot = PROVIDER_SLOT[provider.name]
    url = await start_connection(ctx, host, slot, session_id="s1")
    async with httpx2.AsyncClient(timeout=10) as client:
        response = await client.get(url)
    assert response.status_code in {302, 303}, response.text
    query = {k: v[0] for k, v in parse_qs(urlsplit(response.headers["location"]).query).items()}
    return await complete_connection(
        ctx,
        host,
        slot,
        session_id="s1",
        state=query.get("state"),
        code=query.get("code"),
        error=query.get("error"),
    )


async def connected_host(
    ctx: ServiceContext, sandbox: SandboxControl, provider: Harness, *, meeting: bool = True
) -> Host:
    await provider.setup(sandbox, ctx.base_url, meeting=meeting)
    host = (await make_host(ctx, name="Host"))[1]
    view = await connect(ctx, host, provider)
    assert view.connected
    assert view.status is IntegrationStatus.ACTIVE
    return host


async def a_link(ctx: ServiceContext, host: Host, provider: Harness, *, meeting: bool = True) -> LinkView:
    return await make_link(
        ctx,
        host,
        timezone="UTC",
        weekly_hours=ALL_WEEK,
        calendar_provider=provider.name.value,
        auto_meeting_link=meeting,
        title="Intro",
    )


async def starts(ctx: ServiceContext, link: LinkView) -> list[datetime]:
    result = await list_slots(ctx, link.slug, first_day=DAY, last_day=DAY, timezone="UTC")
    return [s.start for s in result.slots]


async def booked(ctx: ServiceContext, link: LinkView, start: datetime) -> BookingView:
    return await book(
        ctx, link.slug, start=start, name="Ivo Invitee", email="ivo@example.test", timezone="UTC"
    )


async def run_worker(ctx: ServiceContext) -> None:
    worker = Worker(ctx, policy=FAST)

    async def all_done() -> bool:
        await worker.run_until_idle()
        async with ctx.uow() as uow:
            return await uow.outbox.pending_count() == 0

    await eventually(all_done, within=30, every=0.1, what="every outbox job finishing")
