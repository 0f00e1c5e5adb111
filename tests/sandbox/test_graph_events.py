"""Graph events against D1-D3: create (D2.2/D2.3), Teams, transactionId, update, delete, cancel."""

from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import httpx2
import pytest

from tests.sandbox.flows import GRAPH, Connection, connect
from tests.sandbox.test_graph_me_calendar import assert_e1
from tests.support.sandbox import SandboxControl

D2_2: dict[str, Any] = {
    "subject": "Intro call — Ivo Invitee",
    "body": {"contentType": "HTML", "content": "<p>Booked via Workestra.</p>"},
    "start": {"dateTime": "2025-06-04T14:00:00", "timeZone": "W. Europe Standard Time"},
    "end": {"dateTime": "2025-06-04T14:30:00", "timeZone": "W. Europe Standard Time"},
    "location": {"displayName": "Microsoft Teams Meeting"},
    "attendees": [
        {"emailAddress": {"address": "ivo@example.test", "name": "Ivo Invitee"}, "type": "required"}
    ],
    "allowNewTimeProposals": False,
    "isOnlineMeeting": True,
    "onlineMeetingProvider": "teamsForBusiness",
    "transactionId": "wk-booking-8f14e45f-ceea-467f-a8f0-6d1b1f0e2c11",
}
WEST_EUROPE = {"Prefer": 'outlook.timezone="W. Europe Standard Time"'}


async def _create(
    http: httpx2.AsyncClient,
    connection: Connection,
    body: dict[str, Any],
    *,
    path: str = "/me/events",
    prefer: bool = True,
) -> httpx2.Response:
    headers = {**connection.headers, **(WEST_EUROPE if prefer else {})}
    return await http.post(f"{GRAPH}{path}", headers=headers, json=body)


async def test_d2_2_creates_the_d2_3_event_with_a_teams_link(
    control: SandboxControl, http: httpx2.AsyncClient
) -> None:
    connection = await connect(control, http)

    response = await _create(http, connection, D2_2)

    assert response.status_code == 201, response.text
    event = response.json()
    assert event["@odata.context"].endswith(f"users('{connection.user_id}')/events/$entity")
    assert event["@odata.etag"] == f'W/"{event["changeKey"]}"'
    assert event["transactionId"] == D2_2["transactionId"]
    assert event["iCalUId"].startswith("040000008200E00074C5B7101A82E008")
    assert event["webLink"] == (
        f"https://outlook.office365.com/owa/?itemid={quote(event['id'], safe='')}"
        "&exvsurl=1&path=/calendar/item"
    )
    assert event["isOnlineMeeting"] is True
    assert event["onlineMeetingProvider"] == "teamsForBusiness"
    assert event["onlineMeeting"]["joinUrl"].startswith("https://teams.microsoft.com/l/meetup-join/")
    assert event["onlineMeetingUrl"] is None
    assert event["responseStatus"] == {"response": "organizer", "time": "0001-01-01T00:00:00Z"}
    assert event["start"] == {
        "dateTime": "2025-06-04T14:00:00.0000000",
        "timeZone": "W. Europe Standard Time",
    }
    assert event["attendees"] == [
        {
            "type": "required",
            "status": {"response": "none", "time": "0001-01-01T00:00:00Z"},
            "emailAddress": {"name": "Ivo Invitee", "address": "ivo@example.test"},
        }
    ]
    assert event["organizer"] == {"emailAddress": {"name": "Hana Host", "address": "hana@contoso.test"}}
    assert event["body"]["contentType"] == "html"
    assert event["onlineMeeting"]["joinUrl"] in event["body"]["content"]
    assert event["allowNewTimeProposals"] is False
    (stored,) = (await control.microsoft_events(connection.email))["value"]
    assert stored["start"] == {"dateTime": "2025-06-04T12:00:00.0000000", "timeZone": "UTC"}


@pytest.mark.parametrize(
    "account",
    [{"email": "pat@outlook.test", "kind": "personal"}, {"teams": False}],
    ids=["personal", "work-without-teams"],
)
async def test_teams_request_without_teams_gives_201_and_no_meeting(
    control: SandboxControl, http: httpx2.AsyncClient, account: dict[str, Any]
) -> None:
    connection = await connect(control, http, **account)

    response = await _create(http, connection, D2_2)

    assert response.status_code == 201
    event = response.json()
    assert event["isOnlineMeeting"] is False
    assert event["onlineMeetingProvider"] == "unknown"
    assert event["onlineMeeting"] is None
    if account.get("kind") == "personal":
        assert event["webLink"].startswith("https://outlook.live.com/owa/?itemid=")


async def test_teams_switched_off_through_the_control_api(
    control: SandboxControl, http: httpx2.AsyncClient
) -> None:
    connection = await connect(control, http)
    await control.set_microsoft_user(connection.email, teams=False)
    event = (await _create(http, connection, D2_2)).json()
    assert event["onlineMeeting"] is None


async def test_same_transaction_id_returns_the_same_event(
    control: SandboxControl, http: httpx2.AsyncClient
) -> None:
    connection = await connect(control, http)
    first = await _create(http, connection, D2_2)
    again = await _create(http, connection, D2_2, path="/me/calendar/events")

    assert again.status_code == 201
    assert again.json()["id"] == first.json()["id"]
    assert len((await control.microsoft_events(connection.email))["value"]) == 1
    plain = {k: v for k, v in D2_2.items() if k != "transactionId"}
    created = (await _create(http, connection, plain)).json()
    assert "transactionId" not in created  # EV: returned only if set


@pytest.mark.parametrize(
    ("change", "code"),
    [
        (
            {"start": {"dateTime": "2025-06-04T14:00:00", "timeZone": "Europe/Nowhere"}},
            "TimeZoneNotSupportedException",
        ),
        ({"colour": "red"}, "RequestBodyRead"),
        ({"start": "2025-06-04T14:00:00Z"}, "RequestBodyRead"),
        ({"showAs": "sleeping"}, "RequestBodyRead"),
        (
            {"attendees": [{"emailAddress": {"address": f"a{i}@example.test"}} for i in range(501)]},
            "ErrorInvalidRequest",
        ),
    ],
)
async def test_invalid_event_bodies_are_400(
    control: SandboxControl, http: httpx2.AsyncClient, change: dict[str, Any], code: str
) -> None:
    connection = await connect(control, http)
    assert_e1(await _create(http, connection, {**D2_2, **change}), status=400, code=code)


async def test_time_zone_error_message_names_the_zone(
    control: SandboxControl, http: httpx2.AsyncClient
) -> None:
    connection = await connect(control, http)
    body = {**D2_2, "end": {"dateTime": "2025-06-04T14:30:00", "timeZone": "CEST"}}
    error = assert_e1(await _create(http, connection, body), status=400, code="TimeZoneNotSupportedException")
    assert error["message"] == (
        "A valid TimeZone value must be specified. The following TimeZone value is not supported: 'CEST'."
    )


async def test_documented_iana_zone_is_accepted(control: SandboxControl, http: httpx2.AsyncClient) -> None:
    connection = await connect(control, http)
    body = {
        "subject": "x",
        "start": {"dateTime": "2025-01-15T09:00:00", "timeZone": "America/New_York"},
        "end": {"dateTime": "2025-01-15T09:30:00", "timeZone": "America/New_York"},
    }
    event = (await _create(http, connection, body, prefer=False)).json()
    assert event["start"] == {"dateTime": "2025-01-15T14:00:00.0000000", "timeZone": "UTC"}


async def test_get_patch_delete_and_unknown_ids(control: SandboxControl, http: httpx2.AsyncClient) -> None:
    connection = await connect(control, http)
    created = (await _create(http, connection, D2_2)).json()
    url = f"{GRAPH}/me/events/{created['id']}"

    fetched = await http.get(url, headers=connection.headers)
    assert fetched.status_code == 200
    assert fetched.json()["id"] == created["id"]
    swapped = created["id"].swapcase()
    wrong_case = await http.get(f"{GRAPH}/me/events/{swapped}", headers=connection.headers)
    assert_e1(wrong_case, status=404, code="ErrorItemNotFound")

    patched = await http.patch(
        url,
        headers=connection.headers,
        json={"subject": "Moved", "start": {"dateTime": "2025-06-04T15:00:00", "timeZone": "UTC"},
              "end": {"dateTime": "2025-06-04T15:30:00", "timeZone": "UTC"}},
    )  # fmt: skip
    assert patched.status_code == 200
    assert patched.json()["subject"] == "Moved"
    assert patched.json()["changeKey"] != created["changeKey"]
    assert patched.json()["start"]["dateTime"] == "2025-06-04T15:00:00.0000000"

    deleted = await http.delete(url, headers=connection.headers)
    assert deleted.status_code == 204
    assert deleted.content == b""
    assert_e1(await http.get(url, headers=connection.headers), status=404, code="ErrorItemNotFound")
    assert_e1(await http.delete(url, headers=connection.headers), status=404, code="ErrorItemNotFound")


async def test_patching_the_body_without_the_teams_blob_disables_the_meeting(
    control: SandboxControl, http: httpx2.AsyncClient
) -> None:
    connection = await connect(control, http)
    created = (await _create(http, connection, D2_2)).json()
    url = f"{GRAPH}/me/events/{created['id']}"

    content = created["body"]["content"] + "<p>more</p>"
    kept = await http.patch(
        url, headers=connection.headers, json={"body": {"contentType": "html", "content": content}}
    )
    assert kept.json()["onlineMeeting"]["joinUrl"] == created["onlineMeeting"]["joinUrl"]
    back = await http.patch(url, headers=connection.headers, json={"isOnlineMeeting": False})
    assert_e1(back, status=400, code="ErrorInvalidRequest")
    moved = await http.patch(
        url,
        headers=connection.headers,
        json={"start": {"dateTime": "2025-06-04T15:00:00", "timeZone": "UTC"},
              "end": {"dateTime": "2025-06-04T15:30:00", "timeZone": "UTC"}},
    )  # fmt: skip
    assert moved.json()["onlineMeeting"]["joinUrl"] == created["onlineMeeting"]["joinUrl"]

    lost = await http.patch(
        url, headers=connection.headers, json={"body": {"contentType": "html", "content": "hi"}}
    )
    assert lost.json()["onlineMeeting"] is None
    assert lost.json()["isOnlineMeeting"] is False  # the meeting is disabled, not half-kept
    again = await http.patch(url, headers=connection.headers, json={"isOnlineMeeting": True})
    assert again.json()["isOnlineMeeting"] is True
    assert again.json()["onlineMeeting"]["joinUrl"] != created["onlineMeeting"]["joinUrl"]


async def test_cancel_is_202_for_the_organizer_and_400_for_an_attendee(
    control: SandboxControl, http: httpx2.AsyncClient
) -> None:
    connection = await connect(control, http)
    created = (await _create(http, connection, D2_2)).json()

    cancelled = await http.post(
        f"{GRAPH}/me/events/{created['id']}/cancel",
        headers=connection.headers,
        json={"comment": "Booking cancelled"},
    )

    assert cancelled.status_code == 202
    assert cancelled.content == b""
    mailbox = await control.microsoft_events(connection.email)
    assert mailbox["value"] == []
    assert mailbox.get("removed", [])[0]["comment"] == "Booking cancelled"
    start = datetime(2025, 6, 5, 9, tzinfo=UTC)
    invited = await control.seed_microsoft_event(
        connection.email,
        subject="Their meeting",
        start=start,
        end=start + timedelta(hours=1),
        organizer="boss@contoso.test",
    )
    refused = await http.post(f"{GRAPH}/me/events/{invited}/cancel", headers=connection.headers, json={})
    assert_e1(refused, status=400, code="ErrorInvalidRequest")


async def test_a_rejected_patch_leaves_the_event_unchanged(
    control: SandboxControl, http: httpx2.AsyncClient
) -> None:
    connection = await connect(control, http)
    created = (await _create(http, connection, D2_2)).json()
    url = f"{GRAPH}/me/events/{created['id']}"

    rejected = await http.patch(
        url,
        headers=connection.headers,
        json={"subject": "Renamed", "end": {"dateTime": "2025-06-04T14:30:00", "timeZone": "XYZ"}},
    )

    assert_e1(rejected, status=400, code="TimeZoneNotSupportedException")
    assert (await http.get(url, headers=connection.headers)).json()["subject"] == D2_2["subject"]
