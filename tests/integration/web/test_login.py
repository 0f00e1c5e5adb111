"""Logging in and out, the redirect to `next`, and CSRF on every POST form."""

import httpx2
import pytest

from tests.integration.web.conftest import PageHost, csrf_of, log_in
from tests.support.builders import service_context
from tests.support.server import LiveServer
from workestra.services.booking_links import LinkView, list_links
from workestra.services.users import get_host


async def test_login_form_has_the_documented_fields(http: httpx2.AsyncClient) -> None:
    response = await http.get("/login")
    assert response.status_code == 200
    for name in ('name="email"', 'name="password"', 'name="csrf_token"'):
        assert name in response.text


async def test_login_redirects_to_the_calendar_and_sets_the_session(
    http: httpx2.AsyncClient, page_host: PageHost
) -> None:
    response = await log_in(http, page_host)
    assert response.headers["location"] == "/calendar"
    calendar = await http.get("/calendar")
    assert calendar.status_code == 200
    for nav in ("Calendar", "Booking links", "Connected accounts", "Log out"):
        assert nav in calendar.text
    assert (await http.get("/")).headers["location"] == "/calendar"


async def test_wrong_password_shows_the_form_again_with_a_plain_message(
    http: httpx2.AsyncClient, page_host: PageHost
) -> None:
    token = await csrf_of(http, "/login")
    response = await http.post(
        "/login", data={"email": page_host.email, "password": "wrong password", "csrf_token": token}
    )
    assert response.status_code == 401
    assert "don&#39;t match an account" in response.text
    assert 'name="password"' in response.text
    assert page_host.email in response.text  # the typed email is kept
    assert (await http.get("/calendar")).status_code == 303


async def test_a_page_asks_for_login_and_returns_there_afterwards(
    http: httpx2.AsyncClient, page_host: PageHost
) -> None:
    assert (await http.get("/")).headers["location"] == "/login"
    response = await http.get("/settings/booking-links")
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/settings/booking-links"
    login_page = await http.get(response.headers["location"])
    assert 'name="next" value="/settings/booking-links"' in login_page.text
    token = await csrf_of(http, "/login")
    done = await http.post(
        "/login",
        data={
            "email": page_host.email,
            "password": page_host.password,
            "csrf_token": token,
            "next": "/settings/booking-links",
        },
    )
    assert done.status_code == 303
    assert done.headers["location"] == "/settings/booking-links"


@pytest.mark.parametrize(
    "target", ["//evil.example/x", "https://evil.example/", "/\\evil.example", "javascript:x"]
)
async def test_next_only_follows_local_paths(
    http: httpx2.AsyncClient, page_host: PageHost, target: str
) -> None:
    token = await csrf_of(http, "/login")
    response = await http.post(
        "/login",
        data={"email": page_host.email, "password": page_host.password, "csrf_token": token, "next": target},
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/calendar"


async def _links_of(live_server: LiveServer, page_host: PageHost) -> list[LinkView]:
    async with service_context(live_server.settings) as ctx:
        host = await get_host(ctx, page_host.id)
        assert host is not None
        return await list_links(ctx, host)


async def test_posts_without_a_csrf_token_are_refused_and_change_nothing(
    http: httpx2.AsyncClient, browser: httpx2.AsyncClient, page_host: PageHost, live_server: LiveServer
) -> None:
    links = await _links_of(live_server, page_host)
    anonymous = await http.post("/login", data={"email": page_host.email, "password": page_host.password})
    assert anonymous.status_code == 403
    assert "expired" in anonymous.text
    assert (await http.get("/calendar")).status_code == 303  # not logged in by the forged post
    for path in (
        "/settings/booking-links",
        f"/settings/booking-links/{page_host.link.id}",
        "/integrations/microsoft/check",
        "/integrations/microsoft/disconnect",
        "/logout",
        "/settings/account/password",
        "/settings/account/logout-everywhere",
        "/settings/teams",
        "/settings/teams/any/accept",
        "/settings/teams/any/members",
        "/settings/teams/any/leave",
        "/teams/invitations/any",
    ):
        forged = {"title": "x", "current_password": page_host.password, "new_password": "taken over!"}
        response = await browser.post(path, data={**forged, "csrf_token": "forged"})
        assert response.status_code == 403, path
    assert (await browser.get("/calendar")).status_code == 200  # still logged in, nowhere logged out
    assert await _links_of(live_server, page_host) == links  # nothing created, renamed or deleted
    assert (await log_in(http, page_host)).headers["location"] == "/calendar"  # the password stands


async def test_a_new_password_that_is_too_short_is_refused_and_the_old_one_stands(
    http: httpx2.AsyncClient, browser: httpx2.AsyncClient, page_host: PageHost
) -> None:
    token = await csrf_of(browser, "/settings/account")
    response = await browser.post(
        "/settings/account/password",
        data={"csrf_token": token, "current_password": page_host.password, "new_password": "short"},
    )
    assert response.status_code == 422
    assert "8 to 1024 characters" in response.text
    assert (await browser.get("/calendar")).status_code == 200  # this session goes on
    assert (await log_in(http, page_host)).headers["location"] == "/calendar"


async def test_logout_ends_the_session(browser: httpx2.AsyncClient) -> None:
    token = await csrf_of(browser, "/calendar")
    response = await browser.post("/logout", data={"csrf_token": token})
    assert response.status_code == 303
    assert response.headers["location"] == "/login"
    assert (await browser.get("/calendar")).headers["location"] == "/login?next=/calendar"


async def test_repeated_wrong_passwords_are_slowed_down(
    http: httpx2.AsyncClient, page_host: PageHost
) -> None:
    for _ in range(10):
        token = await csrf_of(http, "/login")
        wrong = await http.post(
            "/login", data={"email": page_host.email, "password": "nope", "csrf_token": token}
        )
        assert wrong.status_code == 401
    token = await csrf_of(http, "/login")
    right = await http.post(
        "/login", data={"email": page_host.email, "password": page_host.password, "csrf_token": token}
    )
    assert right.status_code == 429
    assert "Too many failed logins" in right.text
