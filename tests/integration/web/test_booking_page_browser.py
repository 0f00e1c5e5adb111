"""The booking page in Chromium: the month calendar opens on the first day with free times, the
zone picker and the 12/24-hour toggle, keyboard use, loading states, the page without JavaScript,
the confirmation page's add-to-calendar links; axe (WCAG 2.1 AA) finds nothing in any state, and
nothing scrolls sideways at 320 px."""

import asyncio
import re
from collections.abc import AsyncIterator

import pytest
from playwright.async_api import Browser, Page, Route, expect

from tests.integration.web.conftest import PageHost
from tests.support.browser import axe_violations, browser, page, page_errors, screenshot_path
from tests.support.server import LiveServer

__all__ = ["browser", "page", "page_errors"]

pytestmark = pytest.mark.browser

SCROLLS_SIDEWAYS = "document.documentElement.scrollWidth > document.documentElement.clientWidth"


async def opened(page: Page, live_server: LiveServer, slug: str) -> None:
    await page.goto(f"{live_server.url}/book/{slug}")
    await expect(page.locator('button.day[aria-pressed="true"]')).to_have_count(1)  # the first free day
    await expect(page.locator("button.slot").first).to_be_visible()


async def test_an_invitee_books_through_the_page(
    live_server: LiveServer, page_host: PageHost, page: Page, page_errors: list[str]
) -> None:
    await opened(page, live_server, page_host.link.slug)
    await expect(page.get_by_role("combobox", name="Time zone")).to_have_value("America/New York")
    chosen = page.locator('button.day[aria-pressed="true"]')
    await expect(chosen).to_have_class(re.compile(r"\bhas-times\b"))
    first_free = await page.locator("button.day.has-times").first.get_attribute("data-day")
    assert await chosen.get_attribute("data-day") == first_free  # it opens on the first free day
    await expect(page.locator("#slots-status")).to_contain_text("times in America/New York")
    assert await axe_violations(page) == []  # before picking
    await page.screenshot(path=screenshot_path("web-booking-page"), full_page=True)

    await page.locator("#next-month").click()
    await expect(page.locator("table.month")).to_have_attribute("aria-busy", "false")
    await expect(page.locator("button.day.has-times").first).to_be_visible()
    await page.locator("#prev-month").click()
    await expect(page.locator("table.month")).to_have_attribute("aria-busy", "false")
    await page.locator("button.day.has-times").first.click()
    await page.locator("button.slot").first.click()
    await expect(page.get_by_label("Name")).to_be_focused()
    assert await axe_violations(page) == []  # a day and a time picked, the form open

    await page.get_by_role("button", name="Confirm booking").click()
    name_error = page.locator("#name-error")
    await expect(name_error).to_have_text("Please enter your name.")
    await expect(page.get_by_label("Name")).to_have_attribute("aria-invalid", "true")
    await expect(page.get_by_label("Name")).to_have_attribute("aria-describedby", "name-error")
    assert await axe_violations(page) == []  # with the form's errors

    await page.get_by_label("Name").fill("Ivy Invitee")
    await page.get_by_label("Email").fill("ivy@example.test")
    await page.get_by_role("button", name="Confirm booking").click()
    await page.wait_for_url(re.compile(r"/confirmed/[0-9a-f-]{36}\?tz=America%2FNew_York$"))
    await expect(page.get_by_role("heading", name="You're booked")).to_be_visible()
    google = page.get_by_role("link", name=re.compile("^Google Calendar"))
    await expect(google).to_have_attribute(
        "href", re.compile(r"^https://calendar\.google\.com/calendar/render\?")
    )
    outlook = page.get_by_role("link", name=re.compile(r"^Outlook \(work or school\)"))
    await expect(outlook).to_have_attribute("href", re.compile(r"^https://outlook\.office\.com/calendar/"))
    async with page.expect_download() as download_info:
        await page.get_by_role("link", name=re.compile(r"\.ics")).click()
    download = await download_info.value
    assert download.suggested_filename.endswith(".ics")
    ics = await (await page.context.request.get(download.url)).text()
    assert "BEGIN:VEVENT" in ics
    assert await axe_violations(page) == []  # the confirmation page
    await page.screenshot(path=screenshot_path("web-booking-confirmed"), full_page=True)
    assert page_errors == []


async def test_the_calendar_and_the_times_work_from_the_keyboard(
    live_server: LiveServer, page_host: PageHost, page: Page, page_errors: list[str]
) -> None:
    await opened(page, live_server, page_host.link.slug)
    chosen = page.locator('button.day[aria-pressed="true"]')
    day = await chosen.get_attribute("data-day")
    assert day is not None
    await chosen.focus()
    await page.keyboard.press("ArrowRight")  # a day on
    focused = page.locator("button.day:focus")
    after = await focused.get_attribute("data-day")
    assert after is not None
    assert after > day
    await page.keyboard.press("ArrowDown")  # a week on, into the next month if need be
    await expect(page.locator("table.month")).to_have_attribute("aria-busy", "false")
    week_later = await page.locator("button.day:focus").get_attribute("data-day")
    assert week_later is not None
    assert week_later > after
    await page.keyboard.press("ArrowUp")
    await expect(page.locator("button.day:focus")).to_have_attribute("data-day", after)
    await page.keyboard.press("ArrowLeft")
    await expect(page.locator("button.day:focus")).to_have_attribute("data-day", day)
    await page.keyboard.press("Enter")  # the day chosen: focus goes to its first time
    first_time = page.locator("button.slot").first
    await expect(first_time).to_be_focused()
    await page.keyboard.press("ArrowDown")
    second_time = page.locator("button.slot").nth(1)
    await expect(second_time).to_be_focused()
    await page.keyboard.press("Enter")
    await expect(page.get_by_label("Name")).to_be_focused()
    await expect(second_time).to_have_attribute("aria-pressed", "true")
    await page.get_by_role("button", name="Change time").focus()
    await page.keyboard.press("Enter")
    await expect(page.locator(f'button.day[data-day="{day}"]')).to_be_focused()  # back on the day
    await expect(page.locator("#booking-form")).to_be_hidden()
    await page.keyboard.press("Tab")  # the day grid is one tab stop: next comes the time list
    await expect(second_time).to_be_focused()  # at the time last chosen (one tab stop too)
    assert page_errors == []


async def test_the_zone_picker_searches_canonical_zones_and_loads_once_per_choice(
    live_server: LiveServer, page_host: PageHost, page: Page, page_errors: list[str]
) -> None:
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url) if "/slots?" in r.url else None)
    await opened(page, live_server, page_host.link.slug)
    picker = page.get_by_role("combobox", name="Time zone")
    await expect(page.locator("#tz-now")).to_contain_text(re.compile(r"Now .+ · UTC-0[45]:00"))
    await picker.click()
    await picker.fill("calcutta")
    await expect(page.get_by_role("option")).to_have_text(["No time zone matches"])  # no legacy names
    await picker.fill("kolkata")
    await expect(page.get_by_role("option")).to_have_count(1)
    await expect(page.get_by_role("option").first).to_contain_text(
        re.compile(r"Asia/Kolkata .+ · UTC\+05:30")
    )
    await picker.fill("Asia/T")  # Tashkent, Tbilisi, Tehran, Thimphu, Tokyo, Tomsk
    await expect(page.locator('#tz-list li[data-zone="Asia/Tokyo"]')).to_be_visible()
    assert await axe_violations(page) == []  # the list open
    before = len(requests)
    for _ in range(4):  # moving through the list loads nothing
        await page.keyboard.press("ArrowDown")
    await expect(picker).to_have_attribute("aria-activedescendant", "tz-option-4")
    active = page.locator("#tz-option-4")
    zone = (await active.locator(".tz-name").inner_text()).replace(" ", "_")
    assert len(requests) == before
    await page.keyboard.press("Enter")
    await expect(picker).to_have_value(zone.replace("_", " "))
    await expect(page.locator("#slots-status")).to_contain_text(f"times in {zone.replace('_', ' ')}")
    await expect(page.locator("button.slot").first).to_be_visible()
    chosen = requests[before:]
    assert chosen  # the choice loaded its times
    assert all(f"timezone={zone.replace('/', '%2F')}" in url for url in chosen)  # and nothing else
    assert len(chosen) <= 2  # the month (and one look ahead when it has no times left)
    assert page_errors == []


async def test_the_clock_follows_the_locale_until_the_invitee_picks_and_is_remembered(
    live_server: LiveServer, page_host: PageHost, page: Page, page_errors: list[str]
) -> None:
    await opened(page, live_server, page_host.link.slug)
    slot = page.locator("button.slot").first
    await expect(slot).to_have_text(re.compile(r"^\d{1,2}:\d\d\s?[AP]M$"))  # en-US: 12-hour
    await expect(page.get_by_role("radio", name="1:30 pm")).to_be_checked()
    await page.get_by_role("radio", name="13:30").check()
    await expect(slot).to_have_text(re.compile(r"^\d\d:\d\d$"))
    await page.reload()
    await expect(page.locator("button.slot").first).to_have_text(re.compile(r"^\d\d:\d\d$"))  # remembered
    await page.locator("button.slot").first.click()
    await expect(page.locator("#chosen-slot")).to_contain_text(re.compile(r", \d\d:\d\d–\d\d:\d\d \("))
    await page.get_by_label("Name").fill("Tia Twentyfour")
    await page.get_by_label("Email").fill("tia@example.test")
    await page.get_by_role("button", name="Confirm booking").click()
    await expect(page.get_by_role("heading", name="You're booked")).to_be_visible()
    await expect(page.locator("#confirmation time")).to_have_text(re.compile(r", \d\d:\d\d–\d\d:\d\d$"))
    assert page_errors == []


async def test_days_are_not_clickable_while_the_next_month_loads(
    live_server: LiveServer, page_host: PageHost, page: Page, page_errors: list[str]
) -> None:
    await opened(page, live_server, page_host.link.slug)
    release = asyncio.Event()

    async def held(route: Route) -> None:
        await release.wait()
        await route.continue_()

    await page.route("**/slots?**", held)
    await page.locator("#next-month").click()
    month = page.locator("table.month")
    await expect(month).to_have_attribute("aria-busy", "true")
    await expect(page.locator(".slot-skeleton").first).to_be_visible()  # skeletons stand in for times
    await expect(page.locator("#slots-status")).to_have_text("Loading available times…")
    days = page.locator("button.day")
    await expect(days.first).to_have_attribute("aria-disabled", "true")
    assert await page.locator('button.day:not([aria-disabled="true"])').count() == 0
    await days.nth(3).click(force=True)  # a click anyway (Playwright itself sees it's disabled)
    await expect(page.locator('button.day[aria-pressed="true"]')).to_have_count(0)
    release.set()
    await expect(month).to_have_attribute("aria-busy", "false")
    await page.locator("button.day.has-times").first.click()
    await expect(page.locator("button.slot").first).to_be_visible()
    assert page_errors == []


@pytest.fixture
async def no_script_page(browser: Browser) -> AsyncIterator[Page]:
    context = await browser.new_context(
        timezone_id="America/New_York", locale="en-US", java_script_enabled=False
    )
    try:
        yield await context.new_page()
    finally:
        await context.close()


async def test_without_javascript_the_plain_form_books(
    live_server: LiveServer, page_host: PageHost, no_script_page: Page, page: Page
) -> None:
    slug = page_host.link.slug
    await no_script_page.goto(f"{live_server.url}/book/{slug}")
    await no_script_page.wait_for_url(re.compile(rf"/book/{slug}\?plain=1$"))  # sent on by <noscript>
    await expect(no_script_page.get_by_role("heading", name="Pick a day and time")).to_be_visible()
    await no_script_page.get_by_role("button", name="Confirm booking").click()  # nothing filled in
    await expect(no_script_page.locator("#start-error")).to_have_text("Please pick one of the times.")
    await expect(no_script_page.get_by_label("Name")).to_have_attribute("aria-invalid", "true")
    await no_script_page.locator('input[name="start"]').first.check()
    await no_script_page.get_by_label("Name").fill("Nia No-Script")
    await no_script_page.get_by_label("Email").fill("nia@example.test")
    await no_script_page.get_by_role("button", name="Confirm booking").click()
    await expect(no_script_page.get_by_role("heading", name="You're booked")).to_be_visible()

    # axe needs a script of its own: the same plain page (it runs none) in a scripted browser.
    await page.goto(f"{live_server.url}/book/{slug}?plain=1")
    assert await axe_violations(page) == []
    await page.get_by_role("button", name="Confirm booking").click()
    await expect(page.locator("#error-summary")).to_be_visible()
    assert await axe_violations(page) == []  # with its errors
    await page.set_viewport_size({"width": 320, "height": 800})
    assert not await page.evaluate(SCROLLS_SIDEWAYS)


async def test_nothing_scrolls_sideways_at_320_px(
    live_server: LiveServer, page_host: PageHost, page: Page, page_errors: list[str]
) -> None:
    await page.set_viewport_size({"width": 320, "height": 800})
    await opened(page, live_server, page_host.link.slug)
    assert not await page.evaluate(SCROLLS_SIDEWAYS)
    await page.get_by_role("combobox", name="Time zone").click()
    await expect(page.locator("#tz-list")).to_be_visible()
    assert not await page.evaluate(SCROLLS_SIDEWAYS)
    await page.keyboard.press("Escape")
    await page.locator("button.slot").first.click()
    assert not await page.evaluate(SCROLLS_SIDEWAYS)
    assert await axe_violations(page) == []
    await page.screenshot(path=screenshot_path("web-booking-page-320"), full_page=True)
    await page.get_by_label("Name").fill("Nia Narrow")
    await page.get_by_label("Email").fill("nia@example.test")
    await page.get_by_role("button", name="Confirm booking").click()
    await expect(page.get_by_role("heading", name="You're booked")).to_be_visible()
    assert not await page.evaluate(SCROLLS_SIDEWAYS)
    assert page_errors == []


async def test_the_host_pages_work_in_the_browser(
    live_server: LiveServer, page_host: PageHost, page: Page, page_errors: list[str]
) -> None:
    await page.goto(f"{live_server.url}/calendar")
    await page.get_by_label("Email").fill(page_host.email)
    await page.get_by_label("Password").fill(page_host.password)
    await page.get_by_role("button", name="Log in").click()
    await expect(page.get_by_role("heading", name="Calendar", exact=True)).to_be_visible()
    await page.screenshot(path=screenshot_path("web-calendar"), full_page=True)
    await page.get_by_role("link", name="Booking links", exact=True).first.click()
    await page.get_by_role("link", name="New booking link").first.click()
    await page.get_by_label("Title").fill("Browser-made call")
    await page.get_by_label("Slug").fill(f"browser-{page_host.id[:8]}")
    await page.get_by_label("Calendar provider").select_option("microsoft")
    await page.get_by_label("Auto-generate meeting link").check()
    await page.screenshot(path=screenshot_path("web-link-form"), full_page=True)
    await page.get_by_role("button", name="Create booking link").click()
    await expect(page.get_by_role("link", name="Browser-made call")).to_be_visible()
    await page.screenshot(path=screenshot_path("web-links"), full_page=True)
    await page.get_by_role("link", name="Connected accounts").click()
    await expect(page.get_by_role("link", name="Connect Microsoft Calendar")).to_be_visible()
    await expect(page.get_by_role("link", name="Connect Google Calendar")).to_be_visible()
    await page.screenshot(path=screenshot_path("web-connected-accounts"), full_page=True)
    await page.get_by_role("button", name="Log out").click()
    await expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    assert page_errors == []
