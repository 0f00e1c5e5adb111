"""Round-robin pools from the member's side: the places a host was listed in, and their answer.

Being listed puts nobody in a pool: the member says yes here (their calendar then decides their
availability on that link and receives its bookings) or no, and may change their mind either way.
A no keeps the place listed (out of the pool), so the host's list never changes with an answer and
a no isn't asked again when the host saves the link.
"""

from dataclasses import dataclass

from workestra.errors import NotFound
from workestra.services.context import ServiceContext
from workestra.services.users import Host


@dataclass(frozen=True, slots=True)
class PoolPlace:
    member_id: str
    link_title: str
    owner_name: str
    owner_email: str
    joined: bool
    declined: bool


async def pool_places(ctx: ServiceContext, host: Host) -> list[PoolPlace]:
    """Where other hosts listed ``host``: waiting for an answer, or joined."""
    async with ctx.uow() as uow:
        places = await uow.links.memberships_of(host.id)
        owners = {u.id: u for u in await uow.users.by_ids(list({link.owner_id for _, link in places}))}
    return [
        PoolPlace(
            member_id=member.id,
            link_title=link.title,
            owner_name=owners[link.owner_id].name,
            owner_email=owners[link.owner_id].email,
            joined=member.accepted_at is not None,
            declined=member.declined_at is not None,
        )
        for member, link in places
        if link.owner_id in owners
    ]


async def join_pool(ctx: ServiceContext, host: Host, member_id: str) -> None:
    """Say yes to a place: from now on this host's calendar counts on that link."""
    async with ctx.uow(write=True) as uow:
        member = await uow.links.member(member_id)
        if member is None or member.user_id != host.id:
            raise NotFound("No such invitation.")  # somebody else's place looks absent
        if member.accepted_at is None:
            member.accepted_at = ctx.clock.now()
        member.declined_at = None
        await uow.commit()


async def leave_pool(ctx: ServiceContext, host: Host, member_id: str) -> None:
    """Say no, or leave: from now on this host is never offered or booked on that link."""
    async with ctx.uow(write=True) as uow:
        member = await uow.links.member(member_id)
        if member is None or member.user_id != host.id:
            raise NotFound("No such invitation.")
        member.accepted_at = None
        if member.declined_at is None:
            member.declined_at = ctx.clock.now()
        await uow.commit()
