"""Settings pages: booking links (list, create, edit) and connected accounts."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from workestra.errors import Conflict, InvalidInput
from workestra.services.booking_links import (
    WEEKDAYS,
    LinkView,
    create_link,
    delete_link,
    get_link,
    list_links,
    update_link,
)
from workestra.services.connections import list_connections
from workestra.services.context import ServiceContext
from workestra.services.link_health import link_warnings
from workestra.services.teams import my_teams
from workestra.services.users import Host
from workestra.services.validation import offered_timezones
from workestra.web.deps import CsrfDep, CtxDep, CurrentHost
from workestra.web.errors import STATUS
from workestra.web.pages.link_form import (
    MEASURES,
    PRIORITY_CHOICES,
    PROVIDER_CHOICES,
    LinkFormValues,
    blank_values,
    error_summary,
    field_errors,
    pool_anchor,
    team_choices,
    to_input,
    values_from_form,
    values_from_view,
)
from workestra.web.pages.rendering import flash, render, see_other

router = APIRouter(prefix="/settings", tags=["pages"])

LINKS = "/settings/booking-links"
PROVIDER_LABELS = dict(PROVIDER_CHOICES)


async def _form_page(
    request: Request,
    ctx: ServiceContext,
    host: Host,
    values: LinkFormValues,
    *,
    link_id: str | None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    teams = await team_choices(ctx, host, values)
    context: dict[str, Any] = {
        "values": values,
        "link_id": link_id,
        "weekdays": WEEKDAYS,
        "timezones": offered_timezones(),
        "providers": PROVIDER_CHOICES,
        "measures": MEASURES,
        "teams": teams,
        "priorities": PRIORITY_CHOICES,
        "field_errors": errors or {},
        "error_summary": error_summary(errors or {}, pool_anchor(values, teams)),
    }
    return render(request, "settings/link_form.html", context, host=host, status_code=status_code)


async def _refused(
    request: Request,
    ctx: ServiceContext,
    host: Host,
    values: LinkFormValues,
    exc: InvalidInput | Conflict,
    *,
    link_id: str | None,
) -> Response:
    """The form again, as typed, with each problem beside its field."""
    errors = await field_errors(ctx, values, exc)
    return await _form_page(
        request, ctx, host, values, link_id=link_id, errors=errors, status_code=STATUS[exc.code]
    )


async def _flash_saved(request: Request, ctx: ServiceContext, host: Host, view: LinkView, saved: str) -> None:
    """Saved, and what stops the link from working (told now, not by the first invitee)."""
    warnings = (await link_warnings(ctx, host, [view]))[view.id]
    if warnings:
        flash(request, " ".join([saved, "But:", *warnings]), "error")
    else:
        flash(request, saved)


@router.get("/booking-links")
async def booking_links(request: Request, ctx: CtxDep, host: CurrentHost) -> Response:
    links = await list_links(ctx, host)
    teamed = any(link.team_id for link in links)
    team_names = {t.id: t.name for t in (await my_teams(ctx, host)).teams} if teamed else {}
    context = {
        "links": links,
        "team_names": team_names,
        "warnings": await link_warnings(ctx, host, links),
        "provider_labels": PROVIDER_LABELS,
        "base_url": ctx.base_url,
    }
    return render(request, "settings/links.html", context, host=host)


@router.get("/booking-links/new")
async def new_link(request: Request, ctx: CtxDep, host: CurrentHost) -> Response:
    return await _form_page(request, ctx, host, blank_values(host), link_id=None)


@router.post("/booking-links")
async def create(request: Request, ctx: CtxDep, host: CurrentHost, _csrf: CsrfDep) -> Response:
    values = values_from_form(await request.form(), new=True)
    try:
        view = await create_link(ctx, host, to_input(values))
    except (InvalidInput, Conflict) as exc:
        return await _refused(request, ctx, host, values, exc, link_id=None)
    await _flash_saved(
        request, ctx, host, view, f"Created “{view.title}”. Its booking page is /book/{view.slug}."
    )
    return see_other(LINKS)


@router.get("/booking-links/{link_id}")
async def edit_link(request: Request, ctx: CtxDep, host: CurrentHost, link_id: str) -> Response:
    view = await get_link(ctx, host, link_id)
    return await _form_page(request, ctx, host, values_from_view(view), link_id=view.id)


@router.post("/booking-links/{link_id}")
async def update(request: Request, ctx: CtxDep, host: CurrentHost, _csrf: CsrfDep, link_id: str) -> Response:
    current = await get_link(ctx, host, link_id)
    values = values_from_form(await request.form(), current=current)
    try:
        view = await update_link(ctx, host, link_id, to_input(values))
    except (InvalidInput, Conflict) as exc:
        return await _refused(request, ctx, host, values, exc, link_id=link_id)
    await _flash_saved(request, ctx, host, view, f"Saved “{view.title}”.")
    return see_other(LINKS)


@router.post("/booking-links/{link_id}/delete")
async def delete(request: Request, ctx: CtxDep, host: CurrentHost, _csrf: CsrfDep, link_id: str) -> Response:
    await delete_link(ctx, host, link_id)
    flash(request, "Booking link deleted.")
    return see_other(LINKS)


@router.get("/connected-accounts")
async def connected_accounts(request: Request, ctx: CtxDep, host: CurrentHost) -> Response:
    views = await list_connections(ctx, host)
    return render(request, "settings/connected_accounts.html", {"views": views}, host=host)
