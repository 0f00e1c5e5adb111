"""PostgreSQL's exclusion constraint ``ex_bookings_no_overlap`` refuses overlapping live bookings of
one host on its own: rows inserted directly, with no advisory lock and no service in front."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest

from tests.support.builders import make_host, make_link, service_context
from tests.support.databases import postgres_database
from workestra.config import Settings
from workestra.db.migrate import upgrade_to_head

pytestmark = pytest.mark.postgres

TEN = datetime(2031, 6, 2, 10, tzinfo=UTC)
INSERT = (
    "INSERT INTO bookings (id, link_id, host_id, invitee_name, invitee_email, invitee_timezone, "
    "starts_at, ends_at, status, calendar_provider, online_meeting_requested, calendar_status, created_at) "
    "VALUES ($1, $2, $3, 'Ivo', 'ivo@example.test', 'UTC', $4, $5, $6, 'none', false, 'not_applicable', $4)"
)


class Rows:
    def __init__(self, connection: asyncpg.Connection, link_id: str, host_id: str, other_host: str) -> None:
        self.connection, self.link_id, self.host_id, self.other_host = (
            connection,
            link_id,
            host_id,
            other_host,
        )
        self._count = 0

    async def insert(
        self, start: datetime, minutes: int = 30, *, status: str = "confirmed", host: str | None = None
    ) -> str:
        self._count += 1
        row_id = f"b{self._count}"
        await self.connection.execute(
            INSERT,
            row_id,
            self.link_id,
            host or self.host_id,
            start,
            start + timedelta(minutes=minutes),
            status,
        )
        return row_id

    async def count(self) -> int:
        return int(await self.connection.fetchval("SELECT count(*) FROM bookings"))


@pytest.fixture
async def rows() -> AsyncIterator[Rows]:
    async with postgres_database() as url:
        await upgrade_to_head(url)
        settings = Settings(database_url=url, secret_key="k" * 32, _env_file=None)
        async with service_context(settings) as ctx:
            _, host = await make_host(ctx)
            _, other = await make_host(ctx)
            link = await make_link(ctx, host)
        connection = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://", 1))
        try:
            yield Rows(connection, link.id, host.id, other.id)
        finally:
            await connection.close()


async def test_an_overlapping_live_booking_is_refused_by_the_database(rows: Rows) -> None:
    await rows.insert(TEN)
    for start, minutes in ((TEN, 30), (TEN + timedelta(minutes=15), 30), (TEN - timedelta(minutes=15), 60)):
        with pytest.raises(asyncpg.ExclusionViolationError, match="ex_bookings_no_overlap"):
            await rows.insert(start, minutes)
    assert await rows.count() == 1


async def test_touching_cancelled_and_other_hosts_bookings_are_allowed(rows: Rows) -> None:
    await rows.insert(TEN)
    await rows.insert(TEN + timedelta(minutes=30))  # [10:30, 11:00) touches [10:00, 10:30)
    await rows.insert(TEN - timedelta(minutes=30))
    await rows.insert(TEN, status="cancelled")  # only live bookings take the time
    await rows.insert(TEN, host=rows.other_host)
    assert await rows.count() == 5


async def test_cancelling_frees_the_time_for_a_new_row(rows: Rows) -> None:
    first = await rows.insert(TEN)
    await rows.connection.execute("UPDATE bookings SET status = 'cancelled' WHERE id = $1", first)
    await rows.insert(TEN)
    with pytest.raises(asyncpg.ExclusionViolationError):
        await rows.connection.execute("UPDATE bookings SET status = 'confirmed' WHERE id = $1", first)
