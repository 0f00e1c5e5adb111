"""UnitOfWork: one session, its repositories, and an explicit commit (rollback on leaving without)."""

from types import TracebackType
from typing import Self

from sqlalchemy.ext.asyncio import AsyncSession

from workestra.db.engine import Database
from workestra.db.repositories.bookings import BookingRepository
from workestra.db.repositories.integrations import IntegrationRepository
from workestra.db.repositories.links import LinkRepository
from workestra.db.repositories.outbox import OutboxRepository
from workestra.db.repositories.teams import TeamRepository
from workestra.db.repositories.users import UserRepository


class UnitOfWork:
    def __init__(self, database: Database, *, write: bool = False) -> None:
        self._database = database
        self._write = write
        self._session: AsyncSession | None = None

    @property
    def session(self) -> AsyncSession:
        if self._session is None:
            raise RuntimeError("UnitOfWork used outside `async with`")
        return self._session

    async def __aenter__(self) -> Self:
        session = self._database.session(write=self._write)
        self._session = session
        dialect = self._database.dialect
        self.users = UserRepository(session)
        self.links = LinkRepository(session, dialect=dialect)
        self.bookings = BookingRepository(session, dialect=dialect)
        self.integrations = IntegrationRepository(session, dialect=dialect)
        self.outbox = OutboxRepository(session, dialect=dialect)
        self.teams = TeamRepository(session)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # close() rolls back anything uncommitted without expiring loaded objects, so values read
        # in the unit stay readable after it ends.
        await self.session.close()
        self._session = None

    async def commit(self) -> None:
        await self.session.commit()

    async def rollback(self) -> None:
        await self.session.rollback()


class UnitOfWorkFactory:
    """What services receive: ``uow(write=True)`` opens a write-locked unit on SQLite."""

    def __init__(self, database: Database) -> None:
        self.database = database

    def __call__(self, *, write: bool = False) -> UnitOfWork:
        return UnitOfWork(self.database, write=write)
