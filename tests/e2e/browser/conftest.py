"""Browser journeys: Debian's Chromium against the live server, the sandbox and a real SMTP server."""

from dataclasses import dataclass

import pytest

from tests.support.browser import browser, page, page_errors
from tests.support.builders import make_host, service_context
from tests.support.server import LiveServer
from workestra.services.users import Host

__all__ = ["browser", "page", "page_errors"]

PASSWORD = "correct horse battery"


@dataclass(frozen=True)
class Account:
    host: Host
    password: str


@pytest.fixture
async def account(live_server: LiveServer) -> Account:
    async with service_context(live_server.settings) as ctx:
        _, host = await make_host(ctx, name="Hana Host", timezone="America/New_York", password=PASSWORD)
    return Account(host, PASSWORD)
