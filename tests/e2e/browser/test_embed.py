"""The booking widget in Chromium: a host's page on another site (a second loopback address, so the
browser sends it none of Workestra's cookies) embeds a link with embed.js, an invitee books inside
the frame and the page hears ``workestra:booked``; the popup button's dialog; and a page of a site
the link doesn't allow can't frame it."""

import re
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx2
import pytest
from playwright.async_api import Frame, Page, Response, expect

from tests.support.browser import axe_violations
from tests.support.builders import make_host, make_link, service_context, unique
from tests.support.server import LiveServer
from workestra.services.booking_links import LinkView

pytestmark = pytest.mark.browser

UUID = re.compile(r"^[0-9a-f-]{36}$")
# The host site's own listener: an external file, as the host page allows no inline script.
HOST_JS = """
window.booked = [];
window.outsideFocused = 0;
document.addEventListener("workestra:booked", function (event) {
  window.booked.push({ detail: event.detail, target: event.target.id, bubbles: event.bubbles });
});
document.getElementById("outside").addEventListener("focus", function () { window.outsideFocused += 1; });
"""


class HostSite:
    """A host's own site: one page with the snippet, under a strict policy of its own (no inline
    script or style: embed.js styles through the CSSOM), on ``address``."""

    def __init__(self, address: str, *, widget: str, workestra: str) -> None:
        body = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Acme - talk to us</title></head>
<body><main><h1>Talk to Acme</h1><p><a id="outside" href="#contact">Contact</a></p>
{widget}
<script src="{workestra}/embed.js" async></script>
<script src="/host.js"></script></main></body></html>"""
        files = {
            "/": ("text/html; charset=utf-8", body.encode()),
            "/host.js": ("text/javascript", HOST_JS.encode()),
            "/favicon.ico": ("image/x-icon", b""),
        }
        policy = f"default-src 'self'; script-src 'self' {workestra}; frame-src {workestra}; style-src 'self'"

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                path = self.path.split("?")[0]
                media, content = files.get(path, ("text/plain", b""))
                self.send_response(200 if path in files else 404)
                self.send_header("Content-Type", media)
                self.send_header("Content-Security-Policy", policy)
                self.send_header("Content-Length", str(len(content)))
                self.end_headers()
                self.wfile.write(content)

            def log_message(self, format: str, *args: object) -> None:
                return

        self._server = ThreadingHTTPServer((address, 0), Handler)
        self.origin = f"http://{address}:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> "HostSite":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


@dataclass(frozen=True)
class Embedded:
    link: LinkView
    api_headers: dict[str, str]


def site(live_server: LiveServer, slug: str, attributes: str = "", address: str = "127.0.0.2") -> HostSite:
    widget = f'<div id="widget" data-workestra-link="{slug}"{attributes}></div>'
    return HostSite(address, widget=widget, workestra=live_server.url)


async def embedded_link(live_server: LiveServer, slug: str, origins: list[str]) -> Embedded:
    async with service_context(live_server.settings) as ctx:
        created, host = await make_host(ctx, name="Emma Embedder")
        link = await make_link(
            ctx, host, slug=slug, title="Demo call", timezone="UTC", embed_allowed_origins=origins
        )
    return Embedded(link, {"Authorization": f"Bearer {created.api_key}"})


async def book_in(frame: Frame) -> None:
    """Pick the first day with times and its first time, and book as Ivy."""
    await expect(frame.locator("table.month")).to_have_attribute("aria-busy", "false")
    await frame.locator("button.day.has-times").first.click()
    await frame.locator("button.slot").first.click()
    await frame.get_by_label("Name").fill("Ivy Invitee")
    await frame.get_by_label("Email").fill("ivy@example.test")
    await frame.get_by_role("button", name="Confirm booking").click()
    await expect(frame.get_by_role("heading", name="You're booked")).to_be_visible()


async def workestra_frame(page: Page, live_server: LiveServer) -> Frame:
    """The widget's frame once it holds a Workestra page."""
    handle = await page.locator("iframe.workestra-frame").element_handle()
    frame = await handle.content_frame()
    assert frame is not None
    await frame.wait_for_url(re.compile(f"^{re.escape(live_server.url)}/"))
    return frame


def set_cookies(page: Page, live_server: LiveServer) -> list[str]:
    """Every Set-Cookie Workestra sends this page (its frame included), as it arrives."""
    seen: list[str] = []

    async def check(response: Response) -> None:
        if response.url.startswith(live_server.url):
            cookie = await response.header_value("set-cookie")
            if cookie:
                seen.append(f"{response.url}: {cookie}")

    page.on("response", check)
    return seen


async def test_a_page_on_an_allowed_site_embeds_the_widget_and_hears_the_booking(
    live_server: LiveServer, page: Page, page_errors: list[str], http: httpx2.AsyncClient
) -> None:
    cookies = set_cookies(page, live_server)
    slug = unique("embedded")
    with site(live_server, slug, ' data-workestra-accent="#0a7"') as host_site:
        embedded = await embedded_link(live_server, slug, [host_site.origin])
        await page.goto(host_site.origin)
        frame_element = page.locator("#widget iframe")
        await expect(frame_element).to_have_attribute("title", "Booking page")
        frame = await workestra_frame(page, live_server)
        await expect(frame.locator("button.day").first).to_be_visible()
        # Sized to its content by the frame's messages (it starts at 640px).
        await page.wait_for_function(
            "() => { const f = document.querySelector('#widget iframe');"
            " return f.style.height !== '640px' && f.style.height !== ''; }"
        )
        # The accent, applied as custom properties (no inline style in either page's policy).
        primary = await frame.evaluate(
            "getComputedStyle(document.documentElement).getPropertyValue('--primary').trim()"
        )
        assert primary == "#007753"

        await book_in(frame)
        await page.wait_for_function("() => window.booked.length === 1")
        [event] = await page.evaluate("window.booked")
        assert event["target"] == "widget"
        assert event["bubbles"] is True
        assert set(event["detail"]) == {"id", "start", "end"}
        assert UUID.match(event["detail"]["id"])

        booking = await http.get(f"/api/v1/bookings/{event['detail']['id']}", headers=embedded.api_headers)
        assert booking.status_code == 200, booking.text
        assert booking.json()["invitee"]["email"] == "ivy@example.test"
        assert booking.json()["link_id"] == embedded.link.id
        assert "embed=1" in frame.url  # the confirmation is the embed view too
        await expect(frame.locator(".topbar")).to_have_count(0)

    # The whole flow ran with no cookie: none was set, none was sent.
    assert cookies == []
    assert await page.context.cookies(live_server.url) == []
    assert page_errors == []


async def test_a_page_on_a_site_the_link_doesnt_allow_cannot_frame_it(
    live_server: LiveServer, page: Page
) -> None:
    slug = unique("elsewhere")
    await embedded_link(live_server, slug, ["https://shop.example"])
    with site(live_server, slug) as host_site:
        async with page.expect_console_message(lambda m: "frame-ancestors" in m.text) as refused:
            await page.goto(host_site.origin)
        assert "https://shop.example" in (await refused.value).text
        # Chromium shows its error page in the frame: no booking page, so no size message either.
        for frame in page.frames[1:]:
            assert await frame.locator("#booking").count() == 0
        await expect(page.locator("#widget iframe")).to_have_attribute("style", re.compile("height: 640px"))


async def test_the_popup_button_opens_an_accessible_dialog_that_keeps_and_returns_focus(
    live_server: LiveServer, page: Page, page_errors: list[str]
) -> None:
    slug = unique("popup")
    await embedded_link(live_server, slug, [])
    with site(
        live_server, slug, ' data-workestra-mode="popup" data-workestra-label="Book a call"'
    ) as host_site:
        await page.goto(host_site.origin)
        opener = page.get_by_role("button", name="Book a call")
        await opener.focus()
        await page.keyboard.press("Enter")
        dialog = page.get_by_role("dialog", name="Book a call")
        await expect(dialog).to_be_visible()
        frame = await workestra_frame(page, live_server)
        await expect(frame.locator("button.day").first).to_be_visible()
        assert await axe_violations(page) == []

        # Focus stays in the dialog: the page behind it is inert.
        await dialog.get_by_role("button", name="Close").focus()
        for _ in range(6):
            await page.keyboard.press("Tab")
        assert await page.evaluate("window.outsideFocused") == 0

        # Escape inside the frame closes it (the frame asks the page), and focus returns to the button.
        await frame.locator("button.day.has-times").first.focus()
        await page.keyboard.press("Escape")
        await expect(dialog).to_be_hidden()
        await expect(opener).to_be_focused()

        # Opened again, the booking made in it reaches the page; Escape on the dialog closes it too.
        await opener.click()
        await expect(dialog).to_be_visible()
        await book_in(await workestra_frame(page, live_server))
        await page.wait_for_function("() => window.booked.length === 1")
        await dialog.get_by_role("button", name="Close").focus()
        await page.keyboard.press("Escape")
        await expect(dialog).to_be_hidden()
        await expect(opener).to_be_focused()
    assert page_errors == []


async def test_the_embedded_booking_page_passes_axe(live_server: LiveServer, page: Page) -> None:
    slug = unique("axe")
    await embedded_link(live_server, slug, [])
    # A light accent: the page darkens it until its text and buttons still read at 4.5:1.
    await page.goto(f"{live_server.url}/book/{slug}?embed=1&accent=%23ffdd00")
    await expect(page.locator("button.day.has-times").first).to_be_visible()
    assert await axe_violations(page) == []
    await page.locator("button.day.has-times").first.click()
    await page.locator("button.slot").first.click()
    await expect(page.get_by_label("Name")).to_be_focused()
    assert await axe_violations(page) == []
