"""The booking page in Chromium: slots load in the detected zone, a booking goes through, no JS errors."""

import re

import pytest
from playwright.async_api import Page, expect

from tests.integration.web.conftest import PageHost
from tests.support.browser import axe_violations, browser, page, page_errors, screenshot_path
from tests.support.server import LiveServer

__all__ = ["browser", "page", "page_errors"]

pytestmark = pytest.mark.browser


async def test_an_invitee_books_through_the_page(
    live_server: LiveServer, page_host: PageHost, page: Page, page_errors: list[str]
) -> None:
    await page.goto(f"{live_server.url}/book/{page_host.link.slug}")
    await expect(page.locator("#tz")).to_have_value("America/New_York")  # the browser's zone
    first = page.locator("button.slot").first
    await expect(first).to_be_visible()
    await page.screenshot(path=screenshot_path("web-booking-page"), full_page=True)
    await page.locator("#next-week").click()
    await expect(page.locator("button.slot").first).to_be_visible()
    await page.locator("#prev-week").click()
    await page.locator("button.slot").first.click()
    await page.get_by_label("Name").fill("Ivy Invitee")
    await page.get_by_label("Email").fill("ivy@example.test")
    await page.get_by_role("button", name="Confirm booking").click()
    await page.wait_for_url(re.compile(r"/confirmed/[0-9a-f-]{36}\?tz=America%2FNew_York$"))
    await expect(page.get_by_role("heading", name="You're booked")).to_be_visible()
    await page.screenshot(path=screenshot_path("web-booking-confirmed"), full_page=True)
    assert page_errors == []


async def test_changing_the_zone_reloads_the_times(
    live_server: LiveServer, page_host: PageHost, page: Page, page_errors: list[str]
) -> None:
    await page.goto(f"{live_server.url}/book/{page_host.link.slug}")
    await expect(page.locator("button.slot").first).to_be_visible()
    await page.locator("#tz").select_option("Asia/Tokyo")
    await expect(page.locator("#slots-status")).to_contain_text("Asia/Tokyo")
    await expect(page.locator("button.slot").first).to_be_visible()
    assert page_errors == []


async def test_the_zone_list_arrives_apart_and_booking_works_from_the_keyboard(
    live_server: LiveServer, page_host: PageHost, page: Page, page_errors: list[str]
) -> None:
    await page.goto(f"{live_server.url}/book/{page_host.link.slug}")
    zones = page.get_by_label("Time zone")  # still labelled once zones.json has filled it
    await expect(zones.locator('option[value="Pacific/Chatham"]')).to_have_count(1)
    await expect(zones).to_have_value("America/New_York")  # the browser's zone stays chosen
    await expect(zones.locator('option[value="America/New_York"]')).to_have_count(1)
    await zones.select_option("Pacific/Chatham")
    await expect(page.locator("#slots-status")).to_contain_text("Pacific/Chatham")
    assert await axe_violations(page) == []  # the zone list filled from zones.json, slots drawn
    slot = page.locator("button.slot").first
    await slot.focus()
    await page.keyboard.press("Enter")
    await expect(page.get_by_label("Name")).to_be_focused()
    await page.keyboard.type("Kim Keyboard")
    await page.keyboard.press("Tab")
    await expect(page.get_by_label("Email")).to_be_focused()
    await page.keyboard.type("kim@example.test")
    await page.keyboard.press("Enter")
    await page.wait_for_url(re.compile(r"/confirmed/[0-9a-f-]{36}\?tz=Pacific%2FChatham$"))
    assert await axe_violations(page) == []  # the confirmation page, with its email note
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
