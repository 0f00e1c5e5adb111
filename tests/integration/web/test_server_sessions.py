"""Sessions live on the server: logging out, "log out everywhere" and a password change end them for
good, logging in issues a new id, and idle or old sessions expire. On every store: the `sessions`
table (SQLite and PostgreSQL) and Redis."""

import asyncio
import hashlib
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import httpx2
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from tests.conftest import SettingsFactory
from tests.integration.web.conftest import PageHost, csrf_from, csrf_of, log_in
from tests.support.builders import make_host, make_link, service_context
from tests.support.clock import FixedClock
from tests.support.databases import postgres_database
from tests.support.redis import RedisForTest, redis_for_test
from tests.support.server import LiveServer, free_port
from workestra.clock import SystemClock

COOKIE = "workestra_session"
PASSWORD = "correct horse battery"
OPAQUE_ID = re.compile(r"[A-Za-z0-9_-]{43}")


@dataclass
class SessionServer:
    server: LiveServer
    clock: FixedClock
    redis: RedisForTest | None

    @property
    def url(self) -> str:
        return self.server.url

    async def stored_keys(self) -> list[str]:
        """The sessions the store keeps (table keys, or Redis session key names)."""
        if self.redis is not None:
            return [key for key in await self.redis.keys() if ":session:" in key]
        engine = create_async_engine(self.server.settings.database_url)
        try:
            async with engine.connect() as connection:
                return list((await connection.scalars(text("SELECT id_hash FROM sessions"))).all())
        finally:
            await engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres), "redis"])
async def session_server(
    request: pytest.FixtureRequest, make_settings: SettingsFactory, tmp_path: Path
) -> AsyncIterator[SessionServer]:
    port = free_port()
    clock = FixedClock(SystemClock().now())
    overrides: dict[str, object] = {"base_url": f"http://127.0.0.1:{port}", "run_worker": False}

    async def serve(redis: RedisForTest | None) -> AsyncIterator[SessionServer]:
        server = LiveServer(make_settings(**overrides), port=port, clock=clock)
        await asyncio.to_thread(server.start)
        try:
            yield SessionServer(server, clock, redis)
        finally:
            await asyncio.to_thread(server.stop)

    if request.param == "postgres":
        async with postgres_database() as url:
            overrides["database_url"] = url
            async for running in serve(None):
                yield running
    elif request.param == "redis":
        async with redis_for_test() as redis:
            overrides.update(redis_url=redis.url, redis_key_prefix=redis.key_prefix)
            async for running in serve(redis):
                yield running
    else:
        overrides["database_url"] = f"sqlite+aiosqlite:///{tmp_path / 'sessions.sqlite3'}"
        async for running in serve(None):
            yield running


@dataclass
class Account:
    host: PageHost
    api_key: str


async def _account(server: SessionServer, name: str = "Sam Session") -> Account:
    async with service_context(server.server.settings) as ctx:
        created, host = await make_host(ctx, name=name, password=PASSWORD)
        link = await make_link(ctx, host, title="Intro call")
    return Account(PageHost(host.id, host.name, host.email, PASSWORD, link), created.api_key)


@pytest.fixture
async def account(session_server: SessionServer) -> Account:
    return await _account(session_server)


def _client(server: SessionServer, cookie: str | None = None) -> httpx2.AsyncClient:
    cookies = {COOKIE: cookie} if cookie is not None else None
    return httpx2.AsyncClient(base_url=server.url, timeout=30, cookies=cookies)


@asynccontextmanager
async def _logged_in(server: SessionServer, account: Account) -> AsyncIterator[httpx2.AsyncClient]:
    async with _client(server) as client:
        await log_in(client, account.host)
        yield client


async def _opens_calendar(server: SessionServer, cookie: str) -> bool:
    async with _client(server, cookie) as client:
        response = await client.get("/calendar")
    if response.status_code == 303:
        assert response.headers["location"] == "/login?next=/calendar"
        return False
    assert response.status_code == 200, response.text
    return True


async def _link_title(server: SessionServer, account: Account) -> str:
    async with _client(server) as api:
        response = await api.get(
            f"/api/v1/booking-links/{account.host.link.id}",
            headers={"Authorization": f"Bearer {account.api_key}"},
        )
    assert response.status_code == 200, response.text
    title: str = response.json()["title"]
    return title


async def _rename_link(
    client: httpx2.AsyncClient, account: Account, token: str, title: str
) -> httpx2.Response:
    link = account.host.link
    form = {
        "csrf_token": token,
        "title": title,
        "slug": link.slug,
        "duration_minutes": str(link.duration_minutes),
        "timezone": link.timezone,
        "calendar_provider": "none",
        "monday_start": "09:00",
        "monday_end": "17:00",
    }
    return await client.post(f"/settings/booking-links/{link.id}", data=form)


async def test_a_cookie_copied_before_logout_opens_nothing_after_it(
    session_server: SessionServer, account: Account
) -> None:
    async with _logged_in(session_server, account) as browser:
        copied = browser.cookies[COOKIE]
        edit_page = await browser.get(f"/settings/booking-links/{account.host.link.id}")
        copied_token = csrf_from(edit_page.text)
        # While the session lives, the copy opens the calendar and changes links.
        assert await _opens_calendar(session_server, copied)
        async with _client(session_server, copied) as copy:
            renamed = await _rename_link(copy, account, copied_token, "Renamed by the copy")
        assert renamed.status_code == 303, renamed.text
        assert await _link_title(session_server, account) == "Renamed by the copy"
        logout = await browser.post("/logout", data={"csrf_token": await csrf_of(browser, "/calendar")})
        assert logout.status_code == 303

    assert not await _opens_calendar(session_server, copied)
    async with _client(session_server, copied) as thief:
        response = await _rename_link(thief, account, copied_token, "Stolen title")
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")
    assert await _link_title(session_server, account) == "Renamed by the copy"


async def test_the_cookie_is_an_opaque_id_and_only_its_hash_is_stored(
    session_server: SessionServer, account: Account
) -> None:
    async with _client(session_server) as browser:
        login_page = await browser.get("/login")
        attributes = {a.strip().lower() for a in login_page.headers["set-cookie"].split(";")[1:]}
        assert {"httponly", "samesite=lax", "path=/"} <= attributes
        assert "secure" not in attributes  # the base URL is http://
        await log_in(browser, account.host)
        cookie = browser.cookies[COOKIE]
    assert OPAQUE_ID.fullmatch(cookie), cookie  # no data, no signature: just a random id
    stored = await session_server.stored_keys()
    digest = hashlib.sha256(cookie.encode()).hexdigest()
    assert any(key.endswith(digest) for key in stored)
    assert not any(cookie in key for key in stored)


async def test_logging_in_issues_a_new_session_id(session_server: SessionServer, account: Account) -> None:
    planted = "P" * 43  # a well-formed id somebody set in the browser before the host signs in
    async with _client(session_server, planted) as browser:
        token = await csrf_of(browser, "/login")
        response = await browser.post(
            "/login", data={"email": account.host.email, "password": PASSWORD, "csrf_token": token}
        )
        assert response.status_code == 303
        after = response.cookies[COOKIE]
    assert after != planted
    assert await _opens_calendar(session_server, after)
    # The planted id (fixation) never becomes the signed-in one.
    assert not await _opens_calendar(session_server, planted)


async def test_anonymous_views_and_forged_posts_store_no_session(
    session_server: SessionServer, account: Account
) -> None:
    async with _client(session_server) as visitor:
        for _ in range(3):
            assert (await visitor.get("/login")).status_code == 200
            assert (await visitor.get(f"/book/{account.host.link.slug}")).status_code == 200
            for path, refused in (
                ("/login", 403),
                ("/logout", 403),
                (f"/settings/booking-links/{account.host.link.id}", 303),  # to the login page
                ("/settings/account/password", 303),
                ("/settings/account/logout-everywhere", 303),
                ("/settings/teams", 303),
                ("/settings/teams/any/leave", 303),
                ("/teams/invitations/any", 303),
            ):
                forged = await visitor.post(path, data={"csrf_token": "forged", "email": "x@example.test"})
                assert forged.status_code == refused, path
        assert COOKIE not in visitor.cookies
        token = await csrf_of(visitor, "/login")  # the form still works: its token binds to a cookie
        signed_in = await visitor.post(
            "/login", data={"email": account.host.email, "password": PASSWORD, "csrf_token": token}
        )
        assert signed_in.status_code == 303
        assert len(await session_server.stored_keys()) >= 1
        await visitor.post("/logout", data={"csrf_token": await csrf_of(visitor, "/calendar")})
    assert await session_server.stored_keys() == []


async def test_log_out_everywhere_ends_every_session_of_the_host_and_no_one_elses(
    session_server: SessionServer, account: Account
) -> None:
    other = await _account(session_server, "Olga Other")
    async with (
        _logged_in(session_server, account) as laptop,
        _logged_in(session_server, account) as phone,
        _logged_in(session_server, other) as neighbour,
    ):
        account_page = await laptop.get("/settings/account")
        assert account_page.status_code == 200
        assert "Log out everywhere" in account_page.text
        response = await laptop.post(
            "/settings/account/logout-everywhere", data={"csrf_token": csrf_from(account_page.text)}
        )
        assert response.status_code == 303
        assert response.headers["location"] == "/login"
        assert "logged out everywhere" in (await laptop.get("/login")).text
        assert (await laptop.get("/calendar")).status_code == 303
        assert (await phone.get("/calendar")).status_code == 303
        assert (await neighbour.get("/calendar")).status_code == 200


async def test_changing_the_password_ends_the_other_sessions_and_keeps_this_one(
    session_server: SessionServer, account: Account
) -> None:
    async with (
        _logged_in(session_server, account) as laptop,
        _logged_in(session_server, account) as phone,
    ):
        page = await laptop.get("/settings/account")
        wrong = await laptop.post(
            "/settings/account/password",
            data={
                "csrf_token": csrf_from(page.text),
                "current_password": "not my password",
                "new_password": "a brand new passphrase",
            },
        )
        assert wrong.status_code == 422
        assert "isn&#39;t your current password" in wrong.text
        assert (await phone.get("/calendar")).status_code == 200  # a refused change ends nothing

        changed = await laptop.post(
            "/settings/account/password",
            data={
                "csrf_token": csrf_from(wrong.text),
                "current_password": PASSWORD,
                "new_password": "a brand new passphrase",
            },
        )
        assert changed.status_code == 303
        assert changed.headers["location"] == "/settings/account"
        assert "Password changed" in (await laptop.get("/settings/account")).text
        assert (await laptop.get("/calendar")).status_code == 200
        assert (await phone.get("/calendar")).status_code == 303

    async with _client(session_server) as fresh:
        token = await csrf_of(fresh, "/login")
        old = await fresh.post(
            "/login", data={"email": account.host.email, "password": PASSWORD, "csrf_token": token}
        )
        assert old.status_code == 401
        token = await csrf_of(fresh, "/login")
        new = await fresh.post(
            "/login",
            data={"email": account.host.email, "password": "a brand new passphrase", "csrf_token": token},
        )
        assert new.status_code == 303


async def test_an_idle_session_expires(session_server: SessionServer, account: Account) -> None:
    async with _logged_in(session_server, account) as browser:
        session_server.clock.advance(timedelta(days=2))
        assert (await browser.get("/calendar")).status_code == 200  # used: the idle time restarts
        session_server.clock.advance(timedelta(days=2, hours=23))
        assert (await browser.get("/calendar")).status_code == 200
        session_server.clock.advance(timedelta(days=3, seconds=1))
        assert (await browser.get("/calendar")).status_code == 303


async def test_a_session_in_daily_use_still_ends_after_fourteen_days(
    session_server: SessionServer, account: Account
) -> None:
    async with _logged_in(session_server, account) as browser:
        for _ in range(13):
            session_server.clock.advance(timedelta(days=1))
            assert (await browser.get("/calendar")).status_code == 200
        session_server.clock.advance(timedelta(days=1))
        assert (await browser.get("/calendar")).status_code == 303
