"""Disconnecting a calendar asks first: GET /integrations/{provider}/disconnect names the host's links
that will stop offering times (and their teams' round-robin links whose pool they are in), changes
nothing, and its button POSTs to the same address, which still disconnects. The page in Chromium
(axe, 320 px, the keyboard) is in test_host_pages_a11y.py."""

from html import escape

import httpx2

from tests.integration.web.conftest import PageHost, csrf_from
from tests.integration.web.test_microsoft_connection_pages import connect
from tests.support.builders import make_link, service_context
from tests.support.sandbox import SandboxControl
from tests.support.server import LiveServer
from tests.support.teams import make_team, team_link_pool
from workestra.services.connections import list_connections
from workestra.services.users import Host, get_host

CONFIRM = "/integrations/microsoft/disconnect"


async def _host(live_server: LiveServer, host_id: str) -> Host:
    async with service_context(live_server.settings) as ctx:
        host = await get_host(ctx, host_id)
    assert host is not None
    return host


async def _connected(live_server: LiveServer, host_id: str) -> set[str]:
    async with service_context(live_server.settings) as ctx:
        views = await list_connections(ctx, await _host(live_server, host_id))
    return {v.url_name for v in views if v.connected}


async def test_the_confirmation_names_the_links_and_the_post_still_disconnects(
    live_server: LiveServer,
    sandbox: SandboxControl,
    page_host: PageHost,
    other_host: PageHost,
    browser: httpx2.AsyncClient,
) -> None:
    await connect(browser, sandbox, "hana@contoso.test")
    host = await _host(live_server, page_host.id)
    async with service_context(live_server.settings) as ctx:
        outlook = await make_link(ctx, host, title="Outlook intro", calendar_provider="microsoft")
        teams = await make_link(ctx, host, title="Teams & demos", calendar_provider="microsoft")
        await make_link(ctx, host, title="Google sync", calendar_provider="google")
        theirs = await _host(live_server, other_host.id)
        await make_link(ctx, theirs, title="Their Outlook call", calendar_provider="microsoft")
        support = await make_team(ctx, theirs, [host], name="Support team")
        pool = await make_link(ctx, theirs, title="Support pool")
        await team_link_pool(ctx, pool.id, support.id, [theirs, host])

    page = await browser.get(CONFIRM)

    assert page.status_code == 200, page.text
    html = page.text
    assert "Disconnect Microsoft Calendar?" in html
    assert "hana@contoso.test" in html
    assert "2 booking links will stop offering times" in html
    for link in (outlook, teams):
        assert f'<a href="/settings/booking-links/{link.id}">{escape(link.title)}</a>' in html
        assert f"/book/{link.slug}" in html
    assert "Google sync" not in html  # another calendar
    assert page_host.link.title not in html  # no calendar
    assert "Their Outlook call" not in html  # another host's
    assert "Support pool" in html  # their team's round-robin link: offered from weekly hours alone
    assert "of the team Support team" in html
    assert "weekly hours alone" in html
    assert f'<form method="post" action="{CONFIRM}"' in html
    assert 'href="/settings/connected-accounts">Keep it connected</a>' in html
    assert await _connected(live_server, page_host.id) == {"microsoft"}  # the GET changed nothing

    gone = await browser.post(CONFIRM, data={"csrf_token": csrf_from(html)})

    assert gone.status_code == 303
    assert gone.headers["location"] == "/settings/connected-accounts"
    assert await _connected(live_server, page_host.id) == set()
    assert "Disconnected Microsoft Calendar." in (await browser.get("/settings/connected-accounts")).text
    again = await browser.get(CONFIRM)
    assert again.status_code == 200
    assert "Microsoft Calendar isn't connected, so there is nothing to disconnect." in again.text
    assert f'action="{CONFIRM}"' not in again.text


async def test_without_links_on_it_the_page_says_so(
    sandbox: SandboxControl, browser: httpx2.AsyncClient
) -> None:
    await connect(browser, sandbox, "hana@contoso.test")
    html = (await browser.get(CONFIRM)).text
    assert "None of your booking links uses Microsoft Calendar, so they all keep offering times." in html
    assert "Round-robin" not in html


async def test_an_unknown_calendar_is_404_and_logged_out_goes_to_log_in(
    browser: httpx2.AsyncClient, http: httpx2.AsyncClient
) -> None:
    assert (await browser.get("/integrations/outlook/disconnect")).status_code == 404
    logged_out = await http.get(CONFIRM)
    assert logged_out.status_code == 303
    assert logged_out.headers["location"] == "/login?next=/integrations/microsoft/disconnect"
