"""The public read of a link is one statement on both engines (issue 13): the link, its hours, its
members and, when asked, its hosts' bookings, each child table as JSON inside it. What comes back
must be exactly what the ORM and ``BookingRepository.busy`` read: times to the microsecond, in UTC,
every host of the link and no one else, each booking with its own link's buffers."""

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import event, select

from tests.support.builders import ALL_WEEK, make_host, make_link, service_context
from tests.support.clock import FixedClock
from tests.support.teams import make_team
from workestra.config import Settings
from workestra.db.models import Booking, LinkMember
from workestra.db.repositories.bookings import busy_in
from workestra.enums import BookingStatus, CalendarSyncStatus
from workestra.services.availability import list_slots
from workestra.services.booking_links import LinkView
from workestra.services.context import ServiceContext
from workestra.services.users import Host

DAY = date(2031, 6, 2)  # a Monday
NINE = datetime(2031, 6, 2, 9, tzinfo=UTC)
SPAN = (NINE - timedelta(days=2), NINE + timedelta(days=3))
NOW = datetime(2031, 5, 26, 8, 15, 0, 654321, tzinfo=UTC)  # a week before, with microseconds


@dataclass
class Pool:
    ctx: ServiceContext
    owner: Host
    reps: list[Host]
    outsider: Host
    link: LinkView  # round robin: owner not in the pool, reps[0] and reps[1] joined, reps[2] only listed
    other_link: LinkView  # reps[0]'s own link, with buffers


@pytest.fixture
async def pool(database_url: str) -> AsyncIterator[Pool]:
    settings = Settings(database_url=database_url, secret_key="k" * 32, _env_file=None)
    async with service_context(settings, clock=FixedClock(NOW)) as ctx:
        _, owner = await make_host(ctx, name="Owner")
        reps = [(await make_host(ctx, name=f"Rep {i}"))[1] for i in range(3)]
        _, outsider = await make_host(ctx, name="Outsider")
        team = await make_team(ctx, owner, reps[:2])
        link = await make_link(
            ctx,
            owner,
            timezone="UTC",
            weekly_hours=ALL_WEEK,
            team_id=team.id,
            round_robin_members=[r.email for r in reps[:2]],
        )
        async with ctx.uow(write=True) as uow:  # a place listed before teams, never accepted (0010)
            uow.session.add(LinkMember(link_id=link.id, email=reps[2].email, user_id=reps[2].id, position=2))
            await uow.commit()
        other = await make_link(
            ctx, reps[0], timezone="UTC", buffer_before_minutes=15, buffer_after_minutes=45
        )
        yield Pool(ctx, owner, reps, outsider, link, other)


async def _book(
    ctx: ServiceContext,
    link: LinkView,
    host: Host,
    start: datetime,
    *,
    minutes: int = 30,
    status: BookingStatus = BookingStatus.CONFIRMED,
) -> None:
    async with ctx.uow(write=True) as uow:
        uow.session.add(
            Booking(
                link_id=link.id,
                host_id=host.id,
                invitee_name="Ivo",
                invitee_email="ivo@example.test",
                invitee_timezone="UTC",
                starts_at=start,
                ends_at=start + timedelta(minutes=minutes),
                status=status,
                calendar_provider="none",
                online_meeting_requested=False,
                calendar_status=CalendarSyncStatus.NOT_APPLICABLE,
                created_at=start,
            )
        )
        await uow.commit()


async def test_hours_and_members_come_back_as_the_orm_reads_them(pool: Pool) -> None:
    async with pool.ctx.uow() as uow:
        record = await uow.links.public_record(pool.link.slug)
        link = await uow.links.get(pool.link.id)
        assert record is not None
        assert link is not None
        members = (
            await uow.session.scalars(
                select(LinkMember).where(LinkMember.link_id == link.id).order_by(LinkMember.position)
            )
        ).all()
        expected_hours = [(h.weekday, h.start_minute, h.end_minute) for h in link.hours]
    assert [(h.weekday, h.start_minute, h.end_minute) for h in record.hours] == expected_hours
    fields = ("email", "user_id", "accepted_at", "last_assigned_at", "priority", "weight", "daily_limit")
    assert [tuple(getattr(m, f) for f in (*fields, "assigned_count")) for m in record.members] == [
        tuple(getattr(m, f) for f in (*fields, "assigned_count")) for m in members
    ]
    joined = [m.accepted_at for m in record.members if m.accepted_at is not None]
    assert len(joined) == 2
    assert all(moment.tzinfo is UTC for moment in joined)
    assert joined == [NOW, NOW]  # to the microsecond, through the JSON
    assert record.bookings_between is None
    assert record.bookings == ()


async def test_bookings_of_every_host_of_the_link_come_with_it_and_no_one_elses(pool: Pool) -> None:
    owner, (joined, other_rep, listed), outsider = pool.owner, pool.reps, pool.outsider
    odd = NINE + timedelta(microseconds=123456)
    await _book(pool.ctx, pool.link, owner, NINE)
    await _book(pool.ctx, pool.other_link, joined, odd)  # another link, its own buffers
    await _book(pool.ctx, pool.link, other_rep, NINE + timedelta(hours=1))
    await _book(pool.ctx, pool.link, listed, NINE + timedelta(hours=2))  # listed only: still read
    await _book(pool.ctx, pool.link, other_rep, NINE + timedelta(hours=3), status=BookingStatus.CANCELLED)
    await _book(pool.ctx, pool.link, other_rep, SPAN[1] + timedelta(hours=1))  # after the span
    await _book(pool.ctx, pool.other_link, outsider, NINE)  # not a host of this link
    async with pool.ctx.uow() as uow:
        record = await uow.links.public_record(pool.link.slug, bookings_between=SPAN)
        assert record is not None
        hosts = [owner.id, joined.id, other_rep.id, listed.id]
        read_apart = await uow.bookings.busy(hosts, SPAN[0], SPAN[1])
    assert record.bookings_between == SPAN
    assert sorted(record.bookings) == sorted(
        [
            (owner.id, NINE, NINE + timedelta(minutes=30), 0, 0, pool.link.id),
            (joined.id, odd, odd + timedelta(minutes=30), 15, 45, pool.other_link.id),
            (
                other_rep.id,
                NINE + timedelta(hours=1),
                NINE + timedelta(hours=1, minutes=30),
                0,
                0,
                pool.link.id,
            ),
            (listed.id, NINE + timedelta(hours=2), NINE + timedelta(hours=2, minutes=30), 0, 0, pool.link.id),
        ]
    )
    assert all(b.starts_at.tzinfo is UTC and b.ends_at.tzinfo is UTC for b in record.bookings)
    assert sorted(busy_in(record.bookings, set(hosts), SPAN[0], SPAN[1])) == sorted(read_apart)


async def test_a_link_is_one_statement_with_its_bookings(pool: Pool) -> None:
    statements: list[str] = []

    def on_statement(_conn: object, _cursor: object, statement: str, *_rest: object) -> None:
        statements.append(statement)

    engine = pool.ctx.uow.database.read_engine.sync_engine
    event.listen(engine, "before_cursor_execute", on_statement)
    try:
        async with pool.ctx.uow() as uow:
            assert await uow.links.public_record(pool.link.slug, bookings_between=SPAN) is not None
            assert await uow.links.public_record("no-such-link", bookings_between=SPAN) is None
    finally:
        event.remove(engine, "before_cursor_execute", on_statement)
    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) == 2, statements


async def test_a_booking_the_day_before_still_takes_its_buffer_from_the_first_slot(pool: Pool) -> None:
    # The bookings are read around the asked days before the link's rules are known: a booking that
    # ends before the first asked day, widened by its link's buffer after, must still count.
    rep = pool.reps[0]
    before = await list_slots(pool.ctx, pool.other_link.slug, first_day=DAY, last_day=DAY, timezone="UTC")
    assert before.slots[0].start == datetime(2031, 6, 2, tzinfo=UTC)
    await _book(pool.ctx, pool.other_link, rep, datetime(2031, 6, 1, 23, 0, tzinfo=UTC))  # ends 23:30
    after = await list_slots(pool.ctx, pool.other_link.slug, first_day=DAY, last_day=DAY, timezone="UTC")
    # 23:30 + 45 minutes after, then this link's own 15 before: nothing starts before 00:30.
    assert after.slots[0].start == datetime(2031, 6, 2, 0, 30, tzinfo=UTC)
