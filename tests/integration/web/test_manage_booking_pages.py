"""The invitee's private cancel and reschedule pages, the confirmation page's links to them, and the
host's cancel on /calendar with its upcoming, cancelled and past sections, over real HTTP."""

import html
import re
from datetime import timedelta

import httpx2
import pytest

from tests.integration.web.conftest import PageHost, book_first_slot, csrf_from, log_in
from tests.support.clock import FixedClock
from tests.support.server import LiveServer
from workestra.clock import SystemClock

TOKEN_INPUT = re.compile(r'<input type="hidden" name="token" value="([^"]*)">')


@pytest.fixture
def live_clock() -> FixedClock:
    """The server's clock, moved by hand to let a meeting pass."""
    return FixedClock(SystemClock().now())


def attribute(page: str, name: str) -> str:
    match = re.search(rf'{name}="([^"]*)"', page)
    assert match, f"no {name} on the page"
    return html.unescape(match.group(1))


def path_of(url: object) -> str:
    """A page's path and query from the absolute URL the API answers (under the base URL)."""
    text = str(url)
    assert text.startswith("http://127.0.0.1:"), text
    return "/" + text.split("/", 3)[3]


async def confirmation(http: httpx2.AsyncClient, slug: str, booking_id: str) -> str:
    page = await http.get(f"/book/{slug}/confirmed/{booking_id}")
    assert page.status_code == 200, page.text
    return page.text


async def cancel(http: httpx2.AsyncClient, cancel_url: object, *, reason: str = "") -> httpx2.Response:
    """Open the cancel page and send its form, as a browser does (the anonymous CSRF cookie kept)."""
    page = await http.get(path_of(cancel_url))
    assert page.status_code == 200, page.text
    match = TOKEN_INPUT.search(page.text)
    assert match, "no token in the cancel form"
    booking_path = path_of(cancel_url).split("?")[0]
    return await http.post(
        booking_path,
        data={"csrf_token": csrf_from(page.text), "token": html.unescape(match.group(1)), "reason": reason},
    )


async def test_the_confirmation_page_links_to_reschedule_and_cancel(
    http: httpx2.AsyncClient, page_host: PageHost
) -> None:
    booking = await book_first_slot(http, page_host.link.slug)
    response = await http.get(f"/book/{page_host.link.slug}/confirmed/{booking['id']}")
    assert response.headers["cache-control"] == "no-store"  # it shows the private links
    page = await confirmation(http, page_host.link.slug, str(booking["id"]))
    assert "You're booked" in page
    assert attribute(page, 'class="button secondary" href') == booking["reschedule_url"]
    assert attribute(page, 'class="button danger-outline" href') == booking["cancel_url"]
    assert ">Reschedule</a>" in page
    assert ">Cancel</a>" in page


async def test_opening_the_cancel_and_reschedule_pages_changes_nothing(
    http: httpx2.AsyncClient, page_host: PageHost
) -> None:
    booking = await book_first_slot(http, page_host.link.slug, timezone="America/New_York")
    slug, booking_id = page_host.link.slug, str(booking["id"])
    local_start = str(booking["start"])[11:16]

    for _ in range(2):
        page = await http.get(path_of(booking["cancel_url"]))
        assert page.status_code == 200, page.text
        assert "Cancel your booking?" in page.text
        assert "Hana Host&#39;s intro call" in page.text
        assert "Hana Host" in page.text
        assert local_start in page.text
        assert "America/New York" in page.text  # the invitee's zone
        assert 'name="reason"' in page.text
        assert '<label for="reason">Reason' in page.text
        assert ">Cancel booking</button>" in page.text
        assert 'name="csrf_token"' in page.text
        assert "<script" not in page.text

        moving = await http.get(path_of(booking["reschedule_url"]))
        assert moving.status_code == 200, moving.text
        assert "Reschedule your booking" in moving.text
        assert "Your current time:" in moving.text
        assert local_start in moving.text
        assert attribute(moving.text, "data-slug") == slug
        assert (
            attribute(moving.text, "data-reschedule-url")
            == f"/api/v1/public/bookings/{booking_id}/reschedule"
        )
        assert (
            attribute(moving.text, "data-reschedule-token")
            == str(booking["reschedule_url"]).split("token=")[1]
        )
        assert ">Confirm new time</button>" in moving.text
        assert 'id="invitee-email"' not in moving.text  # a move asks for no details again
        assert re.search(r'<script src="/static/book\.js\?v=[0-9a-f]+" defer></script>', moving.text)
        assert "<script>" not in moving.text

    for response in (page, moving):  # the middleware's headers reach the new pages
        assert response.headers["cache-control"] == "no-store"  # the address holds a token
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "strict-origin-when-cross-origin"
        assert "script-src 'self'" in response.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]

    still = await confirmation(http, slug, booking_id)
    assert "You're booked" in still
    assert str(booking["cancel_url"]) in html.unescape(still)


@pytest.mark.parametrize("page", ["cancel", "reschedule"])
async def test_a_wrong_link_is_a_404_page(http: httpx2.AsyncClient, page_host: PageHost, page: str) -> None:
    booking = await book_first_slot(http, page_host.link.slug)
    booking_id = str(booking["id"])
    own_token = str(booking[f"{page}_url"]).split("token=")[1]
    other_token = str(booking["reschedule_url" if page == "cancel" else "cancel_url"]).split("token=")[1]
    other = await book_first_slot(http, page_host.link.slug, email="otto@example.test")
    wrong = [
        f"/bookings/{booking_id}/{page}?token={other_token}",  # the other purpose's token
        f"/bookings/{booking_id}/{page}?token={own_token[:-1]}x",
        f"/bookings/{booking_id}/{page}?token=",
        f"/bookings/{booking_id}/{page}",
        f"/bookings/{booking_id}/{page}?token={'a' * 5000}",
        f"/bookings/{other['id']}/{page}?token={own_token}",  # another booking's
        f"/bookings/no-such-booking/{page}?token={own_token}",
    ]
    for path in wrong:
        response = await http.get(path)
        assert response.status_code == 404, (path, response.status_code)
        assert response.headers["content-type"].startswith("text/html")
        assert "This link doesn&#39;t work (any more)" in response.text
        assert "Hana Host" not in response.text  # nothing about the booking
        assert "content-security-policy" in response.headers
    assert "You're booked" in await confirmation(http, page_host.link.slug, booking_id)


async def test_the_invitee_cancels_with_a_reason_and_again_changes_nothing(
    http: httpx2.AsyncClient, page_host: PageHost
) -> None:
    booking = await book_first_slot(http, page_host.link.slug)
    slug, booking_id = page_host.link.slug, str(booking["id"])

    sent = await cancel(http, booking["cancel_url"], reason="Something came up.\nSorry!")
    assert sent.status_code == 303, sent.text
    assert sent.headers["location"] == path_of(booking["cancel_url"])
    done = await http.get(sent.headers["location"])
    assert done.status_code == 200
    assert "Your booking is cancelled" in done.text
    assert "Something came up.\nSorry!" in done.text
    assert "Cancel booking</button>" not in done.text
    assert f'href="/book/{slug}"' in done.text  # book a new time

    again = await http.post(
        f"/bookings/{booking_id}/cancel",
        data={
            "csrf_token": csrf_from(await _login_form(http)),
            "token": str(booking["cancel_url"]).split("token=")[1],
            "reason": "a second reason",
        },
    )
    assert again.status_code == 303
    after = await http.get(again.headers["location"])
    assert "Your booking is cancelled" in after.text
    assert "a second reason" not in after.text  # unchanged

    page = await confirmation(http, slug, booking_id)
    assert "<h1>Cancelled</h1>" in page
    assert "You're booked" not in page
    assert "token=" not in page  # no links to change a cancelled booking
    assert "Join" not in page

    moving = await http.get(path_of(booking["reschedule_url"]))
    assert moving.status_code == 200
    assert "<h1>This booking can't be moved</h1>" in moving.text
    assert "data-reschedule-url" not in moving.text

    token = str(booking["cancel_url"]).split("token=")[1]
    api = await http.post(f"/api/v1/public/bookings/{booking_id}/cancel", json={"token": token})
    assert api.status_code == 200
    assert api.json()["status"] == "cancelled"


async def _login_form(http: httpx2.AsyncClient) -> str:
    """Any page with this browser's (anonymous) CSRF token."""
    page = await http.get("/login")
    assert page.status_code == 200
    return page.text


async def test_a_cancel_without_a_valid_form_is_refused(
    http: httpx2.AsyncClient, page_host: PageHost
) -> None:
    booking = await book_first_slot(http, page_host.link.slug)
    booking_id = str(booking["id"])
    token = str(booking["cancel_url"]).split("token=")[1]
    page = await http.get(path_of(booking["cancel_url"]))
    csrf = csrf_from(page.text)

    missing = await http.post(f"/bookings/{booking_id}/cancel", data={"token": token})
    assert missing.status_code == 403
    assert missing.headers["content-type"].startswith("text/html")
    async with httpx2.AsyncClient(base_url=str(http.base_url), timeout=30) as stranger:
        # a token issued to another browser (its anonymous cookie) doesn't carry over
        stolen = await stranger.post(
            f"/bookings/{booking_id}/cancel", data={"token": token, "csrf_token": csrf}
        )
        assert stolen.status_code == 403
    forged = await http.post(
        f"/bookings/{booking_id}/cancel",
        data={"token": token, "csrf_token": csrf},
        headers={"Origin": "https://evil.example"},
    )
    assert forged.status_code == 403
    wrong_token = await http.post(
        f"/bookings/{booking_id}/cancel", data={"token": "nope", "csrf_token": csrf}
    )
    assert wrong_token.status_code == 404
    assert "This link doesn&#39;t work (any more)" in wrong_token.text

    assert "You're booked" in await confirmation(http, page_host.link.slug, booking_id)


async def test_the_reschedule_page_moves_the_booking_with_its_token(
    http: httpx2.AsyncClient, page_host: PageHost
) -> None:
    booking = await book_first_slot(http, page_host.link.slug, timezone="America/New_York")
    slug, booking_id = page_host.link.slug, str(booking["id"])
    moving = await http.get(path_of(booking["reschedule_url"]))
    url = attribute(moving.text, "data-reschedule-url")
    token = attribute(moving.text, "data-reschedule-token")
    day = str(booking["start"])[:10]
    slots = await http.get(
        f"/api/v1/public/links/{slug}/slots",
        params={"start": day, "end": day, "timezone": "America/New_York"},
    )
    new_start = slots.json()["slots"][2]["start"]

    taken = await http.post(
        url, json={"token": token, "start": booking["start"], "timezone": "America/New_York"}
    )
    assert taken.status_code == 422  # its own current time is no new time
    moved = await http.post(url, json={"token": token, "start": new_start, "timezone": "America/New_York"})
    assert moved.status_code == 200, moved.text
    assert moved.json()["id"] == booking_id
    assert moved.json()["start"] == new_start

    page = await http.get(
        f"/book/{slug}/confirmed/{booking_id}", params={"tz": "America/New_York", "moved": "1"}
    )
    assert "Your booking is moved" in page.text
    assert new_start[11:16] in page.text
    again = await http.get(path_of(booking["reschedule_url"]))
    assert new_start[11:16] in again.text.split("Your current time:")[1].split("</p>")[0]


async def test_the_host_cancels_from_the_calendar(
    http: httpx2.AsyncClient,
    browser: httpx2.AsyncClient,
    live_server: LiveServer,
    page_host: PageHost,
    other_host: PageHost,
) -> None:
    booking = await book_first_slot(http, page_host.link.slug, name="Ivy Invitee")
    booking_id = str(booking["id"])
    calendar = await browser.get("/calendar")
    assert f'action="/calendar/bookings/{booking_id}/cancel"' in calendar.text
    assert f'<label for="reason-{booking_id}">' in calendar.text
    assert 'id="cancelled-title"' not in calendar.text

    async with httpx2.AsyncClient(base_url=live_server.url, timeout=30) as stranger:
        await log_in(stranger, other_host)
        csrf = csrf_from((await stranger.get("/calendar")).text)
        refused = await stranger.post(f"/calendar/bookings/{booking_id}/cancel", data={"csrf_token": csrf})
        assert refused.status_code == 404  # another host's booking looks absent
    no_csrf = await browser.post(f"/calendar/bookings/{booking_id}/cancel", data={"reason": "x"})
    assert no_csrf.status_code == 403
    assert "You're booked" in await confirmation(http, page_host.link.slug, booking_id)

    sent = await browser.post(
        f"/calendar/bookings/{booking_id}/cancel",
        data={"csrf_token": csrf_from(calendar.text), "reason": "I'm ill, sorry."},
    )
    assert sent.status_code == 303
    assert sent.headers["location"] == "/calendar"
    after = await browser.get("/calendar")
    assert "Cancelled “Hana Host&#39;s intro call” with Ivy Invitee." in after.text  # the flash
    cancelled = after.text.split('id="cancelled-title"')[1]
    assert booking_id in cancelled
    assert "by you" in cancelled
    assert "I&#39;m ill, sorry." in cancelled
    upcoming = after.text.split('id="upcoming-title"')[1].split('id="cancelled-title"')[0]
    assert booking_id not in upcoming
    assert "No upcoming bookings" in upcoming

    invitee_view = await http.get(path_of(booking["cancel_url"]))
    assert "Hana Host cancelled this booking" in invitee_view.text
    assert "I&#39;m ill, sorry." in invitee_view.text
    assert "<h1>Cancelled</h1>" in await confirmation(http, page_host.link.slug, booking_id)


async def test_the_calendar_shows_upcoming_cancelled_and_past_apart(
    http: httpx2.AsyncClient,
    live_server: LiveServer,
    page_host: PageHost,
    live_clock: FixedClock,
) -> None:
    slug = page_host.link.slug
    soon = await book_first_slot(http, slug, name="Paula Past")
    dropped = await book_first_slot(http, slug, name="Carl Cancelled", email="carl@example.test")
    day = (live_clock.now() + timedelta(days=10)).date().isoformat()
    slots = await http.get(f"/api/v1/public/links/{slug}/slots", params={"start": day, "end": day})
    later = await http.post(
        f"/api/v1/public/links/{slug}/bookings",
        json={
            "start": slots.json()["slots"][0]["start"],
            "name": "Uma Upcoming",
            "email": "uma@example.test",
            "timezone": "UTC",
        },
    )
    assert later.status_code == 201, later.text
    assert (await cancel(http, dropped["cancel_url"], reason="Double-booked")).status_code == 303

    live_clock.advance(timedelta(days=5))  # the first booking's meeting has passed
    async with httpx2.AsyncClient(base_url=live_server.url, timeout=30) as host_browser:
        await log_in(host_browser, page_host)  # a fresh session: the first one idled out meanwhile
        page = (await host_browser.get("/calendar")).text
    upcoming = page.split('id="upcoming-title"')[1].split('id="cancelled-title"')[0]
    cancelled = page.split('id="cancelled-title"')[1].split('id="past-title"')[0]
    past = page.split('id="past-title"')[1]
    assert "Uma Upcoming" in upcoming
    assert ">Cancel</summary>" in upcoming  # the host's cancel control
    assert "Carl Cancelled" in cancelled
    assert "by Carl Cancelled" in cancelled
    assert "Double-booked" in cancelled
    assert "/cancel" not in cancelled
    assert "Paula Past" in past
    assert "/cancel" not in past
    assert "Paula Past" not in upcoming + cancelled
    assert "Carl Cancelled" not in upcoming + past
    assert "Uma Upcoming" not in cancelled + past

    stale = await http.get(path_of(soon["cancel_url"]))
    assert stale.status_code == 404  # the meeting has passed: its links are dead
    assert "This link doesn&#39;t work (any more)" in stale.text
    confirmed = await confirmation(http, slug, str(soon["id"]))
    assert "token=" not in confirmed  # nor offered any more
