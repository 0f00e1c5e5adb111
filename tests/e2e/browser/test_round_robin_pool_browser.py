"""Round robin over a mixed pool in Chromium: Hana on Microsoft 365, Gus on Google, Nina with no
calendar, all in one team's link. The invitee sees a time while any rep is free, and the booking
lands on the calendar of the one rep free then, with that rep's kind of meeting link."""

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

import pytest
from playwright.async_api import Locator, Page, expect

from tests.support.browser import axe_violations, screenshot_path
from tests.support.builders import make_host, make_link, service_context, unique
from tests.support.google import connect_google
from tests.support.microsoft import connect_microsoft
from tests.support.sandbox import SandboxControl
from tests.support.server import LiveServer
from tests.support.teams import make_team
from workestra.clock import SystemClock
from workestra.services.booking import book
from workestra.services.booking_links import LinkView
from workestra.services.context import ServiceContext
from workestra.services.users import Host

pytestmark = pytest.mark.browser

NEW_YORK = ZoneInfo("America/New_York")  # the browser context's zone (tests/support/browser.py)
ALICE = "alice@contoso.test"  # Hana's Microsoft 365 mailbox
GUS = "gus@fabrikam.test"  # Gus's Google calendar
FREE_HOUR = 10  # only the rep under test is free
ALL_BUSY_HOUR = 12  # nobody is
TEAMS = re.compile(r"^https://teams\.microsoft\.com/")
MEET = re.compile(r"^https://meet\.google\.com/")

Provider = Literal["microsoft", "google"]


@dataclass(frozen=True)
class Pool:
    link: LinkView
    day: datetime
    hana: Host  # Microsoft 365 (Teams)
    gus: Host  # Google (Meet)
    nina: Host  # no calendar
    nina_link: LinkView  # her own link, whose bookings keep her busy in the pool too


def day_ahead(days: int = 2) -> datetime:
    today = SystemClock().now().astimezone(NEW_YORK).date()
    target = today + timedelta(days=days)
    return datetime(target.year, target.month, target.day, tzinfo=NEW_YORK)


@pytest.fixture
async def pool(live_server: LiveServer, sandbox: SandboxControl) -> Pool:
    await sandbox.create_microsoft_user(
        email=ALICE, display_name="Alice Contoso", time_zone="America/New_York"
    )
    await sandbox.create_google_account(email=GUS, name="Gus Fabrikam", time_zone="America/New_York")
    day = day_ahead(2)
    async with service_context(live_server.settings) as ctx:
        _, hana = await make_host(ctx, name="Hana Microsoft", timezone="America/New_York")
        _, gus = await make_host(ctx, name="Gus Google", timezone="America/New_York")
        _, nina = await make_host(ctx, name="Nina NoCalendar", timezone="America/New_York")
        await connect_microsoft(ctx, hana, sandbox, email=ALICE)
        await connect_google(ctx, gus, sandbox, email=GUS)
        team = await make_team(ctx, hana, [gus, nina], name="Sales")
        link = await make_link(
            ctx,
            hana,
            slug=unique("sales"),
            title="Sales call",
            timezone="America/New_York",
            weekly_hours={day.strftime("%A").lower(): [("09:00", "17:00")]},
            auto_meeting_link=True,
            team_id=team.id,
            round_robin_members=[hana.email, gus.email, nina.email],
        )
        nina_link = await make_link(
            ctx, nina, title="Nina's chat", timezone="America/New_York", duration_minutes=60
        )
    return Pool(link, day, hana, gus, nina, nina_link)


async def keep_busy(
    ctx: ServiceContext, sandbox: SandboxControl, pool: Pool, who: Provider | None, hour: int
) -> None:
    """One rep busy from ``hour`` for an hour: an event in their sandbox calendar, or for Nina (who
    has none) a booking of hers on Workestra."""
    start = pool.day.replace(hour=hour)
    end = start + timedelta(hours=1)
    if who == "microsoft":
        await sandbox.seed_microsoft_event(
            ALICE, subject="Pipeline review (in Outlook)", start=start, end=end
        )
    elif who == "google":
        await sandbox.seed_google_event(GUS, summary="Forecast (in Google Calendar)", start=start, end=end)
    else:
        await book(
            ctx,
            pool.nina_link.slug,
            start=start,
            name="Earlier Invitee",
            email="earlier@example.test",
            timezone="America/New_York",
        )


def day_button(page: Page, day: datetime) -> Locator:
    """The day's button in the booking page's calendar, by its accessible name ("Wednesday 12
    March, 16 times" or "Wednesday, March 12, …": the locale's order)."""
    weekday, month, number = day.strftime("%A"), day.strftime("%B"), day.day
    return page.get_by_role(
        "button", name=re.compile(rf"^{weekday},? (?:{month} {number}|{number} {month})\b")
    )


def time_button(page: Page, hour: int) -> Locator:
    """The time's button by its name, as the invitee reads it (10:00 AM, or 10:00 on a 24-hour clock)."""
    twelve = hour % 12 or 12
    return page.get_by_role(
        "button", name=re.compile(rf"^(?:0?{hour}:00|{twelve}:00\s?{'PM' if hour >= 12 else 'AM'})$", re.I)
    )


@pytest.mark.parametrize("free", ["microsoft", "google"], ids=["microsoft-rep-free", "google-rep-free"])
async def test_only_the_free_rep_gets_the_booking_with_their_meeting_link(
    live_server: LiveServer,
    pool: Pool,
    page: Page,
    page_errors: list[str],
    sandbox: SandboxControl,
    free: Provider,
) -> None:
    busy: list[Provider | None] = [p for p in ("microsoft", "google", None) if p != free]
    async with service_context(live_server.settings) as ctx:
        for who in busy:
            await keep_busy(ctx, sandbox, pool, who, FREE_HOUR)
        for who in ("microsoft", "google", None):
            await keep_busy(ctx, sandbox, pool, who, ALL_BUSY_HOUR)

    await page.goto(f"{live_server.url}/book/{pool.link.slug}")
    day = day_button(page, pool.day)
    await expect(day).not_to_have_attribute("aria-disabled", "true")  # its times are loaded
    await day.click()
    await expect(time_button(page, 9)).to_be_visible()  # everybody is free at 9
    await expect(time_button(page, FREE_HOUR)).to_be_visible()  # one rep is free
    await expect(time_button(page, ALL_BUSY_HOUR)).to_have_count(0)  # all three are busy
    await expect(time_button(page, ALL_BUSY_HOUR - 1)).to_be_visible()  # 11:00: everybody is free again
    assert await axe_violations(page) == []
    await page.screenshot(path=screenshot_path(f"round-robin-{free}-free"), full_page=True)

    await time_button(page, FREE_HOUR).click()
    await page.get_by_label("Name").fill("Ivy Invitee")
    await page.get_by_label("Email").fill("ivy@example.test")
    await page.get_by_role("button", name="Confirm booking").click()
    await page.wait_for_url(re.compile(r"/confirmed/[0-9a-f-]{36}"))
    await expect(page.get_by_role("heading", name="You're booked")).to_be_visible()
    rep = pool.hana if free == "microsoft" else pool.gus
    await expect(page.locator("main")).to_contain_text(rep.name)
    join = page.get_by_role("link", name=re.compile(r"^Join", re.I))
    await expect(join).to_have_attribute("href", TEAMS if free == "microsoft" else MEET, timeout=30_000)
    join_url = await join.get_attribute("href")
    assert await axe_violations(page) == []

    # The event is on the free rep's calendar, the invitee invited; the busy rep's has none.
    outlook = [
        e
        for e in (await sandbox.microsoft_events(ALICE))["value"]
        if "ivy@example.test" in [a["emailAddress"]["address"] for a in e.get("attendees", [])]
    ]
    google = [
        e
        for e in await sandbox.google_events(GUS)
        if "ivy@example.test" in [a["email"] for a in e.get("attendees", [])]
    ]
    if free == "microsoft":
        assert google == []
        [event] = outlook
        assert event["onlineMeeting"]["joinUrl"] == join_url
    else:
        assert outlook == []
        [event] = google
        assert event["hangoutLink"] == join_url

    # Now all three are busy at that time too: it is no longer offered.
    await page.goto(f"{live_server.url}/book/{pool.link.slug}")
    day = day_button(page, pool.day)
    await expect(day).not_to_have_attribute("aria-disabled", "true")
    await day.click()
    await expect(time_button(page, 9)).to_be_visible()
    await expect(time_button(page, FREE_HOUR)).to_have_count(0)
    assert page_errors == []
