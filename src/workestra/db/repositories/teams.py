"""Teams and their members (invitations included)."""

from datetime import datetime
from typing import Any

from sqlalchemy import Select, delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from workestra.db.models import BookingLink, LinkMember, Team, TeamMember
from workestra.enums import MemberStatus, TeamRole


def administered_by(user_id: str) -> Select[Any]:
    """The ids of the teams this user is an active admin of (a subquery)."""
    return select(TeamMember.team_id).where(
        TeamMember.user_id == user_id,
        TeamMember.role == TeamRole.ADMIN.value,
        TeamMember.status == MemberStatus.ACTIVE.value,
    )


class TeamRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    def add(self, team: Team) -> None:
        self._session.add(team)

    async def flush(self) -> None:
        await self._session.flush()

    async def insert(self, row: Team | TeamMember) -> bool:
        """Add and flush in a savepoint; False when a unique constraint refused it (a team's slug,
        or an address already in the team, taken by a concurrent request)."""
        self._session.add(row)
        try:
            async with self._session.begin_nested():
                await self._session.flush()
        except IntegrityError:
            return False
        return True

    async def reload_members(self, team: Team) -> None:
        """Read the team's member list again (after rows were added beside the collection)."""
        await self._session.flush()
        await self._session.refresh(team, attribute_names=["members"])

    async def get(self, team_id: str) -> Team | None:
        return await self._session.get(Team, team_id)

    async def slug_taken(self, slug: str) -> bool:
        return (await self._session.scalars(select(Team.id).where(Team.slug == slug))).first() is not None

    async def membership(self, team_id: str, user_id: str) -> TeamMember | None:
        """This user's active membership of the team, if any."""
        return (
            await self._session.scalars(
                select(TeamMember).where(
                    TeamMember.team_id == team_id,
                    TeamMember.user_id == user_id,
                    TeamMember.status == MemberStatus.ACTIVE.value,
                )
            )
        ).first()

    async def active_members(self, team_id: str) -> list[TeamMember]:
        result = await self._session.scalars(
            select(TeamMember)
            .where(TeamMember.team_id == team_id, TeamMember.status == MemberStatus.ACTIVE.value)
            .order_by(TeamMember.invited_at, TeamMember.email)
        )
        return list(result)

    async def invitation_for(self, team_id: str, email: str) -> TeamMember | None:
        """The row for this address in the team (invited or active)."""
        return (
            await self._session.scalars(
                select(TeamMember).where(TeamMember.team_id == team_id, TeamMember.email == email)
            )
        ).first()

    async def teams_of(self, user_id: str, email: str) -> list[tuple[TeamMember, Team]]:
        """Teams this user belongs to, and invitations waiting under their address."""
        rows = await self._session.execute(
            select(TeamMember, Team)
            .join(Team, Team.id == TeamMember.team_id)
            .where((TeamMember.user_id == user_id) | (TeamMember.email == email))
            .order_by(Team.name, Team.id)
        )
        return [(row[0], row[1]) for row in rows]

    async def drop_from_pools(self, team_id: str, user_id: str) -> None:
        """Take the user out of every pool of the team's links (deleted links included)."""
        links = select(BookingLink.id).where(BookingLink.team_id == team_id)
        await self._session.execute(
            delete(LinkMember).where(LinkMember.user_id == user_id, LinkMember.link_id.in_(links))
        )

    async def join_listed_places(self, team_id: str, user_id: str, email: str, *, at: datetime) -> None:
        """Places listed for this address on the team's links before teams existed join the pool."""
        links = select(BookingLink.id).where(BookingLink.team_id == team_id)
        rows = await self._session.scalars(
            select(LinkMember).where(LinkMember.link_id.in_(links), LinkMember.email == email)
        )
        for member in rows:
            member.user_id = user_id
            if member.accepted_at is None:
                member.accepted_at = at

    async def member_by_id(self, member_id: str) -> TeamMember | None:
        return await self._session.get(TeamMember, member_id)

    async def by_invite_digest(self, token_digest: str) -> TeamMember | None:
        """The invitation whose emailed link's secret has this SHA-256 digest (still open)."""
        return (
            await self._session.scalars(
                select(TeamMember).where(
                    TeamMember.invite_token_digest == token_digest,
                    TeamMember.status == MemberStatus.INVITED.value,
                )
            )
        ).first()

    async def is_admin(self, team_id: str, user_id: str) -> bool:
        found = await self._session.scalar(administered_by(user_id).where(TeamMember.team_id == team_id))
        return found is not None

    async def admin_count(self, team_id: str) -> int:
        count = await self._session.scalar(
            select(func.count())
            .select_from(TeamMember)
            .where(
                TeamMember.team_id == team_id,
                TeamMember.role == TeamRole.ADMIN.value,
                TeamMember.status == MemberStatus.ACTIVE.value,
            )
        )
        return int(count or 0)

    async def pools_of(self, user_id: str) -> list[tuple[BookingLink, Team]]:
        """The live team links whose pool this user is in (accepted places), with their team."""
        rows = await self._session.execute(
            select(BookingLink, Team)
            .join(LinkMember, LinkMember.link_id == BookingLink.id)
            .join(Team, Team.id == BookingLink.team_id)
            .where(
                LinkMember.user_id == user_id,
                LinkMember.accepted_at.is_not(None),
                BookingLink.deleted_at.is_(None),
            )
            .order_by(Team.name, BookingLink.title, BookingLink.id)
        )
        return [(row[0], row[1]) for row in rows]
