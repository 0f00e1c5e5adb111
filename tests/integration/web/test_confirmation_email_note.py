"""The confirmation page tells the invitee what really happens to their confirmation email."""

import asyncio
from collections.abc import AsyncIterator

import httpx2
import pytest

from tests.conftest import SettingsFactory
from tests.integration.web.conftest import book_first_slot
from tests.support.builders import make_host, make_link, service_context
from tests.support.server import LiveServer, free_port
from tests.support.smtp import SmtpSink
from workestra.services.booking_links import LinkView

NOT_SENT = "This server doesn't send email, so no confirmation will arrive"
ON_ITS_WAY = "A confirmation email is on its way to ivy@example.test."


async def _link(server: LiveServer) -> LinkView:
    async with service_context(server.settings) as ctx:
        _, host = await make_host(ctx)
        return await make_link(ctx, host)


@pytest.fixture
async def server_without_smtp(make_settings: SettingsFactory) -> AsyncIterator[LiveServer]:
    port = free_port()
    settings = make_settings(base_url=f"http://127.0.0.1:{port}", smtp_url=None)
    server = LiveServer(settings, port=port)
    await asyncio.to_thread(server.start)
    try:
        yield server
    finally:
        await asyncio.to_thread(server.stop)


async def test_without_smtp_the_page_says_no_email_will_arrive(server_without_smtp: LiveServer) -> None:
    link = await _link(server_without_smtp)
    async with httpx2.AsyncClient(base_url=server_without_smtp.url, timeout=30) as http:
        booking = await book_first_slot(http, link.slug)
        page = await http.get(f"/book/{link.slug}/confirmed/{booking['id']}")
    assert page.status_code == 200
    assert NOT_SENT in page.text
    assert "has been sent" not in page.text
    assert "on its way" not in page.text


async def test_with_smtp_the_page_says_the_email_is_on_its_way_and_it_arrives(
    http: httpx2.AsyncClient, live_server: LiveServer, smtp_sink: SmtpSink
) -> None:
    link = await _link(live_server)
    booking = await book_first_slot(http, link.slug)
    page = await http.get(f"/book/{link.slug}/confirmed/{booking['id']}")
    assert page.status_code == 200
    assert ON_ITS_WAY in page.text
    assert NOT_SENT not in page.text
    assert "has been sent" not in page.text  # queued, not yet sent
    message = await smtp_sink.message_to("ivy@example.test")
    assert message["To"] == "ivy@example.test"
