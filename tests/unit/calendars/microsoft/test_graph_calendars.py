"""MicrosoftCalendar with the host's calendar choice: which calendars are read, where events go,
the busy rules, and /me/calendars (over httpx2.MockTransport, as test_graph.py)."""

import asyncio
import json
from typing import Any
from urllib.parse import parse_qs

import httpx2
import pytest

from tests.support.credentials import InMemoryCredentials
from tests.unit.calendars.microsoft.test_graph import (
    CONFIG,
    WINDOW,
    FakeGraph,
    _at,
    _event,
    _graph_error,
    _page,
    calendar,
    client,
    credentials,
    fake,
)
from workestra.calendars.base import (
    Attendee,
    CalendarChoice,
    CalendarInfo,
    ChoosesCalendars,
    EventDraft,
    choice_of,
)
from workestra.calendars.busy_rules import BusyRules
from workestra.calendars.errors import CalendarNotFound, ProviderUnavailable
from workestra.calendars.microsoft import MicrosoftCalendar
from workestra.calendars.none import NoCalendar
from workestra.scheduling import Interval

DRAFT = EventDraft(
    idempotency_key="b-1",
    subject="Intro call",
    body_text="Hello",
    starts_at=_at(2, 9),
    ends_at=_at(2, 10),
    timezone="UTC",
    attendee=Attendee("ivy@example.test", "Ivy"),
    online_meeting=False,
)
CREATED = {"id": "evt-1", "iCalUId": "uid-1", "webLink": "https://outlook.example/evt-1"}


class ChoosingCredentials:
    """InMemoryCredentials that also carry a calendar choice (``ChoosesCalendars``)."""

    def __init__(self, inner: InMemoryCredentials, choice: CalendarChoice) -> None:
        self._inner = inner
        self.choice = choice
        self.asked = 0

    @property
    def connection_key(self) -> str:
        return self._inner.connection_key

    async def access_token(self, *, rejected: str | None = None) -> str:
        return await self._inner.access_token(rejected=rejected)

    async def calendar_choice(self) -> CalendarChoice:
        self.asked += 1
        return self.choice


def _choosing(credentials: InMemoryCredentials, **choice: Any) -> ChoosingCredentials:  # noqa: ANN401
    return ChoosingCredentials(credentials, CalendarChoice(**choice))


def _paths(fake: FakeGraph) -> list[str]:
    return [r.url.raw_path.decode().partition("?")[0] for r in fake.graph_requests()]


async def test_a_source_without_a_choice_means_the_primary_calendar(
    credentials: InMemoryCredentials,
) -> None:
    assert not isinstance(credentials, ChoosesCalendars)
    assert await choice_of(credentials) == CalendarChoice()
    chosen = _choosing(credentials, conflict_calendars=("a",))
    assert isinstance(chosen, ChoosesCalendars)
    assert (await choice_of(chosen)).conflict_calendars == ("a",)


async def test_no_conflict_calendars_reads_the_default_view_as_before(
    fake: FakeGraph, calendar: MicrosoftCalendar, credentials: InMemoryCredentials
) -> None:
    fake.on("GET", "/v1.0/me/calendarView", _page([_event("busy")]))
    busy = await calendar.busy_intervals(_choosing(credentials), WINDOW)
    assert busy == [Interval(_at(2, 7), _at(2, 8))]
    assert _paths(fake) == ["/v1.0/me/calendarView"]


async def test_each_chosen_calendar_is_read_and_joined(
    fake: FakeGraph, calendar: MicrosoftCalendar, credentials: InMemoryCredentials
) -> None:
    fake.on("GET", "/v1.0/me/calendars/cal-a/calendarView", _page([_event("busy")]))
    fake.on(
        "GET",
        "/v1.0/me/calendars/cal%2Fb%3D/calendarView",  # ids are quoted into the path
        _page([_event("oof", start="2025-06-03T13:00:00.0000000", end="2025-06-03T14:00:00.0000000")]),
    )
    source = _choosing(credentials, conflict_calendars=("cal-a", "cal/b=", "cal-a"))

    busy = await calendar.busy_intervals(source, WINDOW)

    assert sorted(busy, key=lambda i: i.start) == [
        Interval(_at(2, 7), _at(2, 8)),
        Interval(_at(3, 13), _at(3, 14)),
    ]
    assert sorted(_paths(fake)) == [
        "/v1.0/me/calendars/cal%2Fb%3D/calendarView",
        "/v1.0/me/calendars/cal-a/calendarView",  # once, though named twice
    ]
    query = parse_qs(fake.graph_requests()[0].url.query.decode())
    assert "responseStatus" in query["$select"][0].split(",")


async def test_busy_events_read_the_same_calendars_with_subjects(
    fake: FakeGraph, calendar: MicrosoftCalendar, credentials: InMemoryCredentials
) -> None:
    fake.on("GET", "/v1.0/me/calendars/cal-a/calendarView", _page([{**_event("busy"), "subject": "Standup"}]))
    source = _choosing(credentials, conflict_calendars=("cal-a",))
    events = await calendar.busy_events(source, WINDOW)
    assert [(e.interval, e.subject) for e in events] == [(Interval(_at(2, 7), _at(2, 8)), "Standup")]
    assert "subject" in parse_qs(fake.graph_requests()[0].url.query.decode())["$select"][0].split(",")


async def test_many_chosen_calendars_stay_within_four_requests_per_mailbox(
    fake: FakeGraph, calendar: MicrosoftCalendar, credentials: InMemoryCredentials
) -> None:
    ids = tuple(f"cal-{n}" for n in range(9))
    for calendar_id in ids:
        fake.on("GET", f"/v1.0/me/calendars/{calendar_id}/calendarView", _page([]))
    fake.delay = 0.02
    source = _choosing(credentials, conflict_calendars=ids)

    async with asyncio.TaskGroup() as group:
        for _ in range(2):
            group.create_task(calendar.busy_intervals(source, WINDOW))

    assert fake.max_in_flight == 4  # concurrent, and never past Outlook's limit
    assert len(fake.graph_requests()) == 18


async def test_a_chosen_calendar_that_is_gone_fails_the_read(
    fake: FakeGraph, calendar: MicrosoftCalendar, credentials: InMemoryCredentials
) -> None:
    fake.on("GET", "/v1.0/me/calendars/cal-a/calendarView", _page([_event("busy")]))
    fake.on("GET", "/v1.0/me/calendars/gone/calendarView", _graph_error(404, "ErrorItemNotFound"))
    with pytest.raises(CalendarNotFound):
        await calendar.busy_intervals(_choosing(credentials, conflict_calendars=("cal-a", "gone")), WINDOW)


async def test_an_unreadable_chosen_calendar_is_never_free(
    fake: FakeGraph, calendar: MicrosoftCalendar, credentials: InMemoryCredentials
) -> None:
    fake.on("GET", "/v1.0/me/calendars/cal-a/calendarView", _page([]))
    fake.on("GET", "/v1.0/me/calendars/cal-b/calendarView", _graph_error(503, "ServiceUnavailable"))
    with pytest.raises(ProviderUnavailable):
        await calendar.busy_intervals(_choosing(credentials, conflict_calendars=("cal-a", "cal-b")), WINDOW)


def _invitation(show_as: str, response: str, **kwargs: Any) -> dict[str, Any]:  # noqa: ANN401
    return {
        **_event(show_as, **kwargs),
        "responseStatus": {"response": response, "time": "0001-01-01T00:00:00Z"},
    }


@pytest.mark.parametrize(
    ("rules", "blocked"),
    [
        (BusyRules(), {"tentative", "invite"}),
        (BusyRules(tentative_blocks=False), set()),
        (BusyRules(tentative_blocks=False, working_elsewhere_blocks=True), {"elsewhere"}),
        (BusyRules(tentative_blocks=False, all_day_free_blocks=True), {"holiday"}),
    ],
)
async def test_the_busy_rules_decide_what_blocks(
    fake: FakeGraph,
    calendar: MicrosoftCalendar,
    credentials: InMemoryCredentials,
    rules: BusyRules,
    blocked: set[str],
) -> None:
    events = {
        "tentative": _event(
            "tentative", start="2025-06-02T07:00:00.0000000", end="2025-06-02T08:00:00.0000000"
        ),
        "invite": _invitation(
            "busy", "notResponded", start="2025-06-02T09:00:00.0000000", end="2025-06-02T10:00:00.0000000"
        ),
        "elsewhere": _event(
            "workingElsewhere", start="2025-06-03T07:00:00.0000000", end="2025-06-03T08:00:00.0000000"
        ),
        "holiday": _event(
            "free", start="2025-06-04T00:00:00.0000000", end="2025-06-05T00:00:00.0000000", all_day=True
        ),
        "declined": _invitation(
            "busy", "declined", start="2025-06-05T07:00:00.0000000", end="2025-06-05T08:00:00.0000000"
        ),
    }
    fake.on("GET", "/v1.0/me/calendarView", _page([{**e, "subject": name} for name, e in events.items()]))

    found = await calendar.busy_events(_choosing(credentials, busy_rules=rules), WINDOW)

    assert {e.subject for e in found} == blocked


async def test_events_are_created_in_the_destination_calendar(
    fake: FakeGraph, calendar: MicrosoftCalendar, credentials: InMemoryCredentials
) -> None:
    fake.on("POST", "/v1.0/me/calendars/cal-team/events", httpx2.Response(201, json=CREATED))
    created = await calendar.create_event(_choosing(credentials, destination="cal-team"), DRAFT)
    assert created.event_id == "evt-1"
    (request,) = fake.graph_requests()
    assert json.loads(request.content)["transactionId"] == "workestra-b-1"


async def test_without_a_destination_events_go_to_me_events(
    fake: FakeGraph, calendar: MicrosoftCalendar, credentials: InMemoryCredentials
) -> None:
    fake.on("POST", "/v1.0/me/events", httpx2.Response(201, json=CREATED))
    await calendar.create_event(_choosing(credentials), DRAFT)
    await calendar.create_event(credentials, DRAFT)
    assert _paths(fake) == ["/v1.0/me/events", "/v1.0/me/events"]


async def test_a_destination_that_is_gone_is_calendar_not_found(
    fake: FakeGraph, calendar: MicrosoftCalendar, credentials: InMemoryCredentials
) -> None:
    fake.on("POST", "/v1.0/me/calendars/gone/events", _graph_error(404, "ErrorItemNotFound"))
    with pytest.raises(CalendarNotFound):
        await calendar.create_event(_choosing(credentials, destination="gone"), DRAFT)


async def test_list_calendars_reads_every_page(
    fake: FakeGraph, calendar: MicrosoftCalendar, credentials: InMemoryCredentials
) -> None:
    link = "https://graph.example.test/v1.0/me/calendars?$skip=2"
    fake.on(
        "GET",
        "/v1.0/me/calendars",
        httpx2.Response(
            200,
            json={
                "value": [
                    {"id": "c1", "name": "Calendar", "isDefaultCalendar": True, "canEdit": True},
                    {"id": "c2", "name": "Team", "isDefaultCalendar": False, "canEdit": True},
                ],
                "@odata.nextLink": link,
            },
        ),
        httpx2.Response(
            200, json={"value": [{"id": "c3", "name": "Boss", "isDefaultCalendar": False, "canEdit": False}]}
        ),
    )

    found = await calendar.list_calendars(credentials)

    assert found == [
        CalendarInfo("c1", "Calendar", is_primary=True, can_edit=True),
        CalendarInfo("c2", "Team", is_primary=False, can_edit=True),
        CalendarInfo("c3", "Boss", is_primary=False, can_edit=False),
    ]
    first, second = fake.graph_requests()
    assert parse_qs(first.url.query.decode())["$select"] == ["id,name,isDefaultCalendar,canEdit"]
    assert str(second.url) == link


async def test_no_calendar_lists_none(credentials: InMemoryCredentials) -> None:
    assert await NoCalendar().list_calendars(credentials) == []


FIXTURES = (calendar, client, credentials, fake)  # test_graph's fixtures, used by name here


def test_config_is_the_one_of_test_graph() -> None:
    assert CONFIG.graph("/me") == "https://graph.example.test/v1.0/me"
