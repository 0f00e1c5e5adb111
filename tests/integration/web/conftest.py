"""Page-test helpers: a host with a booking link on the live server, and a logged-in browser-like client."""

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta

import httpx2
import pytest

from tests.support.builders import make_host, make_link, service_context
from tests.support.server import LiveServer
from workestra.clock import SystemClock
from workestra.services.booking_links import LinkView

PASSWORD = "correct horse battery"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass(frozen=True)
class PageHost:
    id: str
    name: str
    email: str
    password: str
    link: LinkView


def csrf_from(html: str) -> str:
    match = CSRF.search(html)
    assert match, "no csrf_token input on the page"
    return match.group(1)


async def csrf_of(client: httpx2.AsyncClient, path: str) -> str:
    response = await client.get(path)
    assert response.status_code == 200, response.text
    return csrf_from(response.text)


async def log_in(client: httpx2.AsyncClient, host: PageHost) -> httpx2.Response:
    token = await csrf_of(client, "/login")
    response = await client.post(
        "/login", data={"email": host.email, "password": host.password, "csrf_token": token}
    )
    assert response.status_code == 303, response.text
    return response


async def _page_host(live_server: LiveServer, name: str) -> PageHost:
    async with service_context(live_server.settings) as ctx:
        _, host = await make_host(ctx, name=name, password=PASSWORD)
        link = await make_link(ctx, host, title=f"{name}'s intro call")
    return PageHost(host.id, host.name, host.email, PASSWORD, link)


@pytest.fixture
async def page_host(live_server: LiveServer) -> PageHost:
    return await _page_host(live_server, "Hana Host")


@pytest.fixture
async def other_host(live_server: LiveServer) -> PageHost:
    return await _page_host(live_server, "Otto Other")


@pytest.fixture
async def browser(live_server: LiveServer, page_host: PageHost) -> AsyncIterator[httpx2.AsyncClient]:
    """A client with its own cookie jar, logged in as ``page_host``."""
    async with httpx2.AsyncClient(base_url=live_server.url, timeout=30) as client:
        await log_in(client, page_host)
        yield client


async def book_first_slot(
    http: httpx2.AsyncClient,
    slug: str,
    *,
    name: str = "Ivy Invitee",
    email: str = "ivy@example.test",
    timezone: str = "America/New_York",
) -> dict[str, object]:
    """Book the first free slot three days ahead through the public JSON API (as book.js does)."""
    day = (SystemClock().now() + timedelta(days=3)).date().isoformat()
    slots = await http.get(
        f"/api/v1/public/links/{slug}/slots", params={"start": day, "end": day, "timezone": timezone}
    )
    assert slots.status_code == 200, slots.text
    start = slots.json()["slots"][0]["start"]
    response = await http.post(
        f"/api/v1/public/links/{slug}/bookings",
        json={"start": start, "name": name, "email": email, "timezone": timezone},
    )
    assert response.status_code == 201, response.text
    body: dict[str, object] = response.json()
    return body
