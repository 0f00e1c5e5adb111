"""Buffers over HTTP: an existing booking keeps its link's buffers on both sides, whatever came first."""

from datetime import UTC, datetime, timedelta

import httpx2

from tests.integration.api.conftest import ApiHost
from tests.support.processes import ALL_DAY_HOURS
from workestra.clock import SystemClock


def _day() -> datetime:
    """10:00 UTC four days from now: well inside notice and horizon."""
    day = (SystemClock().now() + timedelta(days=4)).date()
    return datetime(day.year, day.month, day.day, 10, tzinfo=UTC)


async def _link(http: httpx2.AsyncClient, host: ApiHost, slug: str, **buffers: int) -> str:
    response = await http.post(
        "/api/v1/booking-links",
        headers=host.headers,
        json={
            "slug": slug,
            "title": "Buffered",
            "duration_minutes": 30,
            "timezone": "UTC",
            "weekly_hours": ALL_DAY_HOURS,
            **buffers,
        },
    )
    assert response.status_code == 201, response.text
    return slug


async def _starts(http: httpx2.AsyncClient, slug: str, day: datetime) -> list[datetime]:
    response = await http.get(
        f"/api/v1/public/links/{slug}/slots",
        params={"start": day.date().isoformat(), "end": day.date().isoformat(), "timezone": "UTC"},
    )
    assert response.status_code == 200, response.text
    return [datetime.fromisoformat(s["start"]) for s in response.json()["slots"]]


async def _book(http: httpx2.AsyncClient, slug: str, start: datetime, who: str) -> httpx2.Response:
    return await http.post(
        f"/api/v1/public/links/{slug}/bookings",
        json={"start": start.isoformat(), "name": who, "email": f"{who}@example.test", "timezone": "UTC"},
    )


async def _booked_starts(http: httpx2.AsyncClient, host: ApiHost) -> list[str]:
    listed = await http.get("/api/v1/bookings", headers=host.headers)
    return sorted(b["start"] for b in listed.json())


async def test_an_existing_booking_keeps_the_buffer_after_it(
    http: httpx2.AsyncClient, two_hosts: tuple[ApiHost, ApiHost]
) -> None:
    alice, _ = two_hosts
    slug = await _link(http, alice, "after-buffer", buffer_after_minutes=15)
    ten = _day()
    assert (await _book(http, slug, ten, "ivo")).status_code == 201

    starts = await _starts(http, slug, ten)
    assert ten + timedelta(minutes=30) not in starts  # 10:30 would start inside 10:00's buffer
    assert ten + timedelta(minutes=60) in starts
    assert ten - timedelta(minutes=60) in starts
    refused = await _book(http, slug, ten + timedelta(minutes=30), "eve")
    assert refused.status_code == 409, refused.text
    assert len(await _booked_starts(http, alice)) == 1


async def test_an_existing_booking_keeps_the_buffer_before_it_when_an_earlier_slot_is_booked_later(
    http: httpx2.AsyncClient, two_hosts: tuple[ApiHost, ApiHost]
) -> None:
    alice, _ = two_hosts
    slug = await _link(http, alice, "before-buffer", buffer_before_minutes=15)
    half_past = _day() + timedelta(minutes=30)
    assert (await _book(http, slug, half_past, "ivo")).status_code == 201

    starts = await _starts(http, slug, half_past)
    assert half_past - timedelta(minutes=30) not in starts  # 10:00–10:30 ends inside 10:30's buffer
    assert half_past - timedelta(minutes=60) in starts
    refused = await _book(http, slug, half_past - timedelta(minutes=30), "eve")
    assert refused.status_code == 409, refused.text
    assert len(await _booked_starts(http, alice)) == 1


async def test_a_booking_keeps_its_own_links_buffers_against_the_hosts_other_links(
    http: httpx2.AsyncClient, two_hosts: tuple[ApiHost, ApiHost]
) -> None:
    alice, _ = two_hosts
    padded = await _link(http, alice, "padded", buffer_before_minutes=15, buffer_after_minutes=15)
    plain = await _link(http, alice, "plain")
    ten = _day()
    assert (await _book(http, padded, ten, "ivo")).status_code == 201

    starts = await _starts(http, plain, ten)
    assert ten - timedelta(minutes=30) not in starts
    assert ten + timedelta(minutes=30) not in starts
    assert ten - timedelta(minutes=60) in starts
    assert ten + timedelta(minutes=60) in starts
    for start in (ten - timedelta(minutes=30), ten + timedelta(minutes=30)):
        assert (await _book(http, plain, start, "eve")).status_code == 409
    assert len(await _booked_starts(http, alice)) == 1
