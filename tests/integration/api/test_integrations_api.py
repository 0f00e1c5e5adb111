"""GET /api/v1/integrations: each connection's account, scopes, status and problem, never a token."""

import asyncio
from datetime import timedelta
from typing import Any

import httpx2
import pytest

from tests.conftest import SettingsFactory
from tests.integration.api.conftest import ApiHost
from tests.support.builders import make_host, make_link, service_context
from tests.support.microsoft import MS, connect_microsoft, register_app
from tests.support.sandbox import SandboxControl
from tests.support.server import LiveServer, free_port
from tests.support.smtp import SmtpSink
from workestra.clock import SystemClock
from workestra.services.users import get_host

ALICE = "alice@contoso.test"


async def test_the_integrations_api_reports_health_and_never_a_token(
    http: httpx2.AsyncClient,
    live_server: LiveServer,
    sandbox: SandboxControl,
    two_hosts: tuple[ApiHost, ApiHost],
) -> None:
    alice, bob = two_hosts
    await register_app(sandbox, live_server.settings.base_url)
    await sandbox.create_microsoft_user(email=ALICE, display_name="Alice Contoso")
    async with service_context(live_server.settings) as ctx:
        host = await get_host(ctx, alice.id)
        assert host is not None
        await connect_microsoft(ctx, host, sandbox, email=ALICE)
        async with ctx.uow() as uow:
            row = await uow.integrations.get(alice.id, MS)
        assert row is not None
        assert row.refresh_token_enc is not None
        secrets = [ctx.token_box.open(row.access_token_enc), ctx.token_box.open(row.refresh_token_enc)]

    listed = await http.get("/api/v1/integrations", params={"check": "false"}, headers=alice.headers)
    assert listed.status_code == 200
    [microsoft, google] = listed.json()
    assert microsoft["provider"] == "microsoft_calendar"
    assert microsoft["connected"] is True
    assert microsoft["account"]["email"] == ALICE
    assert microsoft["status"] == "active"
    assert microsoft["problem"] is None
    assert microsoft["meeting_link"] == {"name": "Microsoft Teams", "available": True}
    assert microsoft["account_kind"] == "work"
    assert {"Calendars.ReadWrite", "OnlineMeetings.ReadWrite", "User.Read", "offline_access"} <= set(
        microsoft["scopes"]
    )
    assert google == {**google, "provider": "google_calendar", "connected": False}

    await sandbox.drop_scope(ALICE, "OnlineMeetings.ReadWrite")
    await sandbox.expire_access_tokens(ALICE)  # the next call refreshes and gets the narrower grant
    checked = await http.get("/api/v1/integrations", headers=alice.headers)  # checks health by default
    problem = checked.json()[0]["problem"]
    assert problem["code"] == "missing_scope"
    assert "Teams links can't be created" in problem["message"]
    assert checked.json()[0]["needs_reconnect"] is True

    assert [i["connected"] for i in (await http.get("/api/v1/integrations", headers=bob.headers)).json()] == [
        False,
        False,
    ]
    for body in (listed.text, checked.text):
        for secret in secrets:
            assert secret not in body


@pytest.mark.parametrize(
    "fault",
    [{"status": 429, "retry_after": "1.5"}, {"status": 503}, {"status": None, "delay_seconds": 2.0}],
    ids=["throttled", "unavailable", "timeout"],
)
async def test_an_unreadable_calendar_makes_the_slots_api_say_so(
    make_settings: SettingsFactory, smtp_sink: SmtpSink, sandbox: SandboxControl, fault: dict[str, Any]
) -> None:
    port = free_port()
    settings = make_settings(
        base_url=f"http://127.0.0.1:{port}", http_timeout_seconds=0.5, smtp_url=smtp_sink.url
    )
    await register_app(sandbox, settings.base_url)
    await sandbox.create_microsoft_user(email=ALICE, display_name="Alice Contoso")
    server = LiveServer(settings, port=port)
    await asyncio.to_thread(server.start)  # migrates the database first
    try:
        async with service_context(settings) as ctx:
            _, host = await make_host(ctx)
            await connect_microsoft(ctx, host, sandbox, email=ALICE)
            link = await make_link(ctx, host, calendar_provider="microsoft")
        day = (SystemClock().now() + timedelta(days=3)).date().isoformat()
        async with httpx2.AsyncClient(base_url=server.url, timeout=30) as http:
            await sandbox.add_microsoft_fault(count=5, path_contains="calendarView", **fault)
            slots = await http.get(
                f"/api/v1/public/links/{link.slug}/slots", params={"start": day, "end": day}
            )
            assert slots.status_code == 503
            assert slots.json()["error"]["code"] == "calendar_unavailable"
            assert "can't be read" in slots.json()["error"]["message"]
            booking = {
                "start": f"{day}T10:00:00+01:00",
                "name": "Ivo",
                "email": "ivo@example.test",
                "timezone": "UTC",
            }
            booked = await http.post(f"/api/v1/public/links/{link.slug}/bookings", json=booking)
            assert booked.status_code == 503
        async with service_context(settings) as ctx, ctx.uow() as uow:
            assert await uow.bookings.count_for_link(link.id) == 0
    finally:
        await asyncio.to_thread(server.stop)
