"""calendarList and calendars.get: the primary calendar and whether it allows Meet (G3)."""

import httpx2

from tests.sandbox.google.flows import CALENDAR, CALENDAR_API, assert_g5, connect
from tests.support.sandbox import SandboxControl


async def test_primary_entry_says_meet_is_allowed(control: SandboxControl, http: httpx2.AsyncClient) -> None:
    connection = await connect(control, http, scope=f"openid {CALENDAR}", time_zone="Europe/Berlin")

    response = await http.get(f"{CALENDAR_API}/users/me/calendarList", headers=connection.headers)

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["kind"] == "calendar#calendarList"
    (entry,) = body["items"]
    assert entry["kind"] == "calendar#calendarListEntry"
    assert entry["id"] == entry["summary"] == "host@gmail.test"
    assert entry["primary"] is True
    assert entry["accessRole"] == "owner"
    assert entry["timeZone"] == "Europe/Berlin"
    assert entry["conferenceProperties"] == {"allowedConferenceSolutionTypes": ["hangoutsMeet"]}


async def test_meet_switched_off_empties_the_allowed_types(
    control: SandboxControl, http: httpx2.AsyncClient
) -> None:
    connection = await connect(control, http, scope=f"openid {CALENDAR}")
    await control.set_google_account(connection.email, meet_allowed=False)

    entry = (
        await http.get(f"{CALENDAR_API}/users/me/calendarList/primary", headers=connection.headers)
    ).json()
    calendar = (await http.get(f"{CALENDAR_API}/calendars/primary", headers=connection.headers)).json()

    assert entry["conferenceProperties"] == {"allowedConferenceSolutionTypes": []}
    assert calendar["conferenceProperties"] == {"allowedConferenceSolutionTypes": []}
    assert calendar["id"] == "host@gmail.test"


async def test_a_shared_calendar_is_listed_with_its_role(
    control: SandboxControl, http: httpx2.AsyncClient
) -> None:
    connection = await connect(control, http, scope=f"openid {CALENDAR}")
    await control.create_google_account(email="boss@gmail.test", name="Boss")
    await control.share_google_calendar("boss@gmail.test", with_email=connection.email, role="reader")

    body = (await http.get(f"{CALENDAR_API}/users/me/calendarList", headers=connection.headers)).json()

    assert [(e["id"], e["accessRole"]) for e in body["items"]] == [
        ("host@gmail.test", "owner"),
        ("boss@gmail.test", "reader"),
    ]


async def test_calendar_events_scope_cannot_list_calendars(
    control: SandboxControl, http: httpx2.AsyncClient
) -> None:
    connection = await connect(control, http)  # calendar.events + calendar.freebusy

    response = await http.get(f"{CALENDAR_API}/users/me/calendarList", headers=connection.headers)

    assert_g5(response, status=403, domain="global", reason="insufficientPermissions")
    assert 'error="insufficient_scope"' in response.headers["www-authenticate"]
