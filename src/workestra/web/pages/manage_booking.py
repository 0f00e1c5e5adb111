"""The invitee's private pages for one booking, opened from the confirmation page or email:
``/bookings/{id}/cancel?token=…`` and ``/bookings/{id}/reschedule?token=…``.

Opening a page (GET) changes nothing. The cancel page's form posts back to itself (CSRF-checked
like every form, rate-limited like the JSON API's change); the reschedule page is the link's own
booking page in a reschedule mode, whose script posts the new time to the public JSON API.
A wrong or stale token answers a plain 404 page, never an error trace.

Reached from the booking widget, the pages carry ``embed=1`` (``pages/embed.py``): framable like
the link's booking page, and their links stay in the frame. There the cancel form goes through
book.js to the JSON API (no cookie, so no form token, reaches a page framed by another site).
"""

from collections.abc import Callable, Coroutine
from typing import Annotated, Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import Response
from fastapi.routing import APIRoute

from workestra.enums import BookingStatus
from workestra.errors import InvalidInput, NotFound
from workestra.services.booking import BookingView
from workestra.services.booking_links import public_page
from workestra.services.context import ServiceContext
from workestra.services.lifecycle import MAX_REASON, TokenPurpose, cancel_as_invitee, invitee_booking
from workestra.services.rate_limits import spend_booking_change
from workestra.services.validation import check_timezone
from workestra.web.deps import ClientAddress, CsrfDep, CtxDep, public_page_view
from workestra.web.pages.embed import Embed, embed_mode, frame_booking_page
from workestra.web.pages.rendering import render, see_other


class PrivatePage(APIRoute):
    """A page whose address carries the invitee's token: no browser or proxy keeps a copy."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def private(request: Request) -> Response:
            response = await handler(request)
            response.headers["Cache-Control"] = "no-store"
            return response

        return private


router = APIRouter(prefix="/bookings", tags=["pages"], route_class=PrivatePage)

# Any text is accepted here, so a mangled link is the 404 page rather than a validation error.
Token = Annotated[str, Query()]


def _wrong_link(request: Request, exc: NotFound) -> Response:
    return render(request, "book/link_invalid.html", {"message": exc.message}, status_code=404)


def _cancel_url(booking_id: str, token: str, embed: Embed | None) -> str:
    url = f"/bookings/{quote(booking_id, safe='')}/cancel?token={quote(token, safe='')}"
    return embed.link(url) if embed else url


async def _page_context(request: Request, ctx: ServiceContext, view: BookingView) -> dict[str, Any]:
    """The booking, the zone the invitee booked in (its times are shown there), and the embed view
    (then the page is framable like the booking's link)."""
    try:
        zone = check_timezone(view.invitee_timezone)
    except InvalidInput:
        zone = ZoneInfo("UTC")
    embed = embed_mode(request)
    if embed:
        await frame_booking_page(request, ctx, view.link_id)
    return {"booking": view, "zone": zone, "embed": embed}


async def _link_open(ctx: ServiceContext, view: BookingView) -> bool:
    """Whether the booking's page still takes bookings (it may have been deleted since)."""
    try:
        await public_page(ctx, view.link_slug)
    except NotFound:
        return False
    return True


@router.get("/{booking_id}/cancel", dependencies=[Depends(public_page_view)])
async def cancel_page(request: Request, ctx: CtxDep, booking_id: str, token: Token = "") -> Response:
    try:
        view = await invitee_booking(ctx, booking_id, token=token, purpose=TokenPurpose.CANCEL)
    except NotFound as exc:
        return _wrong_link(request, exc)
    context = {
        **await _page_context(request, ctx, view),
        "token": token,
        "max_reason": MAX_REASON,
        "error": None,
    }
    if view.status is BookingStatus.CANCELLED:
        context["can_book"] = await _link_open(ctx, view)
    return render(request, "book/cancel.html", context)


@router.post("/{booking_id}/cancel")
async def cancel(
    request: Request,
    ctx: CtxDep,
    _csrf: CsrfDep,
    client: ClientAddress,
    booking_id: str,
    token: Annotated[str, Form()] = "",
    reason: Annotated[str, Form(max_length=MAX_REASON * 2)] = "",
) -> Response:
    await spend_booking_change(ctx, client=client)
    try:
        await cancel_as_invitee(ctx, booking_id, token=token, reason=reason)
    except NotFound as exc:
        return _wrong_link(request, exc)
    except InvalidInput as exc:  # a reason that isn't plain text: the form again, with the message
        try:
            view = await invitee_booking(ctx, booking_id, token=token, purpose=TokenPurpose.CANCEL)
        except NotFound as gone:
            return _wrong_link(request, gone)
        context = {
            **await _page_context(request, ctx, view),
            "token": token,
            "max_reason": MAX_REASON,
            "error": exc.message,
        }
        return render(request, "book/cancel.html", context, status_code=422)
    # Post/redirect/get: the page now says the booking is cancelled, and a reload posts nothing.
    return see_other(_cancel_url(booking_id, token, embed_mode(request)))


@router.get("/{booking_id}/reschedule", dependencies=[Depends(public_page_view)])
async def reschedule_page(request: Request, ctx: CtxDep, booking_id: str, token: Token = "") -> Response:
    try:
        view = await invitee_booking(ctx, booking_id, token=token, purpose=TokenPurpose.RESCHEDULE)
    except NotFound as exc:
        return _wrong_link(request, exc)
    context = await _page_context(request, ctx, view)
    if view.status is BookingStatus.CANCELLED:
        message = "This booking was cancelled, so it can't be moved."
        can_book = await _link_open(ctx, view)
        return render(request, "book/cannot_move.html", {**context, "message": message, "can_book": can_book})
    try:
        link, host_name = await public_page(ctx, view.link_slug)
    except NotFound:
        message = (
            f"This booking page no longer exists, so the booking can't be moved. Contact {view.host_name}."
        )
        return render(request, "book/cannot_move.html", {**context, "message": message, "can_book": False})
    reschedule = {"id": view.id, "token": token, "booking": view}
    return render(
        request,
        "book/page.html",
        {**context, "link": link, "host_name": host_name, "reschedule": reschedule},
    )
