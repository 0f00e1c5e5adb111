"""POST /me/calendar/getSchedule against C1.1/C1.2 and its documented limits."""

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx2
import pytest

from tests.sandbox.flows import GRAPH, Connection, connect
from tests.sandbox.test_graph_me_calendar import assert_e1
from tests.support.sandbox import SandboxControl

C1_1: dict[str, Any] = {
    "schedules": ["hana@contoso.test", "ghost@contoso.test"],
    "startTime": {"dateTime": "2025-06-02T08:00:00", "timeZone": "W. Europe Standard Time"},
    "endTime": {"dateTime": "2025-06-02T12:00:00", "timeZone": "W. Europe Standard Time"},
    "availabilityViewInterval": 30,
}


async def _schedule(
    http: httpx2.AsyncClient, connection: Connection, body: dict[str, Any]
) -> httpx2.Response:
    headers = {**connection.headers, "Prefer": 'outlook.timezone="UTC"'}
    return await http.post(f"{GRAPH}/me/calendar/getSchedule", headers=headers, json=body)


async def test_c1_request_gets_the_c1_2_shape(control: SandboxControl, http: httpx2.AsyncClient) -> None:
    connection = await connect(control, http, time_zone="W. Europe Standard Time")
    june_2 = datetime(2025, 6, 2, tzinfo=UTC)
    await control.seed_microsoft_event(
        connection.email,
        subject="Roadmap",
        start=june_2 + timedelta(hours=7),
        end=june_2 + timedelta(hours=8),
    )
    await control.seed_microsoft_event(
        connection.email,
        subject="Maybe",
        start=june_2 + timedelta(hours=8),
        end=june_2 + timedelta(hours=8, minutes=30),
        show_as="tentative",
    )
    await control.seed_microsoft_event(
        connection.email,
        subject="Cancelled",
        start=june_2 + timedelta(hours=9),
        end=june_2 + timedelta(hours=10),
        is_cancelled=True,
    )

    response = await _schedule(http, connection, C1_1)

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["@odata.context"] == (
        "https://graph.microsoft.com/v1.0/$metadata#Collection(microsoft.graph.scheduleInformation)"
    )
    hana, ghost = body["value"]
    assert hana["scheduleId"] == "hana@contoso.test"
    assert hana["availabilityView"] == "00221000"
    busy, tentative = hana["scheduleItems"]
    assert busy["status"] == "busy"
    assert busy["subject"] == "Roadmap"
    assert busy["start"] == {"dateTime": "2025-06-02T07:00:00.0000000", "timeZone": "UTC"}
    assert tentative["status"] == "tentative"
    assert hana["workingHours"]["timeZone"] == {"name": "W. Europe Standard Time"}
    assert hana["workingHours"]["startTime"].endswith(".0000000")
    assert ghost == {
        "scheduleId": "ghost@contoso.test",
        "error": {
            "message": "Unable to resolve e-mail address ghost@contoso.test to an Active Directory object.",
            "responseCode": "5009",
        },
    }


async def test_window_of_63_days_is_too_big(control: SandboxControl, http: httpx2.AsyncClient) -> None:
    connection = await connect(control, http)
    body = dict(C1_1, endTime={"dateTime": "2025-08-04T08:00:00", "timeZone": "UTC"})
    body["startTime"] = {"dateTime": "2025-06-02T08:00:00", "timeZone": "UTC"}

    error = assert_e1(await _schedule(http, connection, body), status=400, code="ErrorTimeIntervalTooBig")
    assert "The allowed limit = 62 days" in error["message"]


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"startTime": "2025-06-02T08:00:00Z"}, "RequestBodyRead"),
        ({"schedules": [f"u{i}@contoso.test" for i in range(21)]}, "ErrorInvalidParameter"),
        ({"availabilityViewInterval": 4}, "ErrorInvalidParameter"),
        ({"availabilityViewInterval": 1441}, "ErrorInvalidParameter"),
        (
            {"endTime": {"dateTime": "2025-06-02T12:00:00", "timeZone": "Mars/Olympus"}},
            "TimeZoneNotSupportedException",
        ),
    ],
)
async def test_invalid_requests_are_400(
    control: SandboxControl, http: httpx2.AsyncClient, change: dict[str, Any], code: str
) -> None:
    connection = await connect(control, http)
    assert_e1(await _schedule(http, connection, {**C1_1, **change}), status=400, code=code)


async def test_personal_accounts_cannot_use_get_schedule(
    control: SandboxControl, http: httpx2.AsyncClient
) -> None:
    connection = await connect(control, http, email="pat@outlook.test", kind="personal")
    response = await _schedule(http, connection, C1_1)
    assert_e1(response, status=403, code="ErrorAccessDenied")


async def test_default_interval_is_thirty_minutes(control: SandboxControl, http: httpx2.AsyncClient) -> None:
    connection = await connect(control, http)
    body = {k: v for k, v in C1_1.items() if k != "availabilityViewInterval"}
    hana = (await _schedule(http, connection, body)).json()["value"][0]
    assert hana["availabilityView"] == "0" * 8
