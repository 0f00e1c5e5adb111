"""Round-robin members are listed by email and join a pool only by saying yes on their own account
page: what the host can see (answers, slots, bookings) never tells whether an address has an
account, and nobody's calendar counts before they agree."""

import re
from datetime import timedelta

import httpx2

from tests.integration.api.conftest import ApiHost
from tests.integration.web.conftest import PASSWORD, csrf_from, csrf_of
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
            "title": f"Pool {slug}",
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


async def _book_first(http: httpx2.AsyncClient, slug: str) -> httpx2.Response:
    start = (await _slots(http, slug))[0]
    return await http.post(
        f"/api/v1/public/links/{slug}/bookings",
        json={"start": start, "name": "Ivo", "email": "ivo@example.test", "timezone": "UTC"},
    )


async def _sign_in(browser: httpx2.AsyncClient, email: str) -> None:
    token = await csrf_of(browser, "/login")
    signed_in = await browser.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": token})
    assert signed_in.status_code == 303, signed_in.text


async def _answer(live_server: LiveServer, email: str, link_title: str, action: str) -> None:
    """The member signs in and answers ("join" or "leave") their one place, on the account page."""
    async with httpx2.AsyncClient(base_url=live_server.url, timeout=30) as browser:
        await _sign_in(browser, email)
        page = await browser.get("/settings/account")
        assert link_title in page.text
        [path] = re.findall(rf'action="(/settings/account/pools/[^"/]+/{action})"', page.text)
        answered = await browser.post(path, data={"csrf_token": csrf_from(page.text)})
        assert answered.status_code == 303, answered.text


async def test_the_answer_is_the_same_whether_or_not_a_member_has_an_account(
    http: httpx2.AsyncClient, two_hosts: tuple[ApiHost, ApiHost]
) -> None:
    alice, bob = two_hosts
    known = await _create(http, alice, "pool-known", [bob.email])
    unknown = await _create(http, alice, "pool-unknown", [STRANGER])

    assert known.status_code == unknown.status_code == 201, (known.text, unknown.text)
    assert known.json()["round_robin_members"] == [bob.email]
    assert unknown.json()["round_robin_members"] == [STRANGER]
    differ = {"id", "slug", "title", "round_robin_members", "booking_page_url"}
    assert {k: v for k, v in known.json().items() if k not in differ} == {
        k: v for k, v in unknown.json().items() if k not in differ
    }
    # Nobody has said yes: both links offer exactly the same (nothing), so slots tell nothing either.
    assert await _slots(http, "pool-known") == await _slots(http, "pool-unknown") == []
    changed = await http.patch(
        f"/api/v1/booking-links/{known.json()['id']}",
        headers=alice.headers,
        json={"round_robin_members": [bob.email, STRANGER]},
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["round_robin_members"] == [bob.email, STRANGER]


async def test_a_member_counts_only_after_saying_yes_and_not_after_leaving(
    http: httpx2.AsyncClient, live_server: LiveServer, two_hosts: tuple[ApiHost, ApiHost]
) -> None:
    alice, _ = two_hosts
    async with service_context(live_server.settings) as ctx:
        _, rep = await make_host(ctx, name="Rita Rep", password=PASSWORD)
    assert (await _create(http, alice, "pool-consent", [rep.email, STRANGER])).status_code == 201
    assert await _slots(http, "pool-consent") == []

    await _answer(live_server, rep.email, "Pool pool-consent", "join")
    booked = await _book_first(http, "pool-consent")
    assert booked.status_code == 201, booked.text
    assert booked.json()["host"]["email"] == rep.email

    await _answer(live_server, rep.email, "Pool pool-consent", "leave")
    assert await _slots(http, "pool-consent") == []
    listed = await http.get("/api/v1/booking-links", headers=alice.headers)
    [link] = [link for link in listed.json() if link["slug"] == "pool-consent"]
    assert link["round_robin_members"] == [rep.email, STRANGER]  # an answer never shows in the list


async def test_when_the_only_member_declines_the_link_offers_nothing_and_never_books_its_owner(
    http: httpx2.AsyncClient, live_server: LiveServer, two_hosts: tuple[ApiHost, ApiHost]
) -> None:
    alice, _ = two_hosts
    async with service_context(live_server.settings) as ctx:
        _, rep = await make_host(ctx, name="Rita Rep", password=PASSWORD)
    created = await _create(http, alice, "pool-declined", [rep.email])
    assert created.status_code == 201
    await _answer(live_server, rep.email, "Pool pool-declined", "leave")
    assert await _slots(http, "pool-declined") == []
    day = (SystemClock().now() + timedelta(days=4)).date().isoformat()
    refused = await http.post(
        "/api/v1/public/links/pool-declined/bookings",
        json={
            "start": f"{day}T10:00:00+00:00",
            "name": "Ivo",
            "email": "ivo@example.test",
            "timezone": "UTC",
        },
    )
    assert refused.status_code == 409, refused.text
    assert (await http.get("/api/v1/bookings", headers=alice.headers)).json() == []
    resaved = await http.patch(  # saving the link again doesn't ask again, nor change the list
        f"/api/v1/booking-links/{created.json()['id']}",
        headers=alice.headers,
        json={"round_robin_members": [rep.email], "title": "Renamed"},
    )
    assert resaved.status_code == 200, resaved.text
    assert resaved.json()["round_robin_members"] == [rep.email]
    assert await _slots(http, "pool-declined") == []


async def test_an_address_without_an_account_waits_for_the_account_and_its_yes(
    http: httpx2.AsyncClient, live_server: LiveServer, two_hosts: tuple[ApiHost, ApiHost]
) -> None:
    alice, _ = two_hosts
    assert (await _create(http, alice, "pool-later", [STRANGER])).status_code == 201
    async with service_context(live_server.settings) as ctx:
        await make_host(ctx, name="Newcomer", email=STRANGER, password=PASSWORD)
    assert await _slots(http, "pool-later") == []  # an account alone is no yes
    await _answer(live_server, STRANGER, "Pool pool-later", "join")
    booked = await _book_first(http, "pool-later")
    assert booked.status_code == 201, booked.text
    assert booked.json()["host"]["email"] == STRANGER


async def test_the_owner_listing_themselves_is_in_the_pool_at_once(
    http: httpx2.AsyncClient, two_hosts: tuple[ApiHost, ApiHost]
) -> None:
    alice, bob = two_hosts
    assert (await _create(http, alice, "pool-owner", [alice.email, bob.email])).status_code == 201
    booked = await _book_first(http, "pool-owner")
    assert booked.status_code == 201, booked.text
    assert booked.json()["host"]["email"] == alice.email  # Bob hasn't answered: only Alice is in


async def test_nobody_can_answer_for_somebody_else(
    http: httpx2.AsyncClient, live_server: LiveServer, two_hosts: tuple[ApiHost, ApiHost]
) -> None:
    alice, _ = two_hosts
    async with service_context(live_server.settings) as ctx:
        _, rep = await make_host(ctx, name="Rita Rep", password=PASSWORD)
        _, mallory = await make_host(ctx, name="Mallory", password=PASSWORD)
    assert (await _create(http, alice, "pool-theirs", [rep.email])).status_code == 201
    async with httpx2.AsyncClient(base_url=live_server.url, timeout=30) as rita:
        await _sign_in(rita, rep.email)
        page = await rita.get("/settings/account")
        [path] = re.findall(r'action="(/settings/account/pools/[^"/]+)/join"', page.text)
    async with httpx2.AsyncClient(base_url=live_server.url, timeout=30) as other:
        await _sign_in(other, mallory.email)
        token = await csrf_of(other, "/settings/account")
        refused = await other.post(f"{path}/join", data={"csrf_token": token})
        assert refused.status_code == 404
    assert await _slots(http, "pool-theirs") == []  # Rita is still not in the pool
