"""Where browser sessions live: the ``SessionStore`` port, its record, and the ``sessions`` table.

A store is keyed by the hash of the session id (never the id). ``add`` only ever takes a fresh key
and ``update`` never brings back a record that was deleted meanwhile, so an ended session stays
ended even when one of its requests was still in flight.
"""

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import delete, update
from sqlalchemy.exc import SQLAlchemyError

from workestra.db.engine import Database
from workestra.db.models import BrowserSession

SessionData = dict[str, Any]  # what routes keep in request.session: a JSON object


class SessionStoreUnavailable(Exception):
    """The store couldn't be reached or refused the call (database or Redis down)."""


@asynccontextmanager
async def reporting_outages(*errors: type[BaseException]) -> AsyncIterator[None]:
    """Turn a backend's own failures (``errors``, or a lost connection) into SessionStoreUnavailable."""
    caught: tuple[type[BaseException], ...] = (*errors, OSError)
    try:
        yield
    except caught as exc:
        raise SessionStoreUnavailable(f"{type(exc).__name__}: {exc}") from exc


@dataclass(frozen=True, slots=True)
class SessionRecord:
    user_id: str | None
    data: SessionData
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime


class SessionStore(Protocol):
    """Every call raises SessionStoreUnavailable when the backend is down."""

    async def get(self, key: str) -> SessionRecord | None:
        """The record stored under ``key`` (expired or not: the caller decides), or None."""
        ...

    async def add(self, key: str, record: SessionRecord) -> None: ...

    async def update(self, key: str, record: SessionRecord) -> bool:
        """Replace an existing record; False (and nothing stored) when there is none any more."""
        ...

    async def delete(self, key: str) -> None: ...

    async def delete_for_user(self, user_id: str) -> None:
        """End every session of one user."""
        ...

    async def aclose(self) -> None: ...


def encode_data(data: SessionData) -> str:
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False)


def decode_data(text: str) -> SessionData:
    value = json.loads(text)
    return value if isinstance(value, dict) else {}


class DatabaseSessionStore:
    """Sessions in the ``sessions`` table (SQLite or PostgreSQL), each call its own short transaction."""

    def __init__(self, database: Database) -> None:
        self._database = database

    async def get(self, key: str) -> SessionRecord | None:
        async with reporting_outages(SQLAlchemyError), self._database.session(write=False) as session:
            row = await session.get(BrowserSession, key)
            if row is None:
                return None
            return SessionRecord(
                user_id=row.user_id,
                data=decode_data(row.data),
                created_at=row.created_at,
                last_seen_at=row.last_seen_at,
                expires_at=row.expires_at,
            )

    async def add(self, key: str, record: SessionRecord) -> None:
        async with reporting_outages(SQLAlchemyError), self._database.session(write=True) as session:
            # Sessions nobody came back for are swept here, where rows are made (index on expires_at).
            expired = delete(BrowserSession).where(BrowserSession.expires_at <= record.created_at)
            await session.execute(expired)
            session.add(
                BrowserSession(
                    id_hash=key,
                    user_id=record.user_id,
                    data=encode_data(record.data),
                    created_at=record.created_at,
                    last_seen_at=record.last_seen_at,
                    expires_at=record.expires_at,
                )
            )
            await session.commit()

    async def update(self, key: str, record: SessionRecord) -> bool:
        async with reporting_outages(SQLAlchemyError), self._database.session(write=True) as session:
            result = await session.execute(
                update(BrowserSession)
                .where(BrowserSession.id_hash == key)
                .values(
                    user_id=record.user_id,
                    data=encode_data(record.data),
                    last_seen_at=record.last_seen_at,
                    expires_at=record.expires_at,
                )
                .returning(BrowserSession.id_hash)
            )
            found = result.first() is not None
            await session.commit()
            return found

    async def delete(self, key: str) -> None:
        async with reporting_outages(SQLAlchemyError), self._database.session(write=True) as session:
            await session.execute(delete(BrowserSession).where(BrowserSession.id_hash == key))
            await session.commit()

    async def delete_for_user(self, user_id: str) -> None:
        async with reporting_outages(SQLAlchemyError), self._database.session(write=True) as session:
            await session.execute(delete(BrowserSession).where(BrowserSession.user_id == user_id))
            await session.commit()

    async def aclose(self) -> None:
        """Nothing of its own to close: the database belongs to the runtime."""
