"""Throwaway databases for tests: a SQLite file per test, a fresh PostgreSQL database per test."""

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
import pytest

ADMIN_DSN = os.environ.get("WORKESTRA_TEST_POSTGRES_DSN", "postgresql://postgres@127.0.0.1:5432/postgres")


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def missing_service(message: str) -> None:
    """Skip on a developer's machine; fail under CI=true, where a skip would hide a broken setup."""
    if in_ci():
        pytest.fail(f"{message} (CI=true: a missing service fails the run instead of skipping)")
    pytest.skip(message)


@asynccontextmanager
async def postgres_database() -> AsyncIterator[str]:
    """A new, empty database on the PostgreSQL server; yields its SQLAlchemy async URL."""
    try:
        admin = await asyncpg.connect(ADMIN_DSN, timeout=5)
    except (OSError, asyncpg.PostgresError) as exc:
        missing_service(f"PostgreSQL is not reachable at {ADMIN_DSN} ({exc}); scripts/test starts it")
        raise AssertionError("unreachable") from exc
    name = f"wk_test_{uuid.uuid4().hex[:12]}"
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        base = ADMIN_DSN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://", 1)
        yield f"{base}/{name}"
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
