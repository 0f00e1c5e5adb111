"""Contract suite: MicrosoftCalendar + MicrosoftOAuth against the Graph / identity sandbox over HTTP.

Busy time hides slots, events land with the attendee in the right zone, Teams links appear only
where Graph makes them, and every failure becomes the right CalendarError (PROVIDER-APIS A-E).
"""

import asyncio
import dataclasses
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

import httpx2
import pytest

from tests.integration.calendars.conftest import Connect, SlowClient, sign_in
from tests.support.sandbox import LoggedRequest, RefreshFaultKind, SandboxControl, ShowAs
from tests.support.waiting import eventually
from workestra.calendars.base import Attendee, EventDraft
from workestra.calendars.errors import (
    AdminConsentRequired,
    CalendarNotFound,
    MissingScope,
    NeedsReauth,
    ProviderUnavailable,
    Throttled,
)
from workestra.calendars.microsoft import (
    REQUIRED_SCOPES,
    MicrosoftCalendar,
    MicrosoftConfig,
    MicrosoftOAuth,
    is_personal_tenant,
)
from workestra.enums import AccountKind
from workestra.scheduling import Interval, subtract

pytestmark = pytest.mark.real_provider

WEEK = Interval(datetime(2030, 6, 3, tzinfo=UTC), datetime(2030, 6, 10, tzinfo=UTC))
SLOT = timedelta(minutes=30)


def _at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2030, 6, day, hour, minute, tzinfo=UTC)


def _is_bookable(start: datetime, free: list[Interval]) -> bool:
    return any(f.contains(Interval(start, start + SLOT)) for f in free)


def _draft(key: str = "booking-8f14e45f", *, online: bool = True, zone: str = "Europe/Berlin") -> EventDraft:
    return EventDraft(
        idempotency_key=key,
        subject="Intro call — Ivo Invitee",
        body_text="Booked via Workestra.\nInvitee: Ivo Invitee <ivo@example.test>",
        starts_at=_at(4, 12),
        ends_at=_at(4, 12, 30),
        timezone=zone,
        attendee=Attendee(email="ivo@example.test", name="Ivo Invitee"),
        online_meeting=online,
    )


async def _graph_calls(sandbox: SandboxControl, fragment: str) -> list[LoggedRequest]:
    return [r for r in await sandbox.microsoft_requests() if fragment.lower() in r["path"].lower()]


# --- connecting ----------------------------------------------------------------------------------


async def test_connecting_yields_a_refreshable_grant_with_the_required_scopes(
    connect: Connect, oauth: MicrosoftOAuth
) -> None:
    connection = await connect()
    assert connection.grant.scopes >= REQUIRED_SCOPES
    assert connection.grant.refresh_token is not None
    refreshed = await oauth.refresh(connection.grant.refresh_token)
    assert refreshed.refresh_token not in (None, connection.grant.refresh_token)  # rotated (A7)
    profile = await oauth.fetch_profile(connection.grant.access_token)
    assert profile.email == connection.email
    assert profile.account_id == connection.user["id"]
    assert profile.account_kind is AccountKind.WORK


async def test_personal_account_is_recognised_at_connect_time(
    connect: Connect, oauth: MicrosoftOAuth
) -> None:
    connection = await connect(kind="personal")
    # No `openid` in the requested scopes means no id_token, so no `tid` (A5).
    assert connection.grant.organization_id is None
    profile = await oauth.fetch_profile(connection.grant.access_token)
    assert profile.account_kind is AccountKind.PERSONAL


async def test_profile_falls_back_to_user_principal_name_when_mail_is_null(
    connect: Connect, oauth: MicrosoftOAuth
) -> None:
    connection = await connect(mail_null=True)
    profile = await oauth.fetch_profile(connection.grant.access_token)
    assert profile.email == connection.email


async def test_tenant_requiring_admin_consent_is_reported_as_such(
    microsoft_sandbox: SandboxControl, oauth: MicrosoftOAuth, http_client: httpx2.AsyncClient
) -> None:
    await microsoft_sandbox.create_microsoft_user(
        email="ada@fabrikam.test", display_name="Ada Admin-Bound", admin_consent_required=True
    )
    await microsoft_sandbox.set_auto_consent("ada@fabrikam.test")
    with pytest.raises(AdminConsentRequired):
        await sign_in(oauth, http_client, login_hint="ada@fabrikam.test")


# --- busy time -----------------------------------------------------------------------------------


async def test_busy_events_hide_slots_and_free_ones_do_not(
    connect: Connect, microsoft_sandbox: SandboxControl, calendar: MicrosoftCalendar
) -> None:
    connection = await connect()
    shows: list[tuple[ShowAs, bool]] = [
        ("busy", True),
        ("tentative", True),
        ("oof", True),
        ("unknown", True),
        ("free", False),
        ("workingElsewhere", False),
    ]
    for hour, (show_as, _) in enumerate(shows, start=8):
        await microsoft_sandbox.seed_microsoft_event(
            connection.email,
            subject=show_as,
            start=_at(4, hour),
            end=_at(4, hour, 30),
            show_as=show_as,
        )
    for hour, show_as in ((15, "busy"), (16, "oof")):
        await microsoft_sandbox.seed_microsoft_event(
            connection.email,
            subject=f"cancelled {show_as}",
            start=_at(4, hour),
            end=_at(4, hour, 30),
            show_as=show_as,
            is_cancelled=True,
        )

    busy = await calendar.busy_intervals(connection.credentials, WEEK)
    free = subtract([WEEK], busy)

    for hour, (show_as, blocks) in enumerate(shows, start=8):
        assert _is_bookable(_at(4, hour), free) is not blocks, show_as
    assert _is_bookable(_at(4, 15), free)  # cancelled events never block
    assert _is_bookable(_at(4, 16), free)
    assert sorted(busy, key=lambda i: i.start) == [Interval(_at(4, h), _at(4, h, 30)) for h in (8, 9, 10, 11)]


async def test_all_day_and_multi_day_events_block_what_they_cover(
    connect: Connect, microsoft_sandbox: SandboxControl, calendar: MicrosoftCalendar
) -> None:
    connection = await connect()
    await microsoft_sandbox.seed_microsoft_event(
        connection.email, subject="Holiday", start=_at(5, 0), end=_at(6, 0), is_all_day=True
    )
    await microsoft_sandbox.seed_microsoft_event(
        connection.email, subject="Offsite", start=_at(7, 0), end=_at(9, 0), is_all_day=True
    )
    await microsoft_sandbox.seed_microsoft_event(
        connection.email, subject="Conference", start=_at(2, 18), end=_at(3, 11), show_as="oof"
    )
    busy = await calendar.busy_intervals(connection.credentials, WEEK)
    free = subtract([WEEK], busy)

    assert Interval(_at(5, 0), _at(6, 0)) in busy
    assert Interval(_at(7, 0), _at(9, 0)) in busy
    assert Interval(WEEK.start, _at(3, 11)) in busy  # clipped to the window
    for start in (_at(5, 0), _at(5, 12), _at(5, 23, 30), _at(8, 9), _at(3, 10, 30)):
        assert not _is_bookable(start, free)
    for start in (_at(6, 0), _at(4, 23, 30), _at(9, 0), _at(3, 11)):
        assert _is_bookable(start, free)


async def test_busy_time_is_read_across_every_page(
    connect: Connect,
    microsoft_sandbox: SandboxControl,
    microsoft_config: MicrosoftConfig,
    http_client: httpx2.AsyncClient,
) -> None:
    connection = await connect()
    starts = [_at(3, 8) + timedelta(hours=3 * i) for i in range(25)]
    for start in starts:
        await microsoft_sandbox.seed_microsoft_event(
            connection.email, subject="1:1", start=start, end=start + SLOT
        )
    calendar = MicrosoftCalendar(microsoft_config, http_client, page_size=10)

    busy = await calendar.busy_intervals(connection.credentials, WEEK)

    assert sorted(i.start for i in busy) == starts
    views = await _graph_calls(microsoft_sandbox, "/calendarView")
    assert len(views) == 3
    assert [v["query"].get("$skip") for v in views] == [None, "10", "20"]


async def test_personal_accounts_have_busy_time_too(
    connect: Connect, microsoft_sandbox: SandboxControl, calendar: MicrosoftCalendar
) -> None:
    connection = await connect(kind="personal")
    await microsoft_sandbox.seed_microsoft_event(
        connection.email, subject="Gym", start=_at(4, 17), end=_at(4, 18), show_as="tentative"
    )
    assert await calendar.busy_intervals(connection.credentials, WEEK) == [Interval(_at(4, 17), _at(4, 18))]


# --- events --------------------------------------------------------------------------------------


async def test_event_is_created_with_the_attendee_at_the_links_wall_time(
    connect: Connect, microsoft_sandbox: SandboxControl, calendar: MicrosoftCalendar
) -> None:
    connection = await connect()
    created = await calendar.create_event(connection.credentials, _draft(zone="America/New_York"))

    (post,) = await _graph_calls(microsoft_sandbox, "/me/events")
    body = post["body"]
    assert body["start"] == {"dateTime": "2030-06-04T08:00:00", "timeZone": "Eastern Standard Time"}
    assert body["end"] == {"dateTime": "2030-06-04T08:30:00", "timeZone": "Eastern Standard Time"}
    (event,) = (await microsoft_sandbox.microsoft_events(connection.email))["value"]
    assert event["id"] == created.event_id
    assert event["iCalUId"] == created.ical_uid
    assert event["webLink"] == created.web_link
    assert event["start"]["dateTime"].startswith("2030-06-04T12:00:00")  # rendered in UTC
    assert event["originalStartTimeZone"] == "Eastern Standard Time"
    assert [(a["emailAddress"]["address"], a["type"]) for a in event["attendees"]] == [
        ("ivo@example.test", "required")
    ]
    assert "Invitee: Ivo Invitee" in event["body"]["content"]


async def test_work_account_with_teams_gets_a_join_url(connect: Connect, calendar: MicrosoftCalendar) -> None:
    connection = await connect(teams=True)
    created = await calendar.create_event(connection.credentials, _draft())
    assert created.join_url is not None
    assert created.join_url.startswith("https://teams.microsoft.com/l/meetup-join/")


@pytest.mark.parametrize(("kind", "teams"), [("personal", False), ("work", False)])
async def test_account_without_teams_gets_an_event_and_no_join_url(
    connect: Connect,
    microsoft_sandbox: SandboxControl,
    calendar: MicrosoftCalendar,
    kind: Literal["work", "personal"],
    teams: bool,
) -> None:
    connection = await connect(kind=kind, teams=teams)
    created = await calendar.create_event(connection.credentials, _draft(online=True))
    assert created.join_url is None
    (event,) = (await microsoft_sandbox.microsoft_events(connection.email))["value"]
    assert event["id"] == created.event_id


async def test_event_without_meeting_request_has_no_join_url(
    connect: Connect, calendar: MicrosoftCalendar
) -> None:
    connection = await connect(teams=True)
    created = await calendar.create_event(connection.credentials, _draft(online=False))
    assert created.join_url is None


async def test_retrying_a_create_makes_exactly_one_event(
    connect: Connect, microsoft_sandbox: SandboxControl, calendar: MicrosoftCalendar
) -> None:
    connection = await connect()
    first = await calendar.create_event(connection.credentials, _draft())
    second = await calendar.create_event(connection.credentials, _draft())
    assert second.event_id == first.event_id
    assert second.join_url == first.join_url
    assert len((await microsoft_sandbox.microsoft_events(connection.email))["value"]) == 1


async def test_retry_after_a_timed_out_create_makes_exactly_one_event(
    connect: Connect,
    microsoft_sandbox: SandboxControl,
    calendar: MicrosoftCalendar,
    microsoft_config: MicrosoftConfig,
    slow_client: SlowClient,
) -> None:
    connection = await connect()
    # The server is slow, the client gives up, the server still creates the event: the
    # ambiguous failure transactionId exists for (D1).
    await microsoft_sandbox.add_microsoft_fault(
        status=None,
        delay_seconds=0.6,
        method="POST",
        path_contains="/me/events",
        email=connection.email,
    )
    impatient = MicrosoftCalendar(microsoft_config, await slow_client(0.2))
    with pytest.raises(ProviderUnavailable):
        await impatient.create_event(connection.credentials, _draft())

    async def landed_events() -> list[dict[str, Any]]:  # the slow request still lands, later
        return (await microsoft_sandbox.microsoft_events(connection.email))["value"]

    (landed,) = await eventually(landed_events, within=5, what="the timed-out create landing")

    created = await calendar.create_event(connection.credentials, _draft())

    events = (await microsoft_sandbox.microsoft_events(connection.email))["value"]
    assert [e["id"] for e in events] == [landed["id"]] == [created.event_id]


async def test_different_bookings_make_different_events(
    connect: Connect, microsoft_sandbox: SandboxControl, calendar: MicrosoftCalendar
) -> None:
    connection = await connect()
    await calendar.create_event(connection.credentials, _draft("booking-1"))
    await calendar.create_event(connection.credentials, _draft("booking-2"))
    assert len((await microsoft_sandbox.microsoft_events(connection.email))["value"]) == 2


async def test_cancel_tells_attendees_and_is_idempotent(
    connect: Connect, microsoft_sandbox: SandboxControl, calendar: MicrosoftCalendar
) -> None:
    connection = await connect()
    created = await calendar.create_event(connection.credentials, _draft())
    await calendar.cancel_event(connection.credentials, created.event_id)
    await calendar.cancel_event(connection.credentials, created.event_id)  # a retried job
    mailbox = await microsoft_sandbox.microsoft_events(connection.email)
    assert mailbox["value"] == []
    assert [(r["reason"], r["event"]["id"]) for r in mailbox.get("removed", [])] == [
        ("cancelled", created.event_id)
    ]


def _moved(draft: EventDraft) -> EventDraft:
    return dataclasses.replace(
        draft,
        starts_at=_at(5, 9),
        ends_at=_at(5, 9, 45),
        body_text="Moved via Workestra.\nInvitee: Ivo Invitee <ivo@example.test>",
    )


async def test_moving_a_teams_meeting_keeps_the_event_and_its_join_url(
    connect: Connect, microsoft_sandbox: SandboxControl, calendar: MicrosoftCalendar
) -> None:
    connection = await connect(teams=True)
    created = await calendar.create_event(connection.credentials, _draft())
    assert created.join_url is not None

    moved = await calendar.update_event(connection.credentials, created.event_id, _moved(_draft()))
    again = await calendar.update_event(connection.credentials, created.event_id, _moved(_draft()))

    assert (moved.event_id, moved.join_url) == (created.event_id, created.join_url)
    assert (again.event_id, again.join_url) == (created.event_id, created.join_url)
    (event,) = (await microsoft_sandbox.microsoft_events(connection.email))["value"]
    assert event["id"] == created.event_id
    assert event["isOnlineMeeting"] is True
    assert event["onlineMeeting"]["joinUrl"] == created.join_url
    assert event["start"]["dateTime"].startswith("2030-06-05T09:00:00")  # rendered in UTC
    assert event["end"]["dateTime"].startswith("2030-06-05T09:45:00")
    assert event["originalStartTimeZone"] == "W. Europe Standard Time"
    patches = [r for r in await _graph_calls(microsoft_sandbox, "/me/events/") if r["method"] == "PATCH"]
    assert len(patches) == 1  # the repeat found the event moved: no second update to the attendee
    assert patches[0]["body"] == {
        "subject": "Intro call — Ivo Invitee",
        "start": {"dateTime": "2030-06-05T11:00:00", "timeZone": "W. Europe Standard Time"},
        "end": {"dateTime": "2030-06-05T11:45:00", "timeZone": "W. Europe Standard Time"},
    }


async def test_moving_an_event_without_teams_replaces_its_body(
    connect: Connect, microsoft_sandbox: SandboxControl, calendar: MicrosoftCalendar
) -> None:
    connection = await connect(teams=True)
    created = await calendar.create_event(connection.credentials, _draft(online=False))

    moved = await calendar.update_event(
        connection.credentials, created.event_id, _moved(_draft(online=False))
    )

    assert (moved.event_id, moved.join_url) == (created.event_id, None)
    (event,) = (await microsoft_sandbox.microsoft_events(connection.email))["value"]
    assert event["start"]["dateTime"].startswith("2030-06-05T09:00:00")
    assert "Moved via Workestra." in event["body"]["content"]


async def test_moving_a_cancelled_or_unknown_event_is_calendar_not_found(
    connect: Connect, calendar: MicrosoftCalendar
) -> None:
    connection = await connect()
    created = await calendar.create_event(connection.credentials, _draft())
    await calendar.cancel_event(connection.credentials, created.event_id)
    with pytest.raises(CalendarNotFound):
        await calendar.update_event(connection.credentials, created.event_id, _moved(_draft()))
    with pytest.raises(CalendarNotFound):
        await calendar.update_event(connection.credentials, "AAMkAGnoSuchEvent=", _moved(_draft()))


# --- health --------------------------------------------------------------------------------------


async def test_health_of_a_work_account_with_teams(connect: Connect, calendar: MicrosoftCalendar) -> None:
    connection = await connect(teams=True)
    health = await calendar.check_health(connection.credentials, tenant_id=connection.user["tenant_id"])
    assert health.calendar_found
    assert health.meeting.available
    assert "teamsForBusiness" in health.meeting.offered
    assert health.account_kind is AccountKind.WORK


async def test_health_of_a_personal_account(connect: Connect, calendar: MicrosoftCalendar) -> None:
    connection = await connect(kind="personal")
    assert is_personal_tenant(connection.user["tenant_id"])
    health = await calendar.check_health(connection.credentials, tenant_id=connection.user["tenant_id"])
    assert not health.meeting.available
    assert health.account_kind is AccountKind.PERSONAL


# --- failures ------------------------------------------------------------------------------------


async def test_expired_access_token_is_refreshed_once_and_the_call_retried(
    connect: Connect, microsoft_sandbox: SandboxControl, calendar: MicrosoftCalendar
) -> None:
    connection = await connect()
    await microsoft_sandbox.expire_access_tokens(connection.email)

    assert await calendar.busy_intervals(connection.credentials, WEEK) == []

    assert connection.credentials.refreshes == 1
    assert connection.credentials.grant.refresh_token != connection.grant.refresh_token
    assert len(await _graph_calls(microsoft_sandbox, "/calendarView")) == 2
    tokens = await _graph_calls(microsoft_sandbox, "/oauth2/v2.0/token")
    assert [t["body"]["grant_type"] for t in tokens] == ["authorization_code", "refresh_token"]


async def test_missing_calendar_scope_is_missing_scope(connect: Connect, calendar: MicrosoftCalendar) -> None:
    connection = await connect(drop_scopes=("Calendars.ReadWrite",))
    assert "Calendars.ReadWrite" not in connection.grant.scopes
    with pytest.raises(MissingScope) as caught:
        await calendar.busy_intervals(connection.credentials, WEEK)
    assert caught.value.missing_scopes == {"Calendars.ReadWrite"}


async def test_mailbox_not_enabled_is_calendar_not_found(
    connect: Connect, microsoft_sandbox: SandboxControl, calendar: MicrosoftCalendar
) -> None:
    connection = await connect()
    await microsoft_sandbox.set_microsoft_user(connection.email, mailbox_enabled=False)
    with pytest.raises(CalendarNotFound):
        await calendar.busy_intervals(connection.credentials, WEEK)
    with pytest.raises(CalendarNotFound):
        await calendar.check_health(connection.credentials)
    with pytest.raises(CalendarNotFound):
        await calendar.create_event(connection.credentials, _draft())


async def test_throttling_is_throttled_with_fractional_retry_after_and_no_retry(
    connect: Connect, microsoft_sandbox: SandboxControl, calendar: MicrosoftCalendar
) -> None:
    connection = await connect()
    await microsoft_sandbox.add_microsoft_fault(
        status=429, retry_after="1.5", path_contains="calendarView", email=connection.email
    )
    with pytest.raises(Throttled) as caught:
        await calendar.busy_intervals(connection.credentials, WEEK)
    assert caught.value.retry_after == 1.5
    assert len(await _graph_calls(microsoft_sandbox, "/calendarView")) == 1


@pytest.mark.parametrize(("status", "retry_after"), [(503, "7"), (504, None), (500, None)])
async def test_server_errors_are_provider_unavailable(
    connect: Connect,
    microsoft_sandbox: SandboxControl,
    calendar: MicrosoftCalendar,
    status: int,
    retry_after: str | None,
) -> None:
    connection = await connect()
    await microsoft_sandbox.add_microsoft_fault(
        status=status,
        retry_after=retry_after,
        method="POST",
        path_contains="/me/events",
        email=connection.email,
    )
    with pytest.raises(ProviderUnavailable) as caught:
        await calendar.create_event(connection.credentials, _draft())
    assert caught.value.retry_after == (float(retry_after) if retry_after else None)


async def test_timeout_is_provider_unavailable(
    connect: Connect,
    microsoft_sandbox: SandboxControl,
    microsoft_config: MicrosoftConfig,
    slow_client: SlowClient,
) -> None:
    connection = await connect()
    await microsoft_sandbox.add_microsoft_fault(
        status=None, delay_seconds=0.5, path_contains="calendarView", email=connection.email
    )
    calendar = MicrosoftCalendar(microsoft_config, await slow_client(0.1))
    with pytest.raises(ProviderUnavailable):
        await calendar.busy_intervals(connection.credentials, WEEK)


@pytest.mark.parametrize(
    ("fault", "reason"),
    [
        ("inactive", "expired"),
        ("revoked", "revoked"),
        ("consent_missing", "consent_missing"),
        ("mfa", "interaction_required"),
    ],
)
async def test_dead_refresh_token_needs_reauth_with_the_reason(
    connect: Connect,
    microsoft_sandbox: SandboxControl,
    calendar: MicrosoftCalendar,
    fault: RefreshFaultKind,
    reason: str,
) -> None:
    connection = await connect()
    await microsoft_sandbox.set_refresh_fault(connection.email, fault)
    await microsoft_sandbox.expire_access_tokens(connection.email)
    with pytest.raises(NeedsReauth) as caught:
        await calendar.busy_intervals(connection.credentials, WEEK)
    assert caught.value.reason == reason


async def test_a_token_graph_keeps_refusing_is_an_outage_that_passes(
    connect: Connect, microsoft_sandbox: SandboxControl, calendar: MicrosoftCalendar
) -> None:
    connection = await connect()
    await microsoft_sandbox.add_microsoft_fault(
        status=401, count=2, path_contains="calendarView", email=connection.email
    )
    with pytest.raises(ProviderUnavailable) as caught:
        await calendar.busy_intervals(connection.credentials, WEEK)
    assert not isinstance(caught.value, NeedsReauth)
    assert connection.credentials.refreshes == 1
    assert await calendar.busy_intervals(connection.credentials, WEEK) == []  # the grant still works


async def test_concurrent_reads_of_one_mailbox_stay_within_outlooks_limit(
    connect: Connect, microsoft_sandbox: SandboxControl, calendar: MicrosoftCalendar
) -> None:
    connection = await connect()
    # Each request lingers; a fifth concurrent one would get 429 ApplicationThrottled (E2).
    await microsoft_sandbox.add_microsoft_fault(
        status=None,
        delay_seconds=0.1,
        count=12,
        path_contains="calendarView",
        email=connection.email,
    )
    async with asyncio.TaskGroup() as group:
        reads = [group.create_task(calendar.busy_intervals(connection.credentials, WEEK)) for _ in range(12)]
    assert all(read.result() == [] for read in reads)
