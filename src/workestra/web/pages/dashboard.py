"""The host's Calendar dashboard (bookings with Join buttons) and the site root."""

from fastapi import APIRouter, Request
from fastapi.responses import Response

from workestra.services.booking import list_bookings
from workestra.web.deps import CtxDep, CurrentHost
from workestra.web.pages.rendering import render, see_other

router = APIRouter(tags=["pages"])


@router.get("/")
async def home(request: Request) -> Response:
    return see_other("/calendar" if isinstance(request.session.get("uid"), str) else "/login")


@router.get("/calendar")
async def calendar(request: Request, ctx: CtxDep, host: CurrentHost) -> Response:
    bookings = await list_bookings(ctx, host)
    now = ctx.clock.now()
    upcoming = [b for b in bookings if b.ends_at > now]
    past = [b for b in bookings if b.ends_at <= now]
    return render(request, "calendar/index.html", {"upcoming": upcoming, "past": past}, host=host)
