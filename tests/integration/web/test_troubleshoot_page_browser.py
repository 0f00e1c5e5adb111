"""The "Why isn't a time offered?" page in Chromium: reached from the link's edit page, the day's
reasons in words, no axe violations (WCAG 2.1 AA), nothing scrolling sideways at 320 px."""

import re
from datetime import timedelta

import pytest
from playwright.async_api import Page, expect

from tests.integration.web.conftest import PageHost
from tests.integration.web.test_troubleshoot_page import DAY, outlook_link
from tests.support.browser import axe_violations, browser, page, page_errors, screenshot_path
from tests.support.sandbox import SandboxControl
from tests.support.server import LiveServer

__all__ = ["browser", "page", "page_errors"]

pytestmark = pytest.mark.browser


async def test_the_troubleshooter_in_chromium_passes_axe_and_fits_320_px(
    live_server: LiveServer, sandbox: SandboxControl, page_host: PageHost, page: Page, page_errors: list[str]
) -> None:
    link = await outlook_link(live_server, sandbox, page_host)
    await page.goto(f"{live_server.url}/settings/booking-links/{link.id}")
    await page.get_by_label("Email").fill(page_host.email)
    await page.get_by_label("Password").fill(page_host.password)
    await page.get_by_role("button", name="Log in").click()
    await page.get_by_role("link", name="Why isn't a time offered?").click()
    await expect(page.get_by_role("heading", name="Why isn't a time offered?")).to_be_visible()

    await page.get_by_label("Day", exact=True).fill(DAY.isoformat())
    await page.get_by_role("button", name="Show this day").click()
    table = page.get_by_role("table", name="Each time on the link's grid")
    ten = table.get_by_role("row", name=re.compile("^10:00–11:00 "))
    await expect(ten).to_contain_text("Not offered")
    await expect(ten).to_contain_text("Busy in Outlook 10:00–11:00: Roadmap review")
    await expect(table.get_by_role("row", name=re.compile("^11:00–11:30 "))).to_contain_text("Available")
    await page.screenshot(path=screenshot_path("web-troubleshoot"), full_page=True)
    assert await axe_violations(page) == []

    await page.get_by_role("link", name="Next day →").click()
    await expect(page.get_by_label("Day", exact=True)).to_have_value((DAY + timedelta(days=1)).isoformat())
    await page.set_viewport_size({"width": 320, "height": 640})
    assert await axe_violations(page) == []
    overflow = await page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0  # nothing scrolls sideways at 320 px
    await page.screenshot(path=screenshot_path("web-troubleshoot-320"), full_page=True)
    assert page_errors == []
