"""Bookings on a Microsoft 365 link through the Graph sandbox: free/busy, live re-check, events, Teams."""

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.conftest import SettingsFactory
from tests.support.builders import ALL_WEEK, make_host, make_link, service_context
from tests.support.microsoft import MS, connect_microsoft, register_app
from tests.support.sandbox import SandboxControl, ShowAs
from tests.support.smtp import SmtpSink
from tests.support.teams import make_team
from tests.support.waiting import eventually
from workestra.clock import SystemClock
from workestra.enums import CalendarSyncStatus, ConnectionProblem, IntegrationStatus, JobStatus
from workestra.errors import CalendarUnavailable, SlotUnavailable
from workestra.mail import SmtpSender
from workestra.services.availability import list_slots
from workestra.services.booking import BookingView, book, get_booking
from workestra.services.booking_links import LinkInput, LinkView, update_link
from workestra.services.connections import list_connections
from workestra.services.context import ServiceContext
from workestra.services.teams import accept, invite
from workestra.services.users import Host
from workestra.worker.retry import RetryPolicy
from workestra.worker.runner import Worker

ALICE = "alice@contoso.test"
DAY = (SystemClock().now() + timedelta(days=7)).date()
FAST = RetryPolicy(base=timedelta(milliseconds=20), max_attempts=6)


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(DAY.year, DAY.month, DAY.day, hour, minute, tzinfo=UTC)


@pytest.fixture
async def ctx(
    database_url: str, make_settings: SettingsFactory, sandbox: SandboxControl, smtp_sink: SmtpSink
) -> AsyncIterator[ServiceContext]:
    settings = make_settings(database_url=database_url, smtp_url=smtp_sink.url)
    await register_app(sandbox, settings.base_url)
    await sandbox.create_microsoft_user(email=ALICE, display_name="Alice Contoso")
    mail = SmtpSender(url=smtp_sink.url, mail_from=settings.mail_from)
    async with service_context(settings, mail=mail) as context:
        yield context


@pytest.fixture
async def host(ctx: ServiceContext, sandbox: SandboxControl) -> Host:
    host = (await make_host(ctx, name="Alice Contoso"))[1]
    await connect_microsoft(ctx, host, sandbox, email=ALICE)
    return host


@pytest.fixture
async def link(ctx: ServiceContext, host: Host) -> LinkView:
    return await make_link(
        ctx,
        host,
        timezone="Europe/Berlin",
        weekly_hours=ALL_WEEK,
        calendar_provider="microsoft",
        auto_meeting_link=True,
        title="Teams intro",
    )


async def starts(ctx: ServiceContext, link: LinkView) -> list[datetime]:
    result = await list_slots(ctx, link.slug, first_day=DAY, last_day=DAY, timezone="UTC")
    return [s.start for s in result.slots]


async def run_worker(ctx: ServiceContext, *, until: float = 20.0) -> None:
    """Run the outbox until nothing is pending (retries included), or fail after ``until`` seconds."""
    worker = Worker(ctx, policy=FAST)

    async def all_done() -> bool:
        await worker.run_until_idle()
        async with ctx.uow() as uow:
            return await uow.outbox.pending_count() == 0

    await eventually(all_done, within=until, every=0.1, what="every outbox job finishing")


async def booked(ctx: ServiceContext, link: LinkView, start: datetime) -> BookingView:
    return await book(
        ctx, link.slug, start=start, name="Ivo Invitee", email="ivo@example.test", timezone="America/New_York"
    )


async def test_meetings_in_outlook_hide_the_slots_they_overlap(
    ctx: ServiceContext, link: LinkView, sandbox: SandboxControl
) -> None:
    cases: list[tuple[int, ShowAs, bool]] = [
        (10, "busy", False),
        (12, "tentative", False),
        (13, "free", False),
        (14, "busy", True),
        (15, "oof", False),
        (16, "workingElsewhere", False),
    ]
    for hour, show_as, cancelled in cases:
        await sandbox.seed_microsoft_event(
            ALICE,
            subject=f"{show_as} at {hour}",
            start=at(hour),
            end=at(hour + 1),
            show_as=show_as,
            is_cancelled=cancelled,
        )
    free = await starts(ctx, link)
    for hidden in (at(10), at(10, 30), at(12), at(12, 30), at(15), at(15, 30)):
        assert hidden not in free
    for shown in (at(9, 30), at(11), at(13), at(14), at(16), at(17)):
        assert shown in free


async def test_an_all_day_event_blocks_the_whole_day(
    ctx: ServiceContext, link: LinkView, sandbox: SandboxControl
) -> None:
    await sandbox.seed_microsoft_event(
        ALICE, subject="Offsite", start=at(0), end=at(0) + timedelta(days=1), is_all_day=True
    )
    assert await starts(ctx, link) == []


async def test_an_unreadable_calendar_offers_no_slots_and_tells_the_host(
    ctx: ServiceContext, host: Host, link: LinkView, sandbox: SandboxControl
) -> None:
    await sandbox.add_microsoft_fault(status=503, count=10, path_contains="calendarView", retry_after="2")
    with pytest.raises(CalendarUnavailable):
        await starts(ctx, link)
    [card] = [v for v in await list_connections(ctx, host) if v.provider == MS]
    assert card.problem is ConnectionProblem.UNAVAILABLE


async def test_a_meeting_added_in_outlook_after_the_page_loaded_makes_the_booking_409(
    ctx: ServiceContext, host: Host, link: LinkView, sandbox: SandboxControl
) -> None:
    assert at(11) in await starts(ctx, link)
    await sandbox.seed_microsoft_event(ALICE, subject="Booked in Outlook", start=at(11), end=at(11, 30))
    with pytest.raises(SlotUnavailable):
        await booked(ctx, link, at(11))
    async with ctx.uow() as uow:
        assert await uow.bookings.count_for_link(link.id) == 0


async def test_a_booking_becomes_a_teams_event_with_the_invitee_and_the_link_is_emailed(
    ctx: ServiceContext, host: Host, link: LinkView, sandbox: SandboxControl, smtp_sink: SmtpSink
) -> None:
    made = await booked(ctx, link, at(11))
    assert made.meeting_url is None  # until the provider has made one
    await run_worker(ctx)
    [event] = (await sandbox.microsoft_events(ALICE))["value"]
    assert event["attendees"][0]["emailAddress"]["address"] == "ivo@example.test"
    assert event["attendees"][0]["type"] == "required"
    join_url = event["onlineMeeting"]["joinUrl"]
    assert join_url.startswith("https://teams.microsoft.com/")
    stored = await get_booking(ctx, host, made.id)
    assert stored.meeting_url == join_url
    assert stored.calendar_event_id == event["id"]
    assert stored.calendar_status is CalendarSyncStatus.CREATED
    [create] = [
        r
        for r in await sandbox.microsoft_requests()
        if r["method"] == "POST" and r["path"].endswith("/events")
    ]
    body = create["body"] if isinstance(create["body"], dict) else json.loads(str(create["body"]))
    assert body["start"] == {
        "dateTime": at(11).astimezone(link_zone()).replace(tzinfo=None).isoformat(),
        "timeZone": "W. Europe Standard Time",
    }
    assert body["isOnlineMeeting"] is True
    assert body["onlineMeetingProvider"] == "teamsForBusiness"
    assert body["transactionId"]
    for recipient in ("ivo@example.test", host.email):  # the invitee and the host
        message = await smtp_sink.message_to(recipient)
        text = message.get_body(preferencelist=("plain",))
        assert text is not None
        assert join_url in text.get_content()
        assert not [p for p in message.walk() if p.get_filename() == "invite.ics"]  # one invitation, not two


def link_zone() -> ZoneInfo:
    return ZoneInfo("Europe/Berlin")


async def test_a_personal_account_gets_the_event_but_no_teams_link_and_everyone_is_told(
    ctx: ServiceContext, sandbox: SandboxControl, smtp_sink: SmtpSink
) -> None:
    await sandbox.create_microsoft_user(
        email="bob@outlook.test", display_name="Bob", kind="personal", teams=False
    )
    host = (await make_host(ctx, name="Bob"))[1]
    await connect_microsoft(ctx, host, sandbox, email="bob@outlook.test")
    link = await make_link(
        ctx,
        host,
        timezone="UTC",
        weekly_hours=ALL_WEEK,
        calendar_provider="microsoft",
        auto_meeting_link=True,
    )
    made = await booked(ctx, link, at(9))
    await run_worker(ctx)
    [event] = (await sandbox.microsoft_events("bob@outlook.test"))["value"]
    assert event["onlineMeeting"] is None
    stored = await get_booking(ctx, host, made.id)
    assert stored.calendar_status is CalendarSyncStatus.CREATED
    assert stored.meeting_url is None
    assert stored.calendar_problem
    assert "No Microsoft Teams link" in stored.calendar_problem
    message = await smtp_sink.message_to("ivo@example.test")
    text = message.get_body(preferencelist=("plain",))
    assert text is not None
    assert "The meeting details will follow from the host." in text.get_content()


@pytest.mark.parametrize(
    "faults",
    [
        [{"status": 429, "retry_after": "1.5"}],
        [{"status": 503}, {"status": 504}],
        [{"status": 429, "retry_after": "0.2"}, {"status": 503, "retry_after": "0.1"}],
    ],
)
async def test_throttling_and_outages_are_retried_and_make_exactly_one_event(
    ctx: ServiceContext,
    host: Host,
    link: LinkView,
    sandbox: SandboxControl,
    faults: list[dict[str, str | int]],
) -> None:
    for fault in faults:
        await sandbox.add_microsoft_fault(
            status=int(fault["status"]),
            retry_after=fault.get("retry_after"),  # type: ignore[arg-type]
            method="POST",
            path_contains="/events",
        )
    made = await booked(ctx, link, at(12))
    await run_worker(ctx)
    assert len((await sandbox.microsoft_events(ALICE))["value"]) == 1
    stored = await get_booking(ctx, host, made.id)
    assert stored.calendar_status is CalendarSyncStatus.CREATED
    assert stored.meeting_url
    async with ctx.uow() as uow:
        jobs = await uow.outbox.for_booking(made.id)
    assert {j.kind: j.status for j in jobs} == {
        "create_calendar_event": JobStatus.DONE,
        "send_confirmation": JobStatus.DONE,
        "notify_host": JobStatus.DONE,
    }
    assert next(j for j in jobs if j.kind == "create_calendar_event").attempts == len(faults) + 1


async def test_a_dead_connection_stops_retrying_keeps_the_booking_and_tells_the_host(
    ctx: ServiceContext, host: Host, link: LinkView, sandbox: SandboxControl, smtp_sink: SmtpSink
) -> None:
    made = await booked(ctx, link, at(13))
    await sandbox.set_refresh_fault(ALICE, "revoked")
    await sandbox.expire_access_tokens(ALICE)
    await run_worker(ctx)
    assert (await sandbox.microsoft_events(ALICE))["value"] == []
    stored = await get_booking(ctx, host, made.id)
    assert stored.status == "confirmed"
    assert stored.calendar_status is CalendarSyncStatus.FAILED
    assert stored.calendar_problem
    assert "Reconnect" in stored.calendar_problem
    [card] = [v for v in await list_connections(ctx, host) if v.provider == MS]
    assert card.status is IntegrationStatus.NEEDS_REAUTH
    async with ctx.uow() as uow:
        jobs = {job.kind: job for job in await uow.outbox.for_booking(made.id)}
    assert jobs["create_calendar_event"].status == JobStatus.FAILED
    assert jobs["create_calendar_event"].attempts == 1  # no retrying what only the host can fix
    assert jobs["calendar_event_failed"].status == JobStatus.DONE  # queued in the give-up transaction
    assert jobs["send_confirmation"].status == JobStatus.DONE
    assert await smtp_sink.message_to("ivo@example.test")


async def test_an_outlook_meeting_just_before_the_window_still_counts_through_the_buffer(
    ctx: ServiceContext, host: Host, sandbox: SandboxControl
) -> None:
    link = await make_link(
        ctx,
        host,
        timezone="UTC",
        weekly_hours=ALL_WEEK,
        calendar_provider="microsoft",
        buffer_before_minutes=15,
    )
    midnight = at(0)
    await sandbox.seed_microsoft_event(
        ALICE,
        subject="Late call",
        start=midnight - timedelta(minutes=40),
        end=midnight - timedelta(minutes=5),
    )
    free = await starts(ctx, link)
    assert midnight not in free  # [23:45, 00:30) overlaps the call that ends at 23:55 the day before
    assert midnight + timedelta(minutes=30) in free


async def test_a_link_on_a_provider_this_server_has_no_app_for_offers_nothing(
    ctx: ServiceContext, host: Host
) -> None:
    link = await make_link(ctx, host, timezone="UTC", weekly_hours=ALL_WEEK, calendar_provider="google")
    with pytest.raises(CalendarUnavailable):
        await starts(ctx, link)
    with pytest.raises(CalendarUnavailable):
        await booked(ctx, link, at(9))


async def test_round_robin_asks_each_reps_own_calendar_and_rechecks_the_chosen_one(
    ctx: ServiceContext, host: Host, sandbox: SandboxControl
) -> None:
    bob = (await make_host(ctx, name="Bob NoCalendar"))[1]
    team = await make_team(ctx, host)
    link = await make_link(
        ctx, host, timezone="UTC", weekly_hours=ALL_WEEK, team_id=team.id, auto_meeting_link=True
    )
    await sandbox.seed_microsoft_event(ALICE, subject="Alice is busy", start=at(10), end=at(11))
    assert at(10) not in await starts(ctx, link)  # Bob isn't in the team yet: not in the pool
    await invite(ctx, host, team.id, bob.email)
    await accept(ctx, bob, team.id)
    link = await update_link(ctx, host, link.id, LinkInput(round_robin_members=[host.email, bob.email]))
    assert at(10) in await starts(ctx, link)  # Bob is free at 10:00

    first = await booked(ctx, link, at(10))
    assert first.host_email == bob.email  # Alice's Outlook says busy
    assert at(10) not in await starts(ctx, link)  # now nobody is free at 10:00
    with pytest.raises(SlotUnavailable):
        await booked(ctx, link, at(10))

    second = await booked(ctx, link, at(12))
    assert second.host_email == host.email  # Alice was never assigned: her turn
    third = await booked(ctx, link, at(14))
    assert third.host_email == bob.email  # then back to the least recently assigned
    await run_worker(ctx)
    events = (await sandbox.microsoft_events(ALICE))["value"]
    assert [e["subject"] for e in events if "Ivo" in e["subject"]] == ["Intro call — Ivo Invitee"]


async def test_a_multi_day_event_blocks_every_slot_it_covers(
    ctx: ServiceContext, link: LinkView, sandbox: SandboxControl
) -> None:
    await sandbox.seed_microsoft_event(
        ALICE, subject="Conference", start=at(20) - timedelta(days=1), end=at(12)
    )
    free = await starts(ctx, link)
    assert not [s for s in free if s < at(12)]
    assert at(12) in free


async def test_a_passing_outage_neither_hides_a_lasting_note_nor_outstays_the_outage(
    ctx: ServiceContext, sandbox: SandboxControl
) -> None:
    await sandbox.create_microsoft_user(
        email="bob@outlook.test", display_name="Bob", kind="personal", teams=False
    )
    bob = (await make_host(ctx, name="Bob"))[1]
    await connect_microsoft(ctx, bob, sandbox, email="bob@outlook.test")
    personal = await make_link(ctx, bob, timezone="UTC", weekly_hours=ALL_WEEK, calendar_provider="microsoft")
    await sandbox.add_microsoft_fault(status=503, count=1, path_contains="calendarView")
    with pytest.raises(CalendarUnavailable):
        await starts(ctx, personal)
    [card] = [v for v in await list_connections(ctx, bob) if v.provider == MS]
    assert card.problem is ConnectionProblem.PERSONAL_ACCOUNT  # the lasting note stays

    alice_host = (await make_host(ctx, name="Alice"))[1]
    await connect_microsoft(ctx, alice_host, sandbox, email=ALICE)
    link = await make_link(
        ctx, alice_host, timezone="UTC", weekly_hours=ALL_WEEK, calendar_provider="microsoft"
    )
    await sandbox.add_microsoft_fault(status=429, retry_after="1", count=1, path_contains="calendarView")
    with pytest.raises(CalendarUnavailable):
        await starts(ctx, link)
    [card] = [v for v in await list_connections(ctx, alice_host) if v.provider == MS]
    assert card.problem is ConnectionProblem.UNAVAILABLE
    assert await starts(ctx, link)  # the next read works…
    [card] = [v for v in await list_connections(ctx, alice_host) if v.provider == MS]
    assert card.problem is None  # …and the note goes away
