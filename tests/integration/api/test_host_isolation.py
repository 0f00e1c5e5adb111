"""A host can never read or change another host's links or bookings, on any endpoint."""

from datetime import timedelta

import httpx2
import pytest

from tests.integration.api.conftest import ApiHost, first_slot
from workestra.clock import SystemClock


async def test_no_api_key_is_401_with_a_message(http: httpx2.AsyncClient) -> None:
    for method, path in (
        ("GET", "/api/v1/booking-links"),
        ("GET", "/api/v1/bookings"),
        ("GET", "/api/v1/integrations"),
        ("POST", "/api/v1/booking-links"),
    ):
        response = await http.request(method, path, json={})
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "not_authenticated"
    wrong = await http.get("/api/v1/booking-links", headers={"Authorization": "Bearer wk_nope_nope"})
    assert wrong.status_code == 401


async def test_links_of_another_host_are_invisible_and_untouchable(
    http: httpx2.AsyncClient, two_hosts: tuple[ApiHost, ApiHost]
) -> None:
    alice, bob = two_hosts
    mine = await http.get("/api/v1/booking-links", headers=alice.headers)
    assert [link["id"] for link in mine.json()] == [alice.link.id]
    path = f"/api/v1/booking-links/{bob.link.id}"
    assert (await http.get(path, headers=alice.headers)).status_code == 404
    assert (await http.patch(path, headers=alice.headers, json={"title": "Hijacked"})).status_code == 404
    assert (await http.delete(path, headers=alice.headers)).status_code == 404
    still = await http.get(path, headers=bob.headers)
    assert still.status_code == 200
    assert still.json()["title"] == "Intro call"


async def test_bookings_of_another_host_are_invisible(
    http: httpx2.AsyncClient, two_hosts: tuple[ApiHost, ApiHost]
) -> None:
    alice, bob = two_hosts
    day = (SystemClock().now() + timedelta(days=3)).date().isoformat()
    start = await first_slot(http, bob.link.slug, day)
    created = await http.post(
        f"/api/v1/public/links/{bob.link.slug}/bookings",
        json={"start": start, "name": "Ivo", "email": "ivo@example.test", "timezone": "UTC"},
    )
    assert created.status_code == 201, created.text
    booking_id = created.json()["id"]
    assert (await http.get("/api/v1/bookings", headers=alice.headers)).json() == []
    assert (await http.get(f"/api/v1/bookings/{booking_id}", headers=alice.headers)).status_code == 404
    own = await http.get(f"/api/v1/bookings/{booking_id}", headers=bob.headers)
    assert own.status_code == 200
    assert own.json()["calendar_status"] == "not_applicable"
    assert own.json()["meeting_url"] is None


@pytest.mark.parametrize("field", ["calendar_provider", "duration_minutes", "slug"])
async def test_patch_validates_each_field(
    http: httpx2.AsyncClient, two_hosts: tuple[ApiHost, ApiHost], field: str
) -> None:
    alice, _ = two_hosts
    bad = {"calendar_provider": "outlook", "duration_minutes": 0, "slug": "Not A Slug!"}[field]
    response = await http.patch(
        f"/api/v1/booking-links/{alice.link.id}", headers=alice.headers, json={field: bad}
    )
    assert response.status_code == 422
    assert field in response.json()["error"]["fields"]
