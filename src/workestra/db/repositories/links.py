"""Booking links with their weekly hours and round-robin members."""

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from workestra.db.models import BookingLink, LinkMember


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

    async def by_slug(self, slug: str) -> BookingLink | None:
        result = await self._session.scalars(
            select(BookingLink).where(BookingLink.slug == slug, BookingLink.deleted_at.is_(None))
        )
        return result.first()

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

    async def remove_member(self, member: LinkMember) -> None:
        await self._session.delete(member)
