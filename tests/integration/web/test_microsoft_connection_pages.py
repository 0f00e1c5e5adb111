"""The Microsoft card through the real OAuth flow (sandbox auto-consent), and the Join button it leads to."""

import re
from html import escape
from typing import Literal

import httpx2

from tests.integration.web.conftest import PageHost, book_first_slot, csrf_of, log_in
from tests.support.builders import service_context
from tests.support.sandbox import SandboxControl
from tests.support.server import LiveServer
from tests.support.waiting import eventually
from workestra.services.booking_links import LinkInput, update_link
from workestra.services.users import get_host

ACCOUNTS = "/settings/connected-accounts"


async def signed_in(browser: httpx2.AsyncClient) -> str:
    """Click Connect and let the sandbox consent at once: the callback URL it sends the browser to."""
    start = await browser.get("/integrations/microsoft/connect")
    assert start.status_code == 303
    async with httpx2.AsyncClient(timeout=10) as outside:
        consent = await outside.get(start.headers["location"])
    assert consent.status_code in {302, 303}, consent.text
    return consent.headers["location"]


async def connect(
    browser: httpx2.AsyncClient,
    sandbox: SandboxControl,
    email: str,
    *,
    kind: Literal["work", "personal"] = "work",
    teams: bool = True,
) -> str:
    """Click Connect, let the sandbox consent at once, follow its redirect back; the cards page."""
    await sandbox.create_microsoft_user(email=email, display_name="Hana at Contoso", kind=kind, teams=teams)
    await sandbox.set_auto_consent(email)
    callback = await browser.get(await signed_in(browser))
    assert callback.status_code == 303, callback.text
    assert callback.headers["location"] == ACCOUNTS
    page = await browser.get(ACCOUNTS)
    assert page.status_code == 200
    return page.text


async def test_a_connected_card_shows_the_account_permissions_and_actions(
    browser: httpx2.AsyncClient, sandbox: SandboxControl
) -> None:
    html = await connect(browser, sandbox, "hana@contoso.test")
    assert "Connected as hana@contoso.test." in html  # the flash
    assert "Connected as <strong>hana@contoso.test</strong>" in html
    for scope in ("Calendars.ReadWrite", "OnlineMeetings.ReadWrite", "User.Read", "offline_access"):
        assert f"<code>{scope}</code>" in html
    assert "Generate Teams meeting URLs at event creation time" in html
    assert "Missing</span>" not in html
    assert "Available: bookings can get a Microsoft Teams link." in html
    assert "Test connection" in html
    assert 'href="/integrations/microsoft/disconnect"' in html  # the confirmation page first
    assert "Connect Microsoft Calendar" not in html
    assert not re.search(r"eyJ|access_token|refresh_token|Traceback", html)

    token = await csrf_of(browser, ACCOUNTS)
    checked = await browser.post("/integrations/microsoft/check", data={"csrf_token": token})
    assert checked.status_code == 303
    assert "is working" in (await browser.get(ACCOUNTS)).text

    gone = await browser.post("/integrations/microsoft/disconnect", data={"csrf_token": token})
    assert gone.status_code == 303
    after = (await browser.get(ACCOUNTS)).text
    assert "Disconnected Microsoft Calendar." in after
    assert "Connect Microsoft Calendar" in after


async def test_a_personal_account_is_told_plainly_that_teams_links_are_unavailable(
    browser: httpx2.AsyncClient, sandbox: SandboxControl
) -> None:
    html = await connect(browser, sandbox, "hana@outlook.test", kind="personal", teams=False)
    assert 'class="problem"' in html
    assert "Teams" in html
    assert "Not available for this account" in html


async def test_a_teams_booking_gets_a_join_button_on_the_calendar(
    http: httpx2.AsyncClient,
    browser: httpx2.AsyncClient,
    sandbox: SandboxControl,
    live_server: LiveServer,
    page_host: PageHost,
) -> None:
    await connect(browser, sandbox, "teams@contoso.test")
    async with service_context(live_server.settings) as ctx:
        host = await get_host(ctx, page_host.id)
        assert host is not None
        await update_link(
            ctx, host, page_host.link.id, LinkInput(calendar_provider="microsoft", auto_meeting_link=True)
        )
    booking = await book_first_slot(http, page_host.link.slug)
    status_url = f"/book/{page_host.link.slug}/confirmed/{booking['id']}.json"
    confirmed = await http.get(f"/book/{page_host.link.slug}/confirmed/{booking['id']}")
    assert confirmed.status_code == 200

    async def meeting_url_shown() -> str | None:  # once the in-process worker made the Teams event
        url: str | None = (await http.get(status_url)).json()["meeting_url"]
        return url

    meeting_url = await eventually(meeting_url_shown, within=10, what="a meeting URL on the booking")
    calendar = await browser.get("/calendar")
    assert f'<a class="join button" href="{escape(meeting_url)}"' in calendar.text
    confirmed = await http.get(f"/book/{page_host.link.slug}/confirmed/{booking['id']}")
    assert f'href="{escape(meeting_url)}"' in confirmed.text


async def test_another_session_opening_the_hosts_callback_is_refused_and_the_hosts_sign_in_still_completes(
    browser: httpx2.AsyncClient,
    live_server: LiveServer,
    sandbox: SandboxControl,
    page_host: PageHost,
    other_host: PageHost,
) -> None:
    await sandbox.create_microsoft_user(email="hana@contoso.test", display_name="Hana at Contoso")
    await sandbox.set_auto_consent("hana@contoso.test")
    callback_url = await signed_in(browser)

    for intruder in (other_host, page_host):  # another host, then the same host in another browser
        async with httpx2.AsyncClient(base_url=live_server.url, timeout=30) as elsewhere:
            await log_in(elsewhere, intruder)
            refused = await elsewhere.get(callback_url)
            assert refused.status_code == 403, refused.text
            assert "belongs to another browser session" in refused.text
            cards = (await elsewhere.get(ACCOUNTS)).text
            assert "Connect Microsoft Calendar" in cards  # nothing was connected there

    finished = await browser.get(callback_url)
    assert finished.status_code == 303
    assert finished.headers["location"] == ACCOUNTS
    page = (await browser.get(ACCOUNTS)).text
    assert "Connected as hana@contoso.test." in page
    assert "Connected as <strong>hana@contoso.test</strong>" in page


async def test_a_spent_or_expired_sign_in_code_is_called_that_not_an_outage(
    browser: httpx2.AsyncClient, sandbox: SandboxControl
) -> None:
    await sandbox.create_microsoft_user(email="hana@contoso.test", display_name="Hana at Contoso")
    await sandbox.set_auto_consent("hana@contoso.test")
    first = await signed_in(browser)
    assert (await browser.get(first)).status_code == 303  # connected with this code
    used_code = httpx2.URL(first).params["code"]

    # The same code again, under a fresh state of this session (a replayed sign-in response).
    fresh = httpx2.URL(await signed_in(browser))
    replayed = await browser.get(fresh.copy_set_param("code", used_code))
    assert replayed.status_code == 303
    page = (await browser.get(ACCOUNTS)).text
    assert "That sign-in link was already used or has expired. Connect again." in page
    assert "throttling or unavailable" not in page

    # A code that waited too long before coming back.
    late = await signed_in(browser)
    await sandbox.advance_clock(11 * 60)  # authorization codes live about ten minutes
    assert (await browser.get(late)).status_code == 303
    page = (await browser.get(ACCOUNTS)).text
    assert "That sign-in link was already used or has expired. Connect again." in page
    assert "throttling or unavailable" not in page
