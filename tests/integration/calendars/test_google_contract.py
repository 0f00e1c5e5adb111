"""Contract suite: GoogleCalendar + GoogleOAuth against the Google sandbox over HTTP.

Busy time hides slots, events land with the attendee in the link's zone, Meet links arrive
(pending, then made), retries never duplicate, and every failure becomes the right CalendarError
(PROVIDER-APIS G1-G5). Tokens come the way production gets them: authorization redirect
(auto-consent) → code → exchange_code.
"""

import dataclasses
from collections.abc import Awaitable
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

import httpx2
import pytest

from tests.integration.calendars.conftest import SlowClient
from tests.support.google import (
    CLIENT_ID,
    CLIENT_SECRET,
    REDIRECT_URI,
    GoogleConnection,
    connect_google_account,
    google_config,
    register_google_app,
)
from tests.support.sandbox import GoogleAccountKind, LoggedRequest, SandboxControl
from tests.support.waiting import eventually
from workestra.calendars.base import Attendee, EventDraft
from workestra.calendars.errors import (
    CalendarNotFound,
    MissingScope,
    NeedsReauth,
    ProviderRejected,
    ProviderUnavailable,
    Throttled,
)
from workestra.calendars.google import (
    CALENDARLIST_SCOPE,
    EVENTS_SCOPE,
    FREEBUSY_SCOPE,
    MAX_FREEBUSY_WINDOW,
    REQUIRED_SCOPES,
    GoogleCalendar,
    GoogleConfig,
    GoogleOAuth,
    event_id_for,
)
from workestra.enums import AccountKind
from workestra.sandbox import SandboxServer
from workestra.scheduling import Interval, subtract

pytestmark = pytest.mark.real_provider

WEEK = Interval(datetime(2030, 6, 3, tzinfo=UTC), datetime(2030, 6, 10, tzinfo=UTC))
SLOT = timedelta(minutes=30)
BOOKING = "8f14e45f-ceea-467f-a8f0-6d1b1f0e2c11"


def _at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2030, 6, day, hour, minute, tzinfo=UTC)


def _is_bookable(start: datetime, free: list[Interval]) -> bool:
    return any(f.contains(Interval(start, start + SLOT)) for f in free)


def _draft(key: str = BOOKING, *, online: bool = True, zone: str = "Europe/Berlin") -> EventDraft:
    return EventDraft(
        idempotency_key=key,
        subject="Intro call — Ivo Invitee",
        body_text="Booked via Workestra.\nInvitee: Ivo Invitee (ivo@example.test)",
        starts_at=_at(4, 12),
        ends_at=_at(4, 12, 30),
        timezone=zone,
        attendee=Attendee(email="ivo@example.test", name="Ivo Invitee"),
        online_meeting=online,
    )


class Connect(Protocol):
    def __call__(
        self,
        *,
        email: str | None = None,
        kind: GoogleAccountKind | None = None,
        meet_allowed: bool = True,
        drop_scopes: tuple[str, ...] = (),
    ) -> Awaitable[GoogleConnection]: ...


@pytest.fixture
def config(sandbox_server: SandboxServer) -> GoogleConfig:
    return google_config(sandbox_server)


@pytest.fixture
async def google_sandbox(sandbox: SandboxControl) -> SandboxControl:
    await register_google_app(sandbox)
    return sandbox


@pytest.fixture
def oauth(config: GoogleConfig, http_client: httpx2.AsyncClient) -> GoogleOAuth:
    return GoogleOAuth(config, http_client)


@pytest.fixture
def calendar(config: GoogleConfig, http_client: httpx2.AsyncClient) -> GoogleCalendar:
    return GoogleCalendar(config, http_client)


@pytest.fixture
def connect(google_sandbox: SandboxControl, oauth: GoogleOAuth, http_client: httpx2.AsyncClient) -> Connect:
    async def factory(
        *,
        email: str | None = None,
        kind: GoogleAccountKind | None = None,
        meet_allowed: bool = True,
        drop_scopes: tuple[str, ...] = (),
    ) -> GoogleConnection:
        return await connect_google_account(
            google_sandbox,
            oauth,
            http_client,
            email=email,
            kind=kind,
            meet_allowed=meet_allowed,
            drop_scopes=drop_scopes,
        )

    return factory


async def _calls(sandbox: SandboxControl, method: str, fragment: str) -> list[LoggedRequest]:
    return [
        r
        for r in await sandbox.google_requests()
        if r["method"] == method and fragment.lower() in r["path"].lower()
    ]


# --- connecting ----------------------------------------------------------------------------------


async def test_a_workspace_account_connects_with_a_refreshable_least_privilege_grant(
    connect: Connect, oauth: GoogleOAuth
) -> None:
    connection = await connect(email="gita@acme.test")
    grant = connection.grant
    assert grant.scopes >= REQUIRED_SCOPES | {CALENDARLIST_SCOPE, "openid", "email"}
    assert not any(s.endswith("/auth/calendar") for s in grant.scopes)
    assert grant.refresh_token is not None
    assert (grant.account_kind, grant.organization_id) == (AccountKind.WORK, "acme.test")

    profile = grant.account
    assert profile is not None
    assert profile.email == "gita@acme.test"
    assert profile.account_id == connection.account["sub"]
    assert profile.account_kind is AccountKind.WORK
    fetched = await oauth.fetch_profile(grant.access_token)  # the primary calendar's id
    assert fetched.email == "gita@acme.test"

    refreshed = await oauth.refresh(grant.refresh_token)
    assert refreshed.refresh_token is None  # Google keeps the refresh token: the holder keeps it
    assert refreshed.access_token != grant.access_token
    assert refreshed.scopes == grant.scopes


async def test_a_gmail_account_is_personal(connect: Connect, oauth: GoogleOAuth) -> None:
    connection = await connect(email="gita.host@gmail.test")
    assert (connection.grant.account_kind, connection.grant.organization_id) == (AccountKind.PERSONAL, None)
    profile = connection.grant.account
    assert profile is not None
    assert profile.account_kind is AccountKind.PERSONAL


async def test_the_authorization_request_uses_pkce_offline_access_and_consent(
    connect: Connect, google_sandbox: SandboxControl
) -> None:
    await connect()
    (token_call,) = await _calls(google_sandbox, "POST", "/token")
    form = token_call["body"]
    assert form["grant_type"] == "authorization_code"
    assert form["client_id"] == CLIENT_ID
    assert len(form["code_verifier"]) >= 43


async def test_an_unticked_scope_is_missing_from_the_grant(
    connect: Connect, calendar: GoogleCalendar
) -> None:
    connection = await connect(drop_scopes=(CALENDARLIST_SCOPE,))
    assert CALENDARLIST_SCOPE not in connection.grant.scopes
    with pytest.raises(MissingScope) as caught:
        await calendar.check_health(connection.credentials)
    assert caught.value.missing_scopes == {CALENDARLIST_SCOPE}


# --- busy time -----------------------------------------------------------------------------------


async def test_busy_events_hide_slots_and_free_ones_do_not(
    connect: Connect, google_sandbox: SandboxControl, calendar: GoogleCalendar
) -> None:
    connection = await connect()
    email = connection.email
    await google_sandbox.seed_google_event(email, start=_at(4, 9), end=_at(4, 10))
    await google_sandbox.seed_google_event(email, start=_at(4, 9, 30), end=_at(4, 10, 30), status="tentative")
    await google_sandbox.seed_google_event(
        email, start=_at(4, 13), end=_at(4, 14), transparency="transparent"
    )
    await google_sandbox.seed_google_event(email, start=_at(4, 15), end=_at(4, 16), status="cancelled")
    await google_sandbox.seed_google_event(email, start=_at(2, 20), end=_at(3, 8))  # across the start

    busy = await calendar.busy_intervals(connection.credentials, WEEK)
    free = subtract([WEEK], busy)

    assert sorted(busy, key=lambda i: i.start) == [
        Interval(WEEK.start, _at(3, 8)),
        Interval(_at(4, 9), _at(4, 10, 30)),
    ]
    assert not _is_bookable(_at(4, 9), free)
    assert not _is_bookable(_at(4, 10), free)
    assert not _is_bookable(_at(3, 7, 30), free)
    assert _is_bookable(_at(4, 10, 30), free)
    assert _is_bookable(_at(4, 13), free)  # transparent: free
    assert _is_bookable(_at(4, 15), free)  # cancelled: free
    (query,) = await _calls(google_sandbox, "POST", "/freeBusy")
    assert query["body"]["items"] == [{"id": "primary"}]


@pytest.mark.parametrize(
    ("reason", "kind"), [("notFound", CalendarNotFound), ("internalError", ProviderUnavailable)]
)
async def test_a_per_calendar_error_is_an_error_never_free(
    connect: Connect,
    google_sandbox: SandboxControl,
    calendar: GoogleCalendar,
    reason: str,
    kind: type[Exception],
) -> None:
    connection = await connect()
    body = {
        "kind": "calendar#freeBusy",
        "calendars": {"primary": {"errors": [{"domain": "global", "reason": reason}], "busy": []}},
    }
    await google_sandbox.add_google_fault(status=200, body=body, path_contains="/freeBusy")
    with pytest.raises(kind):
        await calendar.busy_intervals(connection.credentials, WEEK)


async def test_a_window_longer_than_90_days_is_read_in_pieces(
    connect: Connect, google_sandbox: SandboxControl, calendar: GoogleCalendar
) -> None:
    connection = await connect()
    start = datetime(2030, 1, 1, tzinfo=UTC)
    window = Interval(start, start + timedelta(days=200))
    early, late = start + timedelta(days=10), start + timedelta(days=150)
    await google_sandbox.seed_google_event(connection.email, start=early, end=early + SLOT)
    await google_sandbox.seed_google_event(connection.email, start=late, end=late + SLOT)

    busy = await calendar.busy_intervals(connection.credentials, window)

    assert busy == [Interval(early, early + SLOT), Interval(late, late + SLOT)]
    queries = await _calls(google_sandbox, "POST", "/freeBusy")
    assert len(queries) == 3
    for query in queries:
        body = query["body"]
        span = datetime.fromisoformat(body["timeMax"]) - datetime.fromisoformat(body["timeMin"])
        assert span <= MAX_FREEBUSY_WINDOW


# --- events --------------------------------------------------------------------------------------


async def test_event_is_created_with_the_attendee_in_the_links_zone_and_one_invitation(
    connect: Connect, google_sandbox: SandboxControl, calendar: GoogleCalendar
) -> None:
    connection = await connect()
    created = await calendar.create_event(
        connection.credentials, _draft(online=False, zone="America/New_York")
    )

    assert created.event_id == event_id_for(BOOKING)
    (event,) = await google_sandbox.google_events(connection.email)
    assert event["id"] == created.event_id
    assert event["iCalUID"] == created.ical_uid
    assert event["htmlLink"] == created.web_link
    assert event["start"] == {"dateTime": "2030-06-04T08:00:00-04:00", "timeZone": "America/New_York"}
    assert event["end"] == {"dateTime": "2030-06-04T08:30:00-04:00", "timeZone": "America/New_York"}
    assert [(a["email"], a.get("displayName"), a["responseStatus"]) for a in event["attendees"]] == [
        ("ivo@example.test", "Ivo Invitee", "needsAction")
    ]
    assert "Invitee: Ivo Invitee" in event["description"]
    assert (created.join_url, created.meeting_pending) == (None, False)
    notifications = await google_sandbox.google_notifications(connection.email)
    assert [(n["action"], n["send_updates"], n["recipients"]) for n in notifications] == [
        ("insert", "all", ["ivo@example.test"])
    ]


async def test_a_meet_link_is_pending_at_first_and_then_read_back(
    connect: Connect, google_sandbox: SandboxControl, calendar: GoogleCalendar
) -> None:
    connection = await connect()
    await google_sandbox.set_google_meet(after_reads=2)
    created = await calendar.create_event(connection.credentials, _draft())
    assert (created.join_url, created.meeting_pending) == (None, True)
    (insert,) = await _calls(google_sandbox, "POST", "/events")
    assert insert["query"] == {"sendUpdates": "all", "conferenceDataVersion": "1"}
    request = insert["body"]["conferenceData"]["createRequest"]
    assert request["conferenceSolutionKey"] == {"type": "hangoutsMeet"}

    first = await calendar.read_event(connection.credentials, created.event_id)
    assert (first.join_url, first.meeting_pending) == (None, True)
    second = await calendar.read_event(connection.credentials, created.event_id)
    assert second.join_url is not None
    assert second.join_url.startswith("https://meet.google.com/")
    assert second.meeting_pending is False


async def test_a_failed_meet_creation_ends_the_wait_without_a_link(
    connect: Connect, google_sandbox: SandboxControl, calendar: GoogleCalendar
) -> None:
    connection = await connect()
    await google_sandbox.set_google_meet(outcome="failure", after_reads=1)
    created = await calendar.create_event(connection.credentials, _draft())
    assert created.meeting_pending
    again = await calendar.read_event(connection.credentials, created.event_id)
    assert (again.join_url, again.meeting_pending) == (None, False)


async def test_a_calendar_without_meet_still_gets_the_event_and_no_link(
    connect: Connect, google_sandbox: SandboxControl, calendar: GoogleCalendar
) -> None:
    connection = await connect(meet_allowed=False)
    created = await calendar.create_event(connection.credentials, _draft())
    assert (created.join_url, created.meeting_pending) == (None, False)
    (event,) = await google_sandbox.google_events(connection.email)
    assert event["id"] == created.event_id
    assert "conferenceData" not in event
    notifications = await google_sandbox.google_notifications(connection.email)
    assert len(notifications) == 1  # the refused insert sent nothing


async def test_retrying_a_create_makes_exactly_one_event(
    connect: Connect, google_sandbox: SandboxControl, calendar: GoogleCalendar
) -> None:
    connection = await connect()
    await google_sandbox.set_google_meet(after_reads=1)
    first = await calendar.create_event(connection.credentials, _draft())
    second = await calendar.create_event(connection.credentials, _draft())
    assert second.event_id == first.event_id
    assert second.join_url is not None  # read back after the 409: the link made meanwhile
    assert len(await google_sandbox.google_events(connection.email)) == 1
    inserts = await _calls(google_sandbox, "POST", "/events")
    assert [i["body"]["id"] for i in inserts] == [first.event_id, first.event_id]
    assert len(await google_sandbox.google_notifications(connection.email)) == 1


async def test_retry_after_a_timed_out_create_makes_exactly_one_event(
    connect: Connect,
    google_sandbox: SandboxControl,
    calendar: GoogleCalendar,
    config: GoogleConfig,
    slow_client: SlowClient,
) -> None:
    connection = await connect()
    # The server is slow, the client gives up, the server still creates the event: the
    # ambiguous failure a client-chosen event id exists for (G3).
    await google_sandbox.add_google_fault(
        status=None, delay_seconds=0.6, method="POST", path_contains="/events", email=connection.email
    )
    impatient = GoogleCalendar(config, await slow_client(0.2))
    with pytest.raises(ProviderUnavailable):
        await impatient.create_event(connection.credentials, _draft())

    async def landed_events() -> list[dict[str, Any]]:
        return await google_sandbox.google_events(connection.email)

    (landed,) = await eventually(landed_events, within=5, what="the timed-out insert landing")
    created = await calendar.create_event(connection.credentials, _draft())
    events = await google_sandbox.google_events(connection.email)
    assert [e["id"] for e in events] == [landed["id"]] == [created.event_id]


async def test_different_bookings_make_different_events(
    connect: Connect, google_sandbox: SandboxControl, calendar: GoogleCalendar
) -> None:
    connection = await connect()
    await calendar.create_event(connection.credentials, _draft("booking-1"))
    await calendar.create_event(connection.credentials, _draft("booking-2"))
    assert len(await google_sandbox.google_events(connection.email)) == 2


async def test_cancel_tells_the_attendee_and_is_idempotent(
    connect: Connect, google_sandbox: SandboxControl, calendar: GoogleCalendar
) -> None:
    connection = await connect()
    created = await calendar.create_event(connection.credentials, _draft(online=False))
    await calendar.cancel_event(connection.credentials, created.event_id)
    await calendar.cancel_event(connection.credentials, created.event_id)  # a retried job: 410
    await calendar.cancel_event(connection.credentials, "unknownevent0")  # never existed: 404

    (event,) = await google_sandbox.google_events(connection.email)
    assert event["status"] == "cancelled"
    notifications = await google_sandbox.google_notifications(connection.email)
    assert [(n["action"], n["send_updates"], n["recipients"]) for n in notifications] == [
        ("insert", "all", ["ivo@example.test"]),
        ("delete", "all", ["ivo@example.test"]),
    ]
    deletes = await _calls(google_sandbox, "DELETE", "/events/")
    assert [d["query"] for d in deletes] == [{"sendUpdates": "all"}] * 3
    with pytest.raises(CalendarNotFound):
        await calendar.read_event(connection.credentials, created.event_id)


def _moved(draft: EventDraft) -> EventDraft:
    return dataclasses.replace(
        draft,
        starts_at=_at(5, 9),
        ends_at=_at(5, 9, 45),
        body_text="Moved via Workestra.\nInvitee: Ivo Invitee (ivo@example.test)",
    )


async def test_moving_an_event_keeps_its_id_and_meet_link_and_tells_the_attendee_once(
    connect: Connect, google_sandbox: SandboxControl, calendar: GoogleCalendar
) -> None:
    connection = await connect()
    await google_sandbox.set_google_meet(after_reads=0)
    created = await calendar.create_event(connection.credentials, _draft())
    assert created.join_url is not None

    moved = await calendar.update_event(connection.credentials, created.event_id, _moved(_draft()))

    assert (moved.event_id, moved.join_url) == (created.event_id, created.join_url)
    (event,) = await google_sandbox.google_events(connection.email)
    assert event["id"] == created.event_id
    assert event["status"] == "confirmed"
    assert event["hangoutLink"] == created.join_url
    assert event["start"] == {"dateTime": "2030-06-05T11:00:00+02:00", "timeZone": "Europe/Berlin"}
    assert event["end"] == {"dateTime": "2030-06-05T11:45:00+02:00", "timeZone": "Europe/Berlin"}
    assert event["description"].startswith("Moved via Workestra.")
    assert [a["email"] for a in event["attendees"]] == ["ivo@example.test"]
    (patch,) = await _calls(google_sandbox, "PATCH", "/events/")
    assert patch["query"] == {"sendUpdates": "all", "conferenceDataVersion": "1"}
    assert set(patch["body"]) == {"summary", "description", "start", "end"}
    notifications = await google_sandbox.google_notifications(connection.email)
    assert [(n["action"], n["send_updates"], n["recipients"]) for n in notifications] == [
        ("insert", "all", ["ivo@example.test"]),
        ("patch", "all", ["ivo@example.test"]),
    ]


async def test_moving_an_event_twice_is_harmless(
    connect: Connect, google_sandbox: SandboxControl, calendar: GoogleCalendar
) -> None:
    connection = await connect()
    await google_sandbox.set_google_meet(after_reads=0)
    created = await calendar.create_event(connection.credentials, _draft())
    first = await calendar.update_event(connection.credentials, created.event_id, _moved(_draft()))
    second = await calendar.update_event(connection.credentials, created.event_id, _moved(_draft()))

    assert first == second
    assert (second.event_id, second.join_url) == (created.event_id, created.join_url)
    (event,) = await google_sandbox.google_events(connection.email)
    assert event["start"]["dateTime"] == "2030-06-05T11:00:00+02:00"
    assert event["hangoutLink"] == created.join_url
    assert len(await _calls(google_sandbox, "PATCH", "/events/")) == 1  # the repeat found it moved
    actions = [n["action"] for n in await google_sandbox.google_notifications(connection.email)]
    assert actions == ["insert", "patch"]


async def test_moving_an_event_whose_meet_link_is_still_pending_keeps_the_request(
    connect: Connect, google_sandbox: SandboxControl, calendar: GoogleCalendar
) -> None:
    connection = await connect()
    await google_sandbox.set_google_meet(after_reads=3)
    created = await calendar.create_event(connection.credentials, _draft())
    assert created.meeting_pending

    moved = await calendar.update_event(connection.credentials, created.event_id, _moved(_draft()))
    assert (moved.join_url, moved.meeting_pending) == (None, True)

    await calendar.read_event(connection.credentials, created.event_id)
    later = await calendar.read_event(connection.credentials, created.event_id)
    assert later.join_url is not None
    assert later.meeting_pending is False


async def test_moving_a_deleted_or_unknown_event_is_calendar_not_found(
    connect: Connect, google_sandbox: SandboxControl, calendar: GoogleCalendar
) -> None:
    connection = await connect()
    created = await calendar.create_event(connection.credentials, _draft(online=False))
    await calendar.cancel_event(connection.credentials, created.event_id)
    with pytest.raises(CalendarNotFound):
        await calendar.update_event(connection.credentials, created.event_id, _moved(_draft()))
    with pytest.raises(CalendarNotFound):
        await calendar.update_event(connection.credentials, "unknownevent0", _moved(_draft()))
    assert await _calls(google_sandbox, "PATCH", "/events/") == []
    (event,) = await google_sandbox.google_events(connection.email)
    assert event["status"] == "cancelled"
    actions = [n["action"] for n in await google_sandbox.google_notifications(connection.email)]
    assert actions == ["insert", "delete"]


# --- health --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("email", "meet_allowed", "offered"),
    [
        ("gita@acme.test", True, ("hangoutsMeet",)),
        ("gita.host@gmail.test", True, ("hangoutsMeet",)),  # personal accounts have Meet too
        ("gita@acme.test", False, ()),
    ],
)
async def test_health_reports_the_calendar_and_whether_meet_is_allowed(
    connect: Connect, calendar: GoogleCalendar, email: str, meet_allowed: bool, offered: tuple[str, ...]
) -> None:
    connection = await connect(email=email, meet_allowed=meet_allowed)
    health = await calendar.check_health(connection.credentials)
    assert health.calendar_found
    assert health.meeting.available is meet_allowed
    assert health.meeting.offered == offered


# --- faults --------------------------------------------------------------------------------------


async def test_an_expired_access_token_is_refreshed_once_and_the_call_retried(
    connect: Connect, google_sandbox: SandboxControl, calendar: GoogleCalendar
) -> None:
    connection = await connect()
    await google_sandbox.seed_google_event(connection.email, start=_at(4, 9), end=_at(4, 10))
    await google_sandbox.expire_google_access_tokens(connection.email)

    busy = await calendar.busy_intervals(connection.credentials, WEEK)

    assert busy == [Interval(_at(4, 9), _at(4, 10))]
    assert connection.credentials.refreshes == 1
    assert connection.credentials.grant.refresh_token == connection.grant.refresh_token  # kept
    refreshes = [
        r
        for r in await _calls(google_sandbox, "POST", "/token")
        if r["body"]["grant_type"] == "refresh_token"
    ]
    assert len(refreshes) == 1
    assert len(await _calls(google_sandbox, "POST", "/freeBusy")) == 2


async def test_a_revoked_grant_needs_reauth(
    connect: Connect, google_sandbox: SandboxControl, calendar: GoogleCalendar, oauth: GoogleOAuth
) -> None:
    connection = await connect()
    await google_sandbox.revoke_google_grants(connection.email)
    with pytest.raises(NeedsReauth) as caught:
        await calendar.busy_intervals(connection.credentials, WEEK)
    assert caught.value.reason == "revoked"
    assert connection.grant.refresh_token is not None
    with pytest.raises(NeedsReauth):
        await oauth.refresh(connection.grant.refresh_token)


async def test_a_testing_apps_refresh_token_expires_after_seven_days(
    google_sandbox: SandboxControl, oauth: GoogleOAuth, http_client: httpx2.AsyncClient
) -> None:
    await google_sandbox.create_google_app(
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        redirect_uris=[REDIRECT_URI],
        testing=True,
    )
    connection = await connect_google_account(google_sandbox, oauth, http_client)
    assert connection.grant.refresh_token is not None
    await google_sandbox.advance_google_clock(8 * 24 * 3600)
    with pytest.raises(NeedsReauth):
        await oauth.refresh(connection.grant.refresh_token)


@pytest.mark.parametrize(
    ("status", "reason"),
    [
        (429, "rateLimitExceeded"),
        (403, "rateLimitExceeded"),
        (403, "userRateLimitExceeded"),
        (403, "quotaExceeded"),
    ],
)
async def test_rate_limits_are_throttled_without_a_retry(
    connect: Connect, google_sandbox: SandboxControl, calendar: GoogleCalendar, status: int, reason: str
) -> None:
    connection = await connect()
    await google_sandbox.add_google_fault(
        status=status, reason=reason, retry_after="3", path_contains="/freeBusy"
    )
    with pytest.raises(Throttled) as caught:
        await calendar.busy_intervals(connection.credentials, WEEK)
    assert caught.value.retry_after == 3.0
    assert len(await _calls(google_sandbox, "POST", "/freeBusy")) == 1


async def test_a_rate_limit_without_retry_after_is_throttled_with_none(
    connect: Connect, google_sandbox: SandboxControl, calendar: GoogleCalendar
) -> None:
    connection = await connect()
    await google_sandbox.add_google_fault(status=429, path_contains="/events")
    with pytest.raises(Throttled) as caught:
        await calendar.create_event(connection.credentials, _draft())
    assert caught.value.retry_after is None


@pytest.mark.parametrize("status", [500, 503])
async def test_server_errors_are_provider_unavailable(
    connect: Connect, google_sandbox: SandboxControl, calendar: GoogleCalendar, status: int
) -> None:
    connection = await connect()
    await google_sandbox.add_google_fault(status=status, path_contains="/calendarList")
    with pytest.raises(ProviderUnavailable):
        await calendar.check_health(connection.credentials)


async def test_forbidden_is_rejected_for_the_host_to_see(
    connect: Connect, google_sandbox: SandboxControl, calendar: GoogleCalendar
) -> None:
    connection = await connect()
    await google_sandbox.add_google_fault(status=403, reason="forbidden", path_contains="/events")
    with pytest.raises(ProviderRejected):
        await calendar.create_event(connection.credentials, _draft())


async def test_a_missing_freebusy_scope_is_missing_scope_naming_it(
    connect: Connect, calendar: GoogleCalendar
) -> None:
    connection = await connect(drop_scopes=(FREEBUSY_SCOPE,))
    with pytest.raises(MissingScope) as caught:
        await calendar.busy_intervals(connection.credentials, WEEK)
    assert caught.value.missing_scopes == {FREEBUSY_SCOPE}


async def test_a_missing_events_scope_is_missing_scope_naming_it(
    connect: Connect, calendar: GoogleCalendar
) -> None:
    connection = await connect(drop_scopes=(EVENTS_SCOPE,))
    with pytest.raises(MissingScope) as caught:
        await calendar.create_event(connection.credentials, _draft())
    assert caught.value.missing_scopes == {EVENTS_SCOPE}


async def test_timeout_is_provider_unavailable(
    connect: Connect, google_sandbox: SandboxControl, config: GoogleConfig, slow_client: SlowClient
) -> None:
    connection = await connect()
    await google_sandbox.add_google_fault(status=None, delay_seconds=0.5, path_contains="/freeBusy")
    impatient = GoogleCalendar(config, await slow_client(0.1))
    with pytest.raises(ProviderUnavailable):
        await impatient.busy_intervals(connection.credentials, WEEK)
