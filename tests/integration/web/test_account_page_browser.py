"""The account page in Chromium, under the pages' Content-Security-Policy: a host changes the
password and logs out everywhere through the real forms; the API docs' inline script isn't blocked."""

import pytest
from playwright.async_api import Page, expect

from tests.integration.web.conftest import PageHost
from tests.support.browser import browser, page, page_errors
from tests.support.server import LiveServer

__all__ = ["browser", "page", "page_errors"]

pytestmark = pytest.mark.browser


async def test_a_host_changes_the_password_then_logs_out_everywhere(
    live_server: LiveServer, page_host: PageHost, page: Page, page_errors: list[str]
) -> None:
    await page.goto(f"{live_server.url}/settings/account")
    await page.get_by_label("Email").fill(page_host.email)
    await page.get_by_label("Password").fill(page_host.password)
    await page.get_by_role("button", name="Log in").click()
    await expect(page.get_by_role("heading", name="Account", exact=True)).to_be_visible()

    await page.get_by_label("Current password").fill(page_host.password)
    await page.get_by_label("New password").fill("a brand new passphrase")
    await page.get_by_role("button", name="Change password").click()
    await expect(page.get_by_role("status")).to_contain_text("Password changed")

    await page.get_by_role("button", name="Log out everywhere").click()
    await expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    await expect(page.get_by_role("status")).to_contain_text("logged out everywhere")
    await page.goto(f"{live_server.url}/calendar")
    await expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    assert page_errors == []


async def test_the_api_docs_inline_script_is_not_refused(live_server: LiveServer, page: Page) -> None:
    refusals: list[str] = []
    page.on(
        "console", lambda msg: refusals.append(msg.text) if "Content Security Policy" in msg.text else None
    )
    await page.goto(f"{live_server.url}/docs")
    await page.goto(f"{live_server.url}/login")  # any refusal on /docs has been reported by now
    assert refusals == []
