"""GET /api/v1/integrations lists each connection's calendars and busy rules; PATCH
/api/v1/integrations/{provider} chooses them (DESIGN "Microsoft 365 depth"), on the live server."""

from typing import Any

import httpx2
import pytest

from tests.integration.api.conftest import ApiHost
from tests.support.builders import service_context
from tests.support.microsoft import MS, connect_microsoft, register_app
from tests.support.sandbox import SandboxControl
from tests.support.server import LiveServer
from workestra.services.users import get_host

ALICE = "alice@contoso.test"
CALENDAR_KEYS = {"id", "name", "primary", "can_edit", "check_conflicts", "destination"}
DEFAULT_RULES = {"tentative_blocks": True, "working_elsewhere_blocks": False, "all_day_free_blocks": False}


@pytest.fixture
async def alice(
    live_server: LiveServer, sandbox: SandboxControl, two_hosts: tuple[ApiHost, ApiHost]
) -> ApiHost:
    await register_app(sandbox, live_server.settings.base_url)
    await sandbox.create_microsoft_user(email=ALICE, display_name="Alice Contoso")
    async with service_context(live_server.settings) as ctx:
        host = await get_host(ctx, two_hosts[0].id)
        assert host is not None
        await connect_microsoft(ctx, host, sandbox, email=ALICE)
    return two_hosts[0]


async def _microsoft(http: httpx2.AsyncClient, host: ApiHost, *, check: bool = True) -> dict[str, Any]:
    response = await http.get(
        "/api/v1/integrations", params={"check": str(check).lower()}, headers=host.headers
    )
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()[0]
    assert found["provider"] == "microsoft_calendar"
    return found


async def _tokens(live_server: LiveServer, host: ApiHost) -> list[str]:
    async with service_context(live_server.settings) as ctx, ctx.uow() as uow:
        row = await uow.integrations.get(host.id, MS)
        assert row is not None
        assert row.refresh_token_enc is not None
        return [ctx.token_box.open(row.access_token_enc), ctx.token_box.open(row.refresh_token_enc)]


async def test_connections_list_their_calendars_and_busy_rules(
    http: httpx2.AsyncClient, sandbox: SandboxControl, alice: ApiHost, two_hosts: tuple[ApiHost, ApiHost]
) -> None:
    team = await sandbox.add_microsoft_calendar(ALICE, "Team")

    stored = await _microsoft(http, alice, check=False)  # as listed when connecting: before "Team"
    assert [c["name"] for c in stored["calendars"]] == ["Calendar"]
    checked = await _microsoft(http, alice)

    calendars = checked["calendars"]
    assert isinstance(calendars, list)
    assert all(set(c) == CALENDAR_KEYS for c in calendars)
    assert [(c["name"], c["primary"], c["check_conflicts"], c["destination"]) for c in calendars] == [
        ("Calendar", True, True, True),
        ("Team", False, False, False),
    ]
    assert calendars[1]["id"] == team
    assert checked["busy_rules"] == DEFAULT_RULES
    assert checked["choosable"] == {
        "conflict_calendars": True,
        "destination_calendar": True,
        "busy_rules": True,
    }
    google = (await http.get("/api/v1/integrations", headers=alice.headers)).json()[1]
    assert (google["connected"], google["calendars"], google["busy_rules"]) == (False, None, None)
    bob = (await http.get("/api/v1/integrations", headers=two_hosts[1].headers)).json()[0]
    assert (bob["connected"], bob["calendars"]) == (False, None)


async def test_patch_chooses_calendars_and_busy_rules(
    http: httpx2.AsyncClient, live_server: LiveServer, sandbox: SandboxControl, alice: ApiHost
) -> None:
    team = await sandbox.add_microsoft_calendar(ALICE, "Team")
    body = {
        "conflict_calendars": [team],
        "destination_calendar": team,
        "busy_rules": {"tentative_blocks": False},
    }

    response = await http.patch("/api/v1/integrations/microsoft_calendar", json=body, headers=alice.headers)

    assert response.status_code == 200, response.text
    answer = response.json()
    assert [(c["name"], c["check_conflicts"], c["destination"]) for c in answer["calendars"]] == [
        ("Calendar", False, False),
        ("Team", True, True),
    ]
    assert answer["busy_rules"] == {**DEFAULT_RULES, "tentative_blocks": False}
    assert await _microsoft(http, alice, check=False) == {**answer, "checked_at": answer["checked_at"]}

    # Partial: the rules alone; then back to the primary with nulls. The short name works too.
    rules = await http.patch(
        "/api/v1/integrations/microsoft",
        json={"busy_rules": {"working_elsewhere_blocks": True}},
        headers=alice.headers,
    )
    assert rules.json()["busy_rules"] == {
        **DEFAULT_RULES,
        "tentative_blocks": False,
        "working_elsewhere_blocks": True,
    }
    assert [c["check_conflicts"] for c in rules.json()["calendars"]] == [False, True]
    reset = await http.patch(
        "/api/v1/integrations/microsoft_calendar",
        json={"conflict_calendars": None, "destination_calendar": None},
        headers=alice.headers,
    )
    assert [(c["check_conflicts"], c["destination"]) for c in reset.json()["calendars"]] == [
        (True, True),
        (False, False),
    ]
    for text in (response.text, rules.text, reset.text):
        for secret in await _tokens(live_server, alice):
            assert secret not in text


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"conflict_calendars": ["AAMkNope="]}, "conflict_calendars"),
        ({"conflict_calendars": []}, "conflict_calendars"),
        ({"destination_calendar": "AAMkNope="}, "destination_calendar"),
        ({"destination_calendar": "READ_ONLY"}, "destination_calendar"),
    ],
)
async def test_patch_refuses_what_isnt_a_usable_calendar(
    http: httpx2.AsyncClient, sandbox: SandboxControl, alice: ApiHost, body: dict[str, object], field: str
) -> None:
    shared = await sandbox.add_microsoft_calendar(ALICE, "Boss", can_edit=False)
    if body.get("destination_calendar") == "READ_ONLY":
        body = {"destination_calendar": shared}
    before = await _microsoft(http, alice)

    response = await http.patch("/api/v1/integrations/microsoft_calendar", json=body, headers=alice.headers)

    assert response.status_code == 422, response.text
    assert field in response.text
    assert await _microsoft(http, alice, check=False) == {**before, "checked_at": before["checked_at"]}


@pytest.mark.parametrize(
    "body",
    [
        {"busy_rules": {"tentative_blocks": "yes"}},
        {"busy_rules": {"sometimes": True}},
        {"conflict_calendars": "AAMk="},
        {"calendars": []},
    ],
)
async def test_patch_refuses_malformed_bodies(
    http: httpx2.AsyncClient, alice: ApiHost, body: dict[str, object]
) -> None:
    response = await http.patch("/api/v1/integrations/microsoft_calendar", json=body, headers=alice.headers)
    assert response.status_code == 422, response.text


async def test_patch_of_what_isnt_connected_or_offered(
    http: httpx2.AsyncClient, alice: ApiHost, two_hosts: tuple[ApiHost, ApiHost]
) -> None:
    bob = two_hosts[1]
    not_connected = await http.patch(
        "/api/v1/integrations/microsoft_calendar", json={"busy_rules": {}}, headers=bob.headers
    )
    assert not_connected.status_code == 404
    unknown = await http.patch("/api/v1/integrations/zoom", json={}, headers=alice.headers)
    assert unknown.status_code == 404
    anonymous = await http.patch("/api/v1/integrations/microsoft_calendar", json={})
    assert anonymous.status_code == 401


async def test_a_provider_that_is_down_is_never_a_500(
    http: httpx2.AsyncClient, sandbox: SandboxControl, alice: ApiHost
) -> None:
    await sandbox.add_microsoft_fault(status=503, count=10, email=ALICE)

    listed = await _microsoft(http, alice)
    assert listed["calendars"] is None
    assert listed["problem"] == {**listed["problem"], "code": "unavailable"}

    patched = await http.patch(
        "/api/v1/integrations/microsoft_calendar", json={"conflict_calendars": None}, headers=alice.headers
    )
    assert patched.status_code == 503, patched.text
