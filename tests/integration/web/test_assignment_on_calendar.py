"""The decision on record is on the hosts' /calendar: the team's admin and the chosen rep see who
got a round-robin booking and why, and what was known of each rep then."""

import html

import httpx2

from tests.integration.web.conftest import PASSWORD, PageHost, log_in
from tests.support.builders import ALL_WEEK, make_host, make_link, service_context
from tests.support.calendars import at, booked
from tests.support.server import LiveServer
from tests.support.teams import make_team
from workestra.services.booking_links import LinkInput, RotationInput, update_link


async def test_the_lead_and_the_rep_see_who_got_the_booking_and_why(live_server: LiveServer) -> None:
    async with service_context(live_server.settings) as ctx:
        _, lead = await make_host(ctx, name="Lea Lead", password=PASSWORD, timezone="UTC")
        _, ann = await make_host(ctx, name="Ann Rep", password=PASSWORD, timezone="UTC")
        _, ben = await make_host(ctx, name="Ben Rep", password=PASSWORD, timezone="UTC")
        team = await make_team(ctx, lead, [ann, ben])
        link = await make_link(
            ctx,
            lead,
            timezone="UTC",
            weekly_hours=ALL_WEEK,
            team_id=team.id,
            round_robin_members=[ann.email, ben.email],
        )
        await update_link(ctx, lead, link.id, LinkInput(rotation=[RotationInput(ann.email, priority=4)]))
        made = await booked(ctx, link, at(9))
    assert made.host_email == ann.email
    pages = {}
    for who in (lead, ann):
        async with httpx2.AsyncClient(base_url=live_server.url, timeout=30) as browser:
            await log_in(browser, PageHost(who.id, who.name, who.email, PASSWORD, link))
            response = await browser.get("/calendar")
            assert response.status_code == 200
            pages[who.email] = html.unescape(response.text)
    lead_page, rep_page = pages[lead.email], pages[ann.email]
    assert "Why Ann Rep got this booking" in lead_page
    assert "Why you got this booking" in rep_page
    for page in (lead_page, rep_page):
        assert "Ann Rep: the highest priority among the reps who could take it." in page
        assert "Ann Rep — got it" in page
        assert "Ben Rep — not asked: due after the rep who got it" in page
