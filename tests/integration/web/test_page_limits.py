"""Public pages spend a per-client page budget (429 with Retry-After past it), and guessing the
current password on the account page spends the login budget."""

import httpx2
import pytest

from tests.integration.web.conftest import PageHost, csrf_of


@pytest.mark.parametrize(
    "live_overrides", [{"forwarded_allow_ips": "127.0.0.1", "rate_limits": {"pages_per_client": "3/minute"}}]
)
async def test_public_pages_are_limited_per_client(http: httpx2.AsyncClient, page_host: PageHost) -> None:
    book = f"/book/{page_host.link.slug}"
    statuses = [
        (await http.get(book, headers={"X-Forwarded-For": "203.0.113.1"})).status_code for _ in range(3)
    ]
    assert statuses == [200, 200, 200]
    for path in (book, "/login"):
        refused = await http.get(path, headers={"X-Forwarded-For": "203.0.113.1", "Accept": "text/html"})
        assert refused.status_code == 429, path
        assert 0 < int(refused.headers["Retry-After"]) <= 60
        assert "Too many page requests" in refused.text
    other = await http.get(book, headers={"X-Forwarded-For": "203.0.113.2"})
    assert other.status_code == 200  # another client's budget is its own


@pytest.mark.parametrize(
    "live_overrides", [{"forwarded_allow_ips": "127.0.0.1", "rate_limits": {"pages_per_client": "3/minute"}}]
)
async def test_team_invitation_links_spend_the_page_budget(http: httpx2.AsyncClient) -> None:
    """An emailed invitation link is reachable by anyone (it asks for a sign-in): guessing at
    tokens is limited like any public page."""
    headers = {"X-Forwarded-For": "203.0.113.9", "Accept": "text/html"}
    answers = [
        (await http.get(f"/teams/invitations/guess-{i}", headers=headers)).status_code for i in range(3)
    ]
    assert 429 not in answers
    refused = await http.get("/teams/invitations/guess-4", headers=headers)
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) > 0
    posted = await http.post("/teams/invitations/guess-5", headers=headers)
    assert posted.status_code == 429


@pytest.mark.parametrize("live_overrides", [{"rate_limits": {"logins_per_email_and_client": "3/15 minutes"}}])
async def test_guessing_the_current_password_is_slowed_down_like_a_login(
    browser: httpx2.AsyncClient, page_host: PageHost
) -> None:
    async def change(current: str) -> httpx2.Response:
        token = await csrf_of(browser, "/settings/account")
        return await browser.post(
            "/settings/account/password",
            data={"csrf_token": token, "current_password": current, "new_password": "a brand new password"},
        )

    assert [(await change(f"guess {i}")).status_code for i in range(3)] == [422, 422, 422]
    refused = await change(page_host.password)  # even the right one, once the budget is spent
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) > 0
    assert "Too many failed logins" in refused.text
    assert (await browser.get("/calendar")).status_code == 200  # the session itself goes on
