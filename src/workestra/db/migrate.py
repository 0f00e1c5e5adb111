"""Bring a database to the newest schema with Alembic (the migrations ship inside the package), and
say which revision a database is at."""

import functools
from collections.abc import Callable
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import create_async_engine

from workestra.db.engine import Database

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url)
    return config


async def _run(url: str, step: Callable[[Config], None]) -> None:
    """Run one Alembic command over an async engine, in one transaction."""
    config = alembic_config(url)
    engine = create_async_engine(url)

    def run(connection: Connection) -> None:
        config.attributes["connection"] = connection
        step(config)

    try:
        async with engine.begin() as connection:
            await connection.run_sync(run)
    finally:
        await engine.dispose()


async def upgrade_to_head(url: str, revision: str = "head") -> None:
    """Upgrade to the newest schema (or only up to ``revision``)."""
    await _run(url, lambda config: command.upgrade(config, revision))


async def downgrade_to(url: str, revision: str) -> None:
    """Downgrade to ``revision`` ("base": no schema at all)."""
    await _run(url, lambda config: command.downgrade(config, revision))


class DatabaseUnreachable(Exception):
    """The database refused or never answered a connection."""


@functools.cache
def head_revisions() -> frozenset[str]:
    """The newest revision(s) of the migrations shipped with this code (read once)."""
    return frozenset(ScriptDirectory.from_config(alembic_config("")).get_heads())


async def applied_revisions(database: Database) -> frozenset[str]:
    """The revision(s) the database is at (empty before the first migration), after a `SELECT 1`."""

    def current(connection: Connection) -> frozenset[str]:
        return frozenset(MigrationContext.configure(connection).get_current_heads())

    try:
        async with database.read_engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
            return await connection.run_sync(current)
    except (SQLAlchemyError, OSError) as exc:
        raise DatabaseUnreachable(type(exc).__name__) from exc
