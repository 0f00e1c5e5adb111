"""GoogleCalendar over an in-process Calendar API answered by httpx2.MockTransport (no sockets).

The contract suite in tests/integration/calendars/test_google_contract.py runs the same behaviours
against the Google sandbox.
"""

import dataclasses
import itertools
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx2
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.support.credentials import InMemoryCredentials
from tests.support.google import google_credentials
from workestra.calendars.base import (
    Attendee,
    CalendarProvider,
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
from workestra.calendars.google import (
    EVENTS_SCOPE,
    FREEBUSY_SCOPE,
    MAX_FREEBUSY_WINDOW,
    GoogleCalendar,
    GoogleConfig,
    GoogleOAuth,
    conference_request_id,
    event_id_for,
    freebusy_windows,
)
from workestra.calendars.google.calendar import EVENT_ID
from workestra.scheduling import Interval

API = "https://calendar.example.test/calendar/v3"
CONFIG = GoogleConfig(
    client_id="cid",
    client_secret="secret",
    redirect_uri="https://w.example/cb",
    token_url="https://oauth.example.test/token",
    calendar_url=API,
)
WINDOW = Interval(datetime(2025, 6, 2, tzinfo=UTC), datetime(2025, 6, 9, tzinfo=UTC))
BOOKING = "8f14e45f-ceea-467f-a8f0-6d1b1f0e2c11"
EVENTS = "/calendar/v3/calendars/primary/events"
EVENT = f"{EVENTS}/8f14e45fceea467fa8f06d1b1f0e2c11"


def _at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2025, 6, day, hour, minute, tzinfo=UTC)


def _draft(*, online: bool = True, key: str = BOOKING) -> EventDraft:
    return EventDraft(
        idempotency_key=key,
        subject="Intro call — Ivo Invitee",
        body_text="Booked via Workestra.",
        starts_at=_at(4, 12),
        ends_at=_at(4, 12, 30),
        timezone="Europe/Berlin",
        attendee=Attendee(email="ivo@example.test", name="Ivo Invitee"),
        online_meeting=online,
    )


def _error(
    status: int, reason: str, domain: str = "global", headers: dict[str, str] | None = None
) -> httpx2.Response:
    body = {
        "error": {
            "errors": [{"domain": domain, "reason": reason, "message": "m"}],
            "code": status,
            "message": "m",
        }
    }
    return httpx2.Response(status, json=body, headers=headers)


def _busy(*periods: tuple[str, str], errors: list[dict[str, str]] | None = None) -> httpx2.Response:
    calendar: dict[str, Any] = {"busy": [{"start": s, "end": e} for s, e in periods]}
    if errors:
        calendar["errors"] = errors
    return httpx2.Response(200, json={"kind": "calendar#freeBusy", "calendars": {"primary": calendar}})


def _event(
    *, status: str = "pending", link: bool = False, event_status: str = "confirmed"
) -> httpx2.Response:
    body: dict[str, Any] = {
        "kind": "calendar#event",
        "id": "8f14e45fceea467fa8f06d1b1f0e2c11",
        "status": event_status,
        "htmlLink": "https://www.google.com/calendar/event?eid=x",
        "iCalUID": "8f14e45fceea467fa8f06d1b1f0e2c11@google.com",
        "conferenceData": {
            "createRequest": {
                "requestId": "r",
                "conferenceSolutionKey": {"type": "hangoutsMeet"},
                "status": {"statusCode": status},
            }
        },
    }
    if link:
        body["hangoutLink"] = "https://meet.google.com/abc-defg-hij"
    return httpx2.Response(200, json=body)


class FakeGoogle:
    """Answers token and Calendar API requests from a route table; records every request."""

    def __init__(self) -> None:
        self.requests: list[httpx2.Request] = []
        self.routes: dict[tuple[str, str], list[httpx2.Response]] = {}
        self.tokens_issued = 0

    def on(self, method: str, path: str, *responses: httpx2.Response) -> None:
        self.routes[(method, path)] = list(responses)

    async def __call__(self, request: httpx2.Request) -> httpx2.Response:
        self.requests.append(request)
        if request.url.host == "oauth.example.test":
            self.tokens_issued += 1
            return httpx2.Response(
                200,
                json={
                    "access_token": f"at-{self.tokens_issued + 1}",
                    "expires_in": 3599,
                    "scope": f"{EVENTS_SCOPE} {FREEBUSY_SCOPE}",
                    "token_type": "Bearer",
                },
            )
        queue = self.routes[(request.method, request.url.path)]
        return queue.pop(0) if len(queue) > 1 else queue[0]

    def api_requests(self) -> list[httpx2.Request]:
        return [r for r in self.requests if r.url.host == "calendar.example.test"]

    def bodies(self) -> list[dict[str, Any]]:
        return [json.loads(r.content) for r in self.api_requests() if r.content]


@pytest.fixture
def fake() -> FakeGoogle:
    return FakeGoogle()


@pytest.fixture
async def client(fake: FakeGoogle) -> AsyncIterator[httpx2.AsyncClient]:
    async with httpx2.AsyncClient(transport=httpx2.MockTransport(fake)) as http:
        yield http


@pytest.fixture
def calendar(client: httpx2.AsyncClient) -> GoogleCalendar:
    return GoogleCalendar(CONFIG, client)


@pytest.fixture
def credentials(client: httpx2.AsyncClient) -> InMemoryCredentials:
    grant = TokenGrant(
        access_token="at-1",
        refresh_token="rt-1",
        expires_in=3599,
        scopes=frozenset({EVENTS_SCOPE, FREEBUSY_SCOPE}),
    )
    return google_credentials(GoogleOAuth(CONFIG, client), grant, connection_key="google:1")


def test_adapters_implement_the_ports(client: httpx2.AsyncClient) -> None:
    provider: CalendarProvider = GoogleCalendar(CONFIG, client)
    oauth: OAuthClient = GoogleOAuth(CONFIG, client)
    assert provider.terms.meeting_link == "Google Meet"
    assert provider.terms.personal_account_limit == ""
    assert oauth.permissions


# --- event ids --------------------------------------------------------------------------------------


def test_a_uuid_key_gives_its_hex_digits() -> None:
    assert event_id_for(BOOKING) == "8f14e45fceea467fa8f06d1b1f0e2c11"
    assert event_id_for(BOOKING.upper()) == "8f14e45fceea467fa8f06d1b1f0e2c11"


@given(st.text(max_size=300))
def test_every_key_gives_a_stable_valid_base32hex_id(key: str) -> None:
    event_id = event_id_for(key)
    assert EVENT_ID.fullmatch(event_id)
    assert 5 <= len(event_id) <= 1024
    assert set(event_id) <= set("0123456789abcdefghijklmnopqrstuv")
    assert event_id_for(key) == event_id
    assert conference_request_id(key) == conference_request_id(key)


def test_different_keys_give_different_ids() -> None:
    keys = [BOOKING, "booking-1", "booking-2", "8f14e45fceea467fa8f06d1b1f0e2c12"]
    assert len({event_id_for(k) for k in keys}) == len(keys)


# --- busy time ------------------------------------------------------------------------------------


async def test_busy_time_is_read_for_the_primary_calendar_and_clipped(
    fake: FakeGoogle, calendar: GoogleCalendar, credentials: InMemoryCredentials
) -> None:
    fake.on(
        "POST",
        "/calendar/v3/freeBusy",
        _busy(
            ("2025-06-01T23:00:00Z", "2025-06-02T01:00:00Z"),
            ("2025-06-04T15:30:00+02:00", "2025-06-04T16:00:00+02:00"),
        ),
    )
    busy = await calendar.busy_intervals(credentials, WINDOW)
    assert busy == [Interval(_at(2, 0), _at(2, 1)), Interval(_at(4, 13, 30), _at(4, 14))]
    (body,) = fake.bodies()
    assert body == {
        "timeMin": "2025-06-02T00:00:00Z",
        "timeMax": "2025-06-09T00:00:00Z",
        "timeZone": "UTC",
        "items": [{"id": "primary"}],
    }


@pytest.mark.parametrize(
    ("reason", "kind"),
    [("notFound", CalendarNotFound), ("internalError", ProviderUnavailable), ("", ProviderUnavailable)],
)
async def test_a_per_calendar_error_is_a_failure_never_free(
    fake: FakeGoogle,
    calendar: GoogleCalendar,
    credentials: InMemoryCredentials,
    reason: str,
    kind: type[Exception],
) -> None:
    fake.on("POST", "/calendar/v3/freeBusy", _busy(errors=[{"domain": "global", "reason": reason}]))
    with pytest.raises(kind):
        await calendar.busy_intervals(credentials, WINDOW)


async def test_an_answer_without_the_primary_calendar_is_a_failure(
    fake: FakeGoogle, calendar: GoogleCalendar, credentials: InMemoryCredentials
) -> None:
    fake.on("POST", "/calendar/v3/freeBusy", httpx2.Response(200, json={"calendars": {}}))
    with pytest.raises(ProviderUnavailable):
        await calendar.busy_intervals(credentials, WINDOW)


def test_long_windows_are_split_into_pieces_of_at_most_90_days() -> None:
    start = datetime(2025, 1, 1, tzinfo=UTC)
    window = Interval(start, start + timedelta(days=200))
    pieces = freebusy_windows(window)
    assert [p.duration for p in pieces] == [MAX_FREEBUSY_WINDOW, MAX_FREEBUSY_WINDOW, timedelta(days=20)]
    assert pieces[0].start == window.start
    assert pieces[-1].end == window.end
    assert all(a.end == b.start for a, b in itertools.pairwise(pieces))
    assert freebusy_windows(WINDOW) == [WINDOW]
    exact = Interval(start, start + MAX_FREEBUSY_WINDOW)
    assert freebusy_windows(exact) == [exact]


async def test_a_long_window_reads_every_piece_and_fails_if_any_fails(
    fake: FakeGoogle, calendar: GoogleCalendar, credentials: InMemoryCredentials
) -> None:
    start = datetime(2025, 1, 1, tzinfo=UTC)
    window = Interval(start, start + timedelta(days=100))
    fake.on(
        "POST",
        "/calendar/v3/freeBusy",
        _busy(("2025-01-02T09:00:00Z", "2025-01-02T10:00:00Z")),
        _busy(("2025-04-05T09:00:00Z", "2025-04-05T10:00:00Z")),
    )
    busy = await calendar.busy_intervals(credentials, window)
    assert [b.start.day for b in busy] == [2, 5]
    assert [(b["timeMin"], b["timeMax"]) for b in fake.bodies()] == [
        ("2025-01-01T00:00:00Z", "2025-04-01T00:00:00Z"),
        ("2025-04-01T00:00:00Z", "2025-04-11T00:00:00Z"),
    ]
    fake.requests.clear()
    fake.on("POST", "/calendar/v3/freeBusy", _busy(), _error(500, "backendError"))
    with pytest.raises(ProviderUnavailable):
        await calendar.busy_intervals(credentials, window)


# --- faults ---------------------------------------------------------------------------------------


async def test_401_refreshes_once_and_retries_once(
    fake: FakeGoogle, calendar: GoogleCalendar, credentials: InMemoryCredentials
) -> None:
    fake.on(
        "POST",
        "/calendar/v3/freeBusy",
        _error(401, "authError"),
        _busy(("2025-06-02T09:00:00Z", "2025-06-02T10:00:00Z")),
    )
    assert len(await calendar.busy_intervals(credentials, WINDOW)) == 1
    assert credentials.refreshes == 1
    assert [r.headers["authorization"] for r in fake.api_requests()] == ["Bearer at-1", "Bearer at-2"]
    # Google's refresh answer has no refresh token: the one held is kept.
    assert credentials.grant.refresh_token == "rt-1"


async def test_second_401_is_an_outage_of_this_read_not_a_dead_grant(
    fake: FakeGoogle, calendar: GoogleCalendar, credentials: InMemoryCredentials
) -> None:
    fake.on("POST", "/calendar/v3/freeBusy", _error(401, "authError"))
    with pytest.raises(ProviderUnavailable) as caught:
        await calendar.busy_intervals(credentials, WINDOW)
    assert not isinstance(caught.value, NeedsReauth)
    assert credentials.refreshes == 1
    assert len(fake.api_requests()) == 2


@pytest.mark.parametrize(
    ("response", "kind"),
    [
        (_error(403, "insufficientPermissions"), MissingScope),
        (_error(403, "rateLimitExceeded", "usageLimits", {"Retry-After": "2"}), Throttled),
        (_error(429, "rateLimitExceeded", "usageLimits", {"Retry-After": "2"}), Throttled),
        (_error(403, "forbidden"), ProviderRejected),
        (_error(500, "backendError"), ProviderUnavailable),
        (_error(404, "notFound"), CalendarNotFound),
    ],
)
async def test_failures_raise_once_without_hidden_retries(
    fake: FakeGoogle,
    calendar: GoogleCalendar,
    credentials: InMemoryCredentials,
    response: httpx2.Response,
    kind: type[Exception],
) -> None:
    fake.on("POST", "/calendar/v3/freeBusy", response)
    with pytest.raises(kind) as caught:
        await calendar.busy_intervals(credentials, WINDOW)
    assert len(fake.api_requests()) == 1
    assert isinstance(caught.value.__cause__, httpx2.HTTPStatusError)
    if isinstance(caught.value, Throttled):
        assert caught.value.retry_after == 2.0
    if isinstance(caught.value, MissingScope):
        assert caught.value.missing_scopes == {FREEBUSY_SCOPE}


async def test_timeout_is_provider_unavailable(credentials: InMemoryCredentials) -> None:
    async def slow(request: httpx2.Request) -> httpx2.Response:
        raise httpx2.ReadTimeout("slow", request=request)

    async with httpx2.AsyncClient(transport=httpx2.MockTransport(slow)) as http:
        with pytest.raises(ProviderUnavailable):
            await GoogleCalendar(CONFIG, http).busy_intervals(credentials, WINDOW)


# --- events ---------------------------------------------------------------------------------------


async def test_create_event_inserts_the_booking_with_its_id_attendee_zone_and_meet_request(
    fake: FakeGoogle, calendar: GoogleCalendar, credentials: InMemoryCredentials
) -> None:
    fake.on("POST", EVENTS, _event(status="pending"))
    created = await calendar.create_event(credentials, _draft())
    assert created.event_id == "8f14e45fceea467fa8f06d1b1f0e2c11"
    assert created.join_url is None
    assert created.meeting_pending is True
    (request,) = fake.api_requests()
    assert dict(request.url.params) == {"sendUpdates": "all", "conferenceDataVersion": "1"}
    assert json.loads(request.content) == {
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
                "requestId": conference_request_id(BOOKING),
                "conferenceSolutionKey": {"type": "hangoutsMeet"},
            }
        },
        "guestsCanModify": False,
    }


async def test_event_without_meeting_request_sends_no_conference_fields(
    fake: FakeGoogle, calendar: GoogleCalendar, credentials: InMemoryCredentials
) -> None:
    fake.on("POST", EVENTS, _event(status="success"))
    await calendar.create_event(credentials, _draft(online=False))
    (request,) = fake.api_requests()
    assert dict(request.url.params) == {"sendUpdates": "all"}
    assert "conferenceData" not in json.loads(request.content)


async def test_a_duplicate_insert_reads_the_existing_event_back(
    fake: FakeGoogle, calendar: GoogleCalendar, credentials: InMemoryCredentials
) -> None:
    fake.on("POST", EVENTS, _error(409, "duplicate"))
    fake.on("GET", EVENT, _event(status="success", link=True))
    created = await calendar.create_event(credentials, _draft())
    assert created.join_url == "https://meet.google.com/abc-defg-hij"
    assert [r.method for r in fake.api_requests()] == ["POST", "GET"]


async def test_a_calendar_refusing_meet_still_gets_the_event_without_a_link(
    fake: FakeGoogle, calendar: GoogleCalendar, credentials: InMemoryCredentials
) -> None:
    without = httpx2.Response(200, json={"id": "8f14e45fceea467fa8f06d1b1f0e2c11", "status": "confirmed"})
    fake.on("POST", EVENTS, _error(400, "invalid"), without)
    created = await calendar.create_event(credentials, _draft())
    assert (created.join_url, created.meeting_pending) == (None, False)
    first, second = fake.bodies()
    assert "conferenceData" in first
    assert "conferenceData" not in second
    assert first["id"] == second["id"]


async def test_other_insert_failures_are_not_retried(
    fake: FakeGoogle, calendar: GoogleCalendar, credentials: InMemoryCredentials
) -> None:
    fake.on("POST", EVENTS, _error(400, "timeRangeEmpty", "calendar"))
    with pytest.raises(ProviderRejected):
        await calendar.create_event(credentials, _draft())
    fake.requests.clear()
    fake.on("POST", EVENTS, _error(409, "conflict"))
    with pytest.raises(ProviderRejected):
        await calendar.create_event(credentials, _draft(online=False))
    assert len(fake.api_requests()) == 1


async def test_an_unknown_time_zone_is_refused_before_any_call(
    fake: FakeGoogle, calendar: GoogleCalendar, credentials: InMemoryCredentials
) -> None:
    draft = _draft()
    bad = EventDraft(**{**{f: getattr(draft, f) for f in draft.__slots__}, "timezone": "Mars/Olympus"})
    with pytest.raises(ProviderRejected):
        await calendar.create_event(credentials, bad)
    assert fake.api_requests() == []


async def test_read_event_follows_the_meet_link_and_reports_gone_events(
    fake: FakeGoogle, calendar: GoogleCalendar, credentials: InMemoryCredentials
) -> None:
    fake.on("GET", EVENT, _event(status="success", link=True))
    assert (await calendar.read_event(credentials, "8f14e45fceea467fa8f06d1b1f0e2c11")).join_url
    fake.on("GET", EVENT, _event(event_status="cancelled"))
    with pytest.raises(CalendarNotFound):
        await calendar.read_event(credentials, "8f14e45fceea467fa8f06d1b1f0e2c11")
    fake.on("GET", EVENT, _error(404, "notFound"))
    with pytest.raises(CalendarNotFound):
        await calendar.read_event(credentials, "8f14e45fceea467fa8f06d1b1f0e2c11")


def _moved() -> EventDraft:
    return dataclasses.replace(
        _draft(), starts_at=_at(5, 9), ends_at=_at(5, 9, 30), body_text="Moved via Workestra."
    )


async def test_update_patches_only_times_summary_and_description_with_updates(
    fake: FakeGoogle, calendar: GoogleCalendar, credentials: InMemoryCredentials
) -> None:
    fake.on("GET", EVENT, _event(status="success", link=True))
    fake.on("PATCH", EVENT, _event(status="success", link=True))

    updated = await calendar.update_event(credentials, "8f14e45fceea467fa8f06d1b1f0e2c11", _moved())

    read, patch = fake.api_requests()
    assert (read.method, patch.method, patch.url.path) == ("GET", "PATCH", EVENT)
    assert dict(patch.url.params) == {"sendUpdates": "all", "conferenceDataVersion": "1"}
    assert json.loads(patch.content) == {
        "summary": "Intro call — Ivo Invitee",
        "description": "Moved via Workestra.",
        "start": {"dateTime": "2025-06-05T11:00:00+02:00", "timeZone": "Europe/Berlin"},
        "end": {"dateTime": "2025-06-05T11:30:00+02:00", "timeZone": "Europe/Berlin"},
    }
    assert updated.event_id == "8f14e45fceea467fa8f06d1b1f0e2c11"
    assert updated.join_url == "https://meet.google.com/abc-defg-hij"


async def test_update_of_an_event_already_moved_sends_no_second_patch(
    fake: FakeGoogle, calendar: GoogleCalendar, credentials: InMemoryCredentials
) -> None:
    body = json.loads(_event(status="success", link=True).content)
    body.update(
        summary="Intro call — Ivo Invitee",
        description="Moved via Workestra.",
        start={"dateTime": "2025-06-05T09:00:00Z", "timeZone": "Europe/Berlin"},  # same instant
        end={"dateTime": "2025-06-05T11:30:00+02:00", "timeZone": "Europe/Berlin"},
    )
    fake.on("GET", EVENT, httpx2.Response(200, json=body))

    updated = await calendar.update_event(credentials, "8f14e45fceea467fa8f06d1b1f0e2c11", _moved())

    assert [r.method for r in fake.api_requests()] == ["GET"]
    assert updated.join_url == "https://meet.google.com/abc-defg-hij"
    fake.requests.clear()
    body["description"] = "Booked via Workestra."
    fake.on("GET", EVENT, httpx2.Response(200, json=body))
    fake.on("PATCH", EVENT, _event(status="success", link=True))
    await calendar.update_event(credentials, "8f14e45fceea467fa8f06d1b1f0e2c11", _moved())
    assert [r.method for r in fake.api_requests()] == ["GET", "PATCH"]


@pytest.mark.parametrize(
    "read", [_error(404, "notFound"), _error(410, "deleted"), _event(event_status="cancelled")]
)
async def test_update_of_an_event_gone_is_calendar_not_found_without_a_patch(
    fake: FakeGoogle, calendar: GoogleCalendar, credentials: InMemoryCredentials, read: httpx2.Response
) -> None:
    fake.on("GET", EVENT, read)
    with pytest.raises(CalendarNotFound):
        await calendar.update_event(credentials, "8f14e45fceea467fa8f06d1b1f0e2c11", _moved())
    assert [r.method for r in fake.api_requests()] == ["GET"]


@pytest.mark.parametrize(
    "answer", [_error(404, "notFound"), _error(410, "deleted"), _event(event_status="cancelled")]
)
async def test_update_of_an_event_gone_meanwhile_is_calendar_not_found(
    fake: FakeGoogle, calendar: GoogleCalendar, credentials: InMemoryCredentials, answer: httpx2.Response
) -> None:
    fake.on("GET", EVENT, _event(status="success", link=True))
    fake.on("PATCH", EVENT, answer)
    with pytest.raises(CalendarNotFound):
        await calendar.update_event(credentials, "8f14e45fceea467fa8f06d1b1f0e2c11", _moved())


async def test_update_after_a_401_refreshes_once_and_retries_once(
    fake: FakeGoogle, calendar: GoogleCalendar, credentials: InMemoryCredentials
) -> None:
    fake.on("GET", EVENT, _event(status="success", link=True))
    fake.on("PATCH", EVENT, _error(401, "authError"), _event(status="success", link=True))
    updated = await calendar.update_event(credentials, "8f14e45fceea467fa8f06d1b1f0e2c11", _moved())
    assert credentials.refreshes == 1
    patches = [r for r in fake.api_requests() if r.method == "PATCH"]
    assert [r.headers["authorization"] for r in patches] == ["Bearer at-1", "Bearer at-2"]
    assert updated.join_url == "https://meet.google.com/abc-defg-hij"


async def test_update_to_an_unknown_time_zone_is_refused_before_any_call(
    fake: FakeGoogle, calendar: GoogleCalendar, credentials: InMemoryCredentials
) -> None:
    with pytest.raises(ProviderRejected):
        await calendar.update_event(
            credentials, "8f14e45fceea467fa8f06d1b1f0e2c11", dataclasses.replace(_draft(), timezone="Mars/X")
        )
    assert fake.api_requests() == []


@pytest.mark.parametrize("response", [httpx2.Response(204), _error(410, "deleted"), _error(404, "notFound")])
async def test_cancel_deletes_with_updates_and_accepts_an_event_already_gone(
    fake: FakeGoogle, calendar: GoogleCalendar, credentials: InMemoryCredentials, response: httpx2.Response
) -> None:
    fake.on("DELETE", EVENT, response)
    await calendar.cancel_event(credentials, "8f14e45fceea467fa8f06d1b1f0e2c11")
    (request,) = fake.api_requests()
    assert dict(request.url.params) == {"sendUpdates": "all"}


@pytest.mark.parametrize(
    ("response", "kind"),
    [
        (_error(403, "forbiddenForNonOrganizer", "calendar"), ProviderRejected),
        (_error(410, "fullSyncRequired"), ProviderRejected),
    ],
)
async def test_cancel_failures_raise(
    fake: FakeGoogle,
    calendar: GoogleCalendar,
    credentials: InMemoryCredentials,
    response: httpx2.Response,
    kind: type[Exception],
) -> None:
    fake.on("DELETE", EVENT, response)
    with pytest.raises(kind):
        await calendar.cancel_event(credentials, "8f14e45fceea467fa8f06d1b1f0e2c11")


# --- health ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("types", "available"),
    [(["hangoutsMeet"], True), ([], False), (["eventNamedHangout"], False), (None, False)],
)
async def test_health_reports_meet_from_the_allowed_conference_types(
    fake: FakeGoogle,
    calendar: GoogleCalendar,
    credentials: InMemoryCredentials,
    types: list[str] | None,
    available: bool,
) -> None:
    entry: dict[str, Any] = {"kind": "calendar#calendarListEntry", "id": "host@acme.test", "primary": True}
    if types is not None:
        entry["conferenceProperties"] = {"allowedConferenceSolutionTypes": types}
    fake.on("GET", "/calendar/v3/users/me/calendarList/primary", httpx2.Response(200, json=entry))
    health = await calendar.check_health(credentials)
    assert health.calendar_found
    assert health.meeting.available is available
    assert health.meeting.offered == tuple(types or ())
    assert health.account_kind is None


async def test_health_of_a_missing_calendar_is_calendar_not_found(
    fake: FakeGoogle, calendar: GoogleCalendar, credentials: InMemoryCredentials
) -> None:
    fake.on("GET", "/calendar/v3/users/me/calendarList/primary", _error(404, "notFound"))
    with pytest.raises(CalendarNotFound):
        await calendar.check_health(credentials)


def test_calendar_urls_come_from_config_only() -> None:
    config = GoogleConfig(client_id="c", client_secret="s", redirect_uri="r", calendar_url="http://h/v3/")
    assert config.calendar("/freeBusy") == "http://h/v3/freeBusy"
    assert "secret" not in repr(CONFIG)
