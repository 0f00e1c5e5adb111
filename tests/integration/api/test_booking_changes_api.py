"""The invitee's and the host's changes over the JSON API (DESIGN "Booking lifecycle")."""

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import httpx2

from tests.integration.api.conftest import ApiHost, first_slot
from tests.support.server import LiveServer
from workestra.clock import SystemClock


def token_of(url: str) -> str:
    return parse_qs(urlsplit(url).query)["token"][0]


async def book(http: httpx2.AsyncClient, host: ApiHost, day: str) -> dict[str, object]:
    start = await first_slot(http, host.link.slug, day)
    response = await http.post(
        f"/api/v1/public/links/{host.link.slug}/bookings",
        json={"start": start, "name": "Ivo Invitee", "email": "ivo@example.test", "timezone": "UTC"},
    )
    assert response.status_code == 201, response.text
    body: dict[str, object] = response.json()
    return body


def next_weekday(days: int) -> str:
    day = SystemClock().now().date() + timedelta(days=days)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day.isoformat()


async def test_the_invitee_gets_private_links_and_can_move_then_cancel(
    http: httpx2.AsyncClient, live_server: LiveServer, two_hosts: tuple[ApiHost, ApiHost]
) -> None:
    alice, _ = two_hosts
    made = await book(http, alice, next_weekday(3))
    base = f"{live_server.settings.base_url}/bookings/{made['id']}"
    cancel_url, reschedule_url = str(made["cancel_url"]), str(made["reschedule_url"])
    assert cancel_url.startswith(f"{base}/cancel?token=")
    assert reschedule_url.startswith(f"{base}/reschedule?token=")

    later = await first_slot(http, alice.link.slug, next_weekday(5))
    moved = await http.post(
        f"/api/v1/public/bookings/{made['id']}/reschedule",
        json={"token": token_of(reschedule_url), "start": later, "timezone": "UTC"},
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["id"] == made["id"]
    assert moved.json()["start"] == later
    assert moved.json()["status"] == "confirmed"

    wrong = await http.post(
        f"/api/v1/public/bookings/{made['id']}/cancel", json={"token": token_of(reschedule_url)}
    )
    assert wrong.status_code == 404  # the reschedule token doesn't cancel
    cancelled = await http.post(
        f"/api/v1/public/bookings/{made['id']}/cancel",
        json={"token": token_of(cancel_url), "reason": "Can't make it"},
    )
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["status"] == "cancelled"
    assert cancelled.json()["cancel_url"] is None
    again = await http.post(
        f"/api/v1/public/bookings/{made['id']}/cancel", json={"token": token_of(cancel_url)}
    )
    assert again.status_code == 200
    assert again.json() == cancelled.json()
    refused = await http.post(
        f"/api/v1/public/bookings/{made['id']}/reschedule",
        json={"token": token_of(reschedule_url), "start": later, "timezone": "UTC"},
    )
    assert refused.status_code == 409

    seen = await http.get(f"/api/v1/bookings/{made['id']}", headers=alice.headers)
    assert seen.json()["status"] == "cancelled"
    assert seen.json()["cancelled_by"] == "invitee"
    assert seen.json()["cancel_reason"] == "Can't make it"
    assert "cancel_url" not in seen.json()  # the invitee's secret never reaches the host's API


async def test_the_host_cancels_only_their_own_bookings(
    http: httpx2.AsyncClient, two_hosts: tuple[ApiHost, ApiHost]
) -> None:
    alice, bob = two_hosts
    made = await book(http, alice, next_weekday(3))
    url = f"/api/v1/bookings/{made['id']}/cancel"
    assert (await http.post(url, headers=bob.headers, json={})).status_code == 404
    assert (await http.post(url, json={})).status_code == 401
    done = await http.post(url, headers=alice.headers, json={"reason": "Sick"})
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "cancelled"
    assert done.json()["cancelled_by"] == "host"
    without_body = await http.post(url, headers=alice.headers)
    assert without_body.status_code == 200


async def test_bad_changes_get_clear_answers(
    http: httpx2.AsyncClient, two_hosts: tuple[ApiHost, ApiHost]
) -> None:
    alice, _ = two_hosts
    made = await book(http, alice, next_weekday(3))
    url = f"/api/v1/public/bookings/{made['id']}"
    token = token_of(str(made["reschedule_url"]))
    cases = [
        (f"{url}/cancel", {"token": "nope"}, 404),
        ("/api/v1/public/bookings/no-such-id/cancel", {"token": "nope"}, 404),
        (f"{url}/cancel", {}, 422),
        (f"{url}/cancel", {"token": token_of(str(made["cancel_url"])), "reason": "x" * 1001}, 422),
        (f"{url}/reschedule", {"token": token, "start": "2031-01-01T09:00:00", "timezone": "UTC"}, 422),
        (f"{url}/reschedule", {"token": token, "start": "2031-01-01T09:07:00Z", "timezone": "UTC"}, 422),
        (
            f"{url}/reschedule",
            {"token": token, "start": "2031-01-01T09:00:00Z", "timezone": "Mars/Base"},
            422,
        ),
    ]
    for path, body, status in cases:
        response = await http.post(path, json=body)
        assert response.status_code == status, (path, body, response.text)
    seen = await http.get(f"/api/v1/bookings/{made['id']}", headers=alice.headers)
    assert seen.json()["status"] == "confirmed"
    assert seen.json()["start"] == made["start"]


async def test_slots_for_a_reschedule_need_the_reschedule_token(
    http: httpx2.AsyncClient, two_hosts: tuple[ApiHost, ApiHost]
) -> None:
    alice, _ = two_hosts
    day = next_weekday(3)
    made = await book(http, alice, day)
    url = f"/api/v1/public/links/{alice.link.slug}/slots"
    params = {"start": day, "end": day, "timezone": "UTC", "reschedule": str(made["id"])}
    plain = await http.get(url, params={"start": day, "end": day, "timezone": "UTC"})
    assert made["start"] not in [s["start"] for s in plain.json()["slots"]]
    wrong = await http.get(url, params={**params, "token": token_of(str(made["cancel_url"]))})
    assert wrong.status_code == 404
    moving = await http.get(url, params={**params, "token": token_of(str(made["reschedule_url"]))})
    assert moving.status_code == 200
    offered = [s["start"] for s in moving.json()["slots"]]
    assert made["start"] not in offered  # where it is now is not a move
    assert len(offered) == len(plain.json()["slots"])  # the rest of its time is free to it
