"""Teams for tests, through the real use cases: an admin's team whose members have accepted."""

from tests.support.builders import unique
from workestra.db.models import LinkMember
from workestra.services.context import ServiceContext
from workestra.services.teams import TeamView, accept, create_team, get_team, invite
from workestra.services.users import Host


async def make_team(
    ctx: ServiceContext, admin: Host, members: list[Host] | None = None, *, name: str = "Sales"
) -> TeamView:
    """A team with ``admin`` as its admin and each of ``members`` invited and accepted (active)."""
    team = await create_team(ctx, admin, slug=unique("team"), name=name)
    for member in members or []:
        await invite(ctx, admin, team.id, member.email)
        await accept(ctx, member, team.id)
    return await get_team(ctx, admin, team.id)


async def team_link_pool(ctx: ServiceContext, link_id: str, team_id: str, members: list[Host]) -> None:
    """Make the link the team's with ``members`` in its pool: the rows written directly, as the
    round-robin link service would after each member accepted the team's invitation."""
    async with ctx.uow(write=True) as uow:
        link = await uow.links.get(link_id)
        assert link is not None
        link.team_id = team_id
        now = ctx.clock.now()
        for position, member in enumerate(members):
            uow.session.add(
                LinkMember(
                    link_id=link_id, email=member.email, user_id=member.id, position=position, accepted_at=now
                )
            )
        await uow.commit()
