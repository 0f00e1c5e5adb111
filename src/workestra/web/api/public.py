"""Public endpoints used by booking pages and embeds: slots, bookings, and the invitee's changes."""

from datetime import date, datetime
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from workestra.enums import BookingStatus
from workestra.scheduling import Interval
from workestra.services.availability import list_slots
from workestra.services.booking import BookingView, book
from workestra.services.context import ServiceContext
from workestra.services.invitee_links import manage_links
from workestra.services.lifecycle import cancel_as_invitee, moving_booking, reschedule
from workestra.services.rate_limits import booking_budget, spend_booking_change, spend_slot_read
from workestra.web.api.schemas import BookingIn, CancelIn, HostOut, PublicBookingOut, RescheduleIn, SlotsOut
from workestra.web.api.strict_json import ApiRoute
from workestra.web.deps import ClientAddress, CtxDep

router = APIRouter(prefix="/public", tags=["public"], route_class=ApiRoute)


def public_booking_out(ctx: ServiceContext, view: BookingView, tz: ZoneInfo) -> PublicBookingOut:
    links = manage_links(ctx, view.id) if view.manageable and view.status is BookingStatus.CONFIRMED else None
    return PublicBookingOut(
        id=view.id,
        status=view.status,
        start=view.starts_at.astimezone(tz).isoformat(),
        end=view.ends_at.astimezone(tz).isoformat(),
        host=HostOut(name=view.host_name, email=view.host_email),
        meeting_url=view.meeting_url,
        cancel_url=links.cancel_url if links else None,
        reschedule_url=links.reschedule_url if links else None,
    )


@router.get(
    "/links/{slug}/slots",
    response_model=SlotsOut,
    responses={429: {"description": "Too many requests from this client; see Retry-After"}},
)
async def get_slots(
    ctx: CtxDep,
    client: ClientAddress,
    slug: str,
    start: Annotated[date, Query(description="First calendar day, in `timezone`")],
    end: Annotated[date, Query(description="Last calendar day (included), in `timezone`")],
    timezone: Annotated[str, Query(max_length=200)] = "UTC",
    reschedule: Annotated[
        str | None, Query(max_length=64, description="A booking being moved (with its `token`)")
    ] = None,
    token: Annotated[str | None, Query(max_length=200, description="The invitee's reschedule token")] = None,
) -> JSONResponse:
    """With ``reschedule`` and its ``token``, the booking's own time doesn't count against it."""
    await spend_slot_read(ctx, client=client)
    moving = await moving_booking(ctx, reschedule, token=token or "") if reschedule else None
    result = await list_slots(ctx, slug, first_day=start, last_day=end, timezone=timezone, moving=moving)
    # The shape of SlotsOut (the documented response_model), built as plain JSON: a month of slots
    # is thousands of items, and a model per item was a tenth of this request's time.
    return JSONResponse(
        {"timezone": result.timezone.key, "slots": _slots_json(result.slots, result.timezone)}
    )


def _slots_json(slots: list[Interval], tz: ZoneInfo) -> list[dict[str, str]]:
    """Each slot's start and end in ``tz``, ISO 8601. Back-to-back slots share a boundary, which is
    formatted once (formatting a zoned time was most of this list's cost)."""
    items = []
    previous_end: datetime | None = None
    previous_text = ""
    for slot in slots:
        start = previous_text if slot.start == previous_end else slot.start.astimezone(tz).isoformat()
        previous_end, previous_text = slot.end, slot.end.astimezone(tz).isoformat()
        items.append({"start": start, "end": previous_text})
    return items


@router.post(
    "/links/{slug}/bookings",
    response_model=PublicBookingOut,
    status_code=201,
    responses={
        409: {"description": "The slot is no longer free"},
        404: {"description": "Unknown slug"},
        422: {"description": "Invalid input"},
        429: {"description": "Too many bookings from this client or for this email; see Retry-After"},
        503: {"description": "Calendar unreadable"},
    },
)
async def create_booking(ctx: CtxDep, client: ClientAddress, slug: str, body: BookingIn) -> PublicBookingOut:
    async with booking_budget(ctx, client=client, email=body.email):
        view = await book(
            ctx, slug, start=body.start, name=body.name, email=body.email, timezone=body.timezone
        )
    return public_booking_out(ctx, view, ZoneInfo(view.invitee_timezone))


CHANGE_RESPONSES: dict[int | str, dict[str, object]] = {
    404: {"description": "Unknown booking, wrong token, or the meeting has passed"},
    422: {"description": "Invalid input"},
    429: {"description": "Too many changes from this client; see Retry-After"},
}


@router.post("/bookings/{booking_id}/cancel", response_model=PublicBookingOut, responses=CHANGE_RESPONSES)
async def cancel_booking(
    ctx: CtxDep, client: ClientAddress, booking_id: str, body: CancelIn
) -> PublicBookingOut:
    """The invitee cancels with their token; again answers 200 with the booking unchanged."""
    await spend_booking_change(ctx, client=client)
    view = await cancel_as_invitee(ctx, booking_id, token=body.token, reason=body.reason)
    return public_booking_out(ctx, view, ZoneInfo(view.invitee_timezone))


@router.post(
    "/bookings/{booking_id}/reschedule",
    response_model=PublicBookingOut,
    responses={
        **CHANGE_RESPONSES,
        409: {"description": "The new slot is not free, or the booking is cancelled"},
        503: {"description": "Calendar unreadable"},
    },
)
async def reschedule_booking(
    ctx: CtxDep, client: ClientAddress, booking_id: str, body: RescheduleIn
) -> PublicBookingOut:
    """The invitee moves the booking (same id, same duration) with their token."""
    await spend_booking_change(ctx, client=client)
    view = await reschedule(ctx, booking_id, token=body.token, start=body.start, timezone=body.timezone)
    return public_booking_out(ctx, view, ZoneInfo(view.invitee_timezone))
