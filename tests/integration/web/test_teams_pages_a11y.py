"""The Teams pages in Chromium, in each state a host meets them, at desktop width and at 320 px: no axe
violations (WCAG 2.1 A and AA) and nothing scrolls sideways; the main actions are reached by Tab.

Pages: /settings/teams (empty, the create form with an error, invitations and teams), a team's page
(as its admin with active and invited members and an error flash, as a member), the emailed
invitation link's page and the page for a link that isn't the signed-in account's."""

import re

import pytest
from playwright.async_api import Page, expect

from tests.integration.web.conftest import PageHost
from tests.integration.web.test_host_pages_a11y import audit, keyboard_problems, log_in, script_errors
from tests.support.browser import browser, page, page_errors
from tests.support.builders import make_host, service_context, unique
from tests.support.server import LiveServer
from tests.support.smtp import SmtpSink
from workestra.services.teams import accept, create_team, invite
from workestra.services.users import get_host

__all__ = ["browser", "page", "page_errors"]

pytestmark = pytest.mark.browser

LONG_ADDRESS = "a-rather-long-address-for-a-narrow-screen@sales-department.example.test"


async def test_the_teams_list_the_create_form_and_invitations(
    live_server: LiveServer, page_host: PageHost, other_host: PageHost, page: Page, page_errors: list[str]
) -> None:
    await log_in(page, live_server, page_host.email, "/settings/teams")
    await expect(page.get_by_text("You aren't in any team yet.")).to_be_visible()
    problems = await audit(page, "teams, empty")
    create = page.get_by_role("button", name="Create team")
    problems += await keyboard_problems(
        page,
        "teams, empty",
        {
            "Teams nav": page.get_by_role("link", name="Teams", exact=True),
            "Name": page.get_by_label("Name"),
            "Create": create,
        },
    )
    await page.get_by_label("Name").fill("Sales")
    await page.get_by_label("Slug").fill("not-a-slug-")
    await page.get_by_label("Slug").evaluate("el => el.removeAttribute('pattern')")  # the server's check
    await create.click()
    slug = page.get_by_label("Slug")
    await expect(slug).to_have_attribute("aria-invalid", "true")
    problems += await audit(page, "teams, create form with an error")

    async with service_context(live_server.settings) as ctx:
        theirs = await get_host(ctx, other_host.id)
        mine = await get_host(ctx, page_host.id)
        assert theirs is not None
        assert mine is not None
        for name in ("Support with a fairly long team name for narrow screens", "Partners"):
            team = await create_team(ctx, theirs, slug=unique("team"), name=name)
            await invite(ctx, theirs, team.id, page_host.email)
        joined = await create_team(ctx, theirs, slug=unique("team"), name="Field sales")
        await invite(ctx, theirs, joined.id, page_host.email)
        await accept(ctx, mine, joined.id)
    await page.reload()
    accept_button = page.get_by_role("button", name="Accept the invitation to Partners")
    await expect(accept_button).to_be_visible()
    problems += await audit(page, "teams with invitations and a team")
    problems += await keyboard_problems(
        page,
        "teams with invitations",
        {"Accept": accept_button, "Team link": page.get_by_role("link", name="Field sales")},
    )
    await accept_button.click()
    await expect(page.get_by_role("status")).to_contain_text("You joined “Partners”")
    problems += await audit(page, "a team just joined, with its flash")
    assert not problems, "\n".join(problems)
    assert script_errors(page_errors) == []


async def test_a_teams_page_as_admin_and_as_member(
    live_server: LiveServer, page_host: PageHost, other_host: PageHost, page: Page, page_errors: list[str]
) -> None:
    async with service_context(live_server.settings) as ctx:
        admin = await get_host(ctx, page_host.id)
        member = await get_host(ctx, other_host.id)
        assert admin is not None
        assert member is not None
        team = await create_team(ctx, admin, slug=unique("team"), name="Sales")
        await invite(ctx, admin, team.id, member.email)
        await accept(ctx, member, team.id)
        await invite(ctx, admin, team.id, LONG_ADDRESS)
    await log_in(page, live_server, page_host.email, f"/settings/teams/{team.id}")
    await expect(page.get_by_role("heading", name="Sales", exact=True)).to_be_visible()
    problems = await audit(page, "team page, admin")
    problems += await keyboard_problems(
        page,
        "team page, admin",
        {
            "Make admin": page.get_by_role("button", name=f"Make {member.email} an admin"),
            "Withdraw": page.get_by_role("button", name=f"Withdraw the invitation of {LONG_ADDRESS}"),
            "Email": page.get_by_label("Email"),
            "Send invitation": page.get_by_role("button", name="Send invitation"),
            "Leave": page.get_by_role("button", name="Leave Sales"),
        },
    )
    await page.get_by_role("button", name="Leave Sales").click()
    await expect(page.get_by_role("alert")).to_contain_text("only admin")
    problems += await audit(page, "team page, an error flash")
    await page.get_by_label("Email").fill("not an address")
    await page.get_by_label("Email").evaluate("el => el.type = 'text'")  # the server's check
    await page.get_by_role("button", name="Send invitation").click()
    await expect(page.get_by_label("Email")).to_have_attribute("aria-invalid", "true")
    problems += await audit(page, "team page, the invite form with an error")

    await page.context.clear_cookies()
    await log_in(page, live_server, other_host.email, f"/settings/teams/{team.id}")
    await expect(page.get_by_text("you are a member.")).to_be_visible()
    problems += await audit(page, "team page, member")
    assert not problems, "\n".join(problems)
    assert script_errors(page_errors) == []


async def test_the_emailed_invitation_page_and_the_page_for_another_address(
    live_server: LiveServer, smtp_sink: SmtpSink, page_host: PageHost, page: Page, page_errors: list[str]
) -> None:
    async with service_context(live_server.settings) as ctx:
        admin = await get_host(ctx, page_host.id)
        assert admin is not None
        _, invitee = await make_host(ctx, name="Ines Invitee", password=page_host.password)
        _, outsider = await make_host(ctx, name="Olga Outsider", password=page_host.password)
        team = await create_team(ctx, admin, slug=unique("team"), name="Sales")
        await invite(ctx, admin, team.id, invitee.email)
    text = (await smtp_sink.message_to(invitee.email)).get_body(("plain",))
    assert text is not None
    match = re.search(r"http://\S+/teams/invitations/\S+", text.get_content())
    assert match
    path = match.group(0).removeprefix(live_server.url)

    await log_in(page, live_server, outsider.email, path)
    await expect(page.get_by_role("heading", name="This invitation is for another address")).to_be_visible()
    problems = await audit(page, "invitation for another address")

    await page.context.clear_cookies()
    await log_in(page, live_server, invitee.email, path)
    accept_button = page.get_by_role("button", name="Accept")
    await expect(page.get_by_role("heading", name="Join Sales?")).to_be_visible()
    problems += await audit(page, "invitation")
    problems += await keyboard_problems(
        page, "invitation", {"Accept": accept_button, "Decline": page.get_by_role("button", name="Decline")}
    )
    await accept_button.click()
    await expect(page.get_by_role("status")).to_contain_text("You joined “Sales”")
    await expect(page.get_by_text("you are a member.")).to_be_visible()
    assert not problems, "\n".join(problems)
    assert script_errors(page_errors) == []
