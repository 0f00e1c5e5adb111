"""GET /api/v1/booking-links/{id}/availability on the live server: the troubleshooter's JSON."""

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx2
import pytest

from tests.integration.api.conftest import ApiHost, first_slot
from tests.support.builders import make_host, make_link, service_context
from tests.support.calendars import MicrosoftHarness, connect
from tests.support.sandbox import SandboxControl
from tests.support.server import LiveServer
from workestra.clock import SystemClock

DAY = (SystemClock().now() + timedelta(days=3)).date()
REASON_KEYS = {"rep_id", "code", "start", "end", "source", "subject", "detail"}


def path(link_id: str) -> str:
    return f"/api/v1/booking-links/{link_id}/availability"


async def test_every_slot_of_the_day_with_its_reasons_agrees_with_the_booking_page(
    http: httpx2.AsyncClient, two_hosts: tuple[ApiHost, ApiHost]
) -> None:
    alice, _ = two_hosts
    start = await first_slot(http, alice.link.slug, DAY.isoformat(), "America/New_York")
    created = await http.post(
        f"/api/v1/public/links/{alice.link.slug}/bookings",
        json={"start": start, "name": "Ivo", "email": "ivo@example.test", "timezone": "UTC"},
    )
    assert created.status_code == 201, created.text

    response = await http.get(
        path(alice.link.id),
        params={"date": DAY.isoformat(), "timezone": "America/New_York"},
        headers=alice.headers,
    )

    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"link_id", "date", "timezone", "link_timezone", "reps", "slots"}
    assert (body["link_id"], body["date"], body["timezone"]) == (
        alice.link.id,
        DAY.isoformat(),
        "America/New_York",
    )
    assert body["link_timezone"] == "Europe/Berlin"
    assert body["reps"] == [
        {
            "id": alice.id,
            "name": "Alice",
            "email": alice.email,
            "you": True,
            "calendar_provider": "none",
            "calendar_readable": True,
            "calendar_problem": None,
        }
    ]
    slots = body["slots"]
    assert slots
    assert slots[0]["start"].startswith(f"{DAY.isoformat()}T00:00:00-0")  # the New York day
    for slot in slots:
        assert set(slot) == {"start", "end", "available", "reasons"}
        assert slot["available"] == (slot["reasons"] == [])  # one rep
        assert all(set(reason) == REASON_KEYS for reason in slot["reasons"])
    public = await http.get(
        f"/api/v1/public/links/{alice.link.slug}/slots",
        params={"start": DAY.isoformat(), "end": DAY.isoformat(), "timezone": "America/New_York"},
    )
    assert [s["start"] for s in slots if s["available"]] == [s["start"] for s in public.json()["slots"]]
    [taken] = [s for s in slots if s["start"] == start]
    assert taken["reasons"] == [
        {
            "rep_id": alice.id,
            "code": "booked",
            "start": start,
            "end": taken["end"],
            "source": "booking",
            "subject": None,
            "detail": None,
        }
    ]


async def test_another_hosts_link_is_404_and_no_key_is_401(
    http: httpx2.AsyncClient, two_hosts: tuple[ApiHost, ApiHost]
) -> None:
    alice, bob = two_hosts
    params = {"date": DAY.isoformat()}
    other = await http.get(path(bob.link.id), params=params, headers=alice.headers)
    assert other.status_code == 404
    assert other.json()["error"]["code"] == "not_found"
    missing = await http.get(path("no-such-link"), params=params, headers=alice.headers)
    assert missing.status_code == 404
    assert (await http.get(path(alice.link.id), params=params)).status_code == 401


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"date": "2031-13-01"}, "date"),
        ({"date": "tomorrow"}, "date"),
        ({}, "date"),
        ({"date": "9999-12-31"}, "date"),
        ({"date": DAY.isoformat(), "timezone": "Mars/Olympus_Mons"}, "timezone"),
        ({"date": DAY.isoformat(), "timezone": "x" * 300}, "timezone"),
    ],
)
async def test_a_bad_date_or_zone_is_422_naming_the_field(
    http: httpx2.AsyncClient, two_hosts: tuple[ApiHost, ApiHost], params: dict[str, str], field: str
) -> None:
    alice, _ = two_hosts
    response = await http.get(path(alice.link.id), params=params, headers=alice.headers)
    assert response.status_code == 422, response.text
    assert field in response.json()["error"]["fields"]


async def test_busy_time_in_outlook_carries_its_time_and_the_hosts_own_subject(
    http: httpx2.AsyncClient, live_server: LiveServer, sandbox: SandboxControl
) -> None:
    microsoft = MicrosoftHarness()
    await sandbox.create_microsoft_user(email=microsoft.email, display_name="Alice Contoso")
    await sandbox.set_auto_consent(microsoft.email)
    async with service_context(live_server.settings) as ctx:
        created, host = await make_host(ctx, name="Alice Contoso")
        await connect(ctx, host, microsoft)
        link = await make_link(ctx, host, timezone="UTC", calendar_provider="microsoft")
    ten = datetime(DAY.year, DAY.month, DAY.day, 10, tzinfo=UTC)
    await sandbox.seed_microsoft_event(
        microsoft.email, subject="Roadmap review", start=ten, end=ten + timedelta(hours=1)
    )

    response = await http.get(
        path(link.id),
        params={"date": DAY.isoformat(), "timezone": "UTC"},
        headers={"Authorization": f"Bearer {created.api_key}"},
    )

    assert response.status_code == 200, response.text
    slots: dict[str, dict[str, Any]] = {s["start"]: s for s in response.json()["slots"]}
    busy = {
        "rep_id": host.id,
        "code": "busy",
        "start": ten.isoformat(),
        "end": (ten + timedelta(hours=1)).isoformat(),
        "source": "calendar",
        "subject": "Roadmap review",
        "detail": None,
    }
    assert slots[ten.isoformat()] == {
        "start": ten.isoformat(),
        "end": (ten + timedelta(minutes=30)).isoformat(),
        "available": False,
        "reasons": [busy],
    }
    assert slots[(ten + timedelta(hours=1)).isoformat()]["available"]
