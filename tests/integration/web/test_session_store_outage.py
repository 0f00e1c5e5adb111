"""With the session store down (Redis unreachable), pages still answer: a request opens no session,
and the browser keeps the cookie it has instead of being logged out for good."""

import asyncio
from collections.abc import AsyncIterator

import httpx2
import pytest

from tests.conftest import SettingsFactory
from tests.integration.web.conftest import csrf_of
from tests.support.builders import make_host, make_link, service_context
from tests.support.server import LiveServer, free_port

COOKIE = "workestra_session"


@pytest.fixture
async def server_without_redis(make_settings: SettingsFactory) -> AsyncIterator[LiveServer]:
    port = free_port()
    nobody = free_port()  # nothing listens there: every Redis call fails to connect
    settings = make_settings(
        base_url=f"http://127.0.0.1:{port}", redis_url=f"redis://127.0.0.1:{nobody}/0", run_worker=False
    )
    server = LiveServer(settings, port=port)
    await asyncio.to_thread(server.start)
    try:
        yield server
    finally:
        await asyncio.to_thread(server.stop)


async def test_pages_answer_and_cookies_stay_while_the_session_store_is_down(
    server_without_redis: LiveServer,
) -> None:
    async with service_context(server_without_redis.settings) as ctx:
        _, host = await make_host(ctx, password="correct horse battery")
        link = await make_link(ctx, host)
    cookie = "C" * 43  # a session this browser had before the outage
    async with httpx2.AsyncClient(
        base_url=server_without_redis.url, timeout=30, cookies={COOKIE: cookie}
    ) as browser:
        assert (await browser.get(f"/book/{link.slug}")).status_code == 200
        login = await browser.get("/login")
        assert login.status_code == 200
        calendar = await browser.get("/calendar")
        assert calendar.status_code == 303  # no session could be opened: treated as signed out
        for response in (login, calendar):
            set_cookies = response.headers.get_list("set-cookie")
            assert not [c for c in set_cookies if c.startswith(f"{COOKIE}=")]  # not logged out for good


async def test_logging_out_while_the_store_is_down_still_forgets_the_cookie(
    server_without_redis: LiveServer,
) -> None:
    async with httpx2.AsyncClient(
        base_url=server_without_redis.url, timeout=30, cookies={COOKIE: "C" * 43}
    ) as browser:
        token = await csrf_of(browser, "/login")
        response = await browser.post("/logout", data={"csrf_token": token})
    assert response.status_code == 303
    assert f"{COOKIE}=; Max-Age=0" in response.headers["set-cookie"]
