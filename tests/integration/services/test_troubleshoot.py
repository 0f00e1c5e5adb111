""" "Why isn't this slot offered?" through the Microsoft (and Google) sandbox: each reason, as the
booking page would decide it, with subjects for the host's own calendar only."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from tests.conftest import SettingsFactory
from tests.support.builders import make_host, make_link, service_context
from tests.support.calendars import GoogleHarness, booked, connected_host
from tests.support.microsoft import connect_microsoft, register_app
from tests.support.sandbox import SandboxControl
from tests.support.teams import make_team
from workestra.clock import SystemClock
from workestra.enums import ConnectionProblem
from workestra.errors import CalendarUnavailable, InvalidInput, NotFound
from workestra.scheduling import Interval
from workestra.scheduling.explain import Reason, ReasonCode, SlotExplanation
from workestra.services.availability import list_slots
from workestra.services.booking_links import LinkView
from workestra.services.context import ServiceContext
from workestra.services.problems import PROBLEM_TEXT
from workestra.services.troubleshoot import DayExplanation, explain_day
from workestra.services.users import Host

ALICE = "alice@contoso.test"
DANA = "dana@contoso.test"
DAY = (SystemClock().now() + timedelta(days=7)).date()
NINE_TO_FIVE = {
    day: [("09:00", "17:00")]
    for day in ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
}


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(DAY.year, DAY.month, DAY.day, tzinfo=UTC) + timedelta(hours=hour, minutes=minute)


@pytest.fixture
async def ctx(
    database_url: str, make_settings: SettingsFactory, sandbox: SandboxControl
) -> AsyncIterator[ServiceContext]:
    settings = make_settings(database_url=database_url)
    await register_app(sandbox, settings.base_url)
    await sandbox.create_microsoft_user(email=ALICE, display_name="Alice Contoso")
    async with service_context(settings) as context:
        yield context


@pytest.fixture
async def host(ctx: ServiceContext, sandbox: SandboxControl) -> Host:
    host = (await make_host(ctx, name="Alice Contoso"))[1]
    await connect_microsoft(ctx, host, sandbox, email=ALICE)
    return host


async def a_link(ctx: ServiceContext, host: Host, **fields: object) -> LinkView:
    values: dict[str, object] = {
        "timezone": "UTC",
        "weekly_hours": NINE_TO_FIVE,
        "calendar_provider": "microsoft",
        "duration_minutes": 30,
    }
    values.update(fields)
    return await make_link(ctx, host, **values)


def by_start(explained: DayExplanation) -> dict[datetime, SlotExplanation]:
    return {slot.slot.start: slot for slot in explained.slots}


def codes(slot: SlotExplanation, rep: int = 0) -> list[ReasonCode]:
    return [reason.code for reason in slot.reasons[rep]]


async def offered(ctx: ServiceContext, link: LinkView) -> set[datetime]:
    result = await list_slots(ctx, link.slug, first_day=DAY, last_day=DAY, timezone="UTC")
    return {slot.start for slot in result.slots}


async def test_each_reason_of_a_day_agrees_with_the_booking_page(
    ctx: ServiceContext, host: Host, sandbox: SandboxControl
) -> None:
    link = await a_link(ctx, host, buffer_after_minutes=15)
    await sandbox.seed_microsoft_event(ALICE, subject="Roadmap review", start=at(10), end=at(11))
    await sandbox.seed_microsoft_event(
        ALICE, subject="Lunch (free)", start=at(12), end=at(13), show_as="free"
    )
    await sandbox.seed_microsoft_event(ALICE, subject="Dentist", start=at(16, 10), end=at(16, 20))
    booking = await booked(ctx, link, at(13, 30))  # its link's 15 minutes after: until 14:15

    explained = await explain_day(ctx, host, link.id, DAY, "UTC")
    slots = by_start(explained)

    assert [rep.id for rep in explained.reps] == [host.id]
    assert explained.reps[0].is_you
    assert explained.reps[0].calendar_problem is None
    assert len(slots) == 48  # every half hour of the day, in the hours or not
    assert {s for s, e in slots.items() if e.available} == await offered(ctx, link)
    assert codes(slots[at(8, 30)]) == [ReasonCode.OUTSIDE_HOURS]
    assert codes(slots[at(17)]) == [ReasonCode.OUTSIDE_HOURS]
    roadmap = Interval(at(10), at(11))
    assert slots[at(10)].reasons[0] == (
        Reason(ReasonCode.BUSY, time=roadmap, source="calendar", label="Roadmap review"),
    )
    assert slots[at(10, 30)].reasons[0] == slots[at(10)].reasons[0]
    # The link's 15 minutes after a 9:30 slot reach the 10:00 event: a buffer, not the event itself.
    assert slots[at(9, 30)].reasons[0] == (
        Reason(ReasonCode.BUFFER, time=roadmap, source="calendar", label="Roadmap review"),
    )
    assert slots[at(12)].available  # showAs free never blocks
    own = Interval(booking.starts_at, booking.ends_at)
    assert slots[at(13, 30)].reasons[0] == (Reason(ReasonCode.BOOKED, time=own, source="booking"),)
    assert slots[at(13)].reasons[0] == (Reason(ReasonCode.BUFFER, time=own, source="booking"),)
    assert slots[at(14)].reasons[0] == (Reason(ReasonCode.BUFFER, time=own, source="booking"),)
    assert slots[at(14, 30)].available
    assert codes(slots[at(15, 30)]) == [ReasonCode.BUFFER]  # its 15 minutes after reach the dentist
    assert codes(slots[at(16)]) == [ReasonCode.BUSY]
    assert slots[at(16, 30)].available


async def test_minimum_notice_and_the_horizon(ctx: ServiceContext, host: Host) -> None:
    now = SystemClock().now()
    notice = int((at(11, 45) - now).total_seconds() // 60)
    link = await a_link(ctx, host, minimum_notice_minutes=notice, booking_horizon_days=8)
    horizon_end = now + timedelta(days=8)

    slots = by_start(await explain_day(ctx, host, link.id, DAY, "UTC"))

    assert codes(slots[at(11, 30)]) == [ReasonCode.MINIMUM_NOTICE]
    assert codes(slots[at(9)]) == [ReasonCode.MINIMUM_NOTICE]
    assert slots[at(12)].available
    assert {s for s, e in slots.items() if e.available} == await offered(ctx, link)

    later = (horizon_end + timedelta(days=1)).date()
    beyond = await explain_day(ctx, host, link.id, later, "UTC")
    assert not any(e.available for e in beyond.slots)
    assert all(ReasonCode.BEYOND_HORIZON in codes(e) for e in beyond.slots)


async def test_an_unreadable_calendar_says_why_in_the_hosts_words(
    ctx: ServiceContext, host: Host, sandbox: SandboxControl
) -> None:
    link = await a_link(ctx, host)
    await sandbox.set_refresh_fault(ALICE, "revoked")
    await sandbox.expire_access_tokens(ALICE)
    with pytest.raises(CalendarUnavailable):
        await offered(ctx, link)  # the booking page offers nothing

    explained = await explain_day(ctx, host, link.id, DAY, "UTC")

    why = PROBLEM_TEXT[ConnectionProblem.REVOKED]
    assert explained.reps[0].calendar_problem == why
    assert not any(e.available for e in explained.slots)
    assert by_start(explained)[at(10)].reasons[0] == (Reason(ReasonCode.CALENDAR_UNREADABLE, detail=why),)
    assert codes(by_start(explained)[at(7)]) == [ReasonCode.OUTSIDE_HOURS, ReasonCode.CALENDAR_UNREADABLE]


async def test_a_throttled_calendar_is_unreadable_for_now(
    ctx: ServiceContext, host: Host, sandbox: SandboxControl
) -> None:
    link = await a_link(ctx, host)
    await sandbox.add_microsoft_fault(status=429, count=1, email=ALICE, retry_after="1")
    explained = await explain_day(ctx, host, link.id, DAY, "UTC")
    assert explained.reps[0].calendar_problem == PROBLEM_TEXT[ConnectionProblem.UNAVAILABLE]
    assert not any(e.available for e in explained.slots)


async def test_a_link_on_a_calendar_never_connected_says_so(ctx: ServiceContext) -> None:
    bob = (await make_host(ctx, name="Bob"))[1]
    link = await a_link(ctx, bob)
    explained = await explain_day(ctx, bob, link.id, DAY, "UTC")
    problem = explained.reps[0].calendar_problem
    assert problem is not None
    assert problem.startswith("No Microsoft calendar is connected")
    assert not any(e.available for e in explained.slots)


async def test_a_teams_slot_shows_each_rep_and_only_the_hosts_own_subjects(
    ctx: ServiceContext, host: Host, sandbox: SandboxControl
) -> None:
    await sandbox.create_microsoft_user(email=DANA, display_name="Dana Contoso")
    dana = (await make_host(ctx, name="Dana Contoso"))[1]
    await connect_microsoft(ctx, dana, sandbox, email=DANA, session_id="session-dana")
    team = await make_team(ctx, host, [dana])
    link = await a_link(ctx, host, team_id=team.id, round_robin_members=[host.email, dana.email])
    await sandbox.seed_microsoft_event(ALICE, subject="Alice's 1:1", start=at(10), end=at(11))
    await sandbox.seed_microsoft_event(DANA, subject="Dana's private thing", start=at(10, 30), end=at(12))

    explained = await explain_day(ctx, host, link.id, DAY, "UTC")
    slots = by_start(explained)

    assert [(r.id, r.is_you, r.name) for r in explained.reps] == [
        (host.id, True, "Alice Contoso"),
        (dana.id, False, "Dana Contoso"),
    ]
    assert slots[at(10)].available  # Dana is free at 10:00
    assert codes(slots[at(10)], 0) == [ReasonCode.BUSY]
    assert codes(slots[at(10)], 1) == []
    assert not slots[at(10, 30)].available
    [alices] = slots[at(10, 30)].reasons[0]
    [danas] = slots[at(10, 30)].reasons[1]
    assert alices.label == "Alice's 1:1"
    assert danas == Reason(ReasonCode.BUSY, time=Interval(at(10, 30), at(12)), source="calendar", label=None)
    assert {s for s, e in slots.items() if e.available} == await offered(ctx, link)
    with pytest.raises(NotFound):  # Dana is in the pool, but it's Alice's link
        await explain_day(ctx, dana, link.id, DAY, "UTC")


async def test_another_hosts_link_is_not_found_and_bad_input_is_refused(
    ctx: ServiceContext, host: Host
) -> None:
    link = await a_link(ctx, host)
    other = (await make_host(ctx, name="Otto Other"))[1]
    with pytest.raises(NotFound):
        await explain_day(ctx, other, link.id, DAY, "UTC")
    with pytest.raises(NotFound):
        await explain_day(ctx, host, "no-such-link", DAY, "UTC")
    with pytest.raises(InvalidInput):
        await explain_day(ctx, host, link.id, DAY, "Mars/Olympus_Mons")
    with pytest.raises(InvalidInput):
        await explain_day(ctx, host, link.id, DAY.replace(year=DAY.year + 5), "UTC")


async def test_the_day_of_another_zone_is_explained_in_it(ctx: ServiceContext, host: Host) -> None:
    link = await a_link(ctx, host)
    explained = await explain_day(ctx, host, link.id, DAY, "Asia/Tokyo")  # UTC+9: 15:00 UTC is midnight
    assert explained.timezone.key == "Asia/Tokyo"
    starts = [e.slot.start for e in explained.slots]
    assert starts[0] == at(-9)
    assert starts[-1] == at(14, 30)
    result = await list_slots(ctx, link.slug, first_day=DAY, last_day=DAY, timezone="Asia/Tokyo")
    assert [e.slot.start for e in explained.slots if e.available] == [s.start for s in result.slots]


async def test_google_busy_time_has_no_subjects(ctx: ServiceContext, sandbox: SandboxControl) -> None:
    google = GoogleHarness()
    host = await connected_host(ctx, sandbox, google)
    link = await a_link(ctx, host, calendar_provider="google")
    await google.busy(sandbox, at(10), at(11))
    slots = by_start(await explain_day(ctx, host, link.id, DAY, "UTC"))
    assert slots[at(10)].reasons[0] == (
        Reason(ReasonCode.BUSY, time=Interval(at(10), at(11)), source="calendar", label=None),
    )
