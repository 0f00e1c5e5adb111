"""Events against G3.1/G3.2, G4 and G5.2: insert, Meet creation, client ids, patch, delete."""

from typing import Any

import httpx2

from tests.sandbox.google.flows import CALENDAR_API, Connection, assert_g5, connect
from tests.support.sandbox import SandboxControl
from tests.support.waiting import eventually

EVENTS_URL = f"{CALENDAR_API}/calendars/primary/events"
G3_1: dict[str, Any] = {
    "id": "8f14e45fceea467fa8f06d1b1f0e2c11",
    "summary": "Intro call — Ivo Invitee",
    "description": "Booked via Workestra.",
    "start": {"dateTime": "2025-06-04T14:00:00+02:00", "timeZone": "Europe/Berlin"},
    "end": {"dateTime": "2025-06-04T14:30:00+02:00", "timeZone": "Europe/Berlin"},
    "attendees": [
        {"email": "ivo@example.test", "displayName": "Ivo Invitee", "responseStatus": "needsAction"}
    ],
    "conferenceData": {
        "createRequest": {
            "requestId": "wk-8f14e45f-meet-1",
            "conferenceSolutionKey": {"type": "hangoutsMeet"},
        }
    },
}
MEET = {"conferenceDataVersion": "1", "sendUpdates": "all"}


async def _insert(
    http: httpx2.AsyncClient,
    connection: Connection,
    body: dict[str, Any],
    params: dict[str, str] | None = None,
) -> httpx2.Response:
    return await http.post(
        EVENTS_URL, headers=connection.headers, params=MEET if params is None else params, json=body
    )


async def test_g3_1_is_pending_then_reads_as_g3_2(control: SandboxControl, http: httpx2.AsyncClient) -> None:
    connection = await connect(control, http)

    inserted = await _insert(http, connection, G3_1)

    assert inserted.status_code == 200, inserted.text
    event = inserted.json()
    assert event["conferenceData"]["createRequest"]["status"] == {"statusCode": "pending"}
    assert "hangoutLink" not in event
    read = (await http.get(f"{EVENTS_URL}/{G3_1['id']}", headers=connection.headers)).json()
    assert read["kind"] == "calendar#event"
    assert read["id"] == G3_1["id"]
    assert read["status"] == "confirmed"
    assert read["htmlLink"].startswith("https://www.google.com/calendar/event?eid=")
    assert read["creator"] == read["organizer"] == {"email": "host@gmail.test", "self": True}
    assert read["start"] == G3_1["start"]
    assert read["end"] == G3_1["end"]
    assert read["iCalUID"] == f"{G3_1['id']}@google.com"
    assert read["sequence"] == 0
    assert read["attendees"] == G3_1["attendees"]
    assert read["reminders"] == {"useDefault": True}
    assert read["eventType"] == "default"
    conference = read["conferenceData"]
    assert conference["createRequest"] == {
        "requestId": "wk-8f14e45f-meet-1",
        "conferenceSolutionKey": {"type": "hangoutsMeet"},
        "status": {"statusCode": "success"},
    }
    meeting = conference["conferenceId"]
    assert read["hangoutLink"] == f"https://meet.google.com/{meeting}"
    assert conference["entryPoints"] == [
        {"entryPointType": "video", "uri": read["hangoutLink"], "label": f"meet.google.com/{meeting}"}
    ]
    assert conference["conferenceSolution"]["key"] == {"type": "hangoutsMeet"}
    assert conference["conferenceSolution"]["name"] == "Google Meet"


async def test_meet_resolves_after_the_configured_reads(
    control: SandboxControl, http: httpx2.AsyncClient
) -> None:
    connection = await connect(control, http)
    await control.set_google_meet(after_reads=3)
    await _insert(http, connection, G3_1)

    statuses = []
    for _ in range(3):
        read = (await http.get(f"{EVENTS_URL}/{G3_1['id']}", headers=connection.headers)).json()
        statuses.append(read["conferenceData"]["createRequest"]["status"]["statusCode"])

    assert statuses == ["pending", "pending", "success"]


async def test_meet_resolves_after_a_delay(control: SandboxControl, http: httpx2.AsyncClient) -> None:
    connection = await connect(control, http)
    await control.set_google_meet(after_reads=0, after_seconds=0.3)
    assert "hangoutLink" not in (await _insert(http, connection, G3_1)).json()

    async def link() -> str | None:
        read = await http.get(f"{EVENTS_URL}/{G3_1['id']}", headers=connection.headers)
        found: str | None = read.json().get("hangoutLink")
        return found

    assert (await eventually(link, what="the Meet link")).startswith("https://meet.google.com/")


async def test_meet_created_at_once_and_failure_switch(
    control: SandboxControl, http: httpx2.AsyncClient
) -> None:
    connection = await connect(control, http)
    await control.set_google_meet(after_reads=0)
    assert (await _insert(http, connection, G3_1)).json()["hangoutLink"]

    await control.set_google_meet(outcome="failure", after_reads=0)
    failed = (await _insert(http, connection, {**G3_1, "id": "failed01"})).json()
    assert failed["conferenceData"]["createRequest"]["status"] == {"statusCode": "failure"}
    assert "hangoutLink" not in failed


async def test_conference_data_version_0_ignores_the_request(
    control: SandboxControl, http: httpx2.AsyncClient
) -> None:
    connection = await connect(control, http)

    event = (await _insert(http, connection, G3_1, params={})).json()

    assert "conferenceData" not in event
    assert "hangoutLink" not in event


async def test_meet_on_a_calendar_without_it_is_invalid(
    control: SandboxControl, http: httpx2.AsyncClient
) -> None:
    connection = await connect(control, http, meet_allowed=False)
    response = await _insert(http, connection, G3_1)
    assert_g5(response, status=400, domain="global", reason="invalid")


async def test_same_client_id_again_is_g5_2(control: SandboxControl, http: httpx2.AsyncClient) -> None:
    connection = await connect(control, http)
    assert (await _insert(http, connection, G3_1)).status_code == 200

    again = await _insert(http, connection, G3_1)

    assert again.json() == {
        "error": {
            "errors": [
                {
                    "domain": "global",
                    "reason": "duplicate",
                    "message": "The requested identifier already exists.",
                }
            ],
            "code": 409,
            "message": "The requested identifier already exists.",
        }
    }


async def test_client_ids_must_be_base32hex_of_5_to_1024(
    control: SandboxControl, http: httpx2.AsyncClient
) -> None:
    connection = await connect(control, http)
    for bad in ("abcd", "8f14e45f-ceea", "wxyz0123", "A1B2C3D4", "a" * 1025):
        response = await _insert(http, connection, {**G3_1, "id": bad})
        error = assert_g5(response, status=400, domain="global", reason="invalid")
        assert error["message"] == "Invalid resource id value."
    assert (await _insert(http, connection, {**G3_1, "id": "v" * 1024})).status_code == 200


async def test_start_and_end_are_required_and_need_a_zone(
    control: SandboxControl, http: httpx2.AsyncClient
) -> None:
    connection = await connect(control, http)
    no_end = {k: v for k, v in G3_1.items() if k != "end"}
    assert_g5(await _insert(http, connection, no_end), status=400, domain="global", reason="required")
    floating = {**G3_1, "start": {"dateTime": "2025-06-04T14:00:00"}}
    assert_g5(await _insert(http, connection, floating), status=400, domain="global", reason="required")
    backwards = {**G3_1, "end": {"dateTime": "2025-06-04T13:00:00+02:00"}}
    assert_g5(
        await _insert(http, connection, backwards), status=400, domain="calendar", reason="timeRangeEmpty"
    )


async def test_send_updates_is_recorded(control: SandboxControl, http: httpx2.AsyncClient) -> None:
    connection = await connect(control, http)
    await control.create_google_account(email="colleague@gmail.test", name="Colleague")
    guests = [*G3_1["attendees"], {"email": "colleague@gmail.test"}, {"email": "host@gmail.test"}]
    await _insert(http, connection, {**G3_1, "attendees": guests})
    await _insert(
        http, connection, {**G3_1, "id": "second01", "attendees": guests}, {"sendUpdates": "externalOnly"}
    )
    await _insert(http, connection, {**G3_1, "id": "third001", "attendees": guests}, {})

    sent = await control.google_notifications(connection.email)

    assert [(n["send_updates"], n["recipients"]) for n in sent] == [
        ("all", ["ivo@example.test", "colleague@gmail.test"]),
        ("externalOnly", ["ivo@example.test"]),
        ("none", []),
    ]
    logged = [r for r in await control.google_requests() if r["method"] == "POST" and "events" in r["path"]]
    assert logged[0]["query"] == MEET
    assert logged[0]["headers"]["authorization"] == "[redacted]"


async def test_patch_changes_only_what_it_names(control: SandboxControl, http: httpx2.AsyncClient) -> None:
    connection = await connect(control, http)
    await _insert(http, connection, G3_1)
    change = {
        "summary": "Moved",
        "end": {"dateTime": "2025-06-04T15:00:00+02:00", "timeZone": "Europe/Berlin"},
    }

    response = await http.patch(
        f"{EVENTS_URL}/{G3_1['id']}", headers=connection.headers, params={"sendUpdates": "all"}, json=change
    )

    assert response.status_code == 200, response.text
    event = response.json()
    assert event["summary"] == "Moved"
    assert event["description"] == G3_1["description"]
    assert event["end"] == change["end"]
    assert event["sequence"] == 1
    assert event["conferenceData"]["createRequest"]["requestId"] == "wk-8f14e45f-meet-1"
    assert [n["action"] for n in await control.google_notifications(connection.email)] == ["insert", "patch"]


async def test_delete_is_204_then_410_and_the_event_stays_cancelled(
    control: SandboxControl, http: httpx2.AsyncClient
) -> None:
    connection = await connect(control, http)
    await _insert(http, connection, G3_1)
    url = f"{EVENTS_URL}/{G3_1['id']}"

    deleted = await http.delete(url, headers=connection.headers, params={"sendUpdates": "all"})

    assert deleted.status_code == 204
    assert deleted.content == b""
    again = await http.delete(url, headers=connection.headers)
    assert_g5(again, status=410, domain="global", reason="deleted")
    assert (await http.get(url, headers=connection.headers)).json()["status"] == "cancelled"
    listed = (await http.get(EVENTS_URL, headers=connection.headers)).json()
    assert listed["items"] == []
    with_deleted = (
        await http.get(EVENTS_URL, headers=connection.headers, params={"showDeleted": "true"})
    ).json()
    assert [e["status"] for e in with_deleted["items"]] == ["cancelled"]
    unknown = await http.delete(f"{EVENTS_URL}/unknown01", headers=connection.headers)
    assert_g5(unknown, status=404, domain="global", reason="notFound")


async def test_list_filters_by_time_and_pages(control: SandboxControl, http: httpx2.AsyncClient) -> None:
    connection = await connect(control, http)
    for index in range(3):
        start = f"2025-06-0{index + 2}T09:00:00Z"
        body = {"start": {"dateTime": start}, "end": {"dateTime": start.replace("09:", "10:")}}
        assert (await _insert(http, connection, body, {})).status_code == 200
    params = {
        "timeMin": "2025-06-03T00:00:00Z",
        "maxResults": "1",
        "singleEvents": "true",
        "orderBy": "startTime",
    }

    first = (await http.get(EVENTS_URL, headers=connection.headers, params=params)).json()
    second = await http.get(
        EVENTS_URL, headers=connection.headers, params={**params, "pageToken": first["nextPageToken"]}
    )

    assert first["kind"] == "calendar#events"
    assert [e["start"]["dateTime"] for e in first["items"]] == ["2025-06-03T09:00:00Z"]
    assert [e["start"]["dateTime"] for e in second.json()["items"]] == ["2025-06-04T09:00:00Z"]
    assert "nextSyncToken" in second.json()


async def test_writing_to_a_calendar_shared_read_only_is_forbidden(
    control: SandboxControl, http: httpx2.AsyncClient
) -> None:
    connection = await connect(control, http)
    await control.create_google_account(email="boss@gmail.test", name="Boss")
    await control.share_google_calendar("boss@gmail.test", with_email=connection.email, role="reader")
    url = f"{CALENDAR_API}/calendars/boss@gmail.test/events"

    assert (await http.get(url, headers=connection.headers)).status_code == 200
    response = await http.post(url, headers=connection.headers, json={**G3_1, "conferenceData": None})

    assert_g5(response, status=403, domain="global", reason="forbidden")
    unshared = await http.post(
        f"{CALENDAR_API}/calendars/stranger@gmail.test/events", headers=connection.headers, json=G3_1
    )
    assert_g5(unshared, status=404, domain="global", reason="notFound")
