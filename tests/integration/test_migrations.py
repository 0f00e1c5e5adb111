"""Migrations build exactly the schema the models declare, on SQLite and on PostgreSQL."""

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from workestra.db import models  # noqa: F401  (registers the tables)
from workestra.db.base import Base


def _diff(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, Base.metadata))


async def test_upgrading_an_empty_database_gives_the_models_schema(database_url: str) -> None:
    engine = create_async_engine(database_url)
    try:
        async with engine.connect() as connection:
            differences = await connection.run_sync(_diff)
            if connection.dialect.name == "postgresql":
                exclusion = await connection.scalar(
                    text(
                        "SELECT count(*) FROM pg_constraint WHERE conname = 'ex_bookings_no_overlap' "
                        "AND contype = 'x'"
                    )
                )
                assert exclusion == 1
    finally:
        await engine.dispose()
    assert differences == []
