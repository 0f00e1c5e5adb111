"""MicrosoftCalendar over an in-process Graph answered by httpx2.MockTransport (no sockets).

The contract suite in tests/integration/calendars runs the same behaviours against the sandbox.
"""

import asyncio
import dataclasses
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs

import httpx2
import pytest

from tests.support.credentials import InMemoryCredentials
from workestra.calendars.base import (
    Attendee,
    CalendarProvider,
    CredentialSource,
    EventDraft,
    OAuthClient,
    TokenGrant,
)
from workestra.calendars.errors import (
    CalendarNotFound,
    MissingScope,
    NeedsReauth,
    ProviderRejected,
    ProviderUnavailable,
    Throttled,
)
from workestra.calendars.microsoft import (
    PERSONAL_ACCOUNT_TENANT_ID,
    MicrosoftCalendar,
    MicrosoftConfig,
    MicrosoftOAuth,
)
from workestra.calendars.microsoft.graph import busy_interval
from workestra.calendars.microsoft.wire import Event
from workestra.enums import AccountKind
from workestra.scheduling import Interval

GRAPH = "https://graph.example.test/v1.0"
CONFIG = MicrosoftConfig(
    client_id="cid",
    client_secret="secret",
    redirect_uri="https://w.example/cb",
    login_url="https://login.example.test",
    graph_url=GRAPH,
)
WINDOW = Interval(datetime(2025, 6, 2, tzinfo=UTC), datetime(2025, 6, 9, tzinfo=UTC))

Handler = Callable[[httpx2.Request], Awaitable[httpx2.Response]]


def _at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2025, 6, day, hour, minute, tzinfo=UTC)


def _event(
    show_as: str | None = "busy",
    *,
    start: str = "2025-06-02T07:00:00.0000000",
    end: str = "2025-06-02T08:00:00.0000000",
    zone: str = "UTC",
    cancelled: bool = False,
    all_day: bool = False,
    original_zone: str | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": f"evt-{start}-{show_as}",
        "isCancelled": cancelled,
        "isAllDay": all_day,
        "start": {"dateTime": start, "timeZone": zone},
        "end": {"dateTime": end, "timeZone": zone},
    }
    if show_as is not None:
        body["showAs"] = show_as
    if original_zone is not None:
        body["originalStartTimeZone"] = original_zone
    return body


class FakeGraph:
    """Answers token and Graph requests from a route table; records every request."""

    def __init__(self) -> None:
        self.requests: list[httpx2.Request] = []
        self.routes: dict[tuple[str, str], list[httpx2.Response]] = {}
        self.in_flight = 0
        self.max_in_flight = 0
        self.delay = 0.0
        self.tokens_issued = 0

    def on(self, method: str, path: str, *responses: httpx2.Response) -> None:
        self.routes[(method, path)] = list(responses)

    async def __call__(self, request: httpx2.Request) -> httpx2.Response:
        self.requests.append(request)
        if request.url.path.endswith("/oauth2/v2.0/token"):
            self.tokens_issued += 1
            return httpx2.Response(
                200,
                json={
                    "token_type": "Bearer",
                    "scope": "Calendars.ReadWrite User.Read",
                    "expires_in": 3600,
                    "access_token": f"at-{self.tokens_issued + 1}",
                    "refresh_token": f"rt-{self.tokens_issued + 1}",
                },
            )
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            await asyncio.sleep(self.delay)
            path = request.url.raw_path.decode().partition("?")[0]
            queue = self.routes[(request.method, path)]
            return queue.pop(0) if len(queue) > 1 else queue[0]
        finally:
            self.in_flight -= 1

    def graph_requests(self) -> list[httpx2.Request]:
        return [r for r in self.requests if r.url.host == "graph.example.test"]


@pytest.fixture
async def fake() -> FakeGraph:
    return FakeGraph()


@pytest.fixture
async def client(fake: FakeGraph) -> AsyncIterator[httpx2.AsyncClient]:
    async with httpx2.AsyncClient(transport=httpx2.MockTransport(fake)) as http:
        yield http


@pytest.fixture
def calendar(client: httpx2.AsyncClient) -> MicrosoftCalendar:
    return MicrosoftCalendar(CONFIG, client)


@pytest.fixture
def credentials(client: httpx2.AsyncClient) -> InMemoryCredentials:
    grant = TokenGrant(
        access_token="at-1", refresh_token="rt-1", expires_in=3600, scopes=frozenset({"Calendars.ReadWrite"})
    )
    return InMemoryCredentials(MicrosoftOAuth(CONFIG, client), grant, connection_key="conn-1")


def _page(events: list[dict[str, Any]], next_link: str | None = None) -> httpx2.Response:
    body: dict[str, Any] = {"value": events}
    if next_link:
        body["@odata.nextLink"] = next_link
    return httpx2.Response(200, json=body)


def _graph_error(status: int, code: str, headers: dict[str, str] | None = None) -> httpx2.Response:
    return httpx2.Response(status, json={"error": {"code": code, "message": "m"}}, headers=headers)


# --- which events block (pure) -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("show_as", "blocks"),
    [
        ("busy", True),
        ("tentative", True),
        ("oof", True),
        ("unknown", True),
        ("free", False),
        ("workingElsewhere", False),
        ("Busy", True),
        ("FREE", False),
        ("WorkingElsewhere", False),
        (None, True),
        ("somethingGraphAddsLater", True),
    ],
)
def test_every_show_as_except_free_and_working_elsewhere_blocks(show_as: str | None, blocks: bool) -> None:
    assert (busy_interval(Event.model_validate(_event(show_as))) is not None) is blocks


@pytest.mark.parametrize("show_as", ["busy", "oof", "tentative", "unknown"])
def test_cancelled_events_never_block(show_as: str) -> None:
    assert busy_interval(Event.model_validate(_event(show_as, cancelled=True))) is None


def test_event_times_in_another_zone_are_converted() -> None:
    event = Event.model_validate(
        _event(
            start="2025-06-02T09:00:00.0000000",
            end="2025-06-02T10:00:00.0000000",
            zone="W. Europe Standard Time",
        )
    )
    assert busy_interval(event) == Interval(_at(2, 7), _at(2, 8))


def test_floating_all_day_event_blocks_the_day_in_its_own_zone() -> None:
    event = Event.model_validate(
        _event(
            start="2025-06-02T00:00:00.0000000",
            end="2025-06-04T00:00:00.0000000",
            all_day=True,
            original_zone="Pacific Standard Time",
        )
    )
    assert busy_interval(event) == Interval(_at(2, 7), _at(4, 7))


def test_converted_all_day_event_east_of_utc_keeps_its_dates() -> None:
    # Midnight 2 June in Tokyo, returned converted to UTC: 1 June 15:00.
    event = Event.model_validate(
        _event(
            start="2025-06-01T15:00:00.0000000",
            end="2025-06-02T15:00:00.0000000",
            all_day=True,
            original_zone="Tokyo Standard Time",
        )
    )
    assert busy_interval(event) == Interval(_at(1, 15), _at(2, 15))


def test_all_day_event_without_original_zone_reads_its_own_label() -> None:
    event = Event.model_validate(
        _event(start="2025-06-02T00:00:00.0000000", end="2025-06-03T00:00:00.0000000", all_day=True)
    )
    assert busy_interval(event) == Interval(_at(2, 0), _at(3, 0))


def test_event_in_unknown_zone_is_an_error_not_a_guess() -> None:
    with pytest.raises(ProviderUnavailable):
        busy_interval(Event.model_validate(_event(zone="Mars Standard Time")))


# --- busy_intervals over HTTP --------------------------------------------------------------------


async def test_busy_time_reads_every_page_following_next_link_unchanged(
    fake: FakeGraph, calendar: MicrosoftCalendar, credentials: InMemoryCredentials
) -> None:
    link2 = f"{GRAPH}/me/calendarView/p2?$skiptoken=a%2Cb&x=1"
    link3 = f"{GRAPH}/me/calendarView/p3?$skiptoken=c"
    fake.on("GET", "/v1.0/me/calendarView", _page([_event("busy")], link2))
    fake.on(
        "GET",
        "/v1.0/me/calendarView/p2",
        _page([_event("oof", start="2025-06-03T13:00:00.0000000", end="2025-06-03T14:00:00.0000000")], link3),
    )
    fake.on(
        "GET",
        "/v1.0/me/calendarView/p3",
        _page([_event("tentative", start="2025-06-04T09:00:00.0000000", end="2025-06-04T09:30:00.0000000")]),
    )

    busy = await calendar.busy_intervals(credentials, WINDOW)

    assert busy == [
        Interval(_at(2, 7), _at(2, 8)),
        Interval(_at(3, 13), _at(3, 14)),
        Interval(_at(4, 9), _at(4, 9, 30)),
    ]
    first, second, third = fake.graph_requests()
    assert parse_qs(first.url.query.decode()) == {
        "startDateTime": ["2025-06-01T00:00:00Z"],
        "endDateTime": ["2025-06-10T00:00:00Z"],
        "$select": ["start,end,showAs,isCancelled,isAllDay,originalStartTimeZone,responseStatus"],
        "$top": ["100"],
    }
    assert [str(second.url), str(third.url)] == [link2, link3]
    for request in (first, second, third):
        assert request.headers["prefer"] == 'outlook.timezone="UTC"'
        assert request.headers["authorization"] == "Bearer at-1"


async def test_busy_time_is_clipped_to_the_window(
    fake: FakeGraph, calendar: MicrosoftCalendar, credentials: InMemoryCredentials
) -> None:
    fake.on(
        "GET",
        "/v1.0/me/calendarView",
        _page([_event("busy", start="2025-06-01T22:00:00.0000000", end="2025-06-02T01:00:00.0000000")]),
    )
    assert await calendar.busy_intervals(credentials, WINDOW) == [Interval(WINDOW.start, _at(2, 1))]


async def test_all_day_event_of_the_day_before_blocks_into_the_window_in_its_own_zone(
    fake: FakeGraph, calendar: MicrosoftCalendar, credentials: InMemoryCredentials
) -> None:
    # 1 June in Los Angeles runs until 2 June 07:00Z, past the window's start.
    fake.on(
        "GET",
        "/v1.0/me/calendarView",
        _page(
            [
                _event(
                    "busy",
                    start="2025-06-01T00:00:00.0000000",
                    end="2025-06-02T00:00:00.0000000",
                    all_day=True,
                    original_zone="Pacific Standard Time",
                )
            ]
        ),
    )
    assert await calendar.busy_intervals(credentials, WINDOW) == [Interval(WINDOW.start, _at(2, 7))]


async def test_a_failing_later_page_fails_the_whole_read(
    fake: FakeGraph, calendar: MicrosoftCalendar, credentials: InMemoryCredentials
) -> None:
    fake.on("GET", "/v1.0/me/calendarView", _page([_event()], f"{GRAPH}/me/calendarView/p2"))
    fake.on("GET", "/v1.0/me/calendarView/p2", _graph_error(503, "serviceNotAvailable"))
    with pytest.raises(ProviderUnavailable):
        await calendar.busy_intervals(credentials, WINDOW)


async def test_next_link_to_another_host_is_refused(
    fake: FakeGraph, calendar: MicrosoftCalendar, credentials: InMemoryCredentials
) -> None:
    fake.on("GET", "/v1.0/me/calendarView", _page([], "https://evil.example/steal"))
    with pytest.raises(ProviderRejected):
        await calendar.busy_intervals(credentials, WINDOW)
    assert len(fake.graph_requests()) == 1


async def test_unreadable_page_is_an_error(
    fake: FakeGraph, calendar: MicrosoftCalendar, credentials: InMemoryCredentials
) -> None:
    fake.on("GET", "/v1.0/me/calendarView", httpx2.Response(200, content=b"<html>"))
    with pytest.raises(ProviderUnavailable):
        await calendar.busy_intervals(credentials, WINDOW)


# --- faults --------------------------------------------------------------------------------------


async def test_401_refreshes_once_and_retries_once(
    fake: FakeGraph, calendar: MicrosoftCalendar, credentials: InMemoryCredentials
) -> None:
    fake.on(
        "GET", "/v1.0/me/calendarView", _graph_error(401, "InvalidAuthenticationToken"), _page([_event()])
    )
    assert len(await calendar.busy_intervals(credentials, WINDOW)) == 1
    assert credentials.refreshes == 1
    assert [r.headers["authorization"] for r in fake.graph_requests()] == ["Bearer at-1", "Bearer at-2"]
    assert credentials.grant.refresh_token == "rt-2"


async def test_second_401_is_an_outage_of_this_read_not_a_dead_grant(
    fake: FakeGraph, calendar: MicrosoftCalendar, credentials: InMemoryCredentials
) -> None:
    fake.on("GET", "/v1.0/me/calendarView", _graph_error(401, "InvalidAuthenticationToken"))
    with pytest.raises(ProviderUnavailable) as caught:
        await calendar.busy_intervals(credentials, WINDOW)
    assert not isinstance(caught.value, NeedsReauth)
    assert credentials.refreshes == 1
    assert len(fake.graph_requests()) == 2


@pytest.mark.parametrize(
    ("response", "kind"),
    [
        (_graph_error(403, "ErrorAccessDenied"), MissingScope),
        (_graph_error(404, "MailboxNotEnabledForRESTAPI"), CalendarNotFound),
        (_graph_error(429, "ApplicationThrottled", {"Retry-After": "1.5"}), Throttled),
        (_graph_error(503, "serviceNotAvailable", {"Retry-After": "4"}), ProviderUnavailable),
        (_graph_error(504, "GatewayTimeout"), ProviderUnavailable),
    ],
)
async def test_failures_raise_once_without_hidden_retries(
    fake: FakeGraph,
    calendar: MicrosoftCalendar,
    credentials: InMemoryCredentials,
    response: httpx2.Response,
    kind: type[Exception],
) -> None:
    fake.on("GET", "/v1.0/me/calendarView", response)
    with pytest.raises(kind) as caught:
        await calendar.busy_intervals(credentials, WINDOW)
    assert len(fake.graph_requests()) == 1
    assert isinstance(caught.value.__cause__, httpx2.HTTPStatusError)
    if isinstance(caught.value, Throttled):
        assert caught.value.retry_after == 1.5


async def test_timeout_is_provider_unavailable(
    calendar: MicrosoftCalendar, credentials: InMemoryCredentials, fake: FakeGraph
) -> None:
    async def slow(request: httpx2.Request) -> httpx2.Response:
        raise httpx2.ReadTimeout("slow", request=request)

    async with httpx2.AsyncClient(transport=httpx2.MockTransport(slow)) as http:
        with pytest.raises(ProviderUnavailable):
            await MicrosoftCalendar(CONFIG, http).busy_intervals(credentials, WINDOW)


async def test_at_most_four_requests_per_mailbox_are_in_flight(
    fake: FakeGraph,
    calendar: MicrosoftCalendar,
    credentials: InMemoryCredentials,
    client: httpx2.AsyncClient,
) -> None:
    fake.on("GET", "/v1.0/me/calendarView", _page([]))
    fake.delay = 0.02
    async with asyncio.TaskGroup() as group:
        for _ in range(12):
            group.create_task(calendar.busy_intervals(credentials, WINDOW))
    assert fake.max_in_flight == 4

    other = InMemoryCredentials(MicrosoftOAuth(CONFIG, client), credentials.grant, connection_key="conn-2")
    fake.max_in_flight = 0
    async with asyncio.TaskGroup() as group:
        for creds in (credentials, other):
            for _ in range(4):
                group.create_task(calendar.busy_intervals(creds, WINDOW))
    assert fake.max_in_flight == 8  # the limit is per mailbox, not per process


# --- events --------------------------------------------------------------------------------------

CREATED = {
    "id": "AAMkAGsbxEvt1=",
    "iCalUId": "040000008200E0007SBX",
    "webLink": "https://outlook/x",
    "isOnlineMeeting": True,
    "onlineMeetingProvider": "teamsForBusiness",
    "onlineMeeting": {"joinUrl": "https://teams.microsoft.com/l/meetup-join/abc"},
}


def _draft(*, online: bool = True, zone: str = "Europe/Berlin") -> EventDraft:
    return EventDraft(
        idempotency_key="8f14e45f-ceea-467f-a8f0-6d1b1f0e2c11",
        subject="Intro call — Ivo",
        body_text="Booked via Workestra.\nNotes: hi",
        starts_at=_at(4, 12),
        ends_at=_at(4, 12, 30),
        timezone=zone,
        attendee=Attendee(email="ivo@example.test", name="Ivo Invitee"),
        online_meeting=online,
    )


async def test_create_event_posts_the_booking_in_the_links_windows_zone(
    fake: FakeGraph, calendar: MicrosoftCalendar, credentials: InMemoryCredentials
) -> None:
    fake.on("POST", "/v1.0/me/events", httpx2.Response(201, json=CREATED))
    created = await calendar.create_event(credentials, _draft())

    (request,) = fake.graph_requests()
    assert json.loads(request.content) == {
        "subject": "Intro call — Ivo",
        "body": {"contentType": "text", "content": "Booked via Workestra.\nNotes: hi"},
        "start": {"dateTime": "2025-06-04T14:00:00", "timeZone": "W. Europe Standard Time"},
        "end": {"dateTime": "2025-06-04T14:30:00", "timeZone": "W. Europe Standard Time"},
        "attendees": [
            {"emailAddress": {"address": "ivo@example.test", "name": "Ivo Invitee"}, "type": "required"}
        ],
        "transactionId": "workestra-8f14e45f-ceea-467f-a8f0-6d1b1f0e2c11",
        "allowNewTimeProposals": False,
        "isOnlineMeeting": True,
        "onlineMeetingProvider": "teamsForBusiness",
    }
    assert created.event_id == "AAMkAGsbxEvt1="
    assert created.ical_uid == "040000008200E0007SBX"
    assert created.web_link == "https://outlook/x"
    assert created.join_url == "https://teams.microsoft.com/l/meetup-join/abc"


async def test_the_same_draft_always_sends_the_same_transaction_id(
    fake: FakeGraph, calendar: MicrosoftCalendar, credentials: InMemoryCredentials
) -> None:
    fake.on("POST", "/v1.0/me/events", httpx2.Response(201, json=CREATED))
    await calendar.create_event(credentials, _draft())
    await calendar.create_event(credentials, _draft())
    ids = {json.loads(r.content)["transactionId"] for r in fake.graph_requests()}
    assert len(ids) == 1


async def test_event_without_meeting_request_sends_no_online_meeting_fields(
    fake: FakeGraph, calendar: MicrosoftCalendar, credentials: InMemoryCredentials
) -> None:
    fake.on("POST", "/v1.0/me/events", httpx2.Response(201, json={"id": "e1"}))
    created = await calendar.create_event(credentials, _draft(online=False))
    body = json.loads(fake.graph_requests()[0].content)
    assert "isOnlineMeeting" not in body
    assert "onlineMeetingProvider" not in body
    assert created.join_url is None


async def test_teams_refused_silently_gives_no_join_url_and_no_error(
    fake: FakeGraph, calendar: MicrosoftCalendar, credentials: InMemoryCredentials
) -> None:
    personal = dict(CREATED, isOnlineMeeting=False, onlineMeetingProvider="unknown", onlineMeeting=None)
    fake.on("POST", "/v1.0/me/events", httpx2.Response(201, json=personal))
    created = await calendar.create_event(credentials, _draft())
    assert created.join_url is None
    assert created.event_id == "AAMkAGsbxEvt1="


async def test_cancel_posts_to_the_encoded_event_id(
    fake: FakeGraph, calendar: MicrosoftCalendar, credentials: InMemoryCredentials
) -> None:
    fake.on("POST", "/v1.0/me/events/AAMk%2Fx%3D/cancel", httpx2.Response(202))
    await calendar.cancel_event(credentials, "AAMk/x=")
    assert fake.graph_requests()[0].url.raw_path == b"/v1.0/me/events/AAMk%2Fx%3D/cancel"


async def test_cancelling_an_event_already_gone_succeeds(
    fake: FakeGraph, calendar: MicrosoftCalendar, credentials: InMemoryCredentials
) -> None:
    fake.on("POST", "/v1.0/me/events/gone/cancel", _graph_error(404, "ErrorItemNotFound"))
    await calendar.cancel_event(credentials, "gone")


async def test_cancelling_in_a_mailbox_without_rest_fails(
    fake: FakeGraph, calendar: MicrosoftCalendar, credentials: InMemoryCredentials
) -> None:
    fake.on("POST", "/v1.0/me/events/e1/cancel", _graph_error(404, "MailboxNotEnabledForRESTAPI"))
    with pytest.raises(CalendarNotFound):
        await calendar.cancel_event(credentials, "e1")


def _moved(*, online: bool = True) -> EventDraft:
    return dataclasses.replace(
        _draft(online=online), starts_at=_at(5, 9), ends_at=_at(5, 9, 30), body_text="Moved.\nNotes: hi"
    )


MOVED = dict(
    CREATED,
    start={"dateTime": "2025-06-05T11:00:00.0000000", "timeZone": "W. Europe Standard Time"},
    end={"dateTime": "2025-06-05T11:30:00.0000000", "timeZone": "W. Europe Standard Time"},
)


async def test_update_moves_an_online_meeting_without_touching_its_body(
    fake: FakeGraph, calendar: MicrosoftCalendar, credentials: InMemoryCredentials
) -> None:
    path = "/v1.0/me/events/AAMk%2Fx%3D"
    fake.on("GET", path, httpx2.Response(200, json=CREATED))
    fake.on("PATCH", path, httpx2.Response(200, json=MOVED))

    updated = await calendar.update_event(credentials, "AAMk/x=", _moved())

    read, patch = fake.graph_requests()
    assert (read.method, read.url.raw_path.decode().partition("?")[0]) == ("GET", path)
    assert (patch.method, patch.url.raw_path.decode()) == ("PATCH", path)
    # A body without the Teams blob would disable the meeting [EV-PATCH]: none is sent.
    assert json.loads(patch.content) == {
        "subject": "Intro call — Ivo",
        "start": {"dateTime": "2025-06-05T11:00:00", "timeZone": "W. Europe Standard Time"},
        "end": {"dateTime": "2025-06-05T11:30:00", "timeZone": "W. Europe Standard Time"},
    }
    assert updated.event_id == "AAMkAGsbxEvt1="
    assert updated.join_url == "https://teams.microsoft.com/l/meetup-join/abc"


async def test_update_of_a_teams_meeting_already_moved_sends_no_second_patch(
    fake: FakeGraph, calendar: MicrosoftCalendar, credentials: InMemoryCredentials
) -> None:
    already = dict(
        CREATED,
        subject="Intro call — Ivo",
        start={"dateTime": "2025-06-05T09:00:00.0000000", "timeZone": "UTC"},
        end={"dateTime": "2025-06-05T09:30:00.0000000", "timeZone": "UTC"},
    )
    fake.on("GET", "/v1.0/me/events/e1", httpx2.Response(200, json=already))

    updated = await calendar.update_event(credentials, "e1", _moved())

    (read,) = fake.graph_requests()
    assert read.headers["prefer"] == 'outlook.timezone="UTC"'
    assert updated.join_url == "https://teams.microsoft.com/l/meetup-join/abc"


@pytest.mark.parametrize("online", [True, False])
async def test_update_of_an_event_without_teams_replaces_its_body_too(
    fake: FakeGraph, calendar: MicrosoftCalendar, credentials: InMemoryCredentials, online: bool
) -> None:
    plain = dict(CREATED, isOnlineMeeting=False, onlineMeetingProvider="unknown", onlineMeeting=None)
    fake.on("GET", "/v1.0/me/events/e1", httpx2.Response(200, json=plain))
    fake.on("PATCH", "/v1.0/me/events/e1", httpx2.Response(200, json=plain))

    updated = await calendar.update_event(credentials, "e1", _moved(online=online))

    sent = json.loads(fake.graph_requests()[-1].content)
    assert set(sent) == {"subject", "start", "end", "body"}
    assert sent["body"] == {"contentType": "text", "content": "Moved.\nNotes: hi"}
    assert updated.join_url is None


async def test_update_of_an_event_already_gone_is_calendar_not_found(
    fake: FakeGraph, calendar: MicrosoftCalendar, credentials: InMemoryCredentials
) -> None:
    fake.on("GET", "/v1.0/me/events/gone", _graph_error(404, "ErrorItemNotFound"))
    fake.on("PATCH", "/v1.0/me/events/gone", _graph_error(404, "ErrorItemNotFound"))
    with pytest.raises(CalendarNotFound):
        await calendar.update_event(credentials, "gone", _moved())
    assert [r.method for r in fake.graph_requests()] == ["GET"]


async def test_update_of_an_event_deleted_between_read_and_patch_is_calendar_not_found(
    fake: FakeGraph, calendar: MicrosoftCalendar, credentials: InMemoryCredentials
) -> None:
    fake.on("GET", "/v1.0/me/events/e1", httpx2.Response(200, json=CREATED))
    fake.on("PATCH", "/v1.0/me/events/e1", _graph_error(404, "ErrorItemNotFound"))
    with pytest.raises(CalendarNotFound):
        await calendar.update_event(credentials, "e1", _moved())


async def test_update_after_a_401_refreshes_once_and_retries_once(
    fake: FakeGraph, calendar: MicrosoftCalendar, credentials: InMemoryCredentials
) -> None:
    fake.on("GET", "/v1.0/me/events/e1", httpx2.Response(200, json=CREATED))
    fake.on(
        "PATCH",
        "/v1.0/me/events/e1",
        _graph_error(401, "InvalidAuthenticationToken"),
        httpx2.Response(200, json=MOVED),
    )
    updated = await calendar.update_event(credentials, "e1", _moved())
    assert credentials.refreshes == 1
    patches = [r for r in fake.graph_requests() if r.method == "PATCH"]
    assert [r.headers["authorization"] for r in patches] == ["Bearer at-1", "Bearer at-2"]
    assert json.loads(patches[0].content) == json.loads(patches[1].content)
    assert updated.join_url == "https://teams.microsoft.com/l/meetup-join/abc"


# --- health --------------------------------------------------------------------------------------


async def test_health_reports_teams_from_allowed_providers(
    fake: FakeGraph, calendar: MicrosoftCalendar, credentials: InMemoryCredentials
) -> None:
    fake.on(
        "GET",
        "/v1.0/me/calendar",
        httpx2.Response(
            200,
            json={
                "id": "cal",
                "allowedOnlineMeetingProviders": ["teamsForBusiness"],
                "defaultOnlineMeetingProvider": "teamsForBusiness",
            },
        ),
    )
    health = await calendar.check_health(credentials)
    assert health.calendar_found
    assert health.meeting.available
    assert health.meeting.offered == ("teamsForBusiness",)
    assert health.account_kind is None  # only the grant's tenant tells


async def test_health_of_a_personal_account(
    fake: FakeGraph, calendar: MicrosoftCalendar, credentials: InMemoryCredentials
) -> None:
    fake.on(
        "GET",
        "/v1.0/me/calendar",
        httpx2.Response(200, json={"id": "cal", "allowedOnlineMeetingProviders": ["unknown"]}),
    )
    health = await calendar.check_health(credentials, tenant_id=PERSONAL_ACCOUNT_TENANT_ID)
    assert not health.meeting.available
    assert health.account_kind is AccountKind.PERSONAL


async def test_health_of_a_mailbox_without_rest_is_calendar_not_found(
    fake: FakeGraph, calendar: MicrosoftCalendar, credentials: InMemoryCredentials
) -> None:
    fake.on("GET", "/v1.0/me/calendar", _graph_error(404, "MailboxNotEnabledForRESTAPI"))
    with pytest.raises(CalendarNotFound):
        await calendar.check_health(credentials)


def test_adapters_implement_the_ports(client: httpx2.AsyncClient) -> None:
    # Checked by mypy: assignment to the Protocol types fails type-checking if a signature drifts.
    provider: CalendarProvider = MicrosoftCalendar(CONFIG, client)
    oauth: OAuthClient = MicrosoftOAuth(CONFIG, client)
    source: CredentialSource = InMemoryCredentials(
        MicrosoftOAuth(CONFIG, client), TokenGrant("a", None, 1, frozenset()), connection_key="k"
    )
    assert provider.name == "microsoft"
    assert {p.scope for p in oauth.permissions if p.required} >= {"Calendars.ReadWrite"}
    assert provider.terms.meeting_link == "Microsoft Teams"
    assert source.connection_key == "k"


def test_graph_urls_come_from_config_only() -> None:
    other = MicrosoftConfig(
        client_id="c", client_secret="s", redirect_uri="r", graph_url="http://127.0.0.1:9/graph/v1.0/"
    )
    assert other.graph("/me/events") == "http://127.0.0.1:9/graph/v1.0/me/events"
