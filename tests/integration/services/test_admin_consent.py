"""Admin consent through the identity-platform sandbox: a tenant that lets only its admin consent
refuses the connection with the admin-consent card; the admin approves (from the forwarded link or
in the app); the host then connects normally. Refusals are told plainly; states stay bound."""

import re
from collections.abc import AsyncIterator
from html import unescape
from urllib.parse import parse_qs, urlsplit

import httpx2
import pytest

from tests.integration.web.conftest import csrf_of
from tests.support.builders import make_host, service_context
from tests.support.microsoft import CLIENT_ID, CLIENT_SECRET, MS, authorize, connect_microsoft
from tests.support.sandbox import SandboxControl
from tests.support.server import LiveServer
from workestra.config import Settings
from workestra.enums import ConnectionProblem, IntegrationStatus
from workestra.errors import ConnectionFailed, Forbidden, InvalidInput
from workestra.services.connections import (
    FORWARDED_STATE,
    AdminConsentNeeded,
    ConnectionView,
    complete_admin_consent,
    complete_connection,
    list_connections,
    start_admin_consent,
)
from workestra.services.context import ServiceContext
from workestra.services.problems import record_problem_code
from workestra.services.users import Host

TENANT = "5b0eae9f-1111-4222-8333-c444d555e666"
HANA = "hana@contoso.test"  # a host in a tenant where users may not consent
ADA = "ada@contoso.test"  # that tenant's admin
PAGE_PASSWORD = "correct horse battery"  # a Workestra test account
ACCOUNTS = "/settings/connected-accounts"
FOUR_SCOPES = (
    "offline_access https://graph.microsoft.com/User.Read "
    "https://graph.microsoft.com/Calendars.ReadWrite https://graph.microsoft.com/OnlineMeetings.ReadWrite"
)


@pytest.fixture
async def settings(database_url: str, sandbox: SandboxControl, make_settings: object) -> Settings:
    from tests.conftest import SettingsFactory

    assert callable(make_settings)
    factory: SettingsFactory = make_settings
    configured = factory(database_url=database_url)
    base = configured.base_url
    await sandbox.create_microsoft_app(
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        redirect_uris=[
            f"{base}/integrations/microsoft/callback",
            f"{base}/integrations/microsoft/admin-consent/callback",
        ],
    )
    for email, name in ((HANA, "Hana Host"), (ADA, "Ada Admin")):
        await sandbox.create_microsoft_user(
            email=email, display_name=name, tenant_id=TENANT, admin_consent_required=True
        )
    await sandbox.make_microsoft_admin(ADA)
    return configured


@pytest.fixture
async def ctx(settings: Settings) -> AsyncIterator[ServiceContext]:
    async with service_context(settings) as context:
        yield context


@pytest.fixture
async def host(ctx: ServiceContext) -> Host:
    return (await make_host(ctx))[1]


def _microsoft(views: list[ConnectionView]) -> ConnectionView:
    return next(v for v in views if v.provider == MS)


def _query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def _form(html: str) -> tuple[str, str]:
    action = re.search(r'<form method="post" action="([^"]+)"', html)
    flow = re.search(r'name="flow" value="([^"]*)"', html)
    assert action, html
    assert flow, html
    return action.group(1), flow.group(1)


async def _admin_decides(url: str, *, decision: str = "accept", email: str = ADA) -> dict[str, str]:
    """Open the approval URL as the admin would, sign in, decide: the callback's parameters."""
    async with httpx2.AsyncClient(timeout=10) as browser:
        page = await browser.get(url)
        assert page.status_code == 200, page.text
        action, flow = _form(page.text)
        base = str(page.url.copy_with(path="", query=None))
        approval = await browser.post(
            base + action, data={"flow": flow, "email": email, "password": "sandbox-password"}
        )
        action, flow = _form(approval.text)
        answer = await browser.post(base + action, data={"flow": flow, "decision": decision})
    assert answer.status_code == 302, answer.text
    location = answer.headers["location"]
    assert location.startswith("http://127.0.0.1:8000/integrations/microsoft/admin-consent/callback?")
    return _query(location)


async def _connect_hana(ctx: ServiceContext, host: Host, sandbox: SandboxControl) -> ConnectionView:
    return await connect_microsoft(ctx, host, sandbox, email=HANA, session_id="hana-browser")


async def test_a_tenant_needing_its_admin_refuses_with_the_admin_consent_card(
    ctx: ServiceContext, host: Host, sandbox: SandboxControl
) -> None:
    with pytest.raises(AdminConsentNeeded) as refused:
        await _connect_hana(ctx, host, sandbox)

    message = refused.value.message
    assert message.startswith("Your organisation's admin must approve Workestra")
    assert "(Calendars.ReadWrite, User.Read)" in message
    assert "(OnlineMeetings.ReadWrite, offline_access)" in message
    card = _microsoft(await list_connections(ctx, host))
    assert not card.connected
    assert card.admin_consent is not None
    forward = card.admin_consent.forward_url
    # Who the host is with isn't known yet: any work organisation's admin (never /common).
    assert urlsplit(forward).path.endswith("/organizations/v2.0/adminconsent")
    assert _query(forward) == {
        "client_id": CLIENT_ID,
        "scope": FOUR_SCOPES,
        "redirect_uri": "http://127.0.0.1:8000/integrations/microsoft/admin-consent/callback",
        "state": FORWARDED_STATE,
    }
    assert card.admin_consent.start_url == "/integrations/microsoft/admin-consent"
    assert [p.scope for p in card.admin_consent.permissions] == [
        "Calendars.ReadWrite",
        "OnlineMeetings.ReadWrite",
        "User.Read",
        "offline_access",
    ]


async def test_the_admin_approves_the_forwarded_link_and_the_host_connects(
    ctx: ServiceContext, host: Host, sandbox: SandboxControl
) -> None:
    with pytest.raises(AdminConsentNeeded):
        await _connect_hana(ctx, host, sandbox)
    forward = _microsoft(await list_connections(ctx, host)).admin_consent
    assert forward is not None

    params = await _admin_decides(forward.forward_url)
    assert params["admin_consent"] == "True"
    assert params["tenant"] == TENANT
    # The admin isn't signed in here: the callback only says what happened.
    message = await complete_admin_consent(
        ctx,
        None,
        MS,
        session_id="admins-browser",
        state=params["state"],
        admin_consent=params["admin_consent"],
    )
    assert "Workestra is approved for your organisation" in message

    view = await _connect_hana(ctx, host, sandbox)
    assert view.connected
    assert view.account_email == HANA
    assert view.status is IntegrationStatus.ACTIVE
    assert view.problem is None
    assert view.admin_consent is not None
    assert not view.admin_consent.required


async def test_a_host_who_is_the_admin_approves_in_the_app_then_connects(
    ctx: ServiceContext, host: Host, sandbox: SandboxControl
) -> None:
    url = await start_admin_consent(ctx, host, MS, session_id="ada-browser")
    query = _query(url)
    assert query["state"] != FORWARDED_STATE
    assert query["scope"] == FOUR_SCOPES

    params = await _admin_decides(url)
    message = await complete_admin_consent(
        ctx, host, MS, session_id="ada-browser", state=params["state"], admin_consent=params["admin_consent"]
    )

    assert message.startswith("Your organisation approved Workestra. Connect Microsoft Calendar now")
    view = await connect_microsoft(ctx, host, sandbox, email=ADA, session_id="ada-browser")
    assert view.connected
    assert view.account_email == ADA


async def test_the_admin_declining_is_told_plainly(
    ctx: ServiceContext, host: Host, sandbox: SandboxControl
) -> None:
    url = await start_admin_consent(ctx, host, MS, session_id="s")
    params = await _admin_decides(url, decision="cancel")
    assert params["admin_consent"] == "True"  # an error redirect carries it too

    with pytest.raises(ConnectionFailed) as refused:
        await complete_admin_consent(
            ctx,
            host,
            MS,
            session_id="s",
            state=params["state"],
            admin_consent=params["admin_consent"],
            error=params["error"],
            error_description=params["error_description"],
        )

    assert refused.value.message.startswith("The administrator declined to approve Workestra")
    with pytest.raises(AdminConsentNeeded):
        await _connect_hana(ctx, host, sandbox)


@pytest.mark.parametrize(
    ("error", "description", "words"),
    [
        (
            "consent_required",
            "AADSTS65004: The resource owner or authorization server denied the request.",
            "declined",
        ),
        ("access_denied", "AADSTS90094: The grant requires admin permission.", "isn't an administrator's"),
        ("invalid_request", "AADSTS50011: The redirect URI does not match", "couldn't record the approval"),
    ],
)
async def test_a_forwarded_link_refused_is_told_to_whoever_opened_it(
    ctx: ServiceContext, error: str, description: str, words: str
) -> None:
    with pytest.raises(ConnectionFailed) as refused:
        await complete_admin_consent(
            ctx,
            None,
            MS,
            session_id="x",
            state=FORWARDED_STATE,
            admin_consent="True",
            error=error,
            error_description=description,
        )
    assert words in refused.value.message


async def test_an_approval_state_from_another_session_is_refused_and_left_for_its_own(
    ctx: ServiceContext, host: Host, sandbox: SandboxControl
) -> None:
    url = await start_admin_consent(ctx, host, MS, session_id="ada-browser")
    params = await _admin_decides(url)
    other = (await make_host(ctx, email="mallory@example.test"))[1]

    with pytest.raises(Forbidden):
        await complete_admin_consent(
            ctx, host, MS, session_id="another-browser", state=params["state"], admin_consent="True"
        )
    with pytest.raises(Forbidden):
        await complete_admin_consent(
            ctx, other, MS, session_id="ada-browser", state=params["state"], admin_consent="True"
        )

    message = await complete_admin_consent(
        ctx, host, MS, session_id="ada-browser", state=params["state"], admin_consent="True"
    )
    assert "approved" in message
    with pytest.raises(ConnectionFailed, match="isn't valid any more"):  # single use
        await complete_admin_consent(
            ctx, host, MS, session_id="ada-browser", state=params["state"], admin_consent="True"
        )


async def test_each_callback_takes_only_its_own_kind_of_state(
    ctx: ServiceContext, host: Host, sandbox: SandboxControl
) -> None:
    approval = _query(await start_admin_consent(ctx, host, MS, session_id="s"))["state"]
    with pytest.raises(ConnectionFailed, match="isn't valid any more"):
        await complete_connection(ctx, host, MS, session_id="s", state=approval, code="sbx-code-x")
    # ... and the refusal left it for the approval callback.
    assert "approved" in await complete_admin_consent(
        ctx, host, MS, session_id="s", state=approval, admin_consent="True"
    )

    await sandbox.set_auto_consent(HANA)
    sign_in = (await authorize(ctx, host, session_id="s"))["state"]
    with pytest.raises(ConnectionFailed, match="isn't valid any more"):
        await complete_admin_consent(ctx, host, MS, session_id="s", state=sign_in, admin_consent="True")


async def test_an_answer_saying_neither_approved_nor_refused_changes_nothing(
    ctx: ServiceContext, host: Host
) -> None:
    state = _query(await start_admin_consent(ctx, host, MS, session_id="s"))["state"]
    with pytest.raises(InvalidInput, match="neither approved nor refused"):
        await complete_admin_consent(ctx, host, MS, session_id="s", state=state, admin_consent=None)


async def test_a_connection_whose_tenant_now_needs_its_admin_shows_the_card_with_its_tenant(
    ctx: ServiceContext, host: Host, sandbox: SandboxControl
) -> None:
    await sandbox.create_microsoft_user(email="ivo@fabrikam.test", display_name="Ivo", tenant_id=TENANT[::-1])
    await connect_microsoft(ctx, host, sandbox, email="ivo@fabrikam.test")
    # Microsoft's answers name no tenant without an id_token; when one is known, the link asks it.
    async with ctx.uow(write=True) as uow:
        row = await uow.integrations.get(host.id, MS, for_update=True)
        assert row is not None
        row.organization_id = TENANT[::-1]
        await uow.commit()
    await record_problem_code(ctx, host.id, MS, ConnectionProblem.ADMIN_CONSENT_REQUIRED)

    card = _microsoft(await list_connections(ctx, host))

    assert card.problem is ConnectionProblem.ADMIN_CONSENT_REQUIRED
    assert card.problem_message is not None
    assert card.problem_message.startswith("Your organisation's admin must approve Workestra")
    assert card.needs_reconnect  # after the approval, reconnecting is the fix
    assert card.admin_consent is not None
    assert card.admin_consent.required
    assert f"/{TENANT[::-1]}/v2.0/adminconsent" in card.admin_consent.forward_url


async def test_a_personal_account_is_never_sent_to_its_consumer_tenant(
    ctx: ServiceContext, host: Host, sandbox: SandboxControl
) -> None:
    await sandbox.create_microsoft_user(email="pia@outlook.test", display_name="Pia", kind="personal")
    await connect_microsoft(ctx, host, sandbox, email="pia@outlook.test")
    async with ctx.uow(write=True) as uow:
        row = await uow.integrations.get(host.id, MS, for_update=True)
        assert row is not None
        row.organization_id = "9188040d-6c67-4c5b-b112-36a304b66dad"  # the consumer tenant
        await uow.commit()

    card = _microsoft(await list_connections(ctx, host))

    assert card.admin_consent is not None
    assert "/organizations/v2.0/adminconsent" in card.admin_consent.forward_url


# --- the pages: the card, the two routes, the admin who has no account here ------------------------


@pytest.fixture
async def pages(live_server: LiveServer, sandbox: SandboxControl) -> LiveServer:
    """The live app, its registration with both callbacks, and a tenant whose users may not consent."""
    base = live_server.settings.base_url
    await sandbox.create_microsoft_app(
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        redirect_uris=[
            f"{base}/integrations/microsoft/callback",
            f"{base}/integrations/microsoft/admin-consent/callback",
        ],
    )
    for email, name in ((HANA, "Hana Host"), (ADA, "Ada Admin")):
        await sandbox.create_microsoft_user(
            email=email, display_name=name, tenant_id=TENANT, admin_consent_required=True
        )
    await sandbox.make_microsoft_admin(ADA)
    return live_server


@pytest.fixture
async def browser(pages: LiveServer) -> AsyncIterator[httpx2.AsyncClient]:
    """A host signed in to Workestra (a cookie jar of its own)."""
    async with service_context(pages.settings) as ctx:
        _, made = await make_host(ctx, password=PAGE_PASSWORD)
    async with httpx2.AsyncClient(base_url=pages.url, timeout=30) as client:
        token = await csrf_of(client, "/login")
        signed = await client.post(
            "/login", data={"email": made.email, "password": PAGE_PASSWORD, "csrf_token": token}
        )
        assert signed.status_code == 303, signed.text
        yield client


async def _click_connect(browser: httpx2.AsyncClient, sandbox: SandboxControl, email: str) -> str:
    """Connect as ``email`` (the sandbox signs in at once); the cards page afterwards."""
    await sandbox.set_auto_consent(email)
    start = await browser.get("/integrations/microsoft/connect")
    async with httpx2.AsyncClient(timeout=10) as outside:
        answer = await outside.get(start.headers["location"])
    callback = await browser.get(answer.headers["location"])
    assert callback.status_code == 303, callback.text
    assert callback.headers["location"] == ACCOUNTS
    return (await browser.get(ACCOUNTS)).text


def _forward_link(html: str) -> str:
    match = re.search(r'id="microsoft-admin-link" class="admin-link" readonly value="([^"]+)"', html)
    assert match, html
    return unescape(match.group(1))


async def test_the_card_offers_the_link_the_admin_approves_it_and_the_host_connects(
    pages: LiveServer, browser: httpx2.AsyncClient, sandbox: SandboxControl
) -> None:
    html = await _click_connect(browser, sandbox, HANA)

    assert "Your organisation&#39;s admin must approve Workestra" in html  # flash and card state
    assert "Connect Microsoft Calendar" in html
    forward = _forward_link(html)
    assert "/organizations/v2.0/adminconsent?" in forward
    assert _query(forward)["redirect_uri"] == f"{pages.url}/integrations/microsoft/admin-consent/callback"
    assert 'href="/integrations/microsoft/admin-consent"' in html
    assert "Permissions the admin approves" in html
    for scope in ("Calendars.ReadWrite", "OnlineMeetings.ReadWrite", "User.Read", "offline_access"):
        assert f"<code>{scope}</code>" in html

    # The admin has no account here: the callback is a page of its own.
    params = await _admin_decides_at(forward, pages.url)
    async with httpx2.AsyncClient(base_url=pages.url, timeout=30) as admins_browser:
        answer = await admins_browser.get("/integrations/microsoft/admin-consent/callback", params=params)
    assert answer.status_code == 200, answer.text
    assert "Workestra is approved for your organisation" in answer.text

    html = await _click_connect(browser, sandbox, HANA)
    assert f"Connected as <strong>{HANA}</strong>" in html
    assert 'id="microsoft-admin-consent"' not in html


async def test_a_host_who_is_the_admin_approves_from_the_card(
    pages: LiveServer, browser: httpx2.AsyncClient, sandbox: SandboxControl
) -> None:
    await _click_connect(browser, sandbox, ADA)  # refused: nobody approved yet, not even Ada
    start = await browser.get("/integrations/microsoft/admin-consent")
    assert start.status_code == 303
    url = start.headers["location"]
    assert urlsplit(url).path.endswith("/organizations/v2.0/adminconsent")

    params = await _admin_decides_at(url, pages.url)
    back = await browser.get("/integrations/microsoft/admin-consent/callback", params=params)
    assert back.status_code == 303
    assert back.headers["location"] == ACCOUNTS
    html = (await browser.get(ACCOUNTS)).text
    assert "Your organisation approved Workestra. Connect Microsoft Calendar now" in html
    assert 'id="microsoft-admin-consent"' not in html  # the card is back to plain "Connect"

    assert f"Connected as <strong>{ADA}</strong>" in await _click_connect(browser, sandbox, ADA)


async def test_a_refusal_is_told_plainly_on_the_page_and_on_the_card(
    pages: LiveServer, browser: httpx2.AsyncClient, sandbox: SandboxControl
) -> None:
    html = await _click_connect(browser, sandbox, HANA)
    forward = _forward_link(html)

    params = await _admin_decides_at(forward, pages.url, decision="cancel")
    async with httpx2.AsyncClient(base_url=pages.url, timeout=30) as admins_browser:
        answer = await admins_browser.get("/integrations/microsoft/admin-consent/callback", params=params)
    assert answer.status_code == 400
    assert "The administrator declined to approve Workestra" in answer.text

    start = await browser.get("/integrations/microsoft/admin-consent")
    params = await _admin_decides_at(start.headers["location"], pages.url, decision="cancel")
    assert (
        await browser.get("/integrations/microsoft/admin-consent/callback", params=params)
    ).status_code == 303
    html = (await browser.get(ACCOUNTS)).text
    assert "The administrator declined to approve Workestra" in html
    assert 'id="microsoft-admin-consent"' in html  # still needed: the link stays on the card


async def test_an_approval_from_another_session_is_refused(
    pages: LiveServer, browser: httpx2.AsyncClient, sandbox: SandboxControl
) -> None:
    start = await browser.get("/integrations/microsoft/admin-consent")
    params = await _admin_decides_at(start.headers["location"], pages.url)
    async with service_context(pages.settings) as ctx:
        _, intruder = await make_host(ctx, password=PAGE_PASSWORD)
    async with httpx2.AsyncClient(base_url=pages.url, timeout=30) as elsewhere:
        token = await csrf_of(elsewhere, "/login")
        await elsewhere.post(
            "/login", data={"email": intruder.email, "password": PAGE_PASSWORD, "csrf_token": token}
        )
        refused = await elsewhere.get("/integrations/microsoft/admin-consent/callback", params=params)
    assert refused.status_code == 403
    assert "belongs to another browser session" in refused.text

    finished = await browser.get("/integrations/microsoft/admin-consent/callback", params=params)
    assert finished.status_code == 303


async def test_the_in_app_route_needs_a_signed_in_host(pages: LiveServer) -> None:
    async with httpx2.AsyncClient(base_url=pages.url, timeout=30) as anonymous:
        answer = await anonymous.get("/integrations/microsoft/admin-consent")
    assert answer.status_code in {303, 401}
    assert "adminconsent" not in answer.headers.get("location", "")


async def _admin_decides_at(url: str, app_url: str, *, decision: str = "accept") -> dict[str, str]:
    """The admin opens ``url`` at the sandbox, signs in and decides; the callback's parameters."""
    async with httpx2.AsyncClient(timeout=10) as browser:
        page = await browser.get(url)
        action, flow = _form(page.text)
        base = str(page.url.copy_with(path="", query=None))
        approval = await browser.post(
            base + action, data={"flow": flow, "email": ADA, "password": "sandbox-password"}
        )
        action, flow = _form(approval.text)
        answer = await browser.post(base + action, data={"flow": flow, "decision": decision})
    assert answer.status_code == 302, answer.text
    location = answer.headers["location"]
    assert location.startswith(f"{app_url}/integrations/microsoft/admin-consent/callback?")
    return _query(location)
