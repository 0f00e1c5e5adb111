"""freebusy.query against G2.1/G2.2 and G5: busy periods, per-calendar errors, range limits."""

from datetime import UTC, datetime
from typing import Any

import httpx2
import pytest

from tests.sandbox.google.flows import CALENDAR_API, EVENTS, READONLY, assert_g5, connect
from tests.support.sandbox import SandboxControl

G2_1: dict[str, Any] = {
    "timeMin": "2025-06-02T00:00:00Z",
    "timeMax": "2025-06-09T00:00:00Z",
    "timeZone": "UTC",
    "items": [{"id": "host@gmail.test"}, {"id": "nobody@gmail.test"}],
}
G2_2: dict[str, Any] = {
    "kind": "calendar#freeBusy",
    "timeMin": "2025-06-02T00:00:00.000Z",
    "timeMax": "2025-06-09T00:00:00.000Z",
    "calendars": {
        "host@gmail.test": {
            "busy": [
                {"start": "2025-06-02T09:00:00Z", "end": "2025-06-02T10:00:00Z"},
                {"start": "2025-06-04T13:30:00Z", "end": "2025-06-04T14:00:00Z"},
            ]
        },
        "nobody@gmail.test": {"errors": [{"domain": "global", "reason": "notFound"}], "busy": []},
    },
}


def _at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2025, 6, day, hour, minute, tzinfo=UTC)


async def test_g2_1_gives_g2_2(control: SandboxControl, http: httpx2.AsyncClient) -> None:
    connection = await connect(control, http)
    email = connection.email
    await control.seed_google_event(email, start=_at(2, 9), end=_at(2, 9, 30))
    await control.seed_google_event(email, start=_at(2, 9, 15), end=_at(2, 10))  # merged
    await control.seed_google_event(email, start=_at(4, 13, 30), end=_at(4, 14))
    await control.seed_google_event(email, start=_at(5, 8), end=_at(5, 9), transparency="transparent")
    await control.seed_google_event(email, start=_at(6, 8), end=_at(6, 9), status="cancelled")
    await control.seed_google_event(email, start=_at(9, 0), end=_at(9, 1))  # end is exclusive

    response = await http.post(f"{CALENDAR_API}/freeBusy", headers=connection.headers, json=G2_1)

    assert response.status_code == 200, response.text
    assert response.json() == G2_2


async def test_busy_is_clipped_and_written_in_the_requested_zone(
    control: SandboxControl, http: httpx2.AsyncClient
) -> None:
    connection = await connect(control, http)
    await control.seed_google_event(connection.email, start=_at(1, 22), end=_at(2, 9))
    body = {
        "timeMin": "2025-06-02T08:00:00+02:00",
        "timeMax": "2025-06-03T00:00:00+02:00",
        "timeZone": "Europe/Berlin",
        "items": [{"id": "primary"}],
    }

    result = (await http.post(f"{CALENDAR_API}/freeBusy", headers=connection.headers, json=body)).json()

    assert result["timeMin"] == "2025-06-02T08:00:00.000+02:00"
    assert result["calendars"]["primary"]["busy"] == [
        {"start": "2025-06-02T08:00:00+02:00", "end": "2025-06-02T11:00:00+02:00"}
    ]


async def test_empty_range_is_time_range_empty(control: SandboxControl, http: httpx2.AsyncClient) -> None:
    connection = await connect(control, http)
    body = {**G2_1, "timeMax": G2_1["timeMin"]}

    response = await http.post(f"{CALENDAR_API}/freeBusy", headers=connection.headers, json=body)

    error = assert_g5(response, status=400, domain="calendar", reason="timeRangeEmpty")
    assert error["errors"][0]["location"] == "timeMax"
    assert error["message"] == "The specified time range is empty."


async def test_more_than_ninety_days_is_too_long(control: SandboxControl, http: httpx2.AsyncClient) -> None:
    connection = await connect(control, http)
    ninety = {**G2_1, "timeMax": "2025-08-31T00:00:00Z"}  # exactly 90 days
    assert (
        await http.post(f"{CALENDAR_API}/freeBusy", headers=connection.headers, json=ninety)
    ).status_code == 200

    longer = {**G2_1, "timeMax": "2025-08-31T00:00:01Z"}
    response = await http.post(f"{CALENDAR_API}/freeBusy", headers=connection.headers, json=longer)

    assert response.status_code == 400
    assert response.json()["error"]["message"] == "The requested time range is too long."


async def test_a_time_without_offset_is_refused(control: SandboxControl, http: httpx2.AsyncClient) -> None:
    connection = await connect(control, http)
    body = {**G2_1, "timeMin": "2025-06-02T00:00:00"}
    response = await http.post(f"{CALENDAR_API}/freeBusy", headers=connection.headers, json=body)
    assert response.status_code == 400


@pytest.mark.parametrize("scope", [READONLY, "https://www.googleapis.com/auth/calendar.events.freebusy"])
async def test_other_accepted_scopes(control: SandboxControl, http: httpx2.AsyncClient, scope: str) -> None:
    connection = await connect(control, http, scope=f"openid {scope}")
    response = await http.post(f"{CALENDAR_API}/freeBusy", headers=connection.headers, json=G2_1)
    assert response.status_code == 200


async def test_events_scope_alone_is_insufficient(control: SandboxControl, http: httpx2.AsyncClient) -> None:
    connection = await connect(control, http, scope=f"openid {EVENTS}")

    response = await http.post(f"{CALENDAR_API}/freeBusy", headers=connection.headers, json=G2_1)

    error = assert_g5(response, status=403, domain="global", reason="insufficientPermissions")
    assert error["message"] == "Request had insufficient authentication scopes."
    assert error["details"][0]["reason"] == "ACCESS_TOKEN_SCOPE_INSUFFICIENT"


async def test_colleagues_in_one_workspace_see_each_others_busy_time(
    control: SandboxControl, http: httpx2.AsyncClient
) -> None:
    connection = await connect(control, http, email="hana@acme.test")
    await control.create_google_account(email="ivo@acme.test", name="Ivo")
    await control.create_google_account(email="pat@gmail.test", name="Pat")
    await control.seed_google_event("ivo@acme.test", start=_at(3, 9), end=_at(3, 10))
    body = {**G2_1, "items": [{"id": "ivo@acme.test"}, {"id": "pat@gmail.test"}]}

    result = (await http.post(f"{CALENDAR_API}/freeBusy", headers=connection.headers, json=body)).json()

    assert result["calendars"]["ivo@acme.test"]["busy"] == [
        {"start": "2025-06-03T09:00:00Z", "end": "2025-06-03T10:00:00Z"}
    ]
    assert result["calendars"]["pat@gmail.test"]["errors"] == [{"domain": "global", "reason": "notFound"}]
