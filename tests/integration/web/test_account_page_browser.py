"""The account page in Chromium, under the pages' Content-Security-Policy: a host changes the
password and logs out everywhere through the real forms; the API docs' inline script isn't blocked."""

import pytest
from playwright.async_api import Page, expect

from tests.integration.web.conftest import PageHost
from tests.support.browser import axe_violations, browser, page, page_errors
from tests.support.builders import service_context, unique
from tests.support.server import LiveServer
from workestra.services.context import ServiceContext
from workestra.services.teams import create_team, invite
from workestra.services.users import Host, get_host

__all__ = ["browser", "page", "page_errors"]

pytestmark = pytest.mark.browser


async def _host(ctx: ServiceContext, host_id: str) -> Host:
    host = await get_host(ctx, host_id)
    assert host is not None
    return host


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
    docs = await page.goto(f"{live_server.url}/docs")
    assert docs is not None
    assert docs.status == 200
    assert "<script>" in await docs.text()  # the inline script the policy must allow is there
    await page.goto(f"{live_server.url}/login")  # any refusal on /docs has been reported by now
    assert refusals == []


async def test_the_account_page_points_to_waiting_team_invitations_and_passes_axe(
    live_server: LiveServer, page_host: PageHost, other_host: PageHost, page: Page
) -> None:
    async with service_context(live_server.settings) as ctx:
        theirs = await _host(ctx, other_host.id)
        for name in ("Sales", "Support"):
            team = await create_team(ctx, theirs, slug=unique("team"), name=name)
            await invite(ctx, theirs, team.id, page_host.email)
    await page.goto(f"{live_server.url}/settings/account")
    await page.get_by_label("Email").fill(page_host.email)
    await page.get_by_label("Password").fill(page_host.password)
    await page.get_by_role("button", name="Log in").click()
    await expect(page.get_by_role("heading", name="Teams")).to_be_visible()
    await expect(page.get_by_text("2 invitations waiting for your answer.")).to_be_visible()
    assert await axe_violations(page) == []
    await page.set_viewport_size({"width": 320, "height": 640})
    assert await axe_violations(page) == []

    await page.get_by_role("link", name="Teams and invitations").click()
    await page.get_by_role("button", name="Accept the invitation to Sales").click()
    await expect(page.get_by_role("status")).to_contain_text("You joined “Sales”")
    await page.goto(f"{live_server.url}/settings/account")
    await expect(page.get_by_text("1 invitation waiting for your answer.")).to_be_visible()
    await expect(page.get_by_text("You are in 1 team.")).to_be_visible()
