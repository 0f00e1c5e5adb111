"""The calendars that count and the busy rules, through the Microsoft sandbox (and Google's, for
what it doesn't offer): connected by the real OAuth flow, read by the booking page's own path."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from tests.conftest import SettingsFactory
from tests.support.builders import make_host, make_link, service_context
from tests.support.calendars import GoogleHarness, booked, connected_host, run_worker
from tests.support.microsoft import connect_microsoft, register_app
from tests.support.sandbox import SandboxControl
from workestra.calendars.busy_rules import BusyRules
from workestra.clock import SystemClock
from workestra.enums import ConnectionProblem, IntegrationProvider
from workestra.errors import CalendarUnavailable, InvalidInput
from workestra.services.availability import list_slots
from workestra.services.booking_links import LinkView
from workestra.services.connections import (
    ConnectionView,
    check_connection,
    choose_calendars,
    list_connections,
    set_busy_rules,
)
from workestra.services.context import ServiceContext
from workestra.services.users import Host

ALICE = "alice@contoso.test"
MS = IntegrationProvider.MICROSOFT_CALENDAR
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


async def a_link(ctx: ServiceContext, host: Host) -> LinkView:
    return await make_link(
        ctx,
        host,
        timezone="UTC",
        weekly_hours=NINE_TO_FIVE,
        calendar_provider="microsoft",
        duration_minutes=30,
        auto_meeting_link=False,
    )


async def offered(ctx: ServiceContext, link: LinkView) -> set[datetime]:
    result = await list_slots(ctx, link.slug, first_day=DAY, last_day=DAY, timezone="UTC")
    return {slot.start for slot in result.slots}


async def card(ctx: ServiceContext, host: Host) -> ConnectionView:
    return next(v for v in await list_connections(ctx, host) if v.provider is MS)


async def test_a_new_connection_lists_its_calendars_with_the_primary_chosen(
    ctx: ServiceContext, sandbox: SandboxControl
) -> None:
    team = await sandbox.add_microsoft_calendar(ALICE, "Team")
    host = (await make_host(ctx, name="Alice Contoso"))[1]

    view = await connect_microsoft(ctx, host, sandbox, email=ALICE)

    assert view.calendars is not None
    assert [(c.name, c.is_primary, c.check_conflicts, c.destination) for c in view.calendars] == [
        ("Calendar", True, True, True),
        ("Team", False, False, False),
    ]
    assert view.calendars[1].id == team
    assert view.busy_rules == BusyRules()
    assert (await card(ctx, host)).calendars == view.calendars  # as last listed, without a check


async def test_busy_time_on_another_calendar_hides_slots_only_once_chosen(
    ctx: ServiceContext, host: Host, sandbox: SandboxControl
) -> None:
    team = await sandbox.add_microsoft_calendar(ALICE, "Team")
    primary = next(c.id for c in (await check_connection(ctx, host, MS)).calendars or () if c.is_primary)
    await sandbox.seed_microsoft_event_in(
        ALICE, calendar_id=team, subject="Standup", start=at(10), end=at(11)
    )
    await sandbox.seed_microsoft_event(ALICE, subject="Roadmap", start=at(14), end=at(15))
    link = await a_link(ctx, host)

    assert {at(10), at(10, 30)} <= await offered(ctx, link)
    assert not {at(14), at(14, 30)} & await offered(ctx, link)

    view = await choose_calendars(ctx, host, MS, [primary, team], None)

    assert [c.check_conflicts for c in view.calendars or ()] == [True, True]
    assert not {at(10), at(10, 30), at(14), at(14, 30)} & await offered(ctx, link)

    await choose_calendars(ctx, host, MS, [team], None)  # the team calendar alone
    slots = await offered(ctx, link)
    assert not {at(10), at(10, 30)} & slots
    assert {at(14), at(14, 30)} <= slots


async def test_bookings_land_in_the_chosen_destination(
    ctx: ServiceContext, host: Host, sandbox: SandboxControl
) -> None:
    team = await sandbox.add_microsoft_calendar(ALICE, "Team")
    view = await choose_calendars(ctx, host, MS, None, team, conflicts_given=False)
    assert [c.destination for c in view.calendars or ()] == [False, True]
    link = await a_link(ctx, host)

    booking = await booked(ctx, link, at(11))
    await run_worker(ctx)

    events = await sandbox.microsoft_calendar_events(ALICE, team)
    assert len(events) == 1
    assert events[0]["start"]["dateTime"].startswith(at(11).strftime("%Y-%m-%dT%H:%M"))
    async with ctx.uow() as uow:
        stored = await uow.bookings.get(booking.id)
    assert stored is not None
    assert stored.calendar_event_id == events[0]["id"]
    every = (await sandbox.microsoft_events(ALICE))["value"]
    assert [e["id"] for e in every] == [events[0]["id"]]  # the mailbox's only event: none on the primary


async def test_a_deleted_chosen_calendar_is_a_card_problem_and_no_slots(
    ctx: ServiceContext, host: Host, sandbox: SandboxControl
) -> None:
    team = await sandbox.add_microsoft_calendar(ALICE, "Team")
    await check_connection(ctx, host, MS)
    primary = next(c.id for c in (await card(ctx, host)).calendars or () if c.is_primary)
    await choose_calendars(ctx, host, MS, [primary, team], None)
    link = await a_link(ctx, host)
    assert await offered(ctx, link)

    await sandbox.delete_microsoft_calendar(ALICE, team)

    with pytest.raises(CalendarUnavailable):
        await offered(ctx, link)  # never "free"
    view = await check_connection(ctx, host, MS)
    assert view.problem is ConnectionProblem.CALENDAR_NOT_FOUND
    assert view.missing_calendars == (team,)
    assert view.problem_message is not None
    assert 'A calendar chosen on this card ("Team") can\'t be found' in view.problem_message
    assert "choose the calendars again" in view.problem_message
    assert not view.needs_reconnect  # choosing again is the fix, not reconnecting
    assert [c.id for c in view.calendars or ()] == [primary]

    fixed = await choose_calendars(ctx, host, MS, [primary], None)
    assert fixed.problem is None
    assert await offered(ctx, link)


async def test_choices_are_checked_against_the_calendars_listed_live(
    ctx: ServiceContext, host: Host, sandbox: SandboxControl
) -> None:
    shared = await sandbox.add_microsoft_calendar(ALICE, "Boss", can_edit=False)
    before = await check_connection(ctx, host, MS)

    with pytest.raises(InvalidInput) as unknown:
        await choose_calendars(ctx, host, MS, ["AAMkNope="], None)
    assert "conflict_calendars" in unknown.value.fields
    with pytest.raises(InvalidInput) as empty:
        await choose_calendars(ctx, host, MS, [], None)
    assert "conflict_calendars" in empty.value.fields
    with pytest.raises(InvalidInput) as read_only:
        await choose_calendars(ctx, host, MS, None, shared, conflicts_given=False)
    assert "destination_calendar" in read_only.value.fields
    assert (await card(ctx, host)).calendars == before.calendars  # nothing changed

    view = await choose_calendars(ctx, host, MS, [shared], None)  # reading it is fine
    assert [(c.name, c.check_conflicts) for c in view.calendars or ()] == [
        ("Calendar", False),
        ("Boss", True),
    ]


@pytest.mark.parametrize(
    ("rules", "free_at"),
    [
        ({}, {at(14)}),  # defaults: tentative and unanswered block, working elsewhere and all-day free don't
        ({"tentative_blocks": False}, {at(10), at(11), at(14)}),
        ({"working_elsewhere_blocks": True}, set()),
        ({"all_day_free_blocks": True}, {at(14)}),
    ],
)
async def test_the_busy_rules_change_what_blocks(
    ctx: ServiceContext,
    host: Host,
    sandbox: SandboxControl,
    rules: dict[str, bool],
    free_at: set[datetime],
) -> None:
    await sandbox.seed_microsoft_event(
        ALICE, subject="Maybe", start=at(10), end=at(10, 30), show_as="tentative"
    )
    await sandbox.seed_microsoft_event_in(
        ALICE,
        calendar_id=None,
        subject="Invite",
        start=at(11),
        end=at(11, 30),
        organizer="boss@contoso.test",
        response="notResponded",
    )
    await sandbox.seed_microsoft_event(
        ALICE, subject="Home office", start=at(14), end=at(14, 30), show_as="workingElsewhere"
    )
    link = await a_link(ctx, host)

    view = await set_busy_rules(ctx, host, MS, **rules)

    assert view.busy_rules == BusyRules(**rules)
    slots = await offered(ctx, link)
    assert {s for s in (at(10), at(11), at(14)) if s in slots} == free_at


async def test_an_all_day_free_event_blocks_only_under_its_rule(
    ctx: ServiceContext, host: Host, sandbox: SandboxControl
) -> None:
    await sandbox.seed_microsoft_event(
        ALICE, subject="Holiday", start=at(0), end=at(24), show_as="free", is_all_day=True
    )
    link = await a_link(ctx, host)
    assert len(await offered(ctx, link)) == 16

    await set_busy_rules(ctx, host, MS, all_day_free_blocks=True)
    assert await offered(ctx, link) == set()

    await set_busy_rules(ctx, host, MS, all_day_free_blocks=False)
    assert len(await offered(ctx, link)) == 16


async def test_google_lists_its_calendars_but_offers_no_choices(
    ctx: ServiceContext, sandbox: SandboxControl
) -> None:
    google = GoogleHarness()
    host = await connected_host(ctx, sandbox, google)
    slot = IntegrationProvider.GOOGLE_CALENDAR

    view = await check_connection(ctx, host, slot)

    assert [(c.id, c.is_primary, c.check_conflicts, c.destination) for c in view.calendars or ()] == [
        (google.email, True, True, True)
    ]
    assert view.busy_rules is None
    assert not view.choices.conflict_calendars
    with pytest.raises(InvalidInput):
        await set_busy_rules(ctx, host, slot, tentative_blocks=False)
    same = await choose_calendars(ctx, host, slot, [google.email], google.email)  # the primary: fine
    assert same.calendars == view.calendars
