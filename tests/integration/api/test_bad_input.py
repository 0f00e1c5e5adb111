"""Bad input gets a 4xx with a message, never a 500, and never writes a booking."""

from datetime import timedelta

import httpx2
import pytest

from tests.integration.api.conftest import ApiHost, first_slot
from workestra.clock import SystemClock

DAY = timedelta(days=4)


def _day() -> str:
    return (SystemClock().now() + DAY).date().isoformat()


@pytest.mark.parametrize(
    ("change", "status", "field"),
    [
        ({"timezone": "Mars/Olympus_Mons"}, 422, "timezone"),
        ({"start": "2001-01-01T09:00:00+00:00"}, 422, "start"),
        ({"name": "x" * 10_000}, 422, "name"),
        ({"name": "Ivo\r\nBcc: victim@example.test"}, 422, "name"),
        ({"email": "ivo@example.test\r\nBcc: victim@example.test"}, 422, "email"),
        ({"email": "not-an-email"}, 422, "email"),
        ({"start": "2031-06-02T09:00:00"}, 422, "start"),  # no offset
        ({"start": "tomorrow"}, 422, "start"),
        ({"name": ""}, 422, "name"),
    ],
)
async def test_invalid_booking_fields_are_refused_with_a_field_message(
    http: httpx2.AsyncClient,
    two_hosts: tuple[ApiHost, ApiHost],
    change: dict[str, str],
    status: int,
    field: str,
) -> None:
    alice, _ = two_hosts
    start = await first_slot(http, alice.link.slug, _day())
    body = {"start": start, "name": "Ivo", "email": "ivo@example.test", "timezone": "UTC", **change}
    response = await http.post(f"/api/v1/public/links/{alice.link.slug}/bookings", json=body)
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["message"]
    assert field in error["fields"]
    assert (await http.get("/api/v1/bookings", headers=alice.headers)).json() == []


async def test_an_off_grid_start_is_refused(
    http: httpx2.AsyncClient, two_hosts: tuple[ApiHost, ApiHost]
) -> None:
    alice, _ = two_hosts
    start = await first_slot(http, alice.link.slug, _day())
    off_grid = (
        start.replace(":00:00", ":07:00", 1) if ":00:00" in start else start.replace(":30:00", ":37:00", 1)
    )
    response = await http.post(
        f"/api/v1/public/links/{alice.link.slug}/bookings",
        json={"start": off_grid, "name": "Ivo", "email": "ivo@example.test", "timezone": "UTC"},
    )
    assert response.status_code == 422
    assert "offered" in response.json()["error"]["message"]


async def test_malformed_json_is_a_422(http: httpx2.AsyncClient, two_hosts: tuple[ApiHost, ApiHost]) -> None:
    alice, _ = two_hosts
    response = await http.post(
        f"/api/v1/public/links/{alice.link.slug}/bookings",
        content=b'{"start": ',
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 422
    assert response.json()["error"]["message"] == "The request body isn't valid JSON."


async def test_unknown_slug_is_404(http: httpx2.AsyncClient) -> None:
    slots = await http.get("/api/v1/public/links/nobody-here/slots", params={"start": _day(), "end": _day()})
    assert slots.status_code == 404
    booking = await http.post(
        "/api/v1/public/links/nobody-here/bookings",
        json={
            "start": "2031-06-02T09:00:00+00:00",
            "name": "I",
            "email": "i@example.test",
            "timezone": "UTC",
        },
    )
    assert booking.status_code == 404


async def test_slots_with_an_unknown_zone_or_inverted_range_are_422(
    http: httpx2.AsyncClient, two_hosts: tuple[ApiHost, ApiHost]
) -> None:
    alice, _ = two_hosts
    path = f"/api/v1/public/links/{alice.link.slug}/slots"
    zone = await http.get(path, params={"start": _day(), "end": _day(), "timezone": "Nowhere/Land"})
    assert zone.status_code == 422
    assert "timezone" in zone.json()["error"]["fields"]
    inverted = await http.get(path, params={"start": "2031-06-05", "end": "2031-06-01"})
    assert inverted.status_code == 422
    not_a_date = await http.get(path, params={"start": "June", "end": "2031-06-01"})
    assert not_a_date.status_code == 422


@pytest.mark.parametrize(
    ("hours", "message"),
    [
        ({"monday": [{"start": "17:00", "end": "09:00"}]}, "before they start"),
        ({"monday": [{"start": "25:00", "end": "26:00"}]}, "monday"),
        ({"funday": [{"start": "09:00", "end": "10:00"}]}, "weekday"),
    ],
)
async def test_link_hours_that_make_no_sense_are_refused(
    http: httpx2.AsyncClient, two_hosts: tuple[ApiHost, ApiHost], hours: dict[str, object], message: str
) -> None:
    alice, _ = two_hosts
    response = await http.post(
        "/api/v1/booking-links",
        headers=alice.headers,
        json={"slug": "bad-hours", "title": "Bad", "duration_minutes": 30, "weekly_hours": hours},
    )
    assert response.status_code == 422
    assert message in response.json()["error"]["message"].lower()
    listed = await http.get("/api/v1/booking-links", headers=alice.headers)
    assert "bad-hours" not in [link["slug"] for link in listed.json()]


async def test_a_taken_slug_is_409(http: httpx2.AsyncClient, two_hosts: tuple[ApiHost, ApiHost]) -> None:
    alice, bob = two_hosts
    response = await http.post(
        "/api/v1/booking-links",
        headers=alice.headers,
        json={"slug": bob.link.slug, "title": "Mine", "duration_minutes": 30},
    )
    assert response.status_code == 409
