"""Async engines and session factories. SQLite gets WAL, foreign keys and write-locked transactions.

On SQLite a writing unit of work opens with ``BEGIN IMMEDIATE`` so a check-then-insert is atomic
against every other writer (other processes included); reads stay deferred and concurrent.

PostgreSQL connections are checked when they leave the pool without a round trip: a connection the
server closed (a restart, an idle timeout, a terminated backend) is seen closed by asyncpg as soon as
the event loop reads its end, and is replaced. SQLAlchemy's ``pool_pre_ping`` would send three
(BEGIN, ``;``, ROLLBACK) before every transaction, a third of a public read's round trips. A
connection that breaks mid-query still fails that query; SQLAlchemy then drops the whole pool.
"""

from collections.abc import Callable
from typing import cast

import aiosqlite
from sqlalchemy import event
from sqlalchemy.engine import Connection
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import ConnectionPoolEntry, PoolProxiedConnection, PoolResetState
from sqlalchemy.util import await_

SQLITE_BUSY_TIMEOUT_MS = 30_000
# Connections kept open per engine. SQLAlchemy's default of 5 (plus 10 overflow, closed again as
# soon as they are returned) made 8 concurrent public requests open a new connection every 15-25
# requests: a PostgreSQL connect is several round trips, and a SQLite one a new thread and its
# PRAGMAs, landing on a few requests as their p99.
POOL_SIZE = 10
MAX_OVERFLOW = 10


def _sqlite_engine(url: str, *, immediate: bool) -> AsyncEngine:
    # Returned connections are rolled back by the reset hook below, only when a transaction is open.
    engine = create_async_engine(
        url,
        connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
        pool_size=POOL_SIZE,
        max_overflow=MAX_OVERFLOW,
        pool_reset_on_return=None,
    )
    begin_sql = "BEGIN IMMEDIATE" if immediate else "BEGIN"

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: DBAPIConnection, _record: object) -> None:
        # Let SQLAlchemy, not the driver, decide when transactions begin (SQLAlchemy docs,
        # "Serializable isolation / Savepoints / Transactional DDL" for pysqlite).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    # Every call into aiosqlite is a trip to its connection's thread and back through the event
    # loop; a statement through a SQLAlchemy cursor takes three or four. A read's BEGIN goes in one
    # (the driver's own execute, run and released in that thread; a deferred BEGIN takes no lock,
    # so it has no error for SQLAlchemy to translate), and a returned connection is rolled back only
    # if it still holds a transaction (a closed session has already rolled back: the pool's own
    # reset would be a second trip for nothing).
    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Connection) -> None:
        if immediate:
            connection.exec_driver_sql(begin_sql)
        else:
            driver = cast(aiosqlite.Connection, connection.connection.driver_connection)
            await_(driver.execute_fetchall(begin_sql))

    @event.listens_for(engine.sync_engine, "reset")
    def _on_reset(
        dbapi_connection: DBAPIConnection, _record: ConnectionPoolEntry, state: PoolResetState
    ) -> None:
        if (
            state.asyncio_safe
            and not state.terminate_only
            and dbapi_connection.driver_connection.in_transaction
        ):
            dbapi_connection.rollback()

    return engine


def _postgres_engine(url: str) -> AsyncEngine:
    engine = create_async_engine(url, pool_size=POOL_SIZE, max_overflow=MAX_OVERFLOW)

    @event.listens_for(engine.sync_engine, "checkout")
    def _on_checkout(
        dbapi_connection: DBAPIConnection, _record: ConnectionPoolEntry, _proxy: PoolProxiedConnection
    ) -> None:
        # The pool retries with a new connection (and drops older ones) on DisconnectionError.
        if dbapi_connection.driver_connection.is_closed():
            raise DisconnectionError("the server closed this connection")

    return engine


class Database:
    """Owns the engine(s); hands out sessions. Created by the composition root, never at import."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.dialect = "sqlite" if url.startswith("sqlite") else "postgresql"
        if self.dialect == "sqlite":
            self.read_engine = _sqlite_engine(url, immediate=False)
            self.write_engine = _sqlite_engine(url, immediate=True)
        else:
            self.read_engine = _postgres_engine(url)
            self.write_engine = self.read_engine
        self._read: Callable[[], AsyncSession] = async_sessionmaker(self.read_engine, expire_on_commit=False)
        self._write: Callable[[], AsyncSession] = async_sessionmaker(
            self.write_engine, expire_on_commit=False
        )

    def session(self, *, write: bool) -> AsyncSession:
        return self._write() if write else self._read()

    async def dispose(self) -> None:
        await self.read_engine.dispose()
        if self.write_engine is not self.read_engine:
            await self.write_engine.dispose()
