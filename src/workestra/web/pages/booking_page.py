"""The public booking page (slots come from the JSON API through book.js) and the confirmation page;
with ``?embed=1`` each is the booking widget's view of itself (``pages/embed.py``)."""

from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response

from workestra.enums import BookingStatus, CalendarSyncStatus
from workestra.errors import InvalidInput, NotFound
from workestra.services.booking import BookingView, public_booking
from workestra.services.booking_links import public_page
from workestra.services.context import ServiceContext
from workestra.services.invitee_links import ManageLinks, manage_links
from workestra.services.notifications import emails_delivered
from workestra.services.validation import check_timezone
from workestra.web.deps import CtxDep, public_page_view
from workestra.web.pages.embed import embed_mode, frame_booking_page
from workestra.web.pages.rendering import render
from workestra.web.security_headers import allow_framing

router = APIRouter(prefix="/book", tags=["pages"], dependencies=[Depends(public_page_view)])


async def _booking(ctx: ServiceContext, slug: str, booking_id: str) -> BookingView:
    """The booking behind a confirmation URL; its link may have been deleted since (slugs stay)."""
    view = await public_booking(ctx, booking_id)
    if view.link_slug != slug:
        raise NotFound("No booking with that id.")
    return view


def _awaiting_link(view: BookingView) -> bool:
    """True while the provider may still add a meeting link (the page polls for it): the event is
    being made, or made with its link still to come (Google Meet); not once the host has been told
    there is none."""
    return (
        view.meeting_url is None
        and view.online_meeting_requested
        and view.status is BookingStatus.CONFIRMED
        and view.calendar_status in {CalendarSyncStatus.PENDING, CalendarSyncStatus.CREATED}
        and view.calendar_problem is None
    )


def _manage_links(ctx: ServiceContext, view: BookingView) -> ManageLinks | None:
    """The invitee's reschedule and cancel links, while they can still be used."""
    if not view.manageable or view.status is not BookingStatus.CONFIRMED or view.ends_at <= ctx.clock.now():
        return None
    return manage_links(ctx, view.id)


def _zone(value: str | None, fallback: str) -> ZoneInfo:
    try:
        return check_timezone(value or fallback)
    except InvalidInput:
        return ZoneInfo(fallback)


@router.get("/{slug}")
async def booking_page(request: Request, ctx: CtxDep, slug: str) -> Response:
    link, host_name = await public_page(ctx, slug)
    embed = embed_mode(request)
    if embed:
        allow_framing(request, link.embed_allowed_origins)
    return render(request, "book/page.html", {"link": link, "host_name": host_name, "embed": embed})


@router.get("/{slug}/confirmed/{booking_id}.json")
async def confirmation_status(ctx: CtxDep, slug: str, booking_id: str) -> JSONResponse:
    view = await _booking(ctx, slug, booking_id)
    return JSONResponse(
        {
            "meeting_url": view.meeting_url,
            "calendar_status": view.calendar_status.value,
            "awaiting_link": _awaiting_link(view),
        },
        headers={"Cache-Control": "no-store"},
    )


@router.get("/{slug}/confirmed/{booking_id}")
async def confirmation(
    request: Request,
    ctx: CtxDep,
    slug: str,
    booking_id: str,
    tz: Annotated[str | None, Query(max_length=64)] = None,
    moved: Annotated[str, Query(max_length=8)] = "",  # "1" after a reschedule (book.js)
) -> Response:
    view = await _booking(ctx, slug, booking_id)
    embed = embed_mode(request)
    if embed:
        await frame_booking_page(request, ctx, view.link_id)
    cancelled = view.status is BookingStatus.CANCELLED
    context: dict[str, Any] = {
        "embed": embed,
        "slug": slug,
        "booking": view,
        "zone": _zone(tz, view.invitee_timezone),
        "awaiting_link": not cancelled and _awaiting_link(view),
        "emails_delivered": emails_delivered(ctx),
        "manage": _manage_links(ctx, view),
        "moved": moved == "1" and not cancelled,
        "cancelled": cancelled,
    }
    page = render(request, "book/confirmed.html", context)
    page.headers["Cache-Control"] = "no-store"  # it shows the invitee's private links
    return page
