"""A team admin's round-robin link through the link form, without JavaScript: the teams they administer,
their active members as the pool (checkboxes) with each one's priority, weight and daily limit, the
bookings each has had, and each problem beside the member or the field it is about."""

import html as html_lib
import re
from dataclasses import dataclass

import httpx2

from tests.integration.web.conftest import PageHost, book_first_slot, csrf_of
from tests.integration.web.test_booking_links_pages import link_form
from tests.integration.web.test_link_form_fields import field_error, input_tag, summary_links
from tests.support.builders import make_host, service_context
from tests.support.server import LiveServer
from tests.support.teams import make_team
from workestra.services.booking_links import LinkView, RotationView, get_link
from workestra.services.teams import invite
from workestra.services.users import Host, get_host

NEW = "/settings/booking-links/new"
LINKS = "/settings/booking-links"


@dataclass(frozen=True)
class Teams:
    sales: str  # page_host administers it: page_host, Ann and Ben active, Ivy invited
    support: str  # page_host is only a member
    ann: str
    ben: str
    ivy: str
    me: str


async def _host(live_server: LiveServer, host_id: str) -> Host:
    async with service_context(live_server.settings) as ctx:
        host = await get_host(ctx, host_id)
    assert host is not None
    return host


async def make_teams(live_server: LiveServer, page_host: PageHost) -> Teams:
    async with service_context(live_server.settings) as ctx:
        me = await get_host(ctx, page_host.id)
        assert me is not None
        _, ann = await make_host(ctx, name="Ann Archer")
        _, ben = await make_host(ctx, name="Ben Baker")
        _, ivy = await make_host(ctx, name="Ivy Invited")
        _, sue = await make_host(ctx, name="Sue Support")
        sales = await make_team(ctx, me, [ann, ben], name="Sales")
        await invite(ctx, me, sales.id, ivy.email)
        support = await make_team(ctx, sue, [me], name="Support")
    return Teams(sales.id, support.id, ann.email, ben.email, ivy.email, me.email)


def select_tag(html: str, element_id: str) -> str:
    found = re.search(rf'<select id="{element_id}".*?</select>', html, re.S)
    assert found, element_id
    return found.group(0)


def pool_rows(html: str, team_id: str) -> dict[str, int]:
    """Each listed member's row number in the team's pool, by email."""
    rows = re.findall(rf'name="pool-{team_id}-(\d+)-email" value="([^"]+)"', html)
    return {email: int(number) for number, email in rows}


def pool_form(
    team_id: str, rows: dict[str, int], settings: dict[str, dict[str, str]]
) -> dict[str, str | list[str]]:
    """The pool as posted: members named in ``settings`` checked, with those settings."""
    data: dict[str, str | list[str]] = {"team_id": team_id}
    for email, number in rows.items():
        prefix = f"pool-{team_id}-{number}"
        data[f"{prefix}-email"] = email
        chosen = settings.get(email)
        if chosen is not None:
            data[prefix] = "on"
        for part, default in (("priority", "2"), ("weight", "1"), ("daily_limit", "")):
            data[f"{prefix}-{part}"] = (chosen or {}).get(part, default)
    return data


def every_day() -> dict[str, str | list[str]]:
    days = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
    return {
        **{f"{day}_start": ["09:00"] for day in days},
        **{f"{day}_end": ["17:00"] for day in days},
    }


def rotation_of(view: LinkView) -> dict[str, RotationView]:
    assert view.rotation is not None
    return {r.email: r for r in view.rotation}


async def saved(live_server: LiveServer, host_id: str, link_id: str) -> LinkView:
    host = await _host(live_server, host_id)
    async with service_context(live_server.settings) as ctx:
        return await get_link(ctx, host, link_id)


async def created_link_id(browser: httpx2.AsyncClient, title: str) -> str:
    listing = (await browser.get(LINKS)).text
    found = re.search(rf'href="/settings/booking-links/([0-9a-f-]{{36}})">{re.escape(title)}<', listing)
    assert found, listing
    return found.group(1)


async def test_the_form_offers_the_teams_the_host_administers_and_their_active_members(
    browser: httpx2.AsyncClient, live_server: LiveServer, page_host: PageHost
) -> None:
    teams = await make_teams(live_server, page_host)
    html = (await browser.get(NEW)).text
    select = select_tag(html, "team_id")
    options = re.findall(r'<option value="([^"]*)"( selected)?>([^<]+)</option>', select)
    assert options == [("", " selected", "None: a personal link"), (teams.sales, "", "Sales")]
    assert teams.support not in select  # only a member there

    rows = pool_rows(html, teams.sales)
    assert set(rows) == {teams.me, teams.ann, teams.ben}  # Ivy hasn't accepted
    for number in rows.values():
        assert " checked" in input_tag(html, f"pool-{teams.sales}-{number}")  # all, for a new link
        assert 'value="2" selected>Medium<' in html
    ann = rows[teams.ann]
    assert re.search(
        rf'<label for="pool-{teams.sales}-{ann}">Ann Archer <span class="member-email">{teams.ann}</span>',
        html,
    )
    for part, words in (("priority", "Priority"), ("weight", "Weight"), ("daily_limit", "Daily limit")):
        assert (
            f'<label for="pool-{teams.sales}-{ann}-{part}">{words}'
            '<span class="visually-hidden"> for Ann Archer</span></label>'
        ) in html
    assert "Rotation count" in html
    assert 'name="round_robin_members"' not in html  # no more free-text list of any addresses
    assert "A team link doesn't use this: each member's own connected calendar is checked" in html


async def test_a_round_robin_link_made_from_the_form_and_its_rotation_edited_keeps_the_bookings(
    browser: httpx2.AsyncClient, live_server: LiveServer, page_host: PageHost
) -> None:
    teams = await make_teams(live_server, page_host)
    token = await csrf_of(browser, NEW)
    rows = pool_rows((await browser.get(NEW)).text, teams.sales)
    pool = {teams.ann: {"priority": "4", "weight": "3", "daily_limit": "5"}, teams.ben: {}}
    form = link_form(token, title="Sales call", **every_day(), **pool_form(teams.sales, rows, pool))
    response = await browser.post(LINKS, data=form)
    assert response.status_code == 303, response.text
    listing = (await browser.get(LINKS)).text
    assert "Round-robin: Sales · 2 in the pool" in listing
    assert "Calendars: each member's own" in listing

    link_id = await created_link_id(browser, "Sales call")
    view = await saved(live_server, page_host.id, link_id)
    assert (view.team_id, view.round_robin) == (teams.sales, True)
    assert view.round_robin_members == [teams.ann, teams.ben]  # I left myself out
    stored = rotation_of(view)
    assert (stored[teams.ann].priority, stored[teams.ann].weight, stored[teams.ann].daily_limit) == (4, 3, 5)
    assert (stored[teams.ben].priority, stored[teams.ben].weight, stored[teams.ben].daily_limit) == (
        2,
        1,
        None,
    )

    async with httpx2.AsyncClient(base_url=live_server.url, timeout=30) as invitee:
        await book_first_slot(invitee, str(form["slug"]))
    before = {
        email: r.bookings for email, r in rotation_of(await saved(live_server, page_host.id, link_id)).items()
    }
    assert sorted(before.values()) == [0, 1]
    booked = next(email for email, count in before.items() if count == 1)

    path = f"{LINKS}/{link_id}"
    edit = (await browser.get(path)).text
    rows = pool_rows(edit, teams.sales)
    assert list(rows) == [teams.ann, teams.ben, teams.me]  # the pool first, in its order
    ann = rows[teams.ann]
    assert 'value="4" selected>Highest<' in select_tag(edit, f"pool-{teams.sales}-{ann}-priority")
    assert 'value="5"' in input_tag(edit, f"pool-{teams.sales}-{ann}-daily_limit")
    assert " checked" not in input_tag(edit, f"pool-{teams.sales}-{rows[teams.me]}")  # not in the pool
    assert re.search(
        r"Rotation count<span class=\"visually-hidden\"> for [^<]+</span>: <strong>1</strong>", edit
    )
    assert '<option value="">' not in select_tag(edit, "team_id")  # a team link stays a team link

    changed = {
        teams.ann: {"priority": "0", "weight": "2", "daily_limit": ""},
        teams.ben: {"priority": "3", "weight": "2", "daily_limit": "2"},
    }
    form = link_form(
        await csrf_of(browser, path),
        slug=str(form["slug"]),
        title="Sales call",
        **every_day(),
        **pool_form(teams.sales, rows, changed),
    )
    response = await browser.post(path, data=form)
    assert response.status_code == 303, response.text
    after = rotation_of(await saved(live_server, page_host.id, link_id))
    assert after[booked].bookings == 1  # the rotation's count survives the edit
    assert (after[teams.ann].priority, after[teams.ann].weight, after[teams.ann].daily_limit) == (0, 2, None)
    assert (after[teams.ben].priority, after[teams.ben].weight, after[teams.ben].daily_limit) == (3, 2, 2)
    assert re.search(
        r"Rotation count<span class=\"visually-hidden\"> for [^<]+</span>: <strong>1</strong>",
        (await browser.get(path)).text,
    )


async def test_problems_are_shown_beside_the_member_the_pool_or_the_team(
    browser: httpx2.AsyncClient, live_server: LiveServer, page_host: PageHost
) -> None:
    teams = await make_teams(live_server, page_host)
    token = await csrf_of(browser, NEW)
    rows = pool_rows((await browser.get(NEW)).text, teams.sales)
    ann = rows[teams.ann]

    bad = {teams.ann: {"weight": "0", "daily_limit": "lots"}, teams.ben: {}}
    response = await browser.post(LINKS, data=link_form(token, **pool_form(teams.sales, rows, bad)))
    assert response.status_code == 422
    html = response.text
    weight, limit = f"pool-{teams.sales}-{ann}-weight", f"pool-{teams.sales}-{ann}-daily_limit"
    assert field_error(html, weight) == f"The weight for {teams.ann} must be a whole number from 1 to 100."
    assert field_error(html, limit) == (
        f"The daily limit for {teams.ann} must be a whole number from 1 to 1000, or empty for no limit."
    )
    for element_id in (weight, limit):
        tag = input_tag(html, element_id)
        assert 'aria-invalid="true"' in tag, tag
        assert f'aria-describedby="{element_id}-error"' in tag, tag
    assert [anchor for anchor, _ in summary_links(html)] == [weight, limit]
    assert 'value="lots"' in input_tag(html, limit)  # as typed
    assert " checked" not in input_tag(html, f"pool-{teams.sales}-{rows[teams.me]}")

    nobody = link_form(token, **pool_form(teams.sales, rows, {}))
    response = await browser.post(LINKS, data=nobody)
    assert response.status_code == 422
    assert field_error(response.text, "round_robin_members") == "Check at least one member for the pool."
    assert summary_links(response.text) == [
        (f"pool-{teams.sales}-1", "Check at least one member for the pool.")
    ]
    first = input_tag(response.text, f"pool-{teams.sales}-1")
    assert 'aria-describedby="round_robin_members-error"' in first

    # The service's word: an address that isn't an active member (Ivy hasn't accepted) ...
    with_ivy = pool_form(teams.sales, {**rows, teams.ivy: len(rows) + 1}, {teams.ivy: {}, teams.ann: {}})
    response = await browser.post(LINKS, data=link_form(token, **with_ivy))
    assert response.status_code == 422
    message = field_error(response.text, "round_robin_members")
    assert message is not None
    assert message.startswith(f"{teams.ivy} is not an active member of the team")
    # ... and a team the host isn't an admin of.
    response = await browser.post(LINKS, data=link_form(token, team_id=teams.support))
    assert response.status_code == 422
    assert field_error(response.text, "team_id") == "Choose one of the teams you are an admin of."
    assert 'aria-invalid="true"' in input_tag(response.text, "team_id")
    assert (
        html_lib.unescape(summary_links(response.text)[0][1])
        == "Choose one of the teams you are an admin of."
    )
