"""The "Why isn't a time offered?" page over HTTP: linked from the link's edit page, each time of the
day with its reasons in plain words (Outlook busy time with its subject); another host's link is
404, a bad date 422, and logged out goes to log in. The browser check is in
test_troubleshoot_page_browser.py."""

from datetime import UTC, datetime, timedelta

import httpx2

from tests.integration.web.conftest import PageHost
from tests.support.builders import make_link, service_context
from tests.support.calendars import MicrosoftHarness, connect
from tests.support.sandbox import SandboxControl
from tests.support.server import LiveServer
from workestra.clock import SystemClock
from workestra.services.booking_links import LinkView
from workestra.services.users import get_host

DAY = (SystemClock().now() + timedelta(days=5)).date()
NINE_TO_FIVE = {day: [("09:00", "17:00")] for day in ("monday", "tuesday", "wednesday", "thursday", "friday")}
NINE_TO_FIVE |= {day: [("09:00", "17:00")] for day in ("saturday", "sunday")}


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(DAY.year, DAY.month, DAY.day, hour, minute, tzinfo=UTC)


async def outlook_link(live_server: LiveServer, sandbox: SandboxControl, page_host: PageHost) -> LinkView:
    """The page host, connected to Outlook (a busy "Roadmap review" 10:00-11:00 UTC), with a link on it."""
    microsoft = MicrosoftHarness()
    await sandbox.create_microsoft_user(email=microsoft.email, display_name=page_host.name)
    await sandbox.set_auto_consent(microsoft.email)
    async with service_context(live_server.settings) as ctx:
        host = await get_host(ctx, page_host.id)
        assert host is not None
        await connect(ctx, host, microsoft)
        link = await make_link(
            ctx,
            host,
            title="Outlook intro",
            timezone="UTC",
            weekly_hours=NINE_TO_FIVE,
            calendar_provider="microsoft",
            buffer_after_minutes=15,
        )
    await sandbox.seed_microsoft_event(microsoft.email, subject="Roadmap review", start=at(10), end=at(11))
    return link


async def test_the_day_view_shows_each_reason_in_words(
    live_server: LiveServer, sandbox: SandboxControl, page_host: PageHost, browser: httpx2.AsyncClient
) -> None:
    link = await outlook_link(live_server, sandbox, page_host)
    edit = await browser.get(f"/settings/booking-links/{link.id}")
    assert f'href="/settings/booking-links/{link.id}/availability"' in edit.text

    response = await browser.get(
        f"/settings/booking-links/{link.id}/availability", params={"date": DAY.isoformat()}
    )

    assert response.status_code == 200, response.text
    html = response.text
    assert "Busy in Outlook 10:00–11:00: Roadmap review" in html
    assert "Buffer: too close to busy time in Outlook 10:00–11:00: Roadmap review" in html  # 09:30
    assert "00:00–09:00" in html  # the night before the hours is one line
    assert "17:00–24:00" in html
    assert "Outside the link&#39;s weekly hours" in html
    assert html.count("Not offered") >= 4
    assert "Available" in html


async def test_another_hosts_link_is_404_and_a_bad_date_422(
    live_server: LiveServer, page_host: PageHost, other_host: PageHost, browser: httpx2.AsyncClient
) -> None:
    theirs = await browser.get(
        f"/settings/booking-links/{other_host.link.id}/availability", params={"date": DAY.isoformat()}
    )
    assert theirs.status_code == 404
    mine = f"/settings/booking-links/{page_host.link.id}/availability"
    bad = await browser.get(mine, params={"date": "soon"})
    assert bad.status_code == 422
    assert "YYYY-MM-DD" in bad.text
    today = await browser.get(mine)
    assert today.status_code == 200  # no date: today


async def test_logged_out_is_sent_to_log_in(live_server: LiveServer, page_host: PageHost) -> None:
    async with httpx2.AsyncClient(base_url=live_server.url) as anonymous:
        response = await anonymous.get(f"/settings/booking-links/{page_host.link.id}/availability")
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")
