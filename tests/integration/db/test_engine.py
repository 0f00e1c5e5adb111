"""What a unit of work costs below SQLAlchemy, and that a connection the server closed is replaced.

PostgreSQL: no ping before each transaction (``pool_pre_ping`` sent three round trips), yet a
connection the server ended while it sat in the pool is never handed out: the first read after it
succeeds. SQLite: aiosqlite runs every call in its connection's thread; a read unit of work is one
trip for BEGIN, four for its statement and one for the rollback, and a connection returned with a
transaction still open is rolled back all the same.
"""

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import aiosqlite
import asyncpg
import pytest
from sqlalchemy import event, text

from tests.support.databases import ADMIN_DSN, postgres_database
from workestra.db.engine import Database
from workestra.db.migrate import upgrade_to_head
from workestra.db.unit_of_work import UnitOfWorkFactory


async def _backend_pid(uow: UnitOfWorkFactory) -> int:
    async with uow() as unit:
        return int((await unit.session.execute(text("SELECT pg_backend_pid()"))).scalar_one())


@pytest.fixture
async def postgres() -> AsyncIterator[Database]:
    async with postgres_database() as url:
        database = Database(url)
        try:
            yield database
        finally:
            await database.dispose()


@pytest.mark.postgres
async def test_postgres_checks_out_connections_without_a_ping(
    postgres: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    pings: list[object] = []
    dialect = postgres.read_engine.dialect
    real_ping = dialect.do_ping

    def counted_ping(connection: Any) -> bool:  # noqa: ANN401  (a DBAPI connection)
        pings.append(connection)
        return real_ping(connection)

    monkeypatch.setattr(dialect, "do_ping", counted_ping)
    uow = UnitOfWorkFactory(postgres)
    for _ in range(3):
        await _backend_pid(uow)
    assert pings == []


@pytest.mark.postgres
async def test_a_connection_the_server_ended_is_replaced_before_it_is_used(postgres: Database) -> None:
    uow = UnitOfWorkFactory(postgres)
    first = await _backend_pid(uow)
    admin = await asyncpg.connect(ADMIN_DSN, timeout=5)
    try:
        assert await admin.fetchval("SELECT pg_terminate_backend($1)", first)  # as a restart does
        for _ in range(100):  # the backend ends a moment later
            if not await admin.fetchval("SELECT count(*) FROM pg_stat_activity WHERE pid = $1", first):
                break
            await asyncio.sleep(0.02)
    finally:
        await admin.close()
    await asyncio.sleep(0.1)  # the event loop reads the connection's end
    second = await _backend_pid(uow)  # no error: the closed connection was not handed out
    assert second != first


@pytest.fixture
def driver_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every call aiosqlite runs in a connection's thread (each a trip there and back)."""
    calls: list[str] = []
    real: Callable[..., Awaitable[Any]] = aiosqlite.Connection._execute

    async def counted(self: aiosqlite.Connection, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:  # noqa: ANN401
        calls.append(getattr(fn, "__name__", repr(fn)))
        return await real(self, fn, *args, **kwargs)

    monkeypatch.setattr(aiosqlite.Connection, "_execute", counted)
    return calls


@pytest.fixture
async def sqlite(tmp_path: Path) -> AsyncIterator[Database]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'engine.sqlite3'}"
    await upgrade_to_head(url)
    database = Database(url)
    try:
        yield database
    finally:
        await database.dispose()


async def test_a_sqlite_read_is_six_trips_to_the_driver_thread(
    sqlite: Database, driver_calls: list[str]
) -> None:
    uow = UnitOfWorkFactory(sqlite)
    async with uow() as unit:  # the pool's first connection: its PRAGMAs are not counted
        await unit.links.public_record("warm")
    driver_calls.clear()
    async with uow() as unit:
        assert await unit.links.public_record("no-such-link") is None
    calls = list(driver_calls)
    # BEGIN; the statement's cursor, execute, fetchall, close; one rollback (not a second on return).
    assert len(calls) == 6, calls
    assert calls.count("rollback") == 1, calls


async def test_a_sqlite_connection_returned_in_a_transaction_is_rolled_back(sqlite: Database) -> None:
    async with sqlite.read_engine.connect() as connection:
        raw = await connection.get_raw_connection()
        driver = raw.driver_connection
        assert isinstance(driver, aiosqlite.Connection)
        await driver.execute_fetchall("BEGIN")  # behind SQLAlchemy's back: it knows no transaction
        await driver.execute_fetchall("SELECT count(*) FROM users")
        assert _in_transaction(driver)
    assert not _in_transaction(driver)  # the pool's reset rolled it back
    async with sqlite.read_engine.connect() as connection:
        assert (await connection.get_raw_connection()).driver_connection is driver


def _in_transaction(driver: aiosqlite.Connection) -> bool:
    return driver.in_transaction


async def test_eight_concurrent_reads_keep_their_connections(sqlite: Database) -> None:
    # With SQLAlchemy's default pool (5, overflow closed on return) every burst of 8 opened 3 anew.
    connects: list[object] = []
    event.listen(sqlite.read_engine.sync_engine, "connect", lambda *_: connects.append(1))
    uow = UnitOfWorkFactory(sqlite)

    async def read() -> None:
        async with uow() as unit:
            await unit.links.public_record("no-such-link")
            await asyncio.sleep(0.01)  # all eight hold a connection at once

    for _ in range(3):
        await asyncio.gather(*(read() for _ in range(8)))
    assert len(connects) == 8
