"""Booking links with their weekly hours and round-robin members."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from workestra.db.models import BookingLink, LinkMember, WeeklyHours


@dataclass(frozen=True, slots=True)
class HoursRecord:
    weekday: int
    start_minute: int
    end_minute: int


@dataclass(frozen=True, slots=True)
class MemberRecord:
    email: str
    user_id: str | None
    accepted_at: datetime | None
    last_assigned_at: datetime | None


@dataclass(frozen=True, slots=True)
class LinkRecord:
    """A live link as public pages read it: plain rows, no ORM objects (the hot path of every
    booking page), with the attribute names of ``BookingLink``."""

    id: str
    owner_id: str
    slug: str
    title: str
    description: str
    duration_minutes: int
    timezone: str
    calendar_provider: str
    auto_meeting_link: bool
    slot_interval_minutes: int
    buffer_before_minutes: int
    buffer_after_minutes: int
    minimum_notice_minutes: int
    booking_horizon_days: int
    hours: tuple[HoursRecord, ...]
    members: tuple[MemberRecord, ...]


_LINK = BookingLink.__table__.c
_HOURS = WeeklyHours.__table__.c
_MEMBERS = LinkMember.__table__.c
_LINK_FIELDS = [name for name in LinkRecord.__dataclass_fields__ if name not in {"hours", "members"}]
# Built once: every booking page runs them, so no statement is built (or its cache key made) per request.
_PUBLIC_LINK = select(*(_LINK[name] for name in _LINK_FIELDS)).where(
    _LINK.slug == bindparam("slug"), _LINK.deleted_at.is_(None)
)
_PUBLIC_HOURS = (
    select(_HOURS.weekday, _HOURS.start_minute, _HOURS.end_minute)
    .where(_HOURS.link_id == bindparam("link_id"))
    .order_by(_HOURS.weekday, _HOURS.start_minute)
)
_PUBLIC_MEMBERS = (
    select(_MEMBERS.email, _MEMBERS.user_id, _MEMBERS.accepted_at, _MEMBERS.last_assigned_at)
    .where(_MEMBERS.link_id == bindparam("link_id"))
    .order_by(_MEMBERS.position)
)


class LinkRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    def add(self, link: BookingLink) -> None:
        self._session.add(link)

    async def flush(self) -> None:
        await self._session.flush()

    async def get(self, link_id: str, *, include_deleted: bool = False) -> BookingLink | None:
        link = await self._session.get(BookingLink, link_id)
        return link if link is not None and (include_deleted or link.deleted_at is None) else None

    async def public_record(self, slug: str) -> LinkRecord | None:
        """The live link with this slug, its weekly hours and members, in three plain queries."""
        found = (await self._session.execute(_PUBLIC_LINK, {"slug": slug})).first()
        if found is None:
            return None
        hours = await self._session.execute(_PUBLIC_HOURS, {"link_id": found.id})
        members = await self._session.execute(_PUBLIC_MEMBERS, {"link_id": found.id})
        return LinkRecord(
            **found._asdict(),
            hours=tuple(HoursRecord(*row) for row in hours),
            members=tuple(MemberRecord(*row) for row in members),
        )

    async def for_owner(self, owner_id: str) -> list[BookingLink]:
        result = await self._session.scalars(
            select(BookingLink)
            .where(BookingLink.owner_id == owner_id, BookingLink.deleted_at.is_(None))
            .order_by(BookingLink.created_at)
        )
        return list(result)

    async def slug_taken(self, slug: str, *, except_id: str | None = None) -> bool:
        query = select(BookingLink.id).where(BookingLink.slug == slug, BookingLink.deleted_at.is_(None))
        if except_id is not None:
            query = query.where(BookingLink.id != except_id)
        return (await self._session.scalars(query)).first() is not None

    async def attach_member(self, email: str, user_id: str) -> None:
        """A new account takes up the round-robin places listed under its email."""
        await self._session.execute(
            update(LinkMember)
            .where(LinkMember.email == email, LinkMember.user_id.is_(None))
            .values(user_id=user_id)
        )

    async def memberships_of(self, user_id: str) -> list[tuple[LinkMember, BookingLink]]:
        """The places this user is listed in on other hosts' live round-robin links."""
        rows = await self._session.execute(
            select(LinkMember, BookingLink)
            .join(BookingLink, BookingLink.id == LinkMember.link_id)
            .where(
                LinkMember.user_id == user_id,
                BookingLink.owner_id != user_id,
                BookingLink.deleted_at.is_(None),
            )
            .order_by(BookingLink.created_at)
        )
        return [(row[0], row[1]) for row in rows]

    async def member(self, member_id: str) -> LinkMember | None:
        return await self._session.get(LinkMember, member_id)
