"""Migrations build exactly the schema the models declare, on SQLite and on PostgreSQL."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import bindparam, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from tests.support.databases import postgres_database
from workestra.db import models  # noqa: F401  (registers the tables)
from workestra.db.base import Base, UTCDateTime
from workestra.db.migrate import downgrade_to, upgrade_to_head


def _diff(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, Base.metadata))


async def assert_models_schema(url: str) -> None:
    """The database has exactly the tables, columns, indexes and constraints the models declare."""
    engine = create_async_engine(url)
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


async def test_upgrading_an_empty_database_gives_the_models_schema(database_url: str) -> None:
    await assert_models_schema(database_url)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A database with no schema yet, on each engine."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'empty.sqlite3'}"
    else:
        async with postgres_database() as url:
            yield url


async def test_round_robin_members_listed_before_0003_keep_their_email_and_place(
    empty_database_url: str,
) -> None:
    url = empty_database_url
    await upgrade_to_head(url, "0002")
    db = create_async_engine(url)
    now = {"now": datetime(2031, 1, 1, tzinfo=UTC)}
    stamp = bindparam("now", type_=UTCDateTime())
    try:
        async with db.begin() as connection:
            await connection.execute(
                text(
                    "INSERT INTO users (id, email, name, password_hash, timezone, created_at) "
                    "VALUES ('u1', 'rep@example.test', 'Rep', 'x', 'UTC', :now)"
                ).bindparams(stamp),
                now,
            )
            await connection.execute(
                text(
                    "INSERT INTO booking_links (id, owner_id, slug, title, description, duration_minutes, "
                    "timezone, calendar_provider, auto_meeting_link, slot_interval_minutes, "
                    "buffer_before_minutes, buffer_after_minutes, minimum_notice_minutes, "
                    "booking_horizon_days, created_at, updated_at) VALUES ('l1', 'u1', 'pool', 'Pool', '', "
                    "30, 'UTC', 'none', false, 30, 0, 0, 0, 60, :now, :now)"
                ).bindparams(stamp),
                now,
            )
            await connection.execute(
                text("INSERT INTO link_members (id, link_id, user_id, position) VALUES ('m1', 'l1', 'u1', 0)")
            )
        await upgrade_to_head(url)
        async with db.connect() as connection:
            rows = (
                await connection.execute(
                    text("SELECT email, user_id, accepted_at, declined_at FROM link_members").columns(
                        accepted_at=UTCDateTime(), declined_at=UTCDateTime()
                    )
                )
            ).all()
        # Still in the pool after the upgrade: accepted as of the link's creation, never declined.
        assert [tuple(r) for r in rows] == [("rep@example.test", "u1", now["now"], None)]
    finally:
        await db.dispose()


async def test_every_migration_after_the_first_release_downgrades_and_upgrades_again(
    empty_database_url: str,
) -> None:
    url = empty_database_url
    await upgrade_to_head(url)
    await downgrade_to(url, "0001")
    engine = create_async_engine(url)
    try:
        async with engine.connect() as connection:
            version = await connection.scalar(text("SELECT version_num FROM alembic_version"))
    finally:
        await engine.dispose()
    assert version == "0001"
    await upgrade_to_head(url)
    await assert_models_schema(url)


async def test_connections_stored_before_0005_keep_their_account_kind_and_meeting_link_facts(
    empty_database_url: str,
) -> None:
    url = empty_database_url
    await upgrade_to_head(url, "0004")
    db = create_async_engine(url)
    now = {"now": datetime(2031, 1, 1, tzinfo=UTC)}
    stamp = bindparam("now", type_=UTCDateTime())
    columns = (
        "id, user_id, provider, account_id, account_email, display_name, tenant_id, scopes, "
        "access_token_enc, expires_at, status, problem, teams_available, personal_account, "
        "token_version, created_at, updated_at"
    )
    try:
        async with db.begin() as connection:
            await connection.execute(
                text(
                    "INSERT INTO users (id, email, name, password_hash, timezone, created_at) VALUES "
                    "('u1', 'a@example.test', 'A', 'x', 'UTC', :now), "
                    "('u2', 'b@example.test', 'B', 'x', 'UTC', :now)"
                ).bindparams(stamp),
                now,
            )
            await connection.execute(
                text(
                    f"INSERT INTO user_integrations ({columns}) VALUES "  # noqa: S608  (constants)
                    "('i1', 'u1', 'microsoft_calendar', 'a', 'a@example.test', 'A', 't-1', 's', 'x', "
                    ":now, 'active', 'no_teams', false, false, 1, :now, :now), "
                    "('i2', 'u2', 'microsoft_calendar', 'b', 'b@example.test', 'B', NULL, 's', 'x', "
                    ":now, 'active', 'personal_account', false, true, 1, :now, :now)"
                ).bindparams(stamp),
                now,
            )
        await upgrade_to_head(url)
        async with db.connect() as connection:
            rows = (
                await connection.execute(
                    text(
                        "SELECT id, organization_id, account_kind, meeting_link_available, problem "
                        "FROM user_integrations ORDER BY id"
                    )
                )
            ).all()
        assert [tuple(r) for r in rows] == [
            ("i1", "t-1", "work", False, "no_meeting_link"),
            ("i2", None, "personal", False, "personal_account"),
        ]
    finally:
        await db.dispose()


async def test_round_robin_links_made_before_0010_become_teams_with_the_answers_kept(
    empty_database_url: str,
) -> None:
    url = empty_database_url
    await upgrade_to_head(url, "0009")
    db = create_async_engine(url)
    now = {"now": datetime(2031, 1, 1, tzinfo=UTC)}
    stamp = bindparam("now", type_=UTCDateTime())
    people = [("u0", "owner"), ("u1", "joined"), ("u2", "waiting"), ("u3", "declined")]
    try:
        async with db.begin() as connection:
            for user_id, who in people:
                await connection.execute(
                    text(
                        "INSERT INTO users (id, email, name, password_hash, timezone, created_at) "
                        "VALUES (:id, :email, :name, 'x', 'UTC', :now)"
                    ).bindparams(stamp),
                    {**now, "id": user_id, "email": f"{who}@example.test", "name": who},
                )
            await connection.execute(
                text(
                    "INSERT INTO booking_links (id, owner_id, slug, title, description, duration_minutes, "
                    "timezone, calendar_provider, auto_meeting_link, slot_interval_minutes, "
                    "buffer_before_minutes, buffer_after_minutes, minimum_notice_minutes, "
                    "booking_horizon_days, created_at, updated_at) VALUES ('l1', 'u0', 'pool', 'Pool', '', "
                    "30, 'UTC', 'none', false, 30, 0, 0, 0, 60, :now, :now)"
                ).bindparams(stamp),
                now,
            )
            members = [
                ("m0", "owner@example.test", "'u0'", ":now", "NULL"),
                ("m1", "joined@example.test", "'u1'", ":now", "NULL"),
                ("m2", "waiting@example.test", "'u2'", "NULL", "NULL"),
                ("m3", "declined@example.test", "'u3'", "NULL", ":now"),
                ("m4", "no-account@example.test", "NULL", "NULL", "NULL"),
            ]
            for position, (member_id, email, user_id, accepted, declined) in enumerate(members):
                insert = text(
                    "INSERT INTO link_members (id, link_id, email, user_id, position, accepted_at, "  # noqa: S608
                    f"declined_at) VALUES ('{member_id}', 'l1', '{email}', {user_id}, {position}, "
                    f"{accepted}, {declined})"
                )
                await connection.execute(insert.bindparams(stamp) if ":now" in str(insert) else insert, now)
        await upgrade_to_head(url)
        async with db.connect() as connection:
            team = (await connection.execute(text("SELECT id, slug, name FROM teams"))).one()
            link_team = await connection.scalar(text("SELECT team_id FROM booking_links WHERE id = 'l1'"))
            team_members = (
                await connection.execute(
                    text("SELECT email, user_id, role, status FROM team_members ORDER BY email")
                )
            ).all()
            pool = (
                await connection.execute(
                    text(
                        "SELECT email, accepted_at IS NOT NULL, priority, weight, assigned_count "
                        "FROM link_members ORDER BY position"
                    )
                )
            ).all()
    finally:
        await db.dispose()
    assert (team.slug, team.name) == ("pool", "Pool")
    assert link_team == team.id
    assert [tuple(m) for m in team_members] == [
        ("joined@example.test", "u1", "member", "active"),
        ("no-account@example.test", None, "member", "invited"),
        ("owner@example.test", "u0", "admin", "active"),
        ("waiting@example.test", None, "member", "invited"),  # joins once they accept the team
    ]
    # The places are kept as they were (a no isn't carried over); the rotation starts level.
    assert [tuple(p) for p in pool] == [
        ("owner@example.test", True, 2, 1, 0),
        ("joined@example.test", True, 2, 1, 0),
        ("waiting@example.test", False, 2, 1, 0),
        ("no-account@example.test", False, 2, 1, 0),
    ]
