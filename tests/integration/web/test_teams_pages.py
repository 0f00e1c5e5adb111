"""The Teams pages through their real forms: create a team, invite (the same words whether or not an
address has an account), accept and decline on /settings/teams, remove, make admin and leave on the
team's page. The pages in Chromium (axe, 320 px) are in test_teams_pages_a11y.py."""

import re
from collections.abc import AsyncIterator

import httpx2
import pytest

from tests.integration.web.conftest import PageHost, csrf_from, log_in
from tests.support.builders import service_context, unique
from tests.support.server import LiveServer
from workestra.services.teams import get_team
from workestra.services.users import get_host

STRANGER = "nobody-here@example.test"


@pytest.fixture
async def other_browser(live_server: LiveServer, other_host: PageHost) -> AsyncIterator[httpx2.AsyncClient]:
    async with httpx2.AsyncClient(base_url=live_server.url, timeout=30) as client:
        await log_in(client, other_host)
        yield client


async def _post(client: httpx2.AsyncClient, page_path: str, action: str, **data: str) -> httpx2.Response:
    page = await client.get(page_path)
    assert page.status_code == 200, page.text
    return await client.post(action, data={**data, "csrf_token": csrf_from(page.text)})


async def _statuses(live_server: LiveServer, host: PageHost, team_id: str) -> dict[str, tuple[str, str]]:
    async with service_context(live_server.settings) as ctx:
        viewer = await get_host(ctx, host.id)
        assert viewer is not None
        team = await get_team(ctx, viewer, team_id)
    return {m.email: (m.role.value, m.status.value) for m in team.members}


async def test_a_team_from_creation_to_leaving_through_the_pages(
    live_server: LiveServer,
    browser: httpx2.AsyncClient,
    other_browser: httpx2.AsyncClient,
    page_host: PageHost,
    other_host: PageHost,
) -> None:
    slug = unique("sales")
    empty = await browser.get("/settings/teams")
    assert "You aren't in any team yet." in empty.text
    assert 'href="/settings/teams" aria-current="page">Teams</a>' in empty.text

    created = await _post(browser, "/settings/teams", "/settings/teams", slug=slug, name="Sales")
    assert created.status_code == 303, created.text
    team_path = created.headers["location"]
    team_id = team_path.rsplit("/", 1)[1]
    page = await browser.get(team_path)
    assert "Created the team “Sales”" in page.text
    assert "Send invitation" in page.text

    taken = await _post(browser, "/settings/teams", "/settings/teams", slug=slug, name="Sales again")
    assert taken.status_code == 409
    assert 'aria-describedby="slug-help slug-error" aria-invalid="true"' in taken.text
    assert "is already taken" in taken.text

    flashes = []
    for email in (other_host.email, STRANGER):
        invited = await _post(browser, team_path, f"{team_path}/members", email=email)
        assert invited.status_code == 303, invited.text
        flashes.append((await browser.get(team_path)).text)
    words = [re.search(r'role="status">([^<]*)<', f) for f in flashes]
    assert [w.group(1) if w else None for w in words] == [
        f"{other_host.email} is invited. They join once they accept on their own account.",
        f"{STRANGER} is invited. They join once they accept on their own account.",
    ]
    assert other_host.name not in flashes[-1]  # an invitee's account name is never shown
    bad = await _post(browser, team_path, f"{team_path}/members", email="not an address")
    assert bad.status_code == 422
    assert 'id="email-error"' in bad.text

    # The invitee sees the invitation on their Teams page and accepts it with its button.
    theirs = await other_browser.get("/settings/teams")
    assert "Invitations waiting for your answer" in theirs.text
    assert "Accept the invitation to Sales" in theirs.text
    assert (await other_browser.get(team_path)).status_code == 404  # not a member yet
    accepted = await _post(other_browser, "/settings/teams", f"{team_path}/accept")
    assert accepted.status_code == 303
    assert await _statuses(live_server, page_host, team_id) == {
        page_host.email: ("admin", "active"),
        other_host.email: ("member", "active"),
        STRANGER: ("member", "invited"),
    }
    member_view = await other_browser.get(team_path)
    assert "Send invitation" not in member_view.text  # members don't invite
    assert "Make admin" not in member_view.text

    # The only admin can't leave while a member remains; they make the member an admin first.
    refused = await _post(browser, team_path, f"{team_path}/leave")
    assert refused.status_code == 303
    assert "You are this team&#39;s only admin" in (await browser.get(team_path)).text
    promoted = await _post(
        browser, team_path, f"{team_path}/members/role", email=other_host.email, role="admin"
    )
    assert promoted.status_code == 303
    withdrawn = await _post(browser, team_path, f"{team_path}/members/remove", email=STRANGER)
    assert withdrawn.status_code == 303
    left = await _post(browser, team_path, f"{team_path}/leave")
    assert left.status_code == 303
    assert left.headers["location"] == "/settings/teams"
    assert await _statuses(live_server, other_host, team_id) == {other_host.email: ("admin", "active")}
    assert (await browser.get(team_path)).status_code == 404


async def test_declining_on_the_teams_page_and_removal_by_an_admin(
    live_server: LiveServer,
    browser: httpx2.AsyncClient,
    other_browser: httpx2.AsyncClient,
    page_host: PageHost,
    other_host: PageHost,
) -> None:
    first = await _post(browser, "/settings/teams", "/settings/teams", slug=unique("a"), name="Alpha")
    second = await _post(browser, "/settings/teams", "/settings/teams", slug=unique("b"), name="Beta")
    alpha, beta = first.headers["location"], second.headers["location"]
    for path in (alpha, beta):
        assert (await _post(browser, path, f"{path}/members", email=other_host.email)).status_code == 303

    declined = await _post(other_browser, "/settings/teams", f"{beta}/decline")
    assert declined.status_code == 303
    accepted = await _post(other_browser, "/settings/teams", f"{alpha}/accept")
    assert accepted.status_code == 303
    page = (await other_browser.get("/settings/teams")).text
    assert "Invitations waiting for your answer" not in page
    assert f'href="{alpha}">Alpha</a>' in page
    assert other_host.email not in await _statuses(live_server, page_host, beta.rsplit("/", 1)[1])

    removed = await _post(browser, alpha, f"{alpha}/members/remove", email=other_host.email)
    assert removed.status_code == 303
    assert f"{other_host.email} is no longer in the team" in (await browser.get(alpha)).text
    assert (await other_browser.get(alpha)).status_code == 404
