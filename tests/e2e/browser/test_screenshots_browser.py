"""The README's screenshots, taken on every run so they stay current: a newcomer's walk through the
demo's pages in Chromium (the booking page of the "Demo team", its confirmation with the Teams link,
the host's calendar with Join and why the booking went to her, connected accounts, the sandbox's
consent page on reconnecting, the teams page). Each page is checked as a user reads it and with axe
(WCAG 2.1 AA) before its picture is saved in docs/screenshots/."""

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.async_api import Browser, FloatRect, Locator, Page, ViewportSize, expect

from tests.support.browser import axe_violations
from tests.support.builders import make_host, make_link, service_context
from tests.support.google import connect_google
from tests.support.microsoft import connect_microsoft
from tests.support.sandbox import SandboxControl
from tests.support.server import LiveServer
from workestra.clock import SystemClock
from workestra.services.booking import book
from workestra.services.booking_links import LinkView
from workestra.services.teams import accept, create_team, invite
from workestra.services.users import Host

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).resolve().parents[3] / "docs" / "screenshots"
DESKTOP = ViewportSize(width=1280, height=800)
PHONE = ViewportSize(width=390, height=844)  # a phone held upright
NEW_YORK = ZoneInfo("America/New_York")  # the hosts' zone and the browser's
PASSWORD = "workestra-demo"  # the demo hosts' password (workestra.demo)
ALICE, ALICE_PASSWORD = "alice@contoso.test", "alice-demo"  # Hana's Microsoft 365 mailbox
GUS_GOOGLE, GUS_PASSWORD = "gus@fabrikam.test", "gus-demo"  # Gus's Google calendar
WEEKDAYS_9_TO_5 = {d: [("09:00", "17:00")] for d in ("monday", "tuesday", "wednesday", "thursday", "friday")}
TEAMS = re.compile(r"^https://teams\.microsoft\.com/")


@dataclass(frozen=True)
class Demo:
    """The demo's people and links: Hana on Microsoft 365 (Teams), Gus on Google (Meet), Nina with
    no calendar, all three in the "Demo team" with its round-robin link."""

    hana: Host
    gus: Host
    nina: Host
    team_link: LinkView
    day: datetime  # the next workday, midnight in New York: where the meetings are


def next_workday() -> datetime:
    day = SystemClock().now().astimezone(NEW_YORK).date() + timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return datetime(day.year, day.month, day.day, tzinfo=NEW_YORK)


@pytest.fixture
async def demo(live_server: LiveServer, sandbox: SandboxControl) -> Demo:
    """Seeded as `workestra demo` seeds: calendars already connected through the sandbox, meetings
    in them on the next workday. At 10:00 all three are busy; at 11:00 only Hana is free."""
    day = next_workday()
    await sandbox.create_microsoft_user(
        email=ALICE, display_name="Alice Contoso", password=ALICE_PASSWORD, time_zone="America/New_York"
    )
    await sandbox.create_google_account(
        email=GUS_GOOGLE, name="Gus Fabrikam", password=GUS_PASSWORD, time_zone="America/New_York"
    )
    for hour, subject in ((10, "Roadmap review (booked in Outlook)"), (14, "Customer call")):
        start = day.replace(hour=hour)
        await sandbox.seed_microsoft_event(
            ALICE, subject=subject, start=start, end=start + timedelta(hours=1)
        )
    for hour, summary in ((10, "Design review (booked in Google Calendar)"), (11, "Team standup")):
        start = day.replace(hour=hour)
        await sandbox.seed_google_event(
            GUS_GOOGLE, summary=summary, start=start, end=start + timedelta(hours=1)
        )
    async with service_context(live_server.settings) as ctx:
        hosts: list[Host] = []
        for name, email in (
            ("Hana Host", "hana@workestra.test"),
            ("Gus Google", "gus@workestra.test"),
            ("Nina No-Calendar", "nina@workestra.test"),
        ):
            _, host = await make_host(
                ctx, name=name, email=email, password=PASSWORD, timezone="America/New_York"
            )
            hosts.append(host)
        hana, gus, nina = hosts
        await connect_microsoft(ctx, hana, sandbox, email=ALICE)
        await connect_google(ctx, gus, sandbox, email=GUS_GOOGLE)
        common = {
            "timezone": "America/New_York",
            "weekly_hours": WEEKDAYS_9_TO_5,
            "slot_interval_minutes": 30,
        }
        await make_link(ctx, hana, slug="hana-teams", title="Teams call (Microsoft 365)", **common)
        await make_link(ctx, gus, slug="gus-meet", title="Meet call (Google Calendar)", **common)
        nina_link = await make_link(
            ctx, nina, slug="nina-chat", title="Planning chat", duration_minutes=60, **common
        )
        for hour in (10, 11):  # Nina has no calendar: her bookings are what keeps her busy
            await book(
                ctx,
                nina_link.slug,
                start=day.replace(hour=hour),
                name=f"Earlier Invitee {hour}",
                email=f"earlier-{hour}@example.test",
                timezone="America/New_York",
            )
        team = await create_team(ctx, hana, slug="demo-team", name="Demo team")
        for member in (gus, nina):
            await invite(ctx, hana, team.id, member.email)
            await accept(ctx, member, team.id)
        team_link = await make_link(
            ctx,
            hana,
            slug="demo-team",
            title="Team call (round robin)",
            auto_meeting_link=True,
            team_id=team.id,
            round_robin_members=[h.email for h in hosts],
            **common,
        )
    # As in the demo, the sandbox shows its sign-in and consent pages from now on.
    await sandbox.set_auto_consent(None)
    await sandbox.set_google_auto_consent(None)
    return Demo(hana, gus, nina, team_link, day)


@pytest.fixture
async def desktop(browser: Browser) -> AsyncIterator[Page]:
    context = await browser.new_context(
        viewport=DESKTOP, device_scale_factor=1, timezone_id="America/New_York", locale="en-US"
    )
    try:
        yield await context.new_page()
    finally:
        await context.close()


async def shoot(page: Page, name: str, *, down_to: Locator | None = None) -> None:
    """axe finds nothing on the page as it is, then its picture goes to docs/screenshots/: the whole
    page, or with ``down_to`` only as far down as that element (and a margin)."""
    assert await axe_violations(page) == [], name
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    if down_to is None:
        await page.screenshot(path=path, full_page=True, animations="disabled")
        return
    box = await down_to.bounding_box()
    assert box is not None, name
    clip = FloatRect(x=0, y=0, width=DESKTOP["width"], height=box["y"] + box["height"] + 24)
    await page.screenshot(path=path, clip=clip, animations="disabled")


def day_button(page: Page, day: datetime) -> Locator:
    """The day in the month calendar by its accessible name ("Tuesday, March 11, 14 times")."""
    weekday, month, number = day.strftime("%A"), day.strftime("%B"), day.day
    return page.get_by_role(
        "button", name=re.compile(rf"^{weekday},? (?:{month} {number}|{number} {month})\b")
    )


def time_button(page: Page | Locator, hour: int, minute: int = 0) -> Locator:
    """A time in the list by its name as a 12-hour clock shows it (the browser's locale is en-US)."""
    twelve = hour % 12 or 12
    return page.get_by_role(
        "button", name=re.compile(rf"^{twelve}:{minute:02d}\s?{'PM' if hour >= 12 else 'AM'}$", re.I)
    )


async def log_in(page: Page, server: LiveServer, host: Host) -> None:
    await page.goto(f"{server.url}/calendar")
    await page.get_by_label("Email").fill(host.email)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Log in").click()
    await expect(page.get_by_role("heading", name="Calendar", exact=True)).to_be_visible()


async def open_day(page: Page, day: datetime) -> None:
    """Pick ``day`` in the month calendar, moving on a month first if it isn't shown yet."""
    await expect(page.get_by_role("grid")).to_have_attribute("aria-busy", "false")
    if not await day_button(page, day).count():
        await page.get_by_role("button", name="Next month").click()
        await expect(day_button(page, day)).to_be_visible()
        await expect(page.get_by_role("grid")).to_have_attribute("aria-busy", "false")
    await day_button(page, day).click()
    await expect(day_button(page, day)).to_have_attribute("aria-pressed", "true")


async def disconnect(page: Page, calendar: str) -> None:
    """From connected accounts, disconnect ``calendar`` through its confirmation page."""
    card = page.locator("section", has=page.get_by_role("heading", name=calendar))
    await card.get_by_role("link", name="Disconnect").click()
    await expect(page.get_by_role("heading", name=f"Disconnect {calendar}?")).to_be_visible()
    await page.get_by_role("button", name=f"Disconnect {calendar}").click()
    await expect(page.get_by_role("link", name=f"Connect {calendar}")).to_be_visible()


async def test_the_readme_screenshots_follow_a_newcomer_through_the_demo(
    live_server: LiveServer, demo: Demo, desktop: Page
) -> None:
    page = desktop
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)

    # The team's booking page: 10:00 is hidden (all three are busy), 11:00 is offered (Hana is free).
    await page.goto(f"{live_server.url}/book/{demo.team_link.slug}")
    await expect(page.get_by_role("heading", name="Team call (round robin)")).to_be_visible()
    await expect(page.get_by_role("combobox", name="Time zone")).to_have_value("America/New York")
    await open_day(page, demo.day)
    times = page.get_by_role("group", name=re.compile(r"^Times on "))
    await expect(time_button(times, 9)).to_be_visible()
    await expect(time_button(times, 9, 30)).to_be_visible()
    await expect(time_button(times, 10)).to_have_count(0)
    await expect(time_button(times, 10, 30)).to_have_count(0)
    await expect(time_button(times, 11)).to_be_visible()
    await expect(time_button(times, 14)).to_be_visible()  # Hana's customer call: Gus and Nina are free
    await shoot(page, "booking-page")
    await page.set_viewport_size(PHONE)
    await expect(time_button(times, 11)).to_be_visible()
    assert await page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    await shoot(page, "booking-page-phone")
    await page.set_viewport_size(DESKTOP)

    # Booking 11:00: it goes to Hana, the only one free, with a Teams link.
    await time_button(times, 11).click()
    await page.get_by_label("Name").fill("Ivy Invitee")
    await page.get_by_label("Email").fill("ivy@example.test")
    await page.get_by_role("button", name="Confirm booking").click()
    await page.wait_for_url(re.compile(r"/confirmed/[0-9a-f-]{36}"))
    await expect(page.get_by_role("heading", name="You're booked")).to_be_visible()
    confirmation = page.locator("#confirmation")
    await expect(confirmation).to_contain_text("Team call (round robin)")
    await expect(confirmation).to_contain_text("Hana Host")
    await expect(confirmation).to_contain_text("11:00 AM–11:30 AM")
    join = page.get_by_role("link", name="Join", exact=True)
    await expect(join).to_have_attribute("href", TEAMS, timeout=30_000)
    join_url = await join.get_attribute("href")
    assert join_url
    await expect(page.get_by_role("heading", name="Add it to your calendar")).to_be_visible()
    for calendar in (
        "Google Calendar",
        "Outlook (work or school)",
        "Outlook.com",
        "Apple Calendar and others",
    ):
        await expect(page.get_by_role("link", name=re.compile(rf"^{re.escape(calendar)}"))).to_be_visible()
    await shoot(page, "confirmation")

    # Hana's calendar: the booking with its Join button, and why she got it.
    await log_in(page, live_server, demo.hana)
    booking = page.get_by_role("listitem").filter(
        has=page.get_by_role("heading", name="Team call (round robin)")
    )
    await expect(booking).to_contain_text("Ivy Invitee")
    await expect(booking.get_by_role("link", name="Join", exact=True)).to_have_attribute("href", join_url)
    await booking.get_by_text("Why you got this booking").click()
    why = booking.locator("details.assignment")
    await expect(why).to_have_attribute("open", "")
    await expect(why).to_contain_text("Hana Host — got it")
    await expect(why).to_contain_text("Gus Google")
    await expect(why).to_contain_text("Nina No-Calendar — already booked then")
    await shoot(page, "calendar")

    # Connected accounts: the Microsoft 365 card, connected.
    await page.get_by_role("link", name="Connected accounts").click()
    await expect(page.get_by_role("heading", name="Connected accounts")).to_be_visible()
    card = page.locator("section", has=page.get_by_role("heading", name="Microsoft Calendar"))
    await expect(card).to_contain_text(f"Connected as {ALICE}")
    for permission in ("Calendars.ReadWrite", "OnlineMeetings.ReadWrite", "User.Read", "offline_access"):
        await expect(card).to_contain_text(permission)
    await expect(card.get_by_role("link", name="Disconnect")).to_be_visible()
    await shoot(page, "connected-accounts")

    # Disconnect, then reconnect through the sandbox's sign-in page. Microsoft (and the sandbox
    # playing it) remembers the consent given before, so it may not be asked again.
    await disconnect(page, "Microsoft Calendar")
    await page.get_by_role("link", name="Connect Microsoft Calendar").click()
    await page.get_by_label("Email").fill(ALICE)
    await page.get_by_label("Password").fill(ALICE_PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    consent = page.get_by_role("heading", name="Permissions requested")
    back = page.get_by_role("heading", name="Connected accounts")
    await expect(consent.or_(back)).to_be_visible()
    if await consent.is_visible():
        await page.get_by_role("button", name="Accept").click()
    await page.wait_for_url(f"{live_server.url}/settings/connected-accounts")
    card = page.locator("section", has=page.get_by_role("heading", name="Microsoft Calendar"))
    await expect(card).to_contain_text(f"Connected as {ALICE}")

    # Teams: the Demo team, Hana its admin, Gus and Nina active.
    await page.get_by_role("link", name="Teams", exact=True).click()
    await expect(page.get_by_role("heading", name="Teams", exact=True)).to_be_visible()
    team = page.get_by_role("listitem").filter(has=page.get_by_role("link", name="Demo team"))
    await expect(team).to_contain_text("You: admin")
    await expect(team).to_contain_text("3 active")
    await shoot(page, "teams")

    # Gus reconnects Google: the sandbox's consent page (Workestra asks Google to show it each time).
    await page.get_by_role("button", name="Log out").click()
    await log_in(page, live_server, demo.gus)
    await page.get_by_role("link", name="Connected accounts").click()
    await disconnect(page, "Google Calendar")
    await page.get_by_role("link", name="Connect Google Calendar").click()
    await page.get_by_label("Email or phone").fill(GUS_GOOGLE)
    await page.get_by_label("Enter your password").fill(GUS_PASSWORD)
    await page.get_by_role("button", name="Next").click()
    await expect(
        page.get_by_role("heading", name=re.compile("wants access to your Google Account"))
    ).to_be_visible()
    await expect(page.get_by_role("button", name="Continue")).to_be_visible()
    await expect(page.get_by_role("button", name="Cancel")).to_be_visible()
    await shoot(page, "sandbox-consent", down_to=page.get_by_role("button", name="Continue"))
    await page.get_by_role("button", name="Continue").click()
    await page.wait_for_url(f"{live_server.url}/settings/connected-accounts")
    card = page.locator("section", has=page.get_by_role("heading", name="Google Calendar"))
    await expect(card).to_contain_text(f"Connected as {GUS_GOOGLE}")
    await expect(card).to_contain_text("Available: bookings can get a Google Meet link.")
    assert errors == []
