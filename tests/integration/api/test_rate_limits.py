"""Public endpoints are rate-limited per client address (and bookings per invitee email): past the
budget the answer is 429 with Retry-After and nothing is booked; normal use is never refused."""

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import httpx2
import pytest

from tests.conftest import SettingsFactory
from tests.integration.api.conftest import ApiHost
from tests.support.builders import make_host, make_link, service_context
from tests.support.redis import redis_for_test
from tests.support.server import LiveServer, free_port
from workestra.clock import SystemClock

TRUST_LOOPBACK_PROXY = {"forwarded_allow_ips": "127.0.0.1"}


def _days(count: int) -> tuple[str, str]:
    first = (SystemClock().now() + timedelta(days=2)).date()
    return first.isoformat(), (first + timedelta(days=count - 1)).isoformat()


async def _starts(http: httpx2.AsyncClient, slug: str, *, days: int = 1) -> list[str]:
    start, end = _days(days)
    response = await http.get(
        f"/api/v1/public/links/{slug}/slots", params={"start": start, "end": end, "timezone": "UTC"}
    )
    assert response.status_code == 200, response.text
    return [slot["start"] for slot in response.json()["slots"]]


async def _book(
    http: httpx2.AsyncClient, slug: str, start: str, email: str, *, forwarded_for: str | None = None
) -> httpx2.Response:
    return await http.post(
        f"/api/v1/public/links/{slug}/bookings",
        json={"start": start, "name": "Ivy Invitee", "email": email, "timezone": "UTC"},
        headers={"X-Forwarded-For": forwarded_for} if forwarded_for else None,
    )


def _assert_refused(response: httpx2.Response, *, within_seconds: int, says: str) -> None:
    assert response.status_code == 429, response.text
    assert 0 < int(response.headers["Retry-After"]) <= within_seconds
    error = response.json()["error"]
    assert error["code"] == "rate_limited"
    assert says in error["message"]


async def _bookings_of(http: httpx2.AsyncClient, host: ApiHost) -> int:
    response = await http.get("/api/v1/bookings", headers=host.headers)
    assert response.status_code == 200, response.text
    return len(response.json())


async def test_one_client_making_sixty_bookings_in_seconds_is_stopped_after_ten(
    http: httpx2.AsyncClient, two_hosts: tuple[ApiHost, ApiHost]
) -> None:
    alice, _ = two_hosts
    starts = (await _starts(http, alice.link.slug, days=2))[:60]
    assert len(starts) == 60
    answers = [
        await _book(http, alice.link.slug, start, f"bot{i}@example.test") for i, start in enumerate(starts)
    ]
    assert [a.status_code for a in answers[:10]] == [201] * 10
    for refused in answers[10:]:
        _assert_refused(refused, within_seconds=60, says="your network")
    assert await _bookings_of(http, alice) == 10


async def test_an_invitee_who_books_three_times_in_a_minute_is_never_refused(
    http: httpx2.AsyncClient, two_hosts: tuple[ApiHost, ApiHost]
) -> None:
    alice, _ = two_hosts
    starts = await _starts(http, alice.link.slug)
    for start in starts[:3]:
        response = await _book(http, alice.link.slug, start, "ivy@example.test")
        assert response.status_code == 201, response.text
    assert await _bookings_of(http, alice) == 3


@pytest.mark.parametrize("live_overrides", [TRUST_LOOPBACK_PROXY])
async def test_one_email_address_is_refused_past_five_bookings_whatever_the_client(
    http: httpx2.AsyncClient, two_hosts: tuple[ApiHost, ApiHost]
) -> None:
    alice, _ = two_hosts
    starts = await _starts(http, alice.link.slug)
    for i, start in enumerate(starts[:5]):
        booked = await _book(
            http, alice.link.slug, start, "Victim@Example.test", forwarded_for=f"203.0.113.{i + 1}"
        )
        assert booked.status_code == 201, booked.text
    refused = await _book(
        http, alice.link.slug, starts[5], "victim@example.test", forwarded_for="203.0.113.50"
    )
    _assert_refused(refused, within_seconds=10 * 60, says="this email address")
    other = await _book(http, alice.link.slug, starts[5], "ivy@example.test", forwarded_for="203.0.113.50")
    assert other.status_code == 201, other.text
    assert await _bookings_of(http, alice) == 6


async def test_a_client_browsing_weeks_of_slots_is_served_and_a_flood_is_refused(
    http: httpx2.AsyncClient, two_hosts: tuple[ApiHost, ApiHost]
) -> None:
    alice, _ = two_hosts
    first = (SystemClock().now() + timedelta(days=1)).date()
    for i in range(60):  # an invitee clicking through weeks and zones, many times over
        week = first + timedelta(days=7 * (i % 8))
        response = await http.get(
            f"/api/v1/public/links/{alice.link.slug}/slots",
            params={
                "start": week.isoformat(),
                "end": (week + timedelta(days=6)).isoformat(),
                "timezone": "Europe/Berlin" if i % 2 else "UTC",
            },
        )
        assert response.status_code == 200, response.text
    start, end = _days(1)
    refused = await http.get(
        f"/api/v1/public/links/{alice.link.slug}/slots",
        params={"start": start, "end": end, "timezone": "UTC"},
    )
    _assert_refused(refused, within_seconds=60, says="available times")


@pytest.mark.parametrize(
    "live_overrides", [{**TRUST_LOOPBACK_PROXY, "rate_limits": {"slots_per_client": "3/minute"}}]
)
async def test_slot_budgets_are_per_client(
    http: httpx2.AsyncClient, two_hosts: tuple[ApiHost, ApiHost]
) -> None:
    alice, _ = two_hosts
    start, end = _days(1)

    async def slots(client: str) -> httpx2.Response:
        return await http.get(
            f"/api/v1/public/links/{alice.link.slug}/slots",
            params={"start": start, "end": end, "timezone": "UTC"},
            headers={"X-Forwarded-For": client},
        )

    assert [(await slots("203.0.113.1")).status_code for _ in range(3)] == [200] * 3
    _assert_refused(await slots("203.0.113.1"), within_seconds=60, says="available times")
    assert (await slots("203.0.113.2")).status_code == 200


@pytest.fixture
async def two_servers_on_one_redis(
    make_settings: SettingsFactory, tmp_path: Path
) -> AsyncIterator[list[LiveServer]]:
    """Two app instances (as two `serve` processes would be) on one database and one Redis."""
    async with redis_for_test() as redis:
        database_url = f"sqlite+aiosqlite:///{tmp_path / 'shared.sqlite3'}"
        servers = []
        for _ in range(2):
            port = free_port()
            settings = make_settings(
                database_url=database_url,
                base_url=f"http://127.0.0.1:{port}",
                run_worker=False,
                redis_url=redis.url,
                redis_key_prefix=redis.key_prefix,
                rate_limits={"bookings_per_client": "4/minute"},
            )
            servers.append(LiveServer(settings, port=port))
        for server in servers:
            await asyncio.to_thread(server.start)
        try:
            yield servers
        finally:
            for server in servers:
                await asyncio.to_thread(server.stop)


@pytest.mark.redis
async def test_two_servers_on_one_redis_spend_one_budget(two_servers_on_one_redis: list[LiveServer]) -> None:
    first, second = two_servers_on_one_redis
    async with service_context(first.settings) as ctx:
        _, host = await make_host(ctx)
        link = await make_link(ctx, host, timezone="UTC")
    async with (
        httpx2.AsyncClient(base_url=first.url, timeout=30) as one,
        httpx2.AsyncClient(base_url=second.url, timeout=30) as two,
    ):
        starts = await _starts(one, link.slug)
        for i, start in enumerate(starts[:4]):
            booked = await _book((one, two)[i % 2], link.slug, start, f"invitee{i}@example.test")
            assert booked.status_code == 201, booked.text
        for client in (one, two):
            refused = await _book(client, link.slug, starts[4], "late@example.test")
            _assert_refused(refused, within_seconds=60, says="your network")


@pytest.mark.parametrize("live_overrides", [TRUST_LOOPBACK_PROXY])
async def test_requests_that_book_nothing_never_use_up_somebody_elses_address(
    http: httpx2.AsyncClient, two_hosts: tuple[ApiHost, ApiHost]
) -> None:
    alice, _ = two_hosts
    starts = await _starts(http, alice.link.slug)
    for i in range(8):  # refused attempts in the victim's name, from many addresses
        wasted = await _book(
            http,
            alice.link.slug,
            "2001-01-01T09:00:00+00:00",
            "victim@example.test",
            forwarded_for=f"203.0.113.{i}",
        )
        assert wasted.status_code == 422, wasted.text
    booked = await _book(
        http, alice.link.slug, starts[0], "victim@example.test", forwarded_for="198.51.100.7"
    )
    assert booked.status_code == 201, booked.text


@pytest.mark.parametrize(
    "live_overrides", [{**TRUST_LOOPBACK_PROXY, "rate_limits": {"slots_per_client": "3/minute"}}]
)
async def test_one_ipv6_network_spends_one_slot_budget(
    http: httpx2.AsyncClient, two_hosts: tuple[ApiHost, ApiHost]
) -> None:
    alice, _ = two_hosts
    start, end = _days(1)

    async def slots(client: str) -> int:
        response = await http.get(
            f"/api/v1/public/links/{alice.link.slug}/slots",
            params={"start": start, "end": end, "timezone": "UTC"},
            headers={"X-Forwarded-For": client},
        )
        return response.status_code

    assert [await slots(f"2001:db8:7:7::{i}") for i in range(1, 4)] == [200, 200, 200]
    assert await slots("2001:db8:7:7:abcd::1") == 429  # another address of the same /64
    assert await slots("2001:db8:7:8::1") == 200  # the next /64 is somebody else


@pytest.mark.parametrize("live_overrides", [TRUST_LOOPBACK_PROXY])
async def test_concurrent_bookings_for_one_address_never_pass_its_budget(
    http: httpx2.AsyncClient, two_hosts: tuple[ApiHost, ApiHost]
) -> None:
    alice, _ = two_hosts
    starts = await _starts(http, alice.link.slug)
    answers = await asyncio.gather(
        *(
            _book(http, alice.link.slug, start, "Victim@Example.test", forwarded_for=f"203.0.113.{i}")
            for i, start in enumerate(starts[:9])
        )
    )
    assert sorted(a.status_code for a in answers) == [201] * 5 + [429] * 4
    assert await _bookings_of(http, alice) == 5


@pytest.mark.parametrize(
    "live_overrides", [{**TRUST_LOOPBACK_PROXY, "rate_limits": {"changes_per_client": "2/minute"}}]
)
async def test_an_invitees_changes_are_limited_per_client_and_a_refused_one_changes_nothing(
    http: httpx2.AsyncClient, two_hosts: tuple[ApiHost, ApiHost]
) -> None:
    alice, _ = two_hosts
    [first, *_] = await _starts(http, alice.link.slug)
    made = (await _book(http, alice.link.slug, first, "ivy@example.test")).json()
    token = str(made["cancel_url"]).split("token=")[1]

    async def cancel(client: str, with_token: str) -> httpx2.Response:
        return await http.post(
            f"/api/v1/public/bookings/{made['id']}/cancel",
            json={"token": with_token},
            headers={"X-Forwarded-For": client},
        )

    # Wrong tokens spend the budget too: guessing is refused before a right one would be tried.
    assert [(await cancel("203.0.113.7", "guess")).status_code for _ in range(2)] == [404, 404]
    _assert_refused(await cancel("203.0.113.7", token), within_seconds=60, says="changes to bookings")
    seen = await http.get(f"/api/v1/bookings/{made['id']}", headers=alice.headers)
    assert seen.json()["status"] == "confirmed"
    assert (await cancel("203.0.113.8", token)).status_code == 200  # another client's budget
