"""Settings → Connected Accounts: the two cards, the connect redirect, and callbacks that fail politely."""

from urllib.parse import parse_qs, urlsplit

import httpx2
import pytest

from tests.integration.web.conftest import csrf_of
from tests.support.server import LiveServer


async def test_both_cards_are_shown_not_connected(browser: httpx2.AsyncClient) -> None:
    response = await browser.get("/settings/connected-accounts")
    assert response.status_code == 200
    html = response.text
    assert "Microsoft Calendar" in html
    assert "Google Calendar" in html
    assert html.count("Not connected") == 2
    assert 'href="/integrations/microsoft/connect"' in html
    assert "Connect Microsoft Calendar" in html
    assert 'href="/integrations/google/connect"' in html
    assert "Connect Google Calendar" in html
    assert "Not configured on this server" not in html
    assert "create Microsoft Teams links" in html
    assert "create Google Meet links" in html
    assert "Disconnect" not in html


@pytest.mark.parametrize("live_overrides", [{"google_client_id": None}])
async def test_a_provider_without_an_app_registration_shows_a_disabled_connect(
    browser: httpx2.AsyncClient,
) -> None:
    html = (await browser.get("/settings/connected-accounts")).text
    assert html.count("Not configured on this server") == 1
    assert 'href="/integrations/google/connect"' not in html
    google = await browser.get("/integrations/google/connect")
    assert google.status_code == 400
    assert "isn&#39;t configured on this server" in google.text


async def test_connect_google_redirects_to_google_with_pkce_offline_access_and_consent(
    browser: httpx2.AsyncClient, live_server: LiveServer
) -> None:
    response = await browser.get("/integrations/google/connect")
    assert response.status_code == 303
    location = response.headers["location"]
    assert location.startswith(f"{live_server.settings.google_auth_url}?")
    query = parse_qs(urlsplit(location).query)
    assert query["redirect_uri"] == [f"{live_server.url}/integrations/google/callback"]
    assert query["response_type"] == ["code"]
    assert query["access_type"] == ["offline"]
    assert query["prompt"] == ["consent"]
    assert query["code_challenge_method"] == ["S256"]
    assert query["state"][0]
    scopes = query["scope"][0].split()
    assert "https://www.googleapis.com/auth/calendar.events" in scopes
    assert "https://www.googleapis.com/auth/calendar.freebusy" in scopes
    assert "https://www.googleapis.com/auth/calendar" not in scopes  # least privilege


async def test_connect_redirects_to_the_identity_platform(
    browser: httpx2.AsyncClient, live_server: LiveServer
) -> None:
    response = await browser.get("/integrations/microsoft/connect")
    assert response.status_code == 303
    location = response.headers["location"]
    settings = live_server.settings
    assert location.startswith(
        f"{settings.microsoft_login_url}/{settings.microsoft_tenant}/oauth2/v2.0/authorize?"
    )
    query = parse_qs(urlsplit(location).query)
    assert query["state"][0]
    assert query["response_type"] == ["code"]
    assert query["redirect_uri"] == [f"{live_server.url}/integrations/microsoft/callback"]
    assert query["scope"] == ["offline_access User.Read Calendars.ReadWrite OnlineMeetings.ReadWrite"]
    assert query["code_challenge_method"] == ["S256"]
    assert len(query["code_challenge"][0]) == 43  # base64url of a SHA-256 digest
    again = parse_qs(
        urlsplit((await browser.get("/integrations/microsoft/connect")).headers["location"]).query
    )
    assert again["state"] != query["state"]


async def test_an_unknown_provider_is_not_found(browser: httpx2.AsyncClient) -> None:
    assert (await browser.get("/integrations/yahoo/connect")).status_code == 404


async def test_a_refused_consent_comes_back_as_a_message_on_the_cards(browser: httpx2.AsyncClient) -> None:
    start = await browser.get("/integrations/microsoft/connect")
    state = parse_qs(urlsplit(start.headers["location"]).query)["state"][0]
    response = await browser.get(
        "/integrations/microsoft/callback",
        params={
            "state": state,
            "error": "access_denied",
            "error_description": "AADSTS65004: User declined to consent",
        },
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/settings/connected-accounts"
    page = await browser.get("/settings/connected-accounts")
    assert 'class="flash flash-error"' in page.text
    assert "Not connected" in page.text


@pytest.mark.parametrize(
    ("params", "words"),
    [
        ({"state": "not-ours", "code": "abc"}, "isn&#39;t valid any more"),
        ({"code": "abc"}, "missing its state; start again from Connected Accounts."),
    ],
)
async def test_an_unknown_or_missing_state_is_refused_without_an_error_page(
    browser: httpx2.AsyncClient, params: dict[str, str], words: str
) -> None:
    response = await browser.get("/integrations/microsoft/callback", params=params)
    assert response.status_code == 303
    page = await browser.get("/settings/connected-accounts")
    assert 'class="flash flash-error"' in page.text
    assert words in page.text


async def test_testing_a_connection_that_does_not_exist_says_so(browser: httpx2.AsyncClient) -> None:
    token = await csrf_of(browser, "/settings/connected-accounts")
    response = await browser.post("/integrations/microsoft/check", data={"csrf_token": token})
    assert response.status_code == 303
    page = await browser.get("/settings/connected-accounts")
    assert "Microsoft Calendar isn&#39;t connected." in page.text
    response = await browser.post("/integrations/microsoft/disconnect", data={"csrf_token": token})
    assert response.status_code == 303
    assert "Disconnected Microsoft Calendar." in (await browser.get("/settings/connected-accounts")).text
