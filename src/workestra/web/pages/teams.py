"""Teams pages: /settings/teams (my teams, invitations waiting for an answer, a new team),
/settings/teams/<id> (members; admins invite, remove and make admins; anyone leaves), and
/teams/invitations/<token>, the emailed invitation link (GET shows it and changes nothing; its form
POSTs the answer). An invitation link that isn't open for the signed-in account's address shows one
and the same page whether it exists or not."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from workestra.errors import Conflict, InvalidInput, NotFound, WorkestraError
from workestra.services import teams
from workestra.services.context import ServiceContext
from workestra.services.users import Host
from workestra.web.deps import CsrfDep, CtxDep, CurrentHost, public_page_view
from workestra.web.errors import STATUS
from workestra.web.pages.rendering import flash, render, see_other

router = APIRouter(tags=["pages"])

TEAMS = "/settings/teams"
EmailField = Annotated[str, Form(max_length=1000)]


def _team_path(team_id: str) -> str:
    return f"{TEAMS}/{team_id}"


async def _list_page(
    request: Request,
    ctx: ServiceContext,
    host: Host,
    *,
    error: InvalidInput | Conflict | None = None,
    values: dict[str, str] | None = None,
) -> Response:
    context: dict[str, Any] = {
        "mine": await teams.my_teams(ctx, host),
        "error": error.message if error else None,
        "field_errors": error.fields if error else {},
        "values": values or {"slug": "", "name": ""},
    }
    status_code = STATUS[error.code] if error else 200
    return render(request, "settings/teams.html", context, host=host, status_code=status_code)


async def _team_page(
    request: Request,
    ctx: ServiceContext,
    host: Host,
    team_id: str,
    *,
    error: InvalidInput | None = None,
    email: str = "",
) -> Response:
    context: dict[str, Any] = {
        "team": await teams.get_team(ctx, host, team_id),
        "error": error.message if error else None,
        "field_errors": error.fields if error else {},
        "email": email,
    }
    status_code = STATUS[error.code] if error else 200
    return render(request, "settings/team.html", context, host=host, status_code=status_code)


@router.get(TEAMS)
async def team_list(request: Request, ctx: CtxDep, host: CurrentHost) -> Response:
    return await _list_page(request, ctx, host)


@router.post(TEAMS)
async def create(
    request: Request,
    ctx: CtxDep,
    host: CurrentHost,
    _csrf: CsrfDep,
    slug: Annotated[str, Form(max_length=1000)] = "",
    name: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    try:
        team = await teams.create_team(ctx, host, slug=slug, name=name)
    except (InvalidInput, Conflict) as exc:
        fields = exc.fields or ({"slug": "already taken"} if isinstance(exc, Conflict) else {})
        shown = type(exc)(exc.message, fields=fields)
        return await _list_page(request, ctx, host, error=shown, values={"slug": slug, "name": name})
    flash(request, f"Created the team “{team.name}”. Invite its members below.")
    return see_other(_team_path(team.id))


@router.post(TEAMS + "/{team_id}/accept")
async def accept(request: Request, ctx: CtxDep, host: CurrentHost, _csrf: CsrfDep, team_id: str) -> Response:
    result = await teams.accept(ctx, host, team_id)
    flash(request, f"You joined “{result.team.name}”. Its round-robin links can now offer and book you.")
    return see_other(_team_path(result.team.id))


@router.post(TEAMS + "/{team_id}/decline")
async def decline(request: Request, ctx: CtxDep, host: CurrentHost, _csrf: CsrfDep, team_id: str) -> Response:
    await teams.decline(ctx, host, team_id)
    flash(request, "Invitation declined. You are in none of that team's round-robin links.")
    return see_other(TEAMS)


@router.get(TEAMS + "/{team_id}")
async def team_page(request: Request, ctx: CtxDep, host: CurrentHost, team_id: str) -> Response:
    return await _team_page(request, ctx, host, team_id)


@router.post(TEAMS + "/{team_id}/members")
async def invite(
    request: Request, ctx: CtxDep, host: CurrentHost, _csrf: CsrfDep, team_id: str, email: EmailField = ""
) -> Response:
    try:
        result = await teams.invite(ctx, host, team_id, email)
    except InvalidInput as exc:
        return await _team_page(request, ctx, host, team_id, error=exc, email=email)
    # The same words whether or not the address has an account (and whether it was invited before).
    flash(request, f"{result.member.email} is invited. They join once they accept on their own account.")
    return see_other(_team_path(team_id))


@router.post(TEAMS + "/{team_id}/members/remove")
async def remove(
    request: Request, ctx: CtxDep, host: CurrentHost, _csrf: CsrfDep, team_id: str, email: EmailField = ""
) -> Response:
    try:
        await teams.remove_member(ctx, host, team_id, email)
    except (Conflict, InvalidInput) as exc:
        flash(request, exc.message, "error")
        return see_other(_team_path(team_id))
    flash(request, f"{email} is no longer in the team, nor in any of its round-robin links.")
    return see_other(_team_path(team_id))


@router.post(TEAMS + "/{team_id}/members/role")
async def set_role(
    request: Request,
    ctx: CtxDep,
    host: CurrentHost,
    _csrf: CsrfDep,
    team_id: str,
    email: EmailField = "",
    role: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    try:
        result = await teams.set_role(ctx, host, team_id, email, role)
    except (Conflict, InvalidInput) as exc:
        flash(request, exc.message, "error")
        return see_other(_team_path(team_id))
    flash(request, f"{result.member.email} is now {'an admin' if role == 'admin' else 'a member'}.")
    return see_other(_team_path(team_id))


@router.post(TEAMS + "/{team_id}/leave")
async def leave(request: Request, ctx: CtxDep, host: CurrentHost, _csrf: CsrfDep, team_id: str) -> Response:
    try:
        await teams.leave(ctx, host, team_id)
    except Conflict as exc:
        flash(request, exc.message, "error")
        return see_other(_team_path(team_id))
    flash(request, "You left the team: none of its round-robin links will offer or book you.")
    return see_other(TEAMS)


def _not_yours(request: Request, host: Host, error: WorkestraError) -> Response:
    """One page for every invitation link that isn't open for this account (none is told apart)."""
    context = {"message": error.message}
    return render(request, "teams/invitation_closed.html", context, host=host, status_code=404)


@router.get("/teams/invitations/{token}", dependencies=[Depends(public_page_view)])
async def invitation(request: Request, ctx: CtxDep, host: CurrentHost, token: str) -> Response:
    try:
        view = await teams.invitation_by_token(ctx, host, token)
    except NotFound as exc:
        return _not_yours(request, host, exc)
    return render(request, "teams/invitation.html", {"invitation": view, "token": token}, host=host)


@router.post("/teams/invitations/{token}", dependencies=[Depends(public_page_view)])
async def accept_invitation(
    request: Request, ctx: CtxDep, host: CurrentHost, _csrf: CsrfDep, token: str
) -> Response:
    try:
        team = await teams.accept_by_token(ctx, host, token)
    except NotFound as exc:
        return _not_yours(request, host, exc)
    flash(request, f"You joined “{team.name}”. Its round-robin links can now offer and book you.")
    return see_other(_team_path(team.id))


@router.post("/teams/invitations/{token}/decline", dependencies=[Depends(public_page_view)])
async def decline_invitation(
    request: Request, ctx: CtxDep, host: CurrentHost, _csrf: CsrfDep, token: str
) -> Response:
    try:
        name = await teams.decline_by_token(ctx, host, token)
    except NotFound as exc:
        return _not_yours(request, host, exc)
    flash(request, f"You declined the invitation to “{name}”.")
    return see_other(TEAMS)
