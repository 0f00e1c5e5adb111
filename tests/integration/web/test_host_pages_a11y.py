"""Every host page in Chromium, in each state a host meets it, at desktop width and at 320 px: no axe
violations (WCAG 2.1 A and AA), nothing scrolls sideways, and the keyboard reaches the page's main
actions with a focus ring of at least 3:1 against what is behind it.

Pages: log in (and its error), Calendar (empty, with bookings, a booking cancelled from the keyboard),
Booking links (empty, with links and a link warning), the link form (new, edit, with errors), the
troubleshooter, Connected accounts (not connected, connected, a connection with a problem, an admin's
approval needed) and the disconnect confirmation, Account (and its field errors), 404 and 403."""

import re
from dataclasses import dataclass
from datetime import timedelta

import httpx2
import pytest
from playwright.async_api import Locator, Page, ViewportSize, expect

from tests.integration.web.conftest import PageHost, book_first_slot
from tests.support.browser import axe_violations, browser, page, page_errors, screenshot_path
from tests.support.builders import make_host, make_link, service_context
from tests.support.sandbox import SandboxControl
from tests.support.server import LiveServer
from workestra.clock import SystemClock
from workestra.services.users import get_host

__all__ = ["browser", "page", "page_errors"]

pytestmark = pytest.mark.browser

DESKTOP = ViewportSize(width=1280, height=900)
NARROW = ViewportSize(width=320, height=640)
PASSWORD = "correct horse battery"
MICROSOFT_EMAIL = "hana@contoso.test"

# Elements wider than the viewport (for the message when a page scrolls sideways).
_TOO_WIDE = """() => {
  const width = window.innerWidth;
  return [...document.querySelectorAll("body *")]
    .filter((el) => el.getBoundingClientRect().right > width + 0.5)
    .slice(-6)
    .map((el) => el.outerHTML.slice(0, 80) + " right=" + Math.round(el.getBoundingClientRect().right));
}"""

# Each element Tab reaches from the top of the page, marked with data-tabbed (stops when focus
# leaves the page or comes round again).
_MARK_FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body || el.dataset.tabbed) return true;
  el.dataset.tabbed = "1";
  return false;
}"""

# An element's outline and border, and the colour behind it (the first opaque background among its
# ancestors: the ring is drawn outside the element, over its parent).
_EDGES = """(el) => {
  const style = getComputedStyle(el);
  let behind = el.parentElement;
  let background = "rgb(255, 255, 255)";
  while (behind) {
    const colour = getComputedStyle(behind).backgroundColor;
    if (colour && colour !== "rgba(0, 0, 0, 0)" && colour !== "transparent") { background = colour; break; }
    behind = behind.parentElement;
  }
  return {style: style.outlineStyle, width: parseFloat(style.outlineWidth), colour: style.outlineColor,
          background: background, border: style.borderTopColor, own: style.backgroundColor};
}"""


@dataclass(frozen=True)
class Login:
    id: str
    email: str


def _rgba(css: str) -> tuple[float, float, float, float]:
    inside = css[css.index("(") + 1 : css.index(")")].replace("/", ",")
    parts = [float(p) for p in inside.replace(",", " ").split()]
    return (parts[0], parts[1], parts[2], parts[3] if len(parts) > 3 else 1.0)


def _luminance(rgb: tuple[float, float, float]) -> float:
    def channel(value: float) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(foreground: str, background: str) -> float:
    """WCAG contrast ratio of two CSS colours (the foreground's alpha blended over the background)."""
    fr, fg, fb, alpha = _rgba(foreground)
    br, bg, bb, _ = _rgba(background)
    blended = (fr * alpha + br * (1 - alpha), fg * alpha + bg * (1 - alpha), fb * alpha + bb * (1 - alpha))
    lighter, darker = sorted((_luminance(blended), _luminance((br, bg, bb))), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def script_errors(errors: list[str]) -> list[str]:
    """JavaScript errors, without the console's note of each page answered 4xx on purpose."""
    return [e for e in errors if not e.startswith("Failed to load resource: the server responded")]


async def audit(page: Page, state: str, sizes: tuple[ViewportSize, ...] = (DESKTOP, NARROW)) -> list[str]:
    """axe and sideways scrolling at desktop width, then at 320 px: one line per problem found.
    The viewport is left as it was."""
    problems: list[str] = []
    was = page.viewport_size or DESKTOP
    for size in sizes:
        await page.set_viewport_size(size)
        where = f"{state} at {size['width']} px"
        problems += [f"{where}: {v}" for v in await axe_violations(page)]
        sideways = await page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        if sideways > 0:
            problems.append(f"{where}: scrolls sideways by {sideways} px: {await page.evaluate(_TOO_WIDE)}")
        if size is NARROW:
            name = "host-" + "".join(c if c.isalnum() else "-" for c in state) + "-320"
            await page.screenshot(path=screenshot_path(name), full_page=True)
    await page.set_viewport_size(was)
    return problems


async def tab_through(page: Page) -> None:
    """Tab from the top of the page through everything focusable, marking what focus reaches."""
    # Focus the document itself, so the next Tab starts from the top whatever had focus before.
    await page.evaluate(
        """() => {
          document.querySelectorAll("[data-tabbed]").forEach((el) => el.removeAttribute("data-tabbed"));
          document.documentElement.tabIndex = -1;
          document.documentElement.focus();
        }"""
    )
    try:
        for _ in range(200):
            await page.keyboard.press("Tab")
            if await page.evaluate(_MARK_FOCUSED):
                return
    finally:
        await page.evaluate("document.documentElement.removeAttribute('tabindex')")


async def unreached(page: Page, targets: dict[str, Locator]) -> list[str]:
    """The named targets that Tab doesn't reach (after a tab_through from a fresh page)."""
    await tab_through(page)
    return [name for name, target in targets.items() if await target.get_attribute("data-tabbed") != "1"]


async def keyboard_problems(page: Page, state: str, targets: dict[str, Locator]) -> list[str]:
    return [f"{state}: Tab doesn't reach {name}" for name in await unreached(page, targets)]


async def focus_ring_problems(page: Page, target: Locator, name: str) -> list[str]:
    """Focus ``target`` and measure its ring (and, for a form field, its border before it has focus)
    against what surrounds it: each must be at least 3:1 (WCAG 1.4.11)."""
    problems = []
    if await target.evaluate("el => ['INPUT', 'SELECT', 'TEXTAREA'].includes(el.tagName)"):
        edges = await target.evaluate(_EDGES)
        if (ratio := contrast(edges["border"], edges["own"])) < 3:
            problems.append(f"{name}: border {edges['border']} on {edges['own']} is {ratio:.2f}:1")
    await target.focus()
    ring = await target.evaluate(_EDGES)
    if ring["style"] == "none" or ring["width"] < 2:
        problems.append(f"{name}: no visible focus ring ({ring})")
    elif (ratio := contrast(ring["colour"], ring["background"])) < 3:
        problems.append(f"{name}: focus ring {ring['colour']} on {ring['background']} is {ratio:.2f}:1")
    return problems


async def log_in(page: Page, live_server: LiveServer, email: str, path: str = "/calendar") -> None:
    await page.goto(f"{live_server.url}{path}")
    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Log in").click()
    await expect(page.get_by_role("navigation", name="Main")).to_be_visible()


async def new_host(live_server: LiveServer, name: str = "Nina Newcomer") -> Login:
    """A host with nothing yet: no links, no calendars, no bookings."""
    async with service_context(live_server.settings) as ctx:
        _, host = await make_host(ctx, name=name, password=PASSWORD, timezone="America/New_York")
    return Login(host.id, host.email)


async def test_log_in_its_error_and_the_error_pages(
    live_server: LiveServer, page_host: PageHost, page: Page, page_errors: list[str]
) -> None:
    await page.goto(f"{live_server.url}/login")
    problems = await audit(page, "log in")
    problems += await keyboard_problems(
        page,
        "log in",
        {
            "Email": page.get_by_label("Email"),
            "Password": page.get_by_label("Password"),
            "Log in": page.get_by_role("button", name="Log in"),
        },
    )
    problems += await focus_ring_problems(page, page.get_by_role("button", name="Log in"), "Log in button")
    problems += await focus_ring_problems(page, page.get_by_label("Email"), "Email input")

    await page.get_by_label("Email").fill(page_host.email)
    await page.get_by_label("Password").fill("not the password")
    await page.get_by_role("button", name="Log in").click()
    error = page.get_by_role("alert")
    await expect(error).to_be_visible()
    for label in ("Email", "Password"):  # the error is tied to the fields it concerns
        field = page.get_by_label(label, exact=True)
        await expect(field).to_have_attribute("aria-invalid", "true")
        await expect(field).to_have_accessible_description(await error.inner_text())
    problems += await audit(page, "log in with an error")

    await page.goto(f"{live_server.url}/no-such-page")
    await expect(page.get_by_role("heading", name="Not found")).to_be_visible()
    problems += await audit(page, "404 logged out")

    await log_in(page, live_server, page_host.email)
    await page.goto(f"{live_server.url}/settings/booking-links/{'0' * 32}")
    problems += await audit(page, "404 logged in")
    await page.goto(f"{live_server.url}/settings/account")
    await page.locator('input[name="csrf_token"]').evaluate_all(
        "inputs => inputs.forEach((input) => { input.value = 'forged'; })"
    )
    await page.get_by_role("button", name="Log out everywhere").click()
    await expect(page.get_by_role("heading", name="Something needs your attention")).to_be_visible()
    problems += await audit(page, "403")
    assert not problems, "\n".join(problems)
    assert script_errors(page_errors) == []


async def test_the_calendar_empty_with_bookings_and_cancelling_from_the_keyboard(
    live_server: LiveServer, http: httpx2.AsyncClient, page_host: PageHost, page: Page, page_errors: list[str]
) -> None:
    await log_in(page, live_server, page_host.email)
    await expect(page.get_by_text("No upcoming bookings.")).to_be_visible()
    problems = await audit(page, "calendar, empty")
    problems += await keyboard_problems(
        page,
        "calendar, empty",
        {
            "skip link": page.get_by_role("link", name="Skip to content"),
            "Calendar nav": page.get_by_role("link", name="Calendar", exact=True),
            "Log out": page.get_by_role("button", name="Log out"),
            "booking link": page.get_by_role("link", name="booking link", exact=True),
        },
    )

    # At 320 px the navigation is one "Menu" button that opens from the keyboard.
    await page.set_viewport_size(NARROW)
    menu = page.get_by_text("Menu", exact=True)
    await expect(page.get_by_role("link", name="Booking links", exact=True)).to_have_count(1)  # the page's
    await tab_through(page)
    assert await menu.get_attribute("data-tabbed") == "1"
    await menu.focus()
    await page.keyboard.press("Enter")
    accounts = page.get_by_role("link", name="Connected accounts")
    await expect(accounts).to_be_visible()
    await page.screenshot(path=screenshot_path("host-menu-open-320"))
    problems += await audit(page, "calendar, menu open", (NARROW,))
    problems += await focus_ring_problems(page, menu, "Menu summary")
    await page.keyboard.press("Tab")
    await expect(page.get_by_role("link", name="Calendar", exact=True)).to_be_focused()
    await page.keyboard.press("Tab")
    await page.keyboard.press("Tab")
    await expect(accounts).to_be_focused()
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("heading", name="Connected accounts")).to_be_visible()
    await page.go_back()
    await page.set_viewport_size(DESKTOP)

    await book_first_slot(http, page_host.link.slug, name="Ivy Invitee", email="ivy@example.test")
    await book_first_slot(http, page_host.link.slug, name="Oscar Onsite", email="oscar@example.test")
    await page.reload()
    summary = page.locator("li.booking", has_text="Ivy Invitee").locator("summary")
    await expect(summary).to_be_visible()
    problems += await audit(page, "calendar with bookings")
    problems += await focus_ring_problems(page, summary, "Cancel summary")
    problems += await keyboard_problems(
        page, "calendar with bookings", {"Cancel": summary, "mailto": page.get_by_text("ivy@example.test")}
    )

    # Open the cancel control, give a reason and cancel, from the keyboard alone.
    await summary.focus()
    await page.keyboard.press("Enter")
    await page.keyboard.press("Tab")
    reason = page.locator("li.booking", has_text="Ivy Invitee").get_by_label("Reason, for the invitee")
    await expect(reason).to_be_focused()
    problems += await audit(page, "calendar, cancel control open")
    await reason.focus()
    await page.keyboard.type("Double-booked, sorry")
    await page.keyboard.press("Tab")
    await expect(page.get_by_role("button", name="Cancel booking Ivy Invitee")).to_be_focused()
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("status")).to_contain_text("Cancelled")
    await expect(page.get_by_role("heading", name="Cancelled")).to_be_visible()
    problems += await audit(page, "calendar with a cancelled booking")
    assert not problems, "\n".join(problems)
    assert script_errors(page_errors) == []


async def test_booking_links_the_link_form_and_the_troubleshooter(
    live_server: LiveServer, page: Page, page_errors: list[str]
) -> None:
    login = await new_host(live_server)
    await log_in(page, live_server, login.email, "/settings/booking-links")
    await expect(page.get_by_role("heading", name="No booking links yet")).to_be_visible()
    problems = await audit(page, "links, empty")

    async with service_context(live_server.settings) as ctx:
        host = await get_host(ctx, login.id)
        assert host is not None
        await make_link(ctx, host, title="Quick chat")
        outlook = await make_link(
            ctx,
            host,
            title="A rather long title for a call that needs an Outlook calendar connected",
            calendar_provider="microsoft",
            auto_meeting_link=True,
        )
    await page.reload()
    await expect(page.locator(".link-warning")).to_contain_text("isn't connected")
    problems += await audit(page, "links with a warning")
    problems += await keyboard_problems(
        page,
        "links",
        {
            "New booking link": page.get_by_role("link", name="New booking link"),
            "Edit": page.get_by_role("link", name="Edit").last,
        },
    )

    await page.get_by_role("link", name="New booking link").click()
    await expect(page.get_by_role("heading", name="New booking link")).to_be_visible()
    problems += await audit(page, "new link form")
    create = page.get_by_role("button", name="Create booking link")
    problems += await keyboard_problems(
        page, "new link form", {"Title": page.get_by_label("Title"), "Create": create}
    )
    for label in ("Title", "Time zone", "Description"):
        problems += await focus_ring_problems(page, page.get_by_label(label, exact=True), label)
    await page.get_by_label("Title").fill("Broken")
    await page.get_by_label("Slug").fill("not a slug!")
    await page.get_by_label("Duration (minutes)").fill("5")
    await create.click()
    await expect(page.locator(".form-error")).to_be_visible()
    problems += await audit(page, "new link form with errors")

    await page.goto(f"{live_server.url}/settings/booking-links/{outlook.id}")
    await expect(page.get_by_role("heading", name="Edit booking link")).to_be_visible()
    problems += await audit(page, "edit link form")

    day = (SystemClock().now() + timedelta(days=3)).date().isoformat()
    await page.goto(f"{live_server.url}/settings/booking-links/{outlook.id}/availability?date={day}")
    await expect(page.get_by_role("heading", name="Why isn't a time offered?")).to_be_visible()
    problems += await audit(page, "troubleshooter")
    assert not problems, "\n".join(problems)
    assert script_errors(page_errors) == []


async def test_connected_accounts_in_every_state_and_the_disconnect_confirmation(
    live_server: LiveServer, sandbox: SandboxControl, page: Page, page_errors: list[str]
) -> None:
    login = await new_host(live_server, "Hana Host")
    async with service_context(live_server.settings) as ctx:
        host = await get_host(ctx, login.id)
        assert host is not None
        await make_link(ctx, host, title="Outlook intro", calendar_provider="microsoft")
    await log_in(page, live_server, login.email, "/settings/connected-accounts")
    connect = page.get_by_role("link", name="Connect Microsoft Calendar")
    await expect(connect).to_be_visible()
    problems = await audit(page, "accounts, not connected")
    problems += await keyboard_problems(
        page,
        "accounts",
        {
            "Connect Microsoft": connect,
            "Connect Google": page.get_by_role("link", name="Connect Google Calendar"),
        },
    )

    # An organisation that lets only its admin consent: the card with the approval link and table.
    await sandbox.create_microsoft_user(email=MICROSOFT_EMAIL, display_name="Hana at Contoso")
    await sandbox.require_admin_consent(MICROSOFT_EMAIL)
    await sandbox.set_auto_consent(MICROSOFT_EMAIL)
    await connect.click()
    await expect(page.get_by_text("Your organisation's admin must approve Workestra.")).to_be_visible()
    problems += await audit(page, "accounts, admin approval needed")

    await sandbox.require_admin_consent(MICROSOFT_EMAIL, required=False)
    await page.get_by_role("link", name="Connect Microsoft Calendar").click()
    await expect(page.locator("#microsoft-calendar")).to_contain_text("Connected as hana@contoso.test")
    test_connection = page.get_by_role("button", name="Test connection")
    problems += await audit(page, "accounts, connected")
    problems += await keyboard_problems(
        page,
        "accounts, connected",
        {"Test connection": test_connection, "Disconnect": page.get_by_role("link", name="Disconnect")},
    )

    await sandbox.set_refresh_fault(MICROSOFT_EMAIL, "revoked")
    await sandbox.expire_access_tokens(MICROSOFT_EMAIL)
    await test_connection.click()
    await expect(page.get_by_role("link", name="Reconnect")).to_be_visible()
    problems += await audit(page, "accounts, a connection with a problem")

    await page.goto(f"{live_server.url}/integrations/microsoft/disconnect")
    await expect(page.get_by_role("heading", name="Disconnect Microsoft Calendar?")).to_be_visible()
    await expect(page.get_by_role("listitem").filter(has_text="Outlook intro")).to_be_visible()
    problems += await audit(page, "disconnect confirmation")
    confirm = page.get_by_role("button", name="Disconnect Microsoft Calendar")
    problems += await keyboard_problems(
        page,
        "disconnect confirmation",
        {"Disconnect": confirm, "Keep it": page.get_by_role("link", name="Keep it connected")},
    )
    await confirm.focus()
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("status")).to_contain_text("Disconnected Microsoft Calendar.")
    assert not problems, "\n".join(problems)
    assert script_errors(page_errors) == []


async def test_the_account_page_and_its_field_errors(
    live_server: LiveServer, page_host: PageHost, page: Page, page_errors: list[str]
) -> None:
    await log_in(page, live_server, page_host.email, "/settings/account")
    problems = await audit(page, "account")
    change = page.get_by_role("button", name="Change password")
    problems += await keyboard_problems(
        page,
        "account",
        {
            "Current password": page.get_by_label("Current password"),
            "Change password": change,
            "Log out everywhere": page.get_by_role("button", name="Log out everywhere"),
        },
    )
    await page.get_by_label("Current password").fill("not the password")
    await page.get_by_label("New password").fill("a brand new passphrase")
    await change.click()
    current = page.get_by_label("Current password")
    await expect(current).to_have_attribute("aria-invalid", "true")
    await expect(current).to_have_accessible_description(re.compile(r"\w"))  # the field's error
    problems += await audit(page, "account with a field error")
    assert not problems, "\n".join(problems)
    assert script_errors(page_errors) == []
