"""Round-robin members are listed by email, and the answer never tells whether an address has an
account; an address without one joins the pool only once an account with it exists."""

from datetime import timedelta

import httpx2

from tests.integration.api.conftest import ApiHost
from tests.support.builders import make_host, service_context
from tests.support.processes import ALL_DAY_HOURS
from tests.support.server import LiveServer
from workestra.clock import SystemClock

STRANGER = "nobody-here@example.test"


def _day() -> str:
    return (SystemClock().now() + timedelta(days=4)).date().isoformat()


async def _create(http: httpx2.AsyncClient, host: ApiHost, slug: str, members: list[str]) -> httpx2.Response:
    return await http.post(
        "/api/v1/booking-links",
        headers=host.headers,
        json={
            "slug": slug,
            "title": "Pool",
            "duration_minutes": 30,
            "timezone": "UTC",
            "weekly_hours": ALL_DAY_HOURS,
            "round_robin_members": members,
        },
    )


async def _slots(http: httpx2.AsyncClient, slug: str) -> list[str]:
    response = await http.get(
        f"/api/v1/public/links/{slug}/slots", params={"start": _day(), "end": _day(), "timezone": "UTC"}
    )
    assert response.status_code == 200, response.text
    return [s["start"] for s in response.json()["slots"]]


async def test_the_answer_is_the_same_whether_or_not_a_member_has_an_account(
    http: httpx2.AsyncClient, two_hosts: tuple[ApiHost, ApiHost]
) -> None:
    alice, bob = two_hosts
    known = await _create(http, alice, "pool-known", [bob.email])
    unknown = await _create(http, alice, "pool-unknown", [STRANGER])

    assert known.status_code == unknown.status_code == 201, (known.text, unknown.text)
    assert known.json()["round_robin_members"] == [bob.email]
    assert unknown.json()["round_robin_members"] == [STRANGER]
    assert sorted(known.json()) == sorted(unknown.json())
    changed = await http.patch(
        f"/api/v1/booking-links/{known.json()['id']}",
        headers=alice.headers,
        json={"round_robin_members": [bob.email, STRANGER]},
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["round_robin_members"] == [bob.email, STRANGER]
    assert "user" not in changed.text.lower().replace("round_robin_members", "")


async def test_an_address_without_an_account_is_in_no_pool_until_the_account_exists(
    http: httpx2.AsyncClient, two_hosts: tuple[ApiHost, ApiHost], live_server: LiveServer
) -> None:
    alice, bob = two_hosts
    assert (await _create(http, alice, "pool-mixed", [STRANGER, bob.email])).status_code == 201
    assert (await _create(http, alice, "pool-empty", [STRANGER])).status_code == 201

    assert await _slots(http, "pool-empty") == []  # nobody to book: not the owner, not the stranger
    start = (await _slots(http, "pool-mixed"))[0]
    booked = await http.post(
        "/api/v1/public/links/pool-mixed/bookings",
        json={"start": start, "name": "Ivo", "email": "ivo@example.test", "timezone": "UTC"},
    )
    assert booked.status_code == 201, booked.text
    assert booked.json()["host"]["email"] == bob.email

    async with service_context(live_server.settings) as ctx:
        await make_host(ctx, name="Newcomer", email=STRANGER)
    assert await _slots(http, "pool-empty") != []
    start = (await _slots(http, "pool-empty"))[0]
    booked = await http.post(
        "/api/v1/public/links/pool-empty/bookings",
        json={"start": start, "name": "Ivo", "email": "ivo@example.test", "timezone": "UTC"},
    )
    assert booked.status_code == 201, booked.text
    assert booked.json()["host"]["email"] == STRANGER
