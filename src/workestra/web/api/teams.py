"""Teams (Bearer API key): create, invite, accept, decline, leave, remove, change roles.

A team looks absent (404) to anyone who isn't an active member of it; only its admins invite,
remove and change roles (403 for other members). Removal names the member by email:
``DELETE /api/v1/teams/{id}/members/{email}`` (``me`` leaves). The only admin can't leave while other
active members remain (409): ``PATCH /api/v1/teams/{id}/members/{email}`` ``{"role": "admin"}``
makes another member an admin first.
"""

from fastapi import APIRouter, Response

from workestra.services import teams
from workestra.web.api.strict_json import ApiRoute
from workestra.web.api.team_schemas import (
    InviteIn,
    MemberResultOut,
    MyTeamsOut,
    RoleIn,
    TeamIn,
    TeamOut,
    my_teams_out,
    result_out,
    team_out,
)
from workestra.web.deps import ApiHost, CtxDep

router = APIRouter(prefix="/teams", tags=["teams"], route_class=ApiRoute)


@router.post("", response_model=TeamOut, status_code=201)
async def create(ctx: CtxDep, host: ApiHost, body: TeamIn) -> TeamOut:
    return team_out(await teams.create_team(ctx, host, slug=body.slug, name=body.name))


@router.get("", response_model=MyTeamsOut)
async def mine(ctx: CtxDep, host: ApiHost) -> MyTeamsOut:
    """The caller's teams and the invitations waiting under their address."""
    return my_teams_out(await teams.my_teams(ctx, host))


@router.get("/{team_id}", response_model=TeamOut)
async def get_one(ctx: CtxDep, host: ApiHost, team_id: str) -> TeamOut:
    return team_out(await teams.get_team(ctx, host, team_id))


@router.post("/{team_id}/members", response_model=MemberResultOut, status_code=201)
async def invite(ctx: CtxDep, host: ApiHost, team_id: str, body: InviteIn) -> MemberResultOut:
    """Invite an address (admins only): the same answer whether or not it has an account."""
    return result_out(await teams.invite(ctx, host, team_id, body.email))


@router.post("/{team_id}/accept", response_model=MemberResultOut)
async def accept(ctx: CtxDep, host: ApiHost, team_id: str) -> MemberResultOut:
    return result_out(await teams.accept(ctx, host, team_id))


@router.post("/{team_id}/decline", status_code=204)
async def decline(ctx: CtxDep, host: ApiHost, team_id: str) -> Response:
    await teams.decline(ctx, host, team_id)
    return Response(status_code=204)


@router.delete("/{team_id}/members/me", status_code=204)
async def leave(ctx: CtxDep, host: ApiHost, team_id: str) -> Response:
    """Leave the team (or decline its invitation): out of every pool of its links at once."""
    await teams.leave(ctx, host, team_id)
    return Response(status_code=204)


@router.delete("/{team_id}/members/{email}", status_code=204)
async def remove(ctx: CtxDep, host: ApiHost, team_id: str, email: str) -> Response:
    """Remove a member or withdraw an invitation (admins only), named by email."""
    await teams.remove_member(ctx, host, team_id, email)
    return Response(status_code=204)


@router.patch("/{team_id}/members/{email}", response_model=MemberResultOut)
async def set_role(ctx: CtxDep, host: ApiHost, team_id: str, email: str, body: RoleIn) -> MemberResultOut:
    return result_out(await teams.set_role(ctx, host, team_id, email, body.role))
