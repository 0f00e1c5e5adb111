"""$batch (E3), throttling (E2.1), injected faults and the request log."""

import asyncio
from typing import Any

import httpx2

from tests.sandbox.flows import GRAPH, Connection, connect
from tests.sandbox.test_graph_me_calendar import assert_e1
from tests.support.sandbox import SandboxControl

E3_1: dict[str, Any] = {
    "requests": [
        {
            "id": "1",
            "method": "GET",
            "url": "/me/calendarView?startDateTime=2025-06-02T00:00:00Z"
            "&endDateTime=2025-06-03T00:00:00Z&$select=start,end,showAs,isCancelled",
        },
        {
            "id": "2",
            "method": "POST",
            "url": "/me/calendar/getSchedule",
            "headers": {"Content-Type": "application/json"},
            "body": {
                "schedules": ["hana@contoso.test"],
                "startTime": {"dateTime": "2025-06-02T00:00:00", "timeZone": "UTC"},
                "endTime": {"dateTime": "2025-06-03T00:00:00", "timeZone": "UTC"},
            },
        },
        {"id": "3", "dependsOn": ["2"], "method": "GET", "url": "/me"},
    ]
}


async def _batch(http: httpx2.AsyncClient, connection: Connection, body: dict[str, Any]) -> httpx2.Response:
    return await http.post(f"{GRAPH}/$batch", headers=connection.headers, json=body)


def _by_id(response: httpx2.Response) -> dict[str, dict[str, Any]]:
    assert response.status_code == 200, response.text
    return {item["id"]: item for item in response.json()["responses"]}


async def test_e3_1_runs_every_request(control: SandboxControl, http: httpx2.AsyncClient) -> None:
    connection = await connect(control, http)

    response = await _batch(http, connection, E3_1)

    items = _by_id(response)
    assert [r["id"] for r in response.json()["responses"]] != ["1", "2", "3"]  # unordered
    assert items["1"]["status"] == 200
    assert items["1"]["body"]["value"] == []
    assert items["2"]["status"] == 200
    assert items["2"]["body"]["value"][0]["scheduleId"] == "hana@contoso.test"
    assert items["3"]["status"] == 200
    assert items["3"]["body"]["displayName"] == "Hana Host"
    assert items["3"]["headers"]["Content-Type"].startswith("application/json")


async def test_e3_2_throttled_item_and_failed_dependency(
    control: SandboxControl, http: httpx2.AsyncClient
) -> None:
    connection = await connect(control, http)
    await control.add_microsoft_fault(status=429, retry_after="5", path_contains="getSchedule")

    items = _by_id(await _batch(http, connection, E3_1))

    assert items["2"]["status"] == 429
    assert items["2"]["headers"]["Retry-After"] == "5"
    assert items["2"]["body"]["error"]["code"] == "ApplicationThrottled"
    assert items["3"]["status"] == 424
    assert items["3"]["body"] == {
        "error": {"code": "FailedDependency", "message": "Dependent request failed."}
    }
    assert items["1"]["status"] == 200


async def test_malformed_batches_are_400(control: SandboxControl, http: httpx2.AsyncClient) -> None:
    connection = await connect(control, http)
    too_many = {"requests": [{"id": str(i), "method": "GET", "url": "/me"} for i in range(21)]}
    duplicate = {"requests": [{"id": "a", "method": "GET", "url": "/me"}] * 2}
    no_type = {"requests": [{"id": "a", "method": "POST", "url": "/me/events", "body": {}}]}
    bodies: list[dict[str, Any]] = [too_many, duplicate, no_type, {"nope": []}]
    for body in bodies:
        assert_e1(await _batch(http, connection, body), status=400, code="BadRequest")


async def test_more_than_four_parallel_requests_to_one_mailbox_are_throttled(
    control: SandboxControl, http: httpx2.AsyncClient
) -> None:
    connection = await connect(control, http)
    five = {"requests": [{"id": str(i), "method": "GET", "url": "/me"} for i in range(5)]}

    statuses = sorted(item["status"] for item in _by_id(await _batch(http, connection, five)).values())

    assert statuses == [200, 200, 200, 200, 429]


async def test_fifth_concurrent_request_gets_e2_1(control: SandboxControl, http: httpx2.AsyncClient) -> None:
    connection = await connect(control, http)
    await control.add_microsoft_fault(status=None, delay_seconds=0.4, count=4)

    responses = await asyncio.gather(*(http.get(f"{GRAPH}/me", headers=connection.headers) for _ in range(5)))

    throttled = [r for r in responses if r.status_code == 429]
    assert len(throttled) == 1
    error = assert_e1(throttled[0], status=429, code="ApplicationThrottled")
    assert error["message"] == "Application is over its MailboxConcurrency limit."
    assert float(throttled[0].headers["retry-after"]) > 0
    assert throttled[0].headers["content-type"] == "application/json"
    after = await http.get(f"{GRAPH}/me", headers=connection.headers)
    assert after.status_code == 200  # slots are released


async def test_injected_faults_hit_only_matching_requests_count_times(
    control: SandboxControl, http: httpx2.AsyncClient
) -> None:
    connection = await connect(control, http)
    await control.add_microsoft_fault(
        status=503, retry_after="1.5", count=2, method="GET", path_contains="/me/calendar"
    )

    me = await http.get(f"{GRAPH}/me", headers=connection.headers)
    first = await http.get(f"{GRAPH}/me/calendar", headers=connection.headers)
    second = await http.get(f"{GRAPH}/me/calendar", headers=connection.headers)
    third = await http.get(f"{GRAPH}/me/calendar", headers=connection.headers)

    assert me.status_code == 200
    assert [first.status_code, second.status_code, third.status_code] == [503, 503, 200]
    assert first.headers["retry-after"] == "1.5"
    assert_e1(first, status=503, code="serviceNotAvailable")


async def test_an_injected_401_storm_answers_like_graph_then_ends(
    control: SandboxControl, http: httpx2.AsyncClient
) -> None:
    connection = await connect(control, http)
    await control.add_microsoft_fault(status=401, count=3, path_contains="calendarView")
    url = f"{GRAPH}/me/calendarView"
    window = {"startDateTime": "2025-06-02T00:00:00Z", "endDateTime": "2025-06-03T00:00:00Z"}

    storm = [await http.get(url, params=window, headers=connection.headers) for _ in range(3)]
    after = await http.get(url, params=window, headers=connection.headers)

    for response in storm:  # the same token Graph accepts once the storm is over
        assert_e1(response, status=401, code="InvalidAuthenticationToken")
        assert response.headers["www-authenticate"].startswith('Bearer realm=""')
    assert after.status_code == 200


async def test_request_log_shows_what_the_client_sent_without_secrets(
    control: SandboxControl, http: httpx2.AsyncClient
) -> None:
    connection = await connect(control, http)
    await http.post(
        f"{GRAPH}/me/calendar/getSchedule",
        headers={**connection.headers, "Prefer": 'outlook.timezone="UTC"'},
        json=E3_1["requests"][1]["body"],
    )

    logged = await control.microsoft_requests()

    token_request, graph_request = logged[-2], logged[-1]
    assert token_request["path"] == "/microsoft/login/common/oauth2/v2.0/token"
    assert token_request["body"]["grant_type"] == "authorization_code"
    assert token_request["body"]["client_secret"] == "[redacted]"
    assert graph_request["method"] == "POST"
    assert graph_request["path"] == "/microsoft/graph/v1.0/me/calendar/getSchedule"
    assert graph_request["headers"]["authorization"] == "[redacted]"
    assert graph_request["headers"]["prefer"] == 'outlook.timezone="UTC"'
    assert graph_request["body"]["schedules"] == ["hana@contoso.test"]
