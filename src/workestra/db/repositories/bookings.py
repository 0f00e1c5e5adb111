"""Bookings, with the overlap guard that makes a double booking impossible.

PostgreSQL: a per-host transaction advisory lock serialises the check-and-insert (so buffers are
exact), and the exclusion constraint ``ex_bookings_no_overlap`` is the by-construction backstop.
SQLite: the unit of work is ``BEGIN IMMEDIATE``, so the check and the insert hold the write lock.
"""

from collections.abc import Collection, Iterable
from datetime import datetime, timedelta
from typing import NamedTuple

from sqlalchemy import bindparam, func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from workestra.db.base import UTCDateTime
from workestra.db.models import Booking, BookingLink
from workestra.db.repositories.teams import administered_by
from workestra.enums import BookingStatus
from workestra.scheduling import MAX_BUFFER_MINUTES

# Built once (every slots request runs it): live bookings of some hosts near a window, with the
# buffers of each booking's own link.
_BUSY = (
    select(
        Booking.host_id,
        Booking.starts_at,
        Booking.ends_at,
        BookingLink.buffer_before_minutes,
        BookingLink.buffer_after_minutes,
        Booking.link_id,
    )
    .join(BookingLink, BookingLink.id == Booking.link_id)
    .where(
        Booking.host_id.in_(bindparam("host_ids", expanding=True)),
        Booking.status == BookingStatus.CONFIRMED,
        Booking.starts_at < bindparam("before", type_=UTCDateTime()),
        Booking.ends_at > bindparam("after", type_=UTCDateTime()),
    )
)


class BusyRecord(NamedTuple):
    """A live booking as availability reads it: its host, its own time, its link's buffers, and
    that link (daily limits count a rep's bookings of one link)."""

    host_id: str
    starts_at: datetime
    ends_at: datetime
    buffer_before_minutes: int
    buffer_after_minutes: int
    link_id: str


def busy_in(
    bookings: Iterable[BusyRecord], host_ids: Collection[str], starts_at: datetime, ends_at: datetime
) -> list[tuple[str, datetime, datetime]]:
    """Time these hosts' bookings take that overlaps [starts_at, ends_at), each widened by its own
    link's buffers (``bookings`` must hold every live booking of the hosts within
    ``MAX_BUFFER_MINUTES`` of that span)."""
    taken = []
    for host_id, start, end, before, after, _link in bookings:
        if host_id not in host_ids:
            continue
        start, end = start - timedelta(minutes=before), end + timedelta(minutes=after)
        if start < ends_at and end > starts_at:
            taken.append((host_id, start, end))
    return taken


class OverlapViolation(Exception):
    """The database refused a booking that overlaps a live one of the same host."""


class BookingRepository:
    def __init__(self, session: AsyncSession, *, dialect: str) -> None:
        self._session = session
        self._dialect = dialect

    async def lock_host(self, host_id: str) -> None:
        """Serialise booking writes for one host until the transaction ends."""
        if self._dialect == "postgresql":
            await self._session.execute(
                text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"),
                {"key": f"booking-host:{host_id}"},
            )

    async def busy(
        self, host_ids: list[str], starts_at: datetime, ends_at: datetime, *, excluding: str | None = None
    ) -> list[tuple[str, datetime, datetime]]:
        """Time taken by these hosts' live bookings that overlaps [starts_at, ends_at).

        Each booking takes its own time widened by its link's buffers (``buffer_before_minutes``
        before it, ``buffer_after_minutes`` after it), whichever link a new booking is for and
        whichever came first. ``excluding``: a booking being moved, whose old time doesn't count.
        """
        reach = timedelta(minutes=MAX_BUFFER_MINUTES)
        query = _BUSY if excluding is None else _BUSY.where(Booking.id != excluding)
        rows = await self._session.execute(
            query, {"host_ids": host_ids, "before": ends_at + reach, "after": starts_at - reach}
        )
        return busy_in((BusyRecord(*row) for row in rows), set(host_ids), starts_at, ends_at)

    async def insert(self, booking: Booking) -> None:
        """Insert and flush; raises OverlapViolation when the exclusion constraint refuses it."""
        self._session.add(booking)
        try:
            async with self._session.begin_nested():
                await self._session.flush()
        except IntegrityError as exc:
            if "ex_bookings_no_overlap" in str(exc.orig):
                raise OverlapViolation(str(booking.id)) from exc
            raise

    async def get(self, booking_id: str, *, for_update: bool = False) -> Booking | None:
        """The booking; ``for_update`` locks its row until the transaction ends (PostgreSQL; the
        SQLite write transaction already holds the lock)."""
        return await self._session.get(Booking, booking_id, with_for_update=for_update or None)

    async def save(self, booking: Booking) -> None:
        """Flush a changed booking; raises OverlapViolation when its new time is refused."""
        try:
            async with self._session.begin_nested():
                await self._session.flush()
        except IntegrityError as exc:
            if "ex_bookings_no_overlap" in str(exc.orig):
                raise OverlapViolation(str(booking.id)) from exc
            raise

    async def for_host(
        self, host_id: str, *, now: datetime, upcoming: bool, limit: int
    ) -> list[tuple[Booking, BookingLink]]:
        """The host's bookings (as host, on the host's links, or on links of teams the host is an
        admin of): upcoming soonest first, or past most recent first."""
        query = (
            select(Booking, BookingLink)
            .join(BookingLink, BookingLink.id == Booking.link_id)
            .where(
                (Booking.host_id == host_id)
                | (BookingLink.owner_id == host_id)
                | BookingLink.team_id.in_(administered_by(host_id))
            )
            .where(Booking.ends_at > now if upcoming else Booking.ends_at <= now)
            .order_by(Booking.starts_at if upcoming else Booking.starts_at.desc())
            .limit(limit)
        )
        rows = await self._session.execute(query)
        return [(row[0], row[1]) for row in rows]

    async def starts_on_link(
        self,
        link_id: str,
        host_ids: list[str],
        starts_at: datetime,
        ends_at: datetime,
        *,
        excluding: str | None = None,
    ) -> list[tuple[str, datetime]]:
        """(host, start) of the link's live bookings starting in [starts_at, ends_at): what a
        rep's daily limit counts. ``excluding``: a booking being moved."""
        query = select(Booking.host_id, Booking.starts_at).where(
            Booking.link_id == link_id,
            Booking.host_id.in_(host_ids),
            Booking.status == BookingStatus.CONFIRMED,
            Booking.starts_at >= starts_at,
            Booking.starts_at < ends_at,
        )
        if excluding is not None:
            query = query.where(Booking.id != excluding)
        rows = await self._session.execute(query)
        return [(row[0], row[1]) for row in rows]

    async def count_for_link(self, link_id: str) -> int:
        result = await self._session.scalar(
            select(func.count()).select_from(Booking).where(Booking.link_id == link_id)
        )
        return int(result or 0)
