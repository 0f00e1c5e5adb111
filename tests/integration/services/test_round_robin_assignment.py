"""Round-robin confirmation: the rotation's rep is read live first and the next only when that one
is busy or unreadable; priority, weight and daily limits decide who is due; the decision is on
record for the hosts, and only they see it."""

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from tests.conftest import SettingsFactory
from tests.support.builders import ALL_WEEK, make_host, make_link, service_context
from tests.support.calendars import at, booked, starts
from tests.support.microsoft import connect_microsoft, register_app
from tests.support.sandbox import SandboxControl
from tests.support.teams import make_team
from workestra.db.migrate import upgrade_to_head
from workestra.errors import NotFound, SlotUnavailable
from workestra.scheduling.explain import ReasonCode
from workestra.services.assignment import AssignmentRecord
from workestra.services.availability import list_slots
from workestra.services.booking import get_booking
from workestra.services.booking_links import LinkInput, RotationInput, get_link, update_link
from workestra.services.context import ServiceContext
from workestra.services.teams import set_role
from workestra.services.troubleshoot import explain_day
from workestra.services.users import Host


@pytest.fixture
async def ctx(sqlite_url: str, make_settings: SettingsFactory) -> AsyncIterator[ServiceContext]:
    await upgrade_to_head(sqlite_url)
    async with service_context(make_settings(database_url=sqlite_url)) as c:
        yield c


async def _reps_on_outlook(ctx: ServiceContext, sandbox: SandboxControl, names: list[str]) -> list[Host]:
    await register_app(sandbox, ctx.base_url)
    reps = []
    for name in names:
        email = f"{name.lower()}@contoso.test"
        await sandbox.create_microsoft_user(email=email, display_name=name)
        rep = (await make_host(ctx, name=name, email=email, timezone="UTC"))[1]
        assert (await connect_microsoft(ctx, rep, sandbox, email=email, session_id=f"s-{name}")).connected
        reps.append(rep)
    return reps


async def _calendar_reads(sandbox: SandboxControl) -> int:
    return sum(1 for r in await sandbox.microsoft_requests() if r["path"].endswith("/calendarView"))


def _reps(record: AssignmentRecord | None) -> dict[str, dict[str, object]]:
    """Each rep's entry as stored and as the API answers it, by email."""
    assert record is not None
    reps = record.stored()["reps"]
    assert isinstance(reps, list)
    return {str(r["email"]): r for r in reps}


async def test_only_the_reps_it_needs_are_read_and_the_decision_is_on_record(
    ctx: ServiceContext, sandbox: SandboxControl
) -> None:
    reps = await _reps_on_outlook(ctx, sandbox, ["Ann", "Ben", "Cy"])
    team = await make_team(ctx, reps[0], reps[1:])
    link = await make_link(
        ctx, reps[0], timezone="UTC", weekly_hours=ALL_WEEK, team_id=team.id, auto_meeting_link=True
    )
    first, second, third = sorted(reps, key=lambda r: r.id)  # nobody booked yet: the fixed order

    before = await _calendar_reads(sandbox)
    made = await booked(ctx, link, at(9))
    assert made.host_email == first.email
    assert await _calendar_reads(sandbox) - before == 1  # one calendar read, not three
    record = (await get_booking(ctx, reps[0], made.id)).assignment
    seen = _reps(record)
    assert seen[first.email]["status"] == "chosen"
    assert {seen[r.email]["status"] for r in (second, third)} == {"not_asked"}
    assert record is not None
    assert (
        record.reason == "first by the rotation's fixed order (tied on priority, bookings and last booking)"
    )

    await sandbox.seed_microsoft_event(second.email, subject="Dentist", start=at(10), end=at(11))
    before = await _calendar_reads(sandbox)
    made = await booked(ctx, link, at(10))
    assert made.host_email == third.email  # the rotation's next was busy: the one after
    assert await _calendar_reads(sandbox) - before == 2
    record = (await get_booking(ctx, reps[0], made.id)).assignment
    seen = _reps(record)
    assert seen[second.email]["status"] == "busy"
    # What overlapped the slot (the calendar is read for the slot and its buffers only).
    assert seen[second.email]["busy"] == [{"start": at(10).isoformat(), "end": at(10, 30).isoformat()}]
    assert seen[first.email]["status"] == "not_asked"  # already had one: due after the chosen rep
    assert record is not None
    assert record.reason == "the fewest bookings for their weight among the reps who could take it"

    await sandbox.set_refresh_fault(second.email, "revoked")  # Ben's calendar can't be read any more
    await sandbox.expire_access_tokens(second.email)
    made = await booked(ctx, link, at(12))
    assert made.host_email == first.email  # due before the third rep: booked longer ago
    seen = _reps((await get_booking(ctx, reps[0], made.id)).assignment)
    assert seen[second.email]["status"] == "unreadable"
    assert "reconnect" in str(seen[second.email]["why"]).lower()


async def test_a_daily_limit_passes_the_day_to_the_others_and_hides_times_nobody_else_can_take(
    ctx: ServiceContext,
) -> None:
    lead, ann, ben = [(await make_host(ctx, name=n, timezone="UTC"))[1] for n in ("Lea", "Ann", "Ben")]
    team = await make_team(ctx, lead, [ann, ben])
    link = await make_link(
        ctx,
        lead,
        timezone="UTC",
        weekly_hours=ALL_WEEK,
        team_id=team.id,
        round_robin_members=[ann.email, ben.email],
    )
    rotation = [RotationInput(ann.email, priority=4, daily_limit=1)]
    link = await update_link(ctx, lead, link.id, LinkInput(rotation=rotation))
    assert (await booked(ctx, link, at(9))).host_email == ann.email  # highest priority
    taken = await booked(ctx, link, at(10))
    assert taken.host_email == ben.email  # Ann has had her one of the day
    assert _reps((await get_booking(ctx, lead, taken.id)).assignment)[ann.email]["status"] == "daily_limit"
    assert at(11) in await starts(ctx, link)  # Ben can take it
    assert at(10) not in await starts(ctx, link)  # Ben is booked at 10, Ann at her limit
    with pytest.raises(SlotUnavailable):
        await booked(ctx, link, at(10))
    tomorrow = at(9) + timedelta(days=1)
    next_day = await list_slots(
        ctx, link.slug, first_day=tomorrow.date(), last_day=tomorrow.date(), timezone="UTC"
    )
    assert tomorrow in [s.start for s in next_day.slots]
    assert (await booked(ctx, link, tomorrow)).host_email == ann.email  # a new day


async def test_a_rep_at_weight_two_gets_twice_the_bookings(ctx: ServiceContext) -> None:
    lead, ann, ben = [(await make_host(ctx, name=n, timezone="UTC"))[1] for n in ("Lea", "Ann", "Ben")]
    team = await make_team(ctx, lead, [ann, ben])
    link = await make_link(
        ctx,
        lead,
        timezone="UTC",
        weekly_hours=ALL_WEEK,
        team_id=team.id,
        round_robin_members=[ann.email, ben.email],
        rotation=[RotationInput(ann.email, weight=2)],
    )
    hosts = [(await booked(ctx, link, at(hour))).host_email for hour in range(8, 20)]
    assert hosts.count(ann.email) == 8
    assert hosts.count(ben.email) == 4
    counts = {r.email: r.bookings for r in (await get_link(ctx, lead, link.id)).rotation or ()}
    assert counts == {ann.email: 8, ben.email: 4}


async def test_team_admins_see_every_booking_of_the_teams_links_and_a_rep_their_own(
    ctx: ServiceContext,
) -> None:
    lead, ann, ben, admin = [
        (await make_host(ctx, name=n, timezone="UTC"))[1] for n in ("Lea", "Ann", "Ben", "Ada")
    ]
    team = await make_team(ctx, lead, [ann, ben, admin])
    await set_role(ctx, lead, team.id, admin.email, "admin")
    link = await make_link(
        ctx,
        lead,
        timezone="UTC",
        weekly_hours=ALL_WEEK,
        team_id=team.id,
        round_robin_members=[ann.email, ben.email],
    )
    made = await booked(ctx, link, at(9))
    rep, other = (ann, ben) if made.host_email == ann.email else (ben, ann)
    for host in (lead, admin, rep):
        assert (await get_booking(ctx, host, made.id)).id == made.id
    with pytest.raises(NotFound):
        await get_booking(ctx, other, made.id)


async def test_the_troubleshooter_names_a_daily_limit_and_a_team_admin_may_ask(ctx: ServiceContext) -> None:
    lead, ann, admin = [(await make_host(ctx, name=n, timezone="UTC"))[1] for n in ("Lea", "Ann", "Ada")]
    team = await make_team(ctx, lead, [ann, admin])
    await set_role(ctx, lead, team.id, admin.email, "admin")
    link = await make_link(
        ctx,
        lead,
        timezone="UTC",
        weekly_hours=ALL_WEEK,
        team_id=team.id,
        round_robin_members=[ann.email],
        rotation=[RotationInput(ann.email, daily_limit=1)],
    )
    await booked(ctx, link, at(9))
    explained = await explain_day(ctx, admin, link.id, at(9).date(), "UTC")  # not the owner: an admin
    [ten] = [s for s in explained.slots if s.slot.start == at(10)]
    assert [r.code for r in ten.reasons[0]] == [ReasonCode.DAILY_LIMIT]
    assert not ten.available
    with pytest.raises(NotFound):
        await explain_day(ctx, ann, link.id, at(9).date(), "UTC")  # a rep isn't the link's admin
