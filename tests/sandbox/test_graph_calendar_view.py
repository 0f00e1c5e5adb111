"""GET /me/calendarView against C2 and C2.1: window, $select, paging, Prefer time zone."""

import re
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import httpx2

from tests.sandbox.flows import GRAPH, Connection, connect
from tests.sandbox.test_graph_me_calendar import assert_e1
from tests.support.sandbox import SandboxControl

JUNE_2 = datetime(2025, 6, 2, tzinfo=UTC)
SEVEN_DIGITS = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}")


async def _seed_week(control: SandboxControl, email: str) -> None:
    await control.seed_microsoft_event(
        email, subject="Roadmap", start=JUNE_2 + timedelta(hours=7), end=JUNE_2 + timedelta(hours=8)
    )
    await control.seed_microsoft_event(
        email,
        subject="Dentist",
        start=JUNE_2 + timedelta(days=1, hours=13),
        end=JUNE_2 + timedelta(days=1, hours=14),
        show_as="oof",
    )
    await control.seed_microsoft_event(
        email,
        subject="Offsite",
        start=JUNE_2 + timedelta(days=2),
        end=JUNE_2 + timedelta(days=3),
        is_all_day=True,
    )
    await control.seed_microsoft_event(
        email,
        subject="Called off",
        start=JUNE_2 + timedelta(days=4, hours=9),
        end=JUNE_2 + timedelta(days=4, hours=10),
        is_cancelled=True,
        organizer="boss@contoso.test",
    )


async def _view(
    http: httpx2.AsyncClient, connection: Connection, path: str = "/me/calendarView", **params: str
) -> httpx2.Response:
    headers = dict(connection.headers)
    if "prefer" in params:
        headers["Prefer"] = params.pop("prefer")
    return await http.get(f"{GRAPH}{path}", headers=headers, params=params)


async def test_c2_1_select_top_and_absolute_next_link(
    control: SandboxControl, http: httpx2.AsyncClient
) -> None:
    connection = await connect(control, http)
    await _seed_week(control, connection.email)
    select = "subject,start,end,showAs,isCancelled,isAllDay"

    first = await _view(
        http,
        connection,
        startDateTime="2025-06-02T00:00:00Z",
        endDateTime="2025-06-09T00:00:00Z",
        **{"$select": select, "$top": "2"},
    )

    assert first.status_code == 200
    body = first.json()
    assert body["@odata.context"] == (
        f"https://graph.microsoft.com/v1.0/$metadata#users('{connection.user_id}')/calendarView({select})"
    )
    roadmap, dentist = body["value"]
    assert set(roadmap) == {"@odata.etag", "id", *select.split(",")}
    assert roadmap["subject"] == "Roadmap"
    assert roadmap["showAs"] == "busy"
    assert roadmap["start"] == {"dateTime": "2025-06-02T07:00:00.0000000", "timeZone": "UTC"}
    assert dentist["showAs"] == "oof"
    next_link = body["@odata.nextLink"]
    assert next_link.startswith(f"{http.base_url}{GRAPH}/me/calendarView?")

    second = (await http.get(next_link, headers=connection.headers)).json()
    offsite, called_off = second["value"]
    assert offsite["isAllDay"] is True
    assert offsite["start"] == {"dateTime": "2025-06-04T00:00:00.0000000", "timeZone": "UTC"}
    assert called_off["isCancelled"] is True
    assert "@odata.nextLink" not in second


async def test_window_is_required(control: SandboxControl, http: httpx2.AsyncClient) -> None:
    connection = await connect(control, http)
    response = await _view(http, connection, startDateTime="2025-06-02T00:00:00Z")
    error = assert_e1(response, status=400, code="ErrorInvalidParameter")
    assert error["message"] == (
        "This request requires a time window specified by the query string parameters "
        "StartDateTime and EndDateTime."
    )


async def test_offset_is_honoured_and_no_offset_means_utc(
    control: SandboxControl, http: httpx2.AsyncClient
) -> None:
    connection = await connect(control, http)
    await _seed_week(control, connection.email)

    # 09:30+02:00 is 07:30Z: inside Roadmap (07:00-08:00Z).
    with_offset = await _view(
        http,
        connection,
        startDateTime="2025-06-02T09:30:00+02:00",
        endDateTime="2025-06-02T09:45:00+02:00",
    )
    assert [e["subject"] for e in with_offset.json()["value"]] == ["Roadmap"]
    # Read as UTC, 09:30-09:45 misses it.
    naive = await _view(
        http, connection, startDateTime="2025-06-02T09:30:00", endDateTime="2025-06-02T09:45:00"
    )
    assert naive.json()["value"] == []


async def test_window_over_1825_days_is_rejected(control: SandboxControl, http: httpx2.AsyncClient) -> None:
    connection = await connect(control, http)
    response = await _view(
        http, connection, startDateTime="2020-01-01T00:00:00Z", endDateTime="2025-01-01T00:00:00Z"
    )
    assert_e1(response, status=400, code="ErrorInvalidRequest")


async def test_default_page_size_is_ten_and_maxpagesize_is_honoured(
    control: SandboxControl, http: httpx2.AsyncClient
) -> None:
    connection = await connect(control, http)
    for hour in range(12):
        start = JUNE_2 + timedelta(hours=hour)
        await control.seed_microsoft_event(
            connection.email, subject=f"e{hour}", start=start, end=start + timedelta(minutes=30)
        )
    window = {"startDateTime": "2025-06-02T00:00:00Z", "endDateTime": "2025-06-03T00:00:00Z"}

    default = (await _view(http, connection, **window)).json()
    assert len(default["value"]) == 10
    assert "@odata.nextLink" in default

    paged = await _view(http, connection, prefer="odata.maxpagesize=5", **window)
    assert len(paged.json()["value"]) == 5
    assert "odata.maxpagesize=5" in paged.headers["preference-applied"]

    seen: list[str] = []
    link: str | None = f"{GRAPH}/me/calendar/calendarView"
    params: dict[str, str] | None = window
    while link:
        page: dict[str, Any] = (await http.get(link, headers=connection.headers, params=params)).json()
        seen += [e["subject"] for e in page["value"]]
        link, params = page.get("@odata.nextLink"), None
    assert seen == [f"e{hour}" for hour in range(12)]


async def test_prefer_time_zone_changes_the_response_zone(
    control: SandboxControl, http: httpx2.AsyncClient
) -> None:
    connection = await connect(control, http)
    await _seed_week(control, connection.email)

    response = await _view(
        http,
        connection,
        prefer='outlook.timezone="W. Europe Standard Time"',
        startDateTime="2025-06-02T00:00:00Z",
        endDateTime="2025-06-03T00:00:00Z",
    )

    assert response.headers["preference-applied"] == 'outlook.timezone="W. Europe Standard Time"'
    (roadmap,) = response.json()["value"]
    assert roadmap["start"] == {
        "dateTime": "2025-06-02T09:00:00.0000000",
        "timeZone": "W. Europe Standard Time",
    }
    assert SEVEN_DIGITS.fullmatch(roadmap["end"]["dateTime"])
    assert roadmap["createdDateTime"].endswith("Z")


async def test_calendar_id_path_and_unknown_calendar(
    control: SandboxControl, http: httpx2.AsyncClient
) -> None:
    connection = await connect(control, http)
    await _seed_week(control, connection.email)
    calendar = (await http.get(f"{GRAPH}/me/calendar", headers=connection.headers)).json()
    window = {"startDateTime": "2025-06-02T00:00:00Z", "endDateTime": "2025-06-03T00:00:00Z"}

    own = await _view(http, connection, f"/me/calendars/{calendar['id']}/calendarView", **window)
    assert [e["subject"] for e in own.json()["value"]] == ["Roadmap"]
    other = await _view(http, connection, "/me/calendars/AAMkNope=/calendarView", **window)
    assert_e1(other, status=404, code="ErrorItemNotFound")


async def test_seeded_times_with_offsets_are_stored_in_utc(
    control: SandboxControl, http: httpx2.AsyncClient
) -> None:
    connection = await connect(control, http)
    plus_two = timezone(timedelta(hours=2))
    await control.seed_microsoft_event(
        connection.email,
        subject="Local",
        start=datetime(2025, 6, 2, 10, tzinfo=plus_two),
        end=datetime(2025, 6, 2, 11, tzinfo=plus_two),
    )
    (event,) = (await control.microsoft_events(connection.email))["value"]
    assert event["start"] == {"dateTime": "2025-06-02T08:00:00.0000000", "timeZone": "UTC"}
