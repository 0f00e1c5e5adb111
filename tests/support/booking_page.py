"""Driving the booking page's month calendar in the browser tests."""

from playwright.async_api import Page, expect


async def show_day(page: Page, day: str) -> None:
    """Move the calendar on, a month at a time, until ``day`` (YYYY-MM-DD) is shown with its times
    loaded, then pick it."""
    button = page.locator(f'button.day[data-day="{day}"]')
    for _ in range(4):
        await expect(page.locator("table.month")).to_have_attribute("aria-busy", "false")
        if await button.count():
            break
        shown = await page.locator("#month-label").inner_text()
        await page.locator("#next-month").click()
        await expect(page.locator("#month-label")).not_to_have_text(shown)
    await expect(page.locator("table.month")).to_have_attribute("aria-busy", "false")
    await button.click()
    await expect(button).to_have_attribute("aria-pressed", "true")
