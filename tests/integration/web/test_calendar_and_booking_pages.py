"""The public booking page, the confirmation page and the host's Calendar dashboard."""

import re

import httpx2

from tests.integration.web.conftest import PageHost, book_first_slot
from tests.support.builders import service_context
from tests.support.server import LiveServer
from workestra.services.booking_links import delete_link
from workestra.services.users import get_host


async def test_the_booking_page_renders_for_anyone(http: httpx2.AsyncClient, page_host: PageHost) -> None:
    response = await http.get(f"/book/{page_host.link.slug}")
    assert response.status_code == 200
    html = response.text
    assert "Hana Host" in html
    assert "Hana Host&#39;s intro call" in html
    assert "30 min" in html
    assert f'data-slug="{page_host.link.slug}"' in html
    assert '<select name="tz" id="tz">' in html
    assert re.search(r'<script src="/static/book\.js\?v=[0-9a-f]+" defer></script>', html)
    assert "<script>" not in html  # no inline script
    assert "set-cookie" not in response.headers  # invitees get no session
    for asset in ("/static/book.js", "/static/app.css"):
        assert (await http.get(asset)).status_code == 200


async def test_an_unknown_slug_is_a_404_page(http: httpx2.AsyncClient) -> None:
    response = await http.get("/book/no-such-page")
    assert response.status_code == 404
    assert "No booking page with that address." in response.text
    assert response.headers["content-type"].startswith("text/html")


async def test_the_confirmation_page_shows_the_booking_in_the_invitees_zone(
    http: httpx2.AsyncClient, page_host: PageHost, other_host: PageHost
) -> None:
    booking = await book_first_slot(http, page_host.link.slug)
    slug, booking_id = page_host.link.slug, str(booking["id"])
    page = await http.get(f"/book/{slug}/confirmed/{booking_id}", params={"tz": "America/New_York"})
    assert page.status_code == 200
    assert "You're booked" in page.text
    assert "Hana Host" in page.text
    assert "America/New York" in page.text
    local_time = str(booking["start"])[11:16]  # the API answered in the invitee's zone too
    assert local_time in page.text
    assert "data-poll" not in page.text  # provider None: no meeting link to wait for

    status = await http.get(f"/book/{slug}/confirmed/{booking_id}.json")
    assert status.status_code == 200
    assert status.json() == {"meeting_url": None, "calendar_status": "not_applicable", "awaiting_link": False}
    assert (await http.get(f"/book/{other_host.link.slug}/confirmed/{booking_id}")).status_code == 404
    assert (await http.get(f"/book/{other_host.link.slug}/confirmed/{booking_id}.json")).status_code == 404
    bad_zone = await http.get(f"/book/{slug}/confirmed/{booking_id}", params={"tz": "Mars/Olympus"})
    assert bad_zone.status_code == 200  # falls back to the zone given when booking


async def test_a_booking_appears_on_the_calendar(
    http: httpx2.AsyncClient, browser: httpx2.AsyncClient, page_host: PageHost
) -> None:
    empty = await browser.get("/calendar")
    assert "No upcoming bookings" in empty.text
    await book_first_slot(http, page_host.link.slug, name="Ivy <Invitee>", email="ivy@example.test")
    response = await browser.get("/calendar")
    assert response.status_code == 200
    html = response.text
    assert "Ivy &lt;Invitee&gt;" in html  # escaped
    assert "ivy@example.test" in html
    assert "Hana Host&#39;s intro call" in html
    assert "Europe/Berlin" in html
    assert not re.search(r'class="join', html)  # provider None: no meeting URL, no Join button


async def test_the_confirmation_page_outlives_its_deleted_link(
    http: httpx2.AsyncClient, live_server: LiveServer, page_host: PageHost
) -> None:
    booking = await book_first_slot(http, page_host.link.slug)
    async with service_context(live_server.settings) as ctx:
        host = await get_host(ctx, page_host.id)
        assert host is not None
        await delete_link(ctx, host, page_host.link.id)
    assert (await http.get(f"/book/{page_host.link.slug}")).status_code == 404
    page = await http.get(f"/book/{page_host.link.slug}/confirmed/{booking['id']}")
    assert page.status_code == 200
    assert "You're booked" in page.text
    status = await http.get(f"/book/{page_host.link.slug}/confirmed/{booking['id']}.json")
    assert status.status_code == 200
