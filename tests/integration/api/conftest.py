"""Two hosts with API keys and a link each, on the live server."""

from dataclasses import dataclass

import httpx2
import pytest

from tests.support.builders import make_host, make_link, service_context
from tests.support.server import LiveServer
from workestra.services.booking_links import LinkView


@dataclass(frozen=True)
class ApiHost:
    id: str
    email: str
    headers: dict[str, str]
    link: LinkView


@pytest.fixture
async def two_hosts(live_server: LiveServer) -> tuple[ApiHost, ApiHost]:
    async with service_context(live_server.settings) as ctx:
        hosts = []
        for name in ("Alice", "Bob"):
            created, host = await make_host(ctx, name=name)
            link = await make_link(ctx, host)
            hosts.append(ApiHost(host.id, host.email, {"Authorization": f"Bearer {created.api_key}"}, link))
    return hosts[0], hosts[1]


async def first_slot(http: httpx2.AsyncClient, slug: str, day: str, tz: str = "UTC") -> str:
    response = await http.get(
        f"/api/v1/public/links/{slug}/slots", params={"start": day, "end": day, "timezone": tz}
    )
    assert response.status_code == 200, response.text
    slots = response.json()["slots"]
    assert slots
    return str(slots[0]["start"])


@pytest.fixture
def live_url(live_server: LiveServer) -> str:
    return live_server.url
