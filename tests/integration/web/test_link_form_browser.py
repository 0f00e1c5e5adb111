"""The link form in Chromium: the slug follows the title until the host edits it, the error summary
takes focus and its links lead to the fields, errors are the fields' accessible descriptions, the
durations keep their units; axe (WCAG 2.1 AA) finds nothing and nothing scrolls sideways at 1280 and
320 px, in the normal and the error states."""

import re

import pytest
from playwright.async_api import Page, expect

from tests.integration.web.test_host_pages_a11y import (
    audit,
    keyboard_problems,
    log_in,
    new_host,
    script_errors,
)
from tests.support.browser import browser, page, page_errors, screenshot_path
from tests.support.builders import make_host, service_context
from tests.support.server import LiveServer
from tests.support.teams import make_team
from workestra.services.users import get_host

__all__ = ["browser", "page", "page_errors"]

pytestmark = pytest.mark.browser


async def test_the_slug_follows_the_title_until_it_is_edited(
    live_server: LiveServer, page: Page, page_errors: list[str]
) -> None:
    login = await new_host(live_server, "Sam Slug")
    await log_in(page, live_server, login.email, "/settings/booking-links/new")
    title, slug = page.get_by_label("Title"), page.get_by_label("Slug")
    await title.press_sequentially("Café Crème: Søren's call")
    await expect(slug).to_have_value("cafe-creme-soren-s-call")

    await slug.fill("coffee")
    await title.press("End")
    await page.keyboard.type(" today")
    await expect(title).to_have_value("Café Crème: Søren's call today")
    await expect(slug).to_have_value("coffee")  # the host's own slug stays

    await slug.fill("")
    await title.press("End")
    await page.keyboard.press("Backspace")
    await expect(slug).to_have_value("cafe-creme-soren-s-call-toda")  # emptied: it follows again
    assert script_errors(page_errors) == []


async def test_the_form_its_errors_and_its_units_from_the_keyboard(
    live_server: LiveServer, page: Page, page_errors: list[str]
) -> None:
    login = await new_host(live_server, "Ella Errors")
    await log_in(page, live_server, login.email, "/settings/booking-links/new")
    await expect(page.get_by_role("heading", name="New booking link")).to_be_visible()
    problems = await audit(page, "link form new")
    notice, notice_unit = (
        page.get_by_label("Minimum notice", exact=True),
        page.get_by_label("Minimum notice unit"),
    )
    create = page.get_by_role("button", name="Create booking link")
    problems += await keyboard_problems(
        page,
        "link form new",
        {
            "Title": page.get_by_label("Title"),
            "Slug": page.get_by_label("Slug"),
            "Minimum notice": notice,
            "its unit": notice_unit,
            "Booking horizon unit": page.get_by_label("Booking horizon unit"),
            "Create": create,
        },
    )

    await page.get_by_label("Slug").fill("Not ok!")
    await notice.fill("0.001")
    await page.get_by_label("Monday start", exact=True).fill("18:00")
    await create.click()
    summary = page.locator("#error-summary")
    await expect(summary).to_be_focused()
    await expect(summary).to_contain_text("Fix these 4 things")
    for label, message in [
        ("Title", "The title is required."),
        ("Slug", "Use only lower-case letters, digits and dashes in the slug, such as not-ok."),
        ("Minimum notice", "Minimum notice must come to whole minutes."),
        ("Monday start", "Monday hours end (17:00) before they start (18:00)"),
    ]:
        field = page.get_by_label(label, exact=True)
        await expect(field).to_have_attribute("aria-invalid", "true")
        await expect(field).to_have_accessible_description(re.compile(re.escape(message)))
        await expect(page.locator(".field-error", has_text=message)).to_be_visible()
    await expect(page.get_by_label("Slug")).to_have_value("Not ok!")  # what was typed stays
    await expect(notice).to_have_value("0.001")
    problems += await audit(page, "link form with errors")

    await page.keyboard.press("Tab")
    await expect(summary.get_by_role("link", name="The title is required.")).to_be_focused()
    await page.keyboard.press("Enter")
    await expect(page.get_by_label("Title")).to_be_focused()
    await page.keyboard.type("Weekly check-in")
    await summary.get_by_role("link", name=re.compile("^Monday hours")).click()
    await expect(page.get_by_label("Monday start", exact=True)).to_be_focused()
    await page.keyboard.press("Control+A")
    await page.keyboard.type("08:00")

    await page.get_by_label("Slug").fill("")
    await notice.fill("1.5")
    await notice_unit.select_option("hours")
    await page.get_by_label("Booking horizon", exact=True).fill("3")
    await page.get_by_label("Booking horizon unit").select_option("weeks")
    await page.get_by_role("button", name="Create booking link").click()
    await expect(page.get_by_role("link", name="Weekly check-in")).to_be_visible()
    await expect(page.get_by_text("/book/weekly-check-in").first).to_be_visible()

    await page.get_by_role("link", name="Weekly check-in").click()
    await expect(page.get_by_role("heading", name="Edit booking link")).to_be_visible()
    await expect(notice).to_have_value("90")
    await expect(notice_unit).to_have_value("minutes")
    await expect(page.get_by_label("Booking horizon", exact=True)).to_have_value("3")
    await expect(page.get_by_label("Booking horizon unit")).to_have_value("weeks")
    await expect(page.get_by_label("Slug")).to_have_value("weekly-check-in")
    await page.get_by_label("Title").fill("Renamed")
    await expect(page.get_by_label("Slug")).to_have_value("weekly-check-in")  # an edit never follows
    problems += await audit(page, "link form edit")
    assert not problems, "\n".join(problems)
    assert script_errors(page_errors) == []


async def test_a_team_link_in_the_browser_its_pool_and_its_errors(
    live_server: LiveServer, page: Page, page_errors: list[str]
) -> None:
    login = await new_host(live_server, "Tara Teamlead")
    async with service_context(live_server.settings) as ctx:
        lead = await get_host(ctx, login.id)
        assert lead is not None
        _, ann = await make_host(ctx, name="Ann Archer")
        _, ben = await make_host(ctx, name="Ben Baker-Montgomery-Fitzwilliam")
        team = await make_team(ctx, lead, [ann, ben], name="Sales and customer success")
    await log_in(page, live_server, login.email, "/settings/booking-links/new")
    pool = page.get_by_role("group", name="Pool of Sales and customer success")
    await expect(pool).to_be_hidden()  # a personal link: no pool
    await page.get_by_label("Title").fill("Sales call")
    await page.get_by_label("Team", exact=True).select_option(label="Sales and customer success")
    await expect(pool).to_be_visible()
    for name in ("Ann Archer", "Ben Baker-Montgomery-Fitzwilliam", "Tara Teamlead"):
        await expect(pool.get_by_role("checkbox", name=re.compile(f"^{name}"))).to_be_checked()
    await expect(page.get_by_label("Priority for Ann Archer")).to_have_value("2")
    await expect(page.locator("#calendar_provider-help")).to_contain_text("A team link doesn't use this")
    problems = await audit(page, "link form team chosen")
    problems += await keyboard_problems(
        page,
        "link form team chosen",
        {
            "Team": page.get_by_label("Team", exact=True),
            "Ann in the pool": pool.get_by_role("checkbox", name=re.compile("^Ann Archer")),
            "Priority for Ann": page.get_by_label("Priority for Ann Archer"),
            "Weight for Ann": page.get_by_label("Weight for Ann Archer"),
            "Daily limit for Ann": page.get_by_label("Daily limit for Ann Archer"),
        },
    )

    await pool.get_by_role("checkbox", name=re.compile("^Tara Teamlead")).uncheck()
    await page.get_by_label("Priority for Ann Archer").select_option(label="Highest")
    weight = page.get_by_label("Weight for Ben Baker-Montgomery-Fitzwilliam")
    await weight.fill("0")
    await page.get_by_role("button", name="Create booking link").click()
    summary = page.locator("#error-summary")
    await expect(summary).to_be_focused()
    message = f"The weight for {ben.email} must be a whole number from 1 to 100."
    await expect(weight).to_have_attribute("aria-invalid", "true")
    await expect(weight).to_have_accessible_description(message)
    await expect(pool).to_be_visible()  # the chosen team's pool, as typed
    await expect(page.get_by_label("Priority for Ann Archer")).to_have_value("4")
    problems += await audit(page, "link form team with errors")
    await summary.get_by_role("link", name=message).click()
    await expect(weight).to_be_focused()
    await page.keyboard.press("Control+A")
    await page.keyboard.type("2")
    await page.get_by_role("button", name="Create booking link").click()
    await expect(page.get_by_text("Round-robin: Sales and customer success · 2 in the pool")).to_be_visible()

    await page.get_by_role("link", name="Sales call").click()
    await expect(page.get_by_role("heading", name="Edit booking link")).to_be_visible()
    await expect(pool).to_be_visible()
    await expect(page.get_by_label("Team", exact=True)).to_have_value(team.id)
    await expect(pool.get_by_role("checkbox", name=re.compile("^Tara Teamlead"))).not_to_be_checked()
    await expect(page.get_by_label("Weight for Ben Baker-Montgomery-Fitzwilliam")).to_have_value("2")
    await expect(pool).to_contain_text("Rotation count")
    await pool.screenshot(path=screenshot_path("link-form-team-pool"))
    problems += await audit(page, "link form team edit")
    assert not problems, "\n".join(problems)
    assert script_errors(page_errors) == []
