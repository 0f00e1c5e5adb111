"""The Connected Accounts card's "Calendars" form over HTTP: the calendars to check, where bookings
go and the busy rules (Microsoft only), saved with CSRF; a refusal is a message, nothing changes."""

import re

import httpx2

from tests.integration.web.conftest import PageHost, csrf_from
from tests.support.builders import service_context
from tests.support.microsoft import MS, connect_microsoft, register_app
from tests.support.sandbox import SandboxControl
from tests.support.server import LiveServer
from workestra.calendars.busy_rules import BusyRules
from workestra.services.connections import list_connections
from workestra.services.users import get_host

ALICE = "hana@contoso.test"
ACCOUNTS = "/settings/connected-accounts"


async def _connect(live_server: LiveServer, sandbox: SandboxControl, page_host: PageHost) -> str:
    await register_app(sandbox, live_server.settings.base_url)
    await sandbox.create_microsoft_user(email=ALICE, display_name="Hana Host")
    team = await sandbox.add_microsoft_calendar(ALICE, "Team")
    await sandbox.add_microsoft_calendar(ALICE, "Boss", can_edit=False)
    async with service_context(live_server.settings) as ctx:
        host = await get_host(ctx, page_host.id)
        assert host is not None
        await connect_microsoft(ctx, host, sandbox, email=ALICE)
    return team


async def _card(
    live_server: LiveServer, page_host: PageHost
) -> tuple[list[tuple[str, bool, bool]], BusyRules | None]:
    async with service_context(live_server.settings) as ctx:
        host = await get_host(ctx, page_host.id)
        assert host is not None
        view = next(v for v in await list_connections(ctx, host) if v.provider is MS)
    return [(c.name, c.check_conflicts, c.destination) for c in view.calendars or ()], view.busy_rules


async def test_the_card_offers_the_calendars_and_busy_rules(
    browser: httpx2.AsyncClient, live_server: LiveServer, sandbox: SandboxControl, page_host: PageHost
) -> None:
    await _connect(live_server, sandbox, page_host)

    html = (await browser.get(ACCOUNTS)).text

    form = html[html.index('action="/integrations/microsoft/calendars"') :]
    form = form[: form.index("</form>")]
    assert "<legend>Check these calendars for conflicts</legend>" in form
    assert len(re.findall(r'type="checkbox" name="conflict"', form)) == 3
    assert re.search(r'name="conflict" value="[^"]+" id="microsoft-conflict-1"[^>]*checked', form)
    assert '<label for="microsoft-destination">Add new bookings to</label>' in form
    options = re.findall(r"<option [^>]*>([^<]+)</option>", form)
    assert options == ["Calendar (primary)", "Team"]  # a calendar you can only read isn't offered
    assert "<legend>What counts as busy</legend>" in form
    assert re.search(r'name="tentative_blocks" id="microsoft-tentative"[^>]*checked', form)
    assert not re.search(r'name="working_elsewhere_blocks"[^>]*checked', form)
    assert 'name="csrf_token"' in form
    assert 'action="/integrations/google/calendars"' not in html  # not connected: no form


async def test_saving_the_form_changes_the_choice(
    browser: httpx2.AsyncClient, live_server: LiveServer, sandbox: SandboxControl, page_host: PageHost
) -> None:
    team = await _connect(live_server, sandbox, page_host)
    token = csrf_from((await browser.get(ACCOUNTS)).text)

    saved = await browser.post(
        "/integrations/microsoft/calendars",
        data={
            "csrf_token": token,
            "conflict": [team],
            "destination": team,
            "busy_rules": "1",
            "working_elsewhere_blocks": "on",
        },
    )

    assert saved.status_code == 303
    assert "Saved the calendars" in (await browser.get(ACCOUNTS)).text
    calendars, rules = await _card(live_server, page_host)
    assert calendars == [("Calendar", False, False), ("Team", True, True), ("Boss", False, False)]
    assert rules is not None
    assert (rules.tentative_blocks, rules.working_elsewhere_blocks) == (False, True)


async def test_a_refused_choice_is_a_message_and_nothing_changes(
    browser: httpx2.AsyncClient, live_server: LiveServer, sandbox: SandboxControl, page_host: PageHost
) -> None:
    await _connect(live_server, sandbox, page_host)
    before = await _card(live_server, page_host)
    token = csrf_from((await browser.get(ACCOUNTS)).text)

    nothing = await browser.post("/integrations/microsoft/calendars", data={"csrf_token": token})
    assert nothing.status_code == 303
    assert "Choose at least one calendar" in (await browser.get(ACCOUNTS)).text
    forged = await browser.post("/integrations/microsoft/calendars", data={"conflict": ["x"]})
    assert forged.status_code in {400, 403}
    assert await _card(live_server, page_host) == before
