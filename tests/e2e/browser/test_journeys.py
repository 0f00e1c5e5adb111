"""What hosts and invitees do, end to end in Chromium: one journey per acceptance test of the issues."""

import re
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.async_api import Page, expect

from tests.e2e.browser.conftest import Account
from tests.support.booking_page import show_day
from tests.support.browser import axe_violations, screenshot_path
from tests.support.builders import make_link, service_context
from tests.support.microsoft import connect_microsoft
from tests.support.sandbox import RemovedEvent, SandboxControl
from tests.support.server import LiveServer
from tests.support.smtp import SmtpSink
from tests.support.waiting import eventually
from workestra.clock import SystemClock

pytestmark = pytest.mark.browser

NEW_YORK = ZoneInfo("America/New_York")  # the browser context's zone (tests/support/browser.py)
ALICE = "alice@contoso.test"
ALICE_PASSWORD = "alice-sandbox-password"
GUS = "gus@fabrikam.test"
GUS_PASSWORD = "gus-sandbox-password"


def day_ahead(days: int = 2) -> datetime:
    today = SystemClock().now().astimezone(NEW_YORK).date()
    target = today + timedelta(days=days)
    return datetime(target.year, target.month, target.day, tzinfo=NEW_YORK)


async def log_in(page: Page, server: LiveServer, account: Account, path: str = "/calendar") -> None:
    await page.goto(f"{server.url}{path}")
    await page.get_by_label("Email").fill(account.host.email)
    await page.get_by_label("Password").fill(account.password)
    await page.get_by_role("button", name="Log in").click()


async def pick_slot(page: Page, day: datetime, start: datetime) -> None:
    await show_day(page, day.date().isoformat())
    await page.locator(f'button.slot[data-start="{start.isoformat()}"]').click()
    await page.get_by_label("Name").fill("Ivy Invitee")
    await page.get_by_label("Email").fill("ivy@example.test")
    await page.get_by_role("button", name="Confirm booking").click()
    await page.wait_for_url(re.compile(r"/confirmed/[0-9a-f-]{36}"))


async def test_a_host_publishes_a_link_and_an_invitee_books_it(
    live_server: LiveServer, account: Account, page: Page, page_errors: list[str], smtp_sink: SmtpSink
) -> None:
    await log_in(page, live_server, account, "/settings/booking-links")
    await page.get_by_role("link", name="New booking link").first.click()
    await page.get_by_label("Title").fill("Coffee chat")
    await page.get_by_label("Slug").fill("coffee-chat")
    await page.get_by_label("Duration").fill("30")
    await page.get_by_label("Time zone").select_option("America/New_York")
    await page.get_by_label("Calendar provider").select_option("none")
    await page.get_by_role("button", name="Create booking link").click()
    await expect(page.get_by_role("link", name="Coffee chat")).to_be_visible()

    invitee = await page.context.browser.new_context(timezone_id="America/New_York")  # type: ignore[union-attr]
    booking_page = await invitee.new_page()
    booking_page.on("pageerror", lambda exc: page_errors.append(str(exc)))
    booking_page.on("console", lambda msg: page_errors.append(msg.text) if msg.type == "error" else None)
    monday = day_ahead(1)
    while monday.weekday() != 0:  # default weekly hours are Monday to Friday, 09:00-17:00
        monday += timedelta(days=1)
    await booking_page.goto(f"{live_server.url}/book/coffee-chat")
    await expect(booking_page.get_by_role("combobox", name="Time zone")).to_have_value("America/New York")
    await show_day(booking_page, monday.date().isoformat())  # the month calendar, moved on if need be
    await expect(booking_page.locator("button.slot").first).to_be_visible()
    await booking_page.screenshot(path=screenshot_path("booking-page"), full_page=True)
    await pick_slot(booking_page, monday, monday.replace(hour=9, minute=30))
    await expect(booking_page.get_by_role("heading", name="You're booked")).to_be_visible()
    await invitee.close()

    await page.get_by_role("link", name="Calendar", exact=True).first.click()
    await expect(page.get_by_text("Ivy Invitee")).to_be_visible()
    message = await smtp_sink.message_to("ivy@example.test", timeout=15)
    assert message["To"] == "ivy@example.test"
    assert "Coffee chat" in message["Subject"]
    assert [p for p in message.walk() if p.get_filename() == "invite.ics"]
    assert page_errors == []


async def test_a_host_connects_microsoft_sees_it_break_and_reconnects(
    live_server: LiveServer, account: Account, page: Page, page_errors: list[str], sandbox: SandboxControl
) -> None:
    await sandbox.create_microsoft_user(email=ALICE, display_name="Alice Contoso", password=ALICE_PASSWORD)
    await log_in(page, live_server, account, "/settings/connected-accounts")
    await page.get_by_role("link", name="Connect Microsoft Calendar").click()
    await page.get_by_label("Email").fill(ALICE)
    await page.get_by_label("Password").fill(ALICE_PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("heading", name="Permissions requested")).to_be_visible()
    await page.screenshot(path=screenshot_path("sandbox-consent"), full_page=True)
    await page.get_by_role("button", name="Accept").click()

    await page.wait_for_url(f"{live_server.url}/settings/connected-accounts")
    card = page.locator("section", has=page.get_by_role("heading", name="Microsoft Calendar"))
    await expect(card).to_contain_text(f"Connected as {ALICE}")
    for permission in ("Calendars.ReadWrite", "OnlineMeetings.ReadWrite", "User.Read", "offline_access"):
        await expect(card).to_contain_text(permission)
    await expect(card.get_by_role("link", name="Reconnect")).to_have_count(0)
    await page.screenshot(path=screenshot_path("connected-card"), full_page=True)

    await sandbox.set_refresh_fault(ALICE, "revoked")
    await sandbox.expire_access_tokens(ALICE)
    await card.get_by_role("button", name="Test connection").click()
    card = page.locator("section", has=page.get_by_role("heading", name="Microsoft Calendar"))
    await expect(card.locator(".problem")).to_contain_text("Access was revoked")
    await page.screenshot(path=screenshot_path("reconnect-card"), full_page=True)

    await card.get_by_role("link", name="Reconnect").click()
    await page.get_by_label("Email").fill(ALICE)
    await page.get_by_label("Password").fill(ALICE_PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    if await page.get_by_role("button", name="Accept").count():
        await page.get_by_role("button", name="Accept").click()
    await page.wait_for_url(f"{live_server.url}/settings/connected-accounts")
    card = page.locator("section", has=page.get_by_role("heading", name="Microsoft Calendar"))
    await expect(card).to_contain_text(f"Connected as {ALICE}")
    await expect(card.locator(".problem")).to_have_count(0)
    assert page_errors == []


async def test_an_outlook_meeting_blocks_its_slot_and_a_booking_gets_a_teams_link(
    live_server: LiveServer,
    account: Account,
    page: Page,
    page_errors: list[str],
    sandbox: SandboxControl,
    smtp_sink: SmtpSink,
) -> None:
    await sandbox.create_microsoft_user(email=ALICE, display_name="Alice Contoso")
    day = day_ahead(2)
    async with service_context(live_server.settings) as ctx:
        await connect_microsoft(ctx, account.host, sandbox, email=ALICE)
        link = await make_link(
            ctx,
            account.host,
            slug="teams-intro",
            title="Teams intro",
            timezone="America/New_York",
            calendar_provider="microsoft",
            auto_meeting_link=True,
            weekly_hours={day.strftime("%A").lower(): [("09:00", "17:00")]},
        )
    await sandbox.seed_microsoft_event(
        ALICE, subject="Roadmap (booked in Outlook)", start=day.replace(hour=10), end=day.replace(hour=11)
    )

    await page.goto(f"{live_server.url}/book/{link.slug}")
    await show_day(page, day.date().isoformat())
    await expect(page.locator(f'button.slot[data-start="{day.replace(hour=9).isoformat()}"]')).to_be_visible()
    await expect(page.locator(f'button.slot[data-start="{day.replace(hour=10).isoformat()}"]')).to_have_count(
        0
    )
    await expect(
        page.locator(f'button.slot[data-start="{day.replace(hour=10, minute=30).isoformat()}"]')
    ).to_have_count(0)
    await page.screenshot(path=screenshot_path("teams-booking-page"), full_page=True)
    await pick_slot(page, day, day.replace(hour=11))

    join = page.locator("a", has_text=re.compile("Join", re.I))
    await expect(join).to_have_attribute(
        "href", re.compile(r"^https://teams\.microsoft\.com/"), timeout=15_000
    )
    join_url = await join.first.get_attribute("href")
    events = [
        e for e in (await sandbox.microsoft_events(ALICE))["value"] if e["subject"].startswith("Teams intro")
    ]
    assert len(events) == 1
    [event] = events
    assert [a["emailAddress"]["address"] for a in event["attendees"]] == ["ivy@example.test"]
    assert event["onlineMeeting"]["joinUrl"] == join_url

    await log_in(page, live_server, account)
    await expect(page.locator("a.join")).to_have_attribute("href", join_url or "")
    await page.screenshot(path=screenshot_path("calendar-join"), full_page=True)
    message = await smtp_sink.message_to("ivy@example.test", timeout=15)
    text = message.get_body(preferencelist=("plain",))
    assert text is not None
    assert join_url
    assert join_url in text.get_content()
    assert page_errors == []


async def test_a_host_connects_google_and_a_booking_gets_a_meet_link_after_its_event(
    live_server: LiveServer,
    account: Account,
    page: Page,
    page_errors: list[str],
    sandbox: SandboxControl,
    smtp_sink: SmtpSink,
) -> None:
    await sandbox.create_google_account(email=GUS, name="Gus Fabrikam", password=GUS_PASSWORD)
    # Meet is made asynchronously: the event is read twice before its link exists.
    await sandbox.set_google_meet(outcome="success", after_reads=2)
    day = day_ahead(2)
    await sandbox.seed_google_event(
        GUS,
        summary="Design review (in Google Calendar)",
        start=day.replace(hour=10),
        end=day.replace(hour=11),
    )
    await log_in(page, live_server, account, "/settings/connected-accounts")
    await page.get_by_role("link", name="Connect Google Calendar").click()
    await page.get_by_label("Email or phone").fill(GUS)
    await page.get_by_label("Enter your password").fill(GUS_PASSWORD)
    await page.get_by_role("button", name="Next").click()
    await expect(
        page.get_by_role("heading", name=re.compile("wants access to your Google Account"))
    ).to_be_visible()
    await page.screenshot(path=screenshot_path("google-consent"), full_page=True)
    await page.get_by_role("button", name="Continue").click()

    await page.wait_for_url(f"{live_server.url}/settings/connected-accounts")
    card = page.locator("section", has=page.get_by_role("heading", name="Google Calendar"))
    await expect(card).to_contain_text(f"Connected as {GUS}")
    await expect(card).to_contain_text("Available: bookings can get a Google Meet link.")
    await expect(card.locator(".problem")).to_have_count(0)
    await page.screenshot(path=screenshot_path("google-connected-card"), full_page=True)

    async with service_context(live_server.settings) as ctx:
        link = await make_link(
            ctx,
            account.host,
            slug="meet-intro",
            title="Meet intro",
            timezone="America/New_York",
            calendar_provider="google",
            auto_meeting_link=True,
            weekly_hours={day.strftime("%A").lower(): [("09:00", "17:00")]},
        )
    await page.goto(f"{live_server.url}/book/{link.slug}")
    await show_day(page, day.date().isoformat())
    await expect(page.locator(f'button.slot[data-start="{day.replace(hour=9).isoformat()}"]')).to_be_visible()
    await expect(page.locator(f'button.slot[data-start="{day.replace(hour=10).isoformat()}"]')).to_have_count(
        0
    )
    await pick_slot(page, day, day.replace(hour=11))

    join = page.locator("a", has_text=re.compile("Join", re.I))
    await expect(join).to_have_attribute("href", re.compile(r"^https://meet\.google\.com/"), timeout=30_000)
    join_url = await join.first.get_attribute("href")
    [event] = [e for e in await sandbox.google_events(GUS) if e.get("summary", "").startswith("Meet intro")]
    assert [a["email"] for a in event["attendees"]] == ["ivy@example.test"]
    assert event["hangoutLink"] == join_url

    await page.goto(f"{live_server.url}/calendar")  # still logged in from connecting
    await expect(page.locator("a.join")).to_have_attribute("href", join_url or "")
    message = await smtp_sink.message_to("ivy@example.test", timeout=30)
    text = message.get_body(preferencelist=("plain",))
    assert text is not None
    assert join_url
    assert join_url in text.get_content()
    assert page_errors == []


async def fits_320(page: Page) -> bool:
    """At 320 px wide the page needs no sideways scrolling."""
    await page.set_viewport_size({"width": 320, "height": 640})
    width = await page.evaluate("document.documentElement.scrollWidth")
    await page.set_viewport_size({"width": 1280, "height": 720})
    return bool(width <= 320)


def graph_utc(moment: datetime) -> str:
    """How the sandbox's mailbox shows an instant (UTC wall time, Graph's 7 fractional digits)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.0000000")


async def test_an_invitee_reschedules_and_cancels_a_teams_booking_from_the_email(
    live_server: LiveServer,
    account: Account,
    page: Page,
    page_errors: list[str],
    sandbox: SandboxControl,
    smtp_sink: SmtpSink,
) -> None:
    await sandbox.create_microsoft_user(email=ALICE, display_name="Alice Contoso")
    day = day_ahead(2)
    async with service_context(live_server.settings) as ctx:
        await connect_microsoft(ctx, account.host, sandbox, email=ALICE)
        link = await make_link(
            ctx,
            account.host,
            slug="teams-moves",
            title="Teams intro",
            timezone="America/New_York",
            calendar_provider="microsoft",
            auto_meeting_link=True,
            weekly_hours={day.strftime("%A").lower(): [("09:00", "17:00")]},
        )
    await page.goto(f"{live_server.url}/book/{link.slug}")
    await pick_slot(page, day, day.replace(hour=11))
    join = page.locator("a.join")
    await expect(join).to_have_attribute(
        "href", re.compile(r"^https://teams\.microsoft\.com/"), timeout=15_000
    )
    join_url = await join.get_attribute("href")
    [event] = (await sandbox.microsoft_events(ALICE))["value"]
    assert event["onlineMeeting"]["joinUrl"] == join_url
    assert event["start"]["dateTime"] == graph_utc(day.replace(hour=11))
    await expect(page.get_by_role("link", name="Reschedule")).to_be_visible()
    await expect(page.get_by_role("link", name="Cancel")).to_be_visible()
    assert await axe_violations(page) == []
    assert await fits_320(page)

    # The links in the confirmation email (its text part), opened in the browser.
    message = await smtp_sink.message_to("ivy@example.test", timeout=15)
    text = message.get_body(preferencelist=("plain",))
    assert text is not None
    body = text.get_content()
    reschedule_url = re.search(r"Reschedule: (\S+)", body)
    cancel_url = re.search(r"Cancel: +(\S+)", body)
    assert reschedule_url, body
    assert cancel_url, body
    assert reschedule_url.group(1).startswith(f"{live_server.url}/bookings/")

    await page.goto(reschedule_url.group(1))
    await expect(page.get_by_role("heading", name="Reschedule your booking")).to_be_visible()
    await expect(page.locator("#current-time")).to_contain_text(
        day.replace(hour=11).strftime("%d %B %Y, 11:00")
    )
    await show_day(page, day.date().isoformat())
    new_start = day.replace(hour=14)
    await expect(page.locator(f'button.slot[data-start="{new_start.isoformat()}"]')).to_be_visible()
    await expect(page.locator(f'button.slot[data-start="{day.replace(hour=11).isoformat()}"]')).to_have_count(
        0
    )
    assert await axe_violations(page) == []
    assert await fits_320(page)
    await page.locator(f'button.slot[data-start="{new_start.isoformat()}"]').click()
    confirm = page.get_by_role("button", name="Confirm new time")
    await expect(confirm).to_be_focused()  # from the slot straight to the button, by keyboard too
    await page.screenshot(path=screenshot_path("reschedule-page"), full_page=True)
    await page.keyboard.press("Enter")
    await page.wait_for_url(re.compile(r"/confirmed/[0-9a-f-]{36}\?.*moved=1"))
    await expect(page.get_by_role("heading", name="Your booking is moved")).to_be_visible()
    await expect(page.locator("time").first).to_contain_text("2:00 PM")  # en-US: the 12-hour clock
    await expect(page.locator("a.join")).to_have_attribute("href", join_url or "")
    assert await axe_violations(page) == []

    async def moved() -> dict[str, Any] | None:
        events = (await sandbox.microsoft_events(ALICE))["value"]
        return (
            events[0] if len(events) == 1 and events[0]["start"]["dateTime"] == graph_utc(new_start) else None
        )

    updated = await eventually(moved, within=15, what="the Outlook event moving to the new time")
    assert updated["id"] == event["id"]  # the same event, moved in place
    assert updated["onlineMeeting"]["joinUrl"] == join_url  # the Teams link keeps working

    await page.goto(cancel_url.group(1))
    await expect(page.get_by_role("heading", name="Cancel your booking?")).to_be_visible()
    await expect(page.locator("main")).to_contain_text("14:00")
    assert await axe_violations(page) == []
    assert await fits_320(page)
    await page.get_by_label("Reason").fill("Something came up, sorry.")
    await page.keyboard.press("Tab")
    await expect(page.get_by_role("button", name="Cancel booking")).to_be_focused()
    await page.screenshot(path=screenshot_path("cancel-page"), full_page=True)
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("heading", name="Your booking is cancelled")).to_be_visible()
    await expect(page.locator("main")).to_contain_text("Something came up, sorry.")
    assert await axe_violations(page) == []

    async def gone() -> list[RemovedEvent] | None:
        mailbox = await sandbox.microsoft_events(ALICE)
        return mailbox.get("removed") if not mailbox["value"] else None

    [removed] = await eventually(gone, within=15, what="the Outlook event being cancelled")
    assert removed["reason"] == "cancelled"
    assert removed["event"]["id"] == event["id"]

    await log_in(page, live_server, account)
    cancelled = page.locator("#cancelled")
    await expect(cancelled).to_contain_text("Ivy Invitee")
    await expect(cancelled).to_contain_text("Something came up, sorry.")
    await expect(page.locator("#upcoming")).to_contain_text("No upcoming bookings")
    assert await axe_violations(page) == []
    assert page_errors == []


async def test_a_host_cancels_a_booking_from_the_calendar_by_keyboard(
    live_server: LiveServer, account: Account, page: Page, page_errors: list[str]
) -> None:
    day = day_ahead(2)
    async with service_context(live_server.settings) as ctx:
        link = await make_link(
            ctx,
            account.host,
            slug="coffee",
            title="Coffee chat",
            timezone="America/New_York",
            weekly_hours={day.strftime("%A").lower(): [("09:00", "17:00")]},
        )
    await page.goto(f"{live_server.url}/book/{link.slug}")
    await pick_slot(page, day, day.replace(hour=10))
    confirmation_url = page.url

    await log_in(page, live_server, account)
    upcoming = page.locator("#upcoming")
    await expect(upcoming).to_contain_text("Ivy Invitee")
    toggle = upcoming.locator("summary", has_text="Cancel")
    await expect(toggle).to_have_accessible_name(re.compile(r"^Cancel Ivy Invitee \w{3} \d{2} \w{3} 10:00"))
    await toggle.focus()
    await page.keyboard.press("Enter")  # opens the small form
    reason = upcoming.get_by_label("Reason, for the invitee")
    await expect(reason).to_be_visible()
    assert await axe_violations(page) == []
    assert await fits_320(page)
    await page.screenshot(path=screenshot_path("calendar-host-cancel"), full_page=True)
    await page.keyboard.press("Tab")
    await expect(reason).to_be_focused()
    await page.keyboard.type("I'm ill, sorry.")
    await page.keyboard.press("Tab")
    await expect(upcoming.get_by_role("button", name="Cancel booking Ivy Invitee")).to_be_focused()
    await page.keyboard.press("Enter")

    await expect(page.get_by_role("status")).to_contain_text("Cancelled “Coffee chat” with Ivy Invitee.")
    await expect(page.locator("#cancelled")).to_contain_text("by you")
    await expect(page.locator("#cancelled")).to_contain_text("I'm ill, sorry.")
    await expect(page.locator("#upcoming")).to_contain_text("No upcoming bookings")
    assert await axe_violations(page) == []

    await page.goto(confirmation_url)
    await expect(page.get_by_role("heading", name="Cancelled")).to_be_visible()
    await expect(page.locator("main")).to_contain_text("I'm ill, sorry.")
    await expect(page.get_by_role("link", name="Reschedule")).to_have_count(0)
    assert await axe_violations(page) == []
    assert page_errors == []
