"""A host's Outlook calendar that can't be read, seen from outside: public pages answer 503, a
Graph 401 storm never leaves the connection needing its host, and anonymous views don't write."""

import asyncio
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx2
import pytest
from sqlalchemy.engine import make_url

from tests.integration.web.conftest import PASSWORD, PageHost, log_in
from tests.support.builders import make_host, make_link, service_context
from tests.support.clock import FixedClock
from tests.support.microsoft import connect_microsoft
from tests.support.sandbox import SandboxControl
from tests.support.server import LiveServer
from workestra.clock import SystemClock

ALICE = "alice@contoso.test"


@pytest.fixture
def live_clock() -> FixedClock:
    """The server's clock, moved by hand (a minute between refreshes of a refused token)."""
    return FixedClock(SystemClock().now())


@dataclass(frozen=True)
class OutlookHost:
    page: PageHost  # to log in as the host
    api: dict[str, str]  # the host's API key header

    @property
    def slug(self) -> str:
        return self.page.link.slug


@pytest.fixture
async def outlook_host(
    live_server: LiveServer, sandbox: SandboxControl, live_clock: FixedClock
) -> OutlookHost:
    """A host whose booking link reads a connected Outlook calendar (through the sandbox)."""
    await sandbox.create_microsoft_user(email=ALICE, display_name="Alice Contoso")
    async with service_context(live_server.settings, clock=live_clock) as ctx:
        created, host = await make_host(ctx, name="Alice", password=PASSWORD)
        await connect_microsoft(ctx, host, sandbox, email=ALICE)
        link = await make_link(ctx, host, calendar_provider="microsoft", timezone="UTC")
    page = PageHost(host.id, host.name, host.email, PASSWORD, link)
    return OutlookHost(page, {"Authorization": f"Bearer {created.api_key}"})


async def slots(http: httpx2.AsyncClient, slug: str) -> httpx2.Response:
    day = (SystemClock().now() + timedelta(days=3)).date().isoformat()
    return await http.get(f"/api/v1/public/links/{slug}/slots", params={"start": day, "end": day})


async def card(http: httpx2.AsyncClient, host: OutlookHost, *, check: bool) -> dict[str, Any]:
    """The host's Microsoft card from GET /api/v1/integrations (``check``: health-check it first)."""
    response = await http.get("/api/v1/integrations", params={"check": str(check).lower()}, headers=host.api)
    assert response.status_code == 200, response.text
    microsoft: dict[str, Any] = response.json()[0]
    assert microsoft["provider"] == "microsoft_calendar"
    return microsoft


async def test_a_graph_401_storm_passes_without_the_host_reconnecting(
    http: httpx2.AsyncClient, sandbox: SandboxControl, outlook_host: OutlookHost, live_clock: FixedClock
) -> None:
    # Five 401s: the first read refreshes the token and is refused again on the retry; the next two
    # are refused at once (the token was refreshed moments ago).
    await sandbox.add_microsoft_fault(status=401, count=5, path_contains="calendarView", email=ALICE)

    during = [await slots(http, outlook_host.slug) for _ in range(3)]

    for response in during:  # unreadable right now, like any other outage
        assert response.status_code == 503, response.text
        assert response.json()["error"]["code"] == "calendar_unavailable"
    stored = await card(http, outlook_host, check=False)
    assert stored["status"] == "active"
    assert stored["needs_reconnect"] is False
    assert stored["problem"]["code"] == "unavailable"
    checked = await card(http, outlook_host, check=True)  # the health check: still the host's account
    assert (checked["status"], checked["needs_reconnect"], checked["problem"]) == ("active", False, None)

    # A minute later, the last 401 of the storm: one refresh and the retry works; no reconnect
    # happened in between.
    live_clock.advance(timedelta(minutes=1))
    after = await slots(http, outlook_host.slug)
    assert after.status_code == 200, after.text
    assert after.json()["slots"]
    assert (await card(http, outlook_host, check=False))["status"] == "active"


@pytest.fixture
def integration_writes(live_server: LiveServer) -> Iterator[sqlite3.Connection]:
    """The server's SQLite database with every UPDATE of a ``user_integrations`` row counted by a
    trigger, whoever issues it: ``writes(db)`` is what was really written."""
    path = make_url(live_server.settings.database_url).database
    assert path
    db = sqlite3.connect(path, timeout=10, isolation_level=None)
    db.executescript(
        """
        CREATE TABLE test_integration_writes (at TEXT);
        CREATE TRIGGER test_count_integration_writes AFTER UPDATE ON user_integrations
        BEGIN INSERT INTO test_integration_writes VALUES (datetime('now')); END;
        """
    )
    try:
        yield db
    finally:
        db.close()


def writes(db: sqlite3.Connection) -> int:
    count: int = db.execute("SELECT count(*) FROM test_integration_writes").fetchone()[0]
    return count


async def test_anonymous_views_of_an_unreadable_calendar_write_the_hosts_card_once(
    http: httpx2.AsyncClient,
    live_server: LiveServer,
    sandbox: SandboxControl,
    outlook_host: OutlookHost,
    integration_writes: sqlite3.Connection,
) -> None:
    # Graph is down for this mailbox, and a crowd of anonymous visitors opens the booking page.
    await sandbox.add_microsoft_fault(status=503, count=100, path_contains="calendarView", email=ALICE)
    views = 20

    flood = await asyncio.gather(*(slots(http, outlook_host.slug) for _ in range(views)))
    more = [await slots(http, outlook_host.slug) for _ in range(3)]

    assert [r.status_code for r in [*flood, *more]] == [503] * (views + 3)
    assert writes(integration_writes) == 1  # the note, once; no write per anonymous view
    stored = await card(http, outlook_host, check=False)
    assert stored["problem"]["code"] == "unavailable"
    assert stored["status"] == "active"
    async with httpx2.AsyncClient(base_url=live_server.url, timeout=30) as browser:
        await log_in(browser, outlook_host.page)
        page = (await browser.get("/settings/connected-accounts")).text
    assert "The calendar couldn&#39;t be read just now" in page


async def token_refreshes(sandbox: SandboxControl) -> int:
    """Refresh-token grants the identity platform (the sandbox) was asked for."""
    return sum(
        1
        for r in await sandbox.microsoft_requests()
        if r["path"].endswith("/oauth2/v2.0/token") and (r["body"] or {}).get("grant_type") == "refresh_token"
    )


async def test_a_graph_401_storm_costs_one_token_refresh_a_minute_however_many_visitors_read(
    http: httpx2.AsyncClient,
    sandbox: SandboxControl,
    outlook_host: OutlookHost,
    integration_writes: sqlite3.Connection,
    live_clock: FixedClock,
) -> None:
    """Anonymous visitors during a 401 storm can't make the server refresh the host's token (and
    write its row) per view: a token refused moments after a refresh is an outage."""
    views = 12
    # Graph refuses every token for a while: the first view refreshes and is refused again, the
    # other views are refused once each; a minute later one view refreshes again (two refusals).
    await sandbox.add_microsoft_fault(status=401, count=views + 3, path_contains="calendarView", email=ALICE)
    refreshed = await token_refreshes(sandbox)

    one_by_one = [await slots(http, outlook_host.slug) for _ in range(views // 2)]
    at_once = await asyncio.gather(*(slots(http, outlook_host.slug) for _ in range(views - views // 2)))

    assert await token_refreshes(sandbox) == refreshed + 1
    assert writes(integration_writes) == 3  # the refresh's lease and its result, the card's note
    for response in [*one_by_one, *at_once]:
        assert response.status_code == 503, response.text
        assert response.json()["error"]["code"] == "calendar_unavailable"

    live_clock.advance(timedelta(minutes=1))
    later = await slots(http, outlook_host.slug)
    assert later.status_code == 503, later.text
    assert await token_refreshes(sandbox) == refreshed + 2  # one more, a minute later
    assert writes(integration_writes) == 5  # the card says so already

    # The storm is over: the token refreshed during it works, the card's note goes, nobody reconnected.
    after = await slots(http, outlook_host.slug)
    assert after.status_code == 200, after.text
    assert after.json()["slots"]
    assert await token_refreshes(sandbox) == refreshed + 2
    stored = await card(http, outlook_host, check=False)
    assert (stored["status"], stored["needs_reconnect"], stored["problem"]) == ("active", False, None)
