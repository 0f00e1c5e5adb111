"""Bodies a client can send but no person types: lone surrogates (422 naming the field) and bodies
past 1 MB (413 before they are read whole). Nothing is written either way."""

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import timedelta

import httpx2
import pytest

from tests.integration.api.conftest import ApiHost, first_slot
from workestra.clock import SystemClock

LONE = "\udc00"
MB = 1024 * 1024


def _escaped(body: object) -> bytes:
    """JSON as a hostile client sends it: the surrogate as a \\udc00 escape, plain ASCII bytes."""
    return json.dumps(body, ensure_ascii=True).encode()


def _day() -> str:
    return (SystemClock().now() + timedelta(days=4)).date().isoformat()


JSON = {"Content-Type": "application/json"}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": f"Intro {LONE}"}, "title"),
        ({"description": LONE}, "description"),
        ({"slug": f"a{LONE}"}, "slug"),
        ({"timezone": f"Europe/{LONE}"}, "timezone"),
        ({"weekly_hours": {"monday": [{"start": LONE, "end": "10:00"}]}}, "weekly_hours.monday.0.start"),
        ({"round_robin_members": [f"{LONE}@example.test"]}, "round_robin_members.0"),
    ],
)
async def test_a_lone_surrogate_in_a_link_field_is_a_422_and_nothing_is_created(
    http: httpx2.AsyncClient, two_hosts: tuple[ApiHost, ApiHost], change: dict[str, object], field: str
) -> None:
    alice, _ = two_hosts
    body = {"slug": "surrogate", "title": "Intro", "duration_minutes": 30, **change}
    response = await http.post(
        "/api/v1/booking-links", content=_escaped(body), headers={**alice.headers, **JSON}
    )
    assert response.status_code == 422, response.text
    assert field in response.json()["error"]["fields"]
    listed = await http.get("/api/v1/booking-links", headers=alice.headers)
    assert [link["slug"] for link in listed.json()] == [alice.link.slug]


async def test_a_lone_surrogate_in_a_link_change_leaves_the_link_as_it_was(
    http: httpx2.AsyncClient, two_hosts: tuple[ApiHost, ApiHost]
) -> None:
    alice, _ = two_hosts
    path = f"/api/v1/booking-links/{alice.link.id}"
    before = (await http.get(path, headers=alice.headers)).json()
    for change in ({"title": LONE}, {"description": f"Hello {LONE}"}):
        response = await http.patch(path, content=_escaped(change), headers={**alice.headers, **JSON})
        assert response.status_code == 422, response.text
    assert (await http.get(path, headers=alice.headers)).json() == before


@pytest.mark.parametrize("field", ["name", "email", "timezone"])
async def test_a_lone_surrogate_in_a_booking_is_a_422_and_nothing_is_booked(
    http: httpx2.AsyncClient, two_hosts: tuple[ApiHost, ApiHost], field: str
) -> None:
    alice, _ = two_hosts
    start = await first_slot(http, alice.link.slug, _day())
    body = {"start": start, "name": "Ivo", "email": "ivo@example.test", "timezone": "UTC"}
    body[field] = f"{body[field]}{LONE}"
    response = await http.post(
        f"/api/v1/public/links/{alice.link.slug}/bookings", content=_escaped(body), headers=JSON
    )
    assert response.status_code == 422, response.text
    assert field in response.json()["error"]["fields"]
    assert (await http.get("/api/v1/bookings", headers=alice.headers)).json() == []


async def test_a_body_over_one_megabyte_is_a_413_before_it_is_read(
    http: httpx2.AsyncClient, two_hosts: tuple[ApiHost, ApiHost]
) -> None:
    alice, _ = two_hosts
    big = _escaped({"slug": "big", "title": "Big", "duration_minutes": 30, "description": "x" * (2 * MB)})
    response = await http.post("/api/v1/booking-links", content=big, headers={**alice.headers, **JSON})
    assert response.status_code == 413  # refused on its Content-Length, before the body is read
    listed = await http.get("/api/v1/booking-links", headers=alice.headers)
    assert "big" not in [link["slug"] for link in listed.json()]


async def test_a_declared_length_over_one_megabyte_is_refused_without_waiting_for_the_body(
    live_url: str, two_hosts: tuple[ApiHost, ApiHost]
) -> None:
    alice, _ = two_hosts
    host, port = live_url.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    try:  # the headers alone: not one byte of the announced 2 MB is ever sent
        writer.write(
            (
                "POST /api/v1/booking-links HTTP/1.1\r\n"
                f"Host: {host}:{port}\r\nAuthorization: {alice.headers['Authorization']}\r\n"
                f"Content-Type: application/json\r\nContent-Length: {2 * MB}\r\n\r\n"
            ).encode()
        )
        await writer.drain()
        async with asyncio.timeout(10):
            status_line = await reader.readline()
    finally:
        writer.close()
    assert status_line.startswith(b"HTTP/1.1 413"), status_line


async def test_a_streamed_body_without_length_is_cut_off_at_one_megabyte(
    http: httpx2.AsyncClient, two_hosts: tuple[ApiHost, ApiHost]
) -> None:
    alice, _ = two_hosts

    async def chunks() -> AsyncIterator[bytes]:  # chunked transfer: no Content-Length to refuse early
        yield b'{"name": "'
        for _ in range(64):
            yield b"x" * (64 * 1024)
        yield b'"}'

    response = await http.post(
        "/api/v1/public/links/" + alice.link.slug + "/bookings", content=chunks(), headers=JSON
    )
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"
    assert (await http.get("/api/v1/bookings", headers=alice.headers)).json() == []


async def test_a_form_post_over_one_megabyte_is_a_413(http: httpx2.AsyncClient) -> None:
    response = await http.post(
        "/login",
        content=b"email=a%40example.test&password=" + b"x" * (2 * MB),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 413
