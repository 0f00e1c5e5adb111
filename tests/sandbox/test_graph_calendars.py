"""Several calendars in one mailbox (C4): GET /me/calendars, each calendar's calendarView, events
written to one calendar, and 404 ErrorItemNotFound once a calendar is gone."""

from datetime import UTC, datetime

import httpx2

from tests.sandbox.flows import GRAPH, connect
from tests.sandbox.test_graph_me_calendar import assert_e1
from tests.support.sandbox import SandboxControl

WINDOW = {"startDateTime": "2025-06-02T00:00:00Z", "endDateTime": "2025-06-03T00:00:00Z"}
C4_KEYS = {
    "id", "name", "color", "hexColor", "isDefaultCalendar", "changeKey", "canShare",
    "canViewPrivateItems", "canEdit", "allowedOnlineMeetingProviders",
    "defaultOnlineMeetingProvider", "isTallyingResponses", "isRemovable", "owner",
}  # fmt: skip


def _at(hour: int) -> datetime:
    return datetime(2025, 6, 2, hour, tzinfo=UTC)


def _new_event(subject: str) -> dict[str, object]:
    return {
        "subject": subject,
        "start": {"dateTime": "2025-06-02T09:00:00", "timeZone": "UTC"},
        "end": {"dateTime": "2025-06-02T10:00:00", "timeZone": "UTC"},
        "transactionId": f"tx-{subject}",
    }


async def test_me_calendars_lists_the_default_calendar_first_then_the_others(
    control: SandboxControl, http: httpx2.AsyncClient
) -> None:
    connection = await connect(control, http)
    team = await control.add_microsoft_calendar(connection.email, "Team")
    shared = await control.add_microsoft_calendar(connection.email, "Boss (shared)", can_edit=False)

    body = (await http.get(f"{GRAPH}/me/calendars", headers=connection.headers)).json()

    assert body["@odata.context"].endswith("/calendars")
    default, *others = body["value"]
    assert all(set(c) == C4_KEYS for c in body["value"])
    assert (default["isDefaultCalendar"], default["canEdit"], default["name"]) == (True, True, "Calendar")
    assert [(c["id"], c["name"], c["isDefaultCalendar"], c["canEdit"]) for c in others] == [
        (team, "Team", False, True),
        (shared, "Boss (shared)", False, False),
    ]
    one = (await http.get(f"{GRAPH}/me/calendars/{team}", headers=connection.headers)).json()
    assert (one["id"], one["name"]) == (team, "Team")


async def test_me_calendars_pages_and_selects(control: SandboxControl, http: httpx2.AsyncClient) -> None:
    connection = await connect(control, http)
    for name in ("A", "B", "C"):
        await control.add_microsoft_calendar(connection.email, name)
    params = {"$select": "id,name,isDefaultCalendar,canEdit", "$top": "2"}

    first = (await http.get(f"{GRAPH}/me/calendars", headers=connection.headers, params=params)).json()
    assert [set(c) for c in first["value"]] == [{"id", "name", "isDefaultCalendar", "canEdit"}] * 2
    second = (await http.get(first["@odata.nextLink"], headers=connection.headers)).json()
    assert [c["name"] for c in first["value"] + second["value"]] == ["Calendar", "A", "B", "C"]
    assert "@odata.nextLink" not in second


async def test_each_calendar_view_holds_only_its_own_events(
    control: SandboxControl, http: httpx2.AsyncClient
) -> None:
    connection = await connect(control, http)
    team = await control.add_microsoft_calendar(connection.email, "Team")
    await control.seed_microsoft_event(connection.email, subject="Mine", start=_at(9), end=_at(10))
    await control.seed_microsoft_event_in(
        connection.email, calendar_id=team, subject="Standup", start=_at(11), end=_at(12)
    )

    default = await http.get(f"{GRAPH}/me/calendarView", headers=connection.headers, params=WINDOW)
    other = await http.get(
        f"{GRAPH}/me/calendars/{team}/calendarView", headers=connection.headers, params=WINDOW
    )

    assert [e["subject"] for e in default.json()["value"]] == ["Mine"]
    assert [e["subject"] for e in other.json()["value"]] == ["Standup"]


async def test_an_invitation_carries_the_users_answer(
    control: SandboxControl, http: httpx2.AsyncClient
) -> None:
    connection = await connect(control, http)
    await control.seed_microsoft_event_in(
        connection.email,
        calendar_id=None,
        subject="Invite",
        start=_at(9),
        end=_at(10),
        show_as="tentative",
        organizer="boss@contoso.test",
        response="notResponded",
    )
    params = {**WINDOW, "$select": "showAs,responseStatus"}
    event = (await http.get(f"{GRAPH}/me/calendarView", headers=connection.headers, params=params)).json()
    assert event["value"][0]["responseStatus"]["response"] == "notResponded"
    assert event["value"][0]["showAs"] == "tentative"


async def test_events_are_written_to_the_calendar_named_in_the_path(
    control: SandboxControl, http: httpx2.AsyncClient
) -> None:
    connection = await connect(control, http)
    team = await control.add_microsoft_calendar(connection.email, "Team")

    created = await http.post(
        f"{GRAPH}/me/calendars/{team}/events", headers=connection.headers, json=_new_event("x")
    )
    assert created.status_code == 201, created.text
    again = await http.post(
        f"{GRAPH}/me/calendars/{team}/events", headers=connection.headers, json=_new_event("x")
    )
    assert again.json()["id"] == created.json()["id"]  # the same transactionId: the same event

    assert [e["id"] for e in await control.microsoft_calendar_events(connection.email, team)] == [
        created.json()["id"]
    ]
    default = (await http.get(f"{GRAPH}/me/calendarView", headers=connection.headers, params=WINDOW)).json()
    assert default["value"] == []
    # The event is the mailbox's: /me/events/{id} finds it whatever its calendar.
    read = await http.get(f"{GRAPH}/me/events/{created.json()['id']}", headers=connection.headers)
    assert read.status_code == 200


async def test_a_calendar_shared_for_reading_refuses_new_events(
    control: SandboxControl, http: httpx2.AsyncClient
) -> None:
    connection = await connect(control, http)
    shared = await control.add_microsoft_calendar(connection.email, "Boss", can_edit=False)

    refused = await http.post(
        f"{GRAPH}/me/calendars/{shared}/events", headers=connection.headers, json=_new_event("y")
    )

    assert_e1(refused, status=403, code="ErrorAccessDenied")
    view = await http.get(
        f"{GRAPH}/me/calendars/{shared}/calendarView", headers=connection.headers, params=WINDOW
    )
    assert view.status_code == 200


async def test_a_deleted_calendar_answers_item_not_found(
    control: SandboxControl, http: httpx2.AsyncClient
) -> None:
    connection = await connect(control, http)
    team = await control.add_microsoft_calendar(connection.email, "Team")
    await control.seed_microsoft_event_in(
        connection.email, calendar_id=team, subject="Standup", start=_at(11), end=_at(12)
    )

    await control.delete_microsoft_calendar(connection.email, team)

    view = await http.get(
        f"{GRAPH}/me/calendars/{team}/calendarView", headers=connection.headers, params=WINDOW
    )
    assert_e1(view, status=404, code="ErrorItemNotFound")
    write = await http.post(
        f"{GRAPH}/me/calendars/{team}/events", headers=connection.headers, json=_new_event("z")
    )
    assert_e1(write, status=404, code="ErrorItemNotFound")
    listed = (await http.get(f"{GRAPH}/me/calendars", headers=connection.headers)).json()
    assert [c["name"] for c in listed["value"]] == ["Calendar"]


async def test_get_schedule_covers_the_default_calendar_only(
    control: SandboxControl, http: httpx2.AsyncClient
) -> None:
    connection = await connect(control, http)
    team = await control.add_microsoft_calendar(connection.email, "Team")
    await control.seed_microsoft_event_in(
        connection.email, calendar_id=team, subject="Standup", start=_at(11), end=_at(12)
    )
    body = {
        "schedules": [connection.email],
        "startTime": {"dateTime": "2025-06-02T00:00:00", "timeZone": "UTC"},
        "endTime": {"dateTime": "2025-06-03T00:00:00", "timeZone": "UTC"},
    }
    answer = await http.post(f"{GRAPH}/me/calendar/getSchedule", headers=connection.headers, json=body)
    assert answer.json()["value"][0]["scheduleItems"] == []
