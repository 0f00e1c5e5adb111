"""The card's "Calendars" form in Chromium: axe-clean and nothing sideways at desktop width and at
320 px (a long calendar name included), and saved from the keyboard."""

import pytest
from playwright.async_api import Page, expect

from tests.integration.web.test_host_pages_a11y import (
    audit,
    keyboard_problems,
    log_in,
    new_host,
    script_errors,
)
from tests.support.browser import browser, page, page_errors
from tests.support.builders import service_context
from tests.support.microsoft import MS
from tests.support.sandbox import SandboxControl
from tests.support.server import LiveServer
from workestra.services.connections import list_connections
from workestra.services.users import get_host

__all__ = ["browser", "page", "page_errors"]

pytestmark = pytest.mark.browser

EMAIL = "hana@contoso.test"
LONG = "Projects - Northwind Traders renewal and the quarterly planning offsite calendar"


async def test_the_calendars_form_is_accessible_and_saves_from_the_keyboard(
    live_server: LiveServer, sandbox: SandboxControl, page: Page, page_errors: list[str]
) -> None:
    login = await new_host(live_server, "Hana Host")
    await sandbox.create_microsoft_user(email=EMAIL, display_name="Hana at Contoso")
    await sandbox.add_microsoft_calendar(EMAIL, LONG)
    await sandbox.add_microsoft_calendar(EMAIL, "Boss (shared)", can_edit=False)
    await sandbox.set_auto_consent(EMAIL)
    await log_in(page, live_server, login.email, "/settings/connected-accounts")
    await page.get_by_role("link", name="Connect Microsoft Calendar").click()
    await expect(page.locator("#microsoft-calendar")).to_contain_text("Connected as hana@contoso.test")

    checks = page.get_by_role("group", name="Check these calendars for conflicts")
    await expect(checks.get_by_role("checkbox")).to_have_count(3)
    await expect(checks.get_by_role("checkbox", name="Calendar (primary)")).to_be_checked()
    save = page.get_by_role("button", name="Save calendars")
    problems = await audit(page, "accounts, calendars form")
    problems += await keyboard_problems(
        page,
        "accounts, calendars form",
        {
            "a calendar": checks.get_by_role("checkbox", name=LONG),
            "destination": page.get_by_label("Add new bookings to"),
            "a busy rule": page.get_by_role("checkbox", name='"Working elsewhere" blocks times'),
            "Save": save,
        },
    )

    await checks.get_by_role("checkbox", name=LONG).focus()
    await page.keyboard.press("Space")
    await page.get_by_label("Add new bookings to").select_option(label=LONG)
    await page.get_by_role("checkbox", name='"Working elsewhere" blocks times').check()
    await save.focus()
    await page.keyboard.press("Enter")

    await expect(page.get_by_role("status")).to_contain_text("Saved the calendars of Microsoft Calendar.")
    await expect(checks.get_by_role("checkbox", name=LONG)).to_be_checked()
    await expect(page.get_by_role("checkbox", name='"Working elsewhere" blocks times')).to_be_checked()
    async with service_context(live_server.settings) as ctx:
        host = await get_host(ctx, login.id)
        assert host is not None
        view = next(v for v in await list_connections(ctx, host) if v.provider is MS)
    assert [(c.name, c.check_conflicts, c.destination) for c in view.calendars or ()] == [
        ("Calendar", True, False),
        (LONG, True, True),
        ("Boss (shared)", False, False),
    ]
    assert not problems, "\n".join(problems)
    assert script_errors(page_errors) == []
