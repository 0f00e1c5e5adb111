"""Host endpoints for bookings (Bearer API key)."""

from datetime import UTC

from fastapi import APIRouter

from workestra.services.booking import BookingView, get_booking, list_bookings
from workestra.services.lifecycle import cancel_as_host
from workestra.web.api.schemas import AssignmentOut, BookingOut, HostCancelIn, HostOut, InviteeOut
from workestra.web.api.strict_json import ApiRoute
from workestra.web.deps import ApiHost, CtxDep

router = APIRouter(prefix="/bookings", tags=["bookings"], route_class=ApiRoute)


def to_out(view: BookingView) -> BookingOut:
    return BookingOut(
        id=view.id,
        status=view.status,
        start=view.starts_at.astimezone(UTC).isoformat(),
        end=view.ends_at.astimezone(UTC).isoformat(),
        host=HostOut(name=view.host_name, email=view.host_email),
        meeting_url=view.meeting_url,
        title=view.title,
        link_id=view.link_id,
        invitee=InviteeOut(name=view.invitee_name, email=view.invitee_email, timezone=view.invitee_timezone),
        calendar_provider=view.calendar_provider,
        calendar_status=view.calendar_status,
        calendar_event_id=view.calendar_event_id,
        calendar_problem=view.calendar_problem,
        cancelled_at=view.cancelled_at,
        cancelled_by=view.cancelled_by,
        cancel_reason=view.cancel_reason,
        assignment=None
        if view.assignment is None
        else AssignmentOut.model_validate(view.assignment.stored()),
    )


@router.get("", response_model=list[BookingOut])
async def list_all(ctx: CtxDep, host: ApiHost) -> list[BookingOut]:
    return [to_out(v) for v in await list_bookings(ctx, host)]


@router.get("/{booking_id}", response_model=BookingOut)
async def get_one(ctx: CtxDep, host: ApiHost, booking_id: str) -> BookingOut:
    return to_out(await get_booking(ctx, host, booking_id))


@router.post(
    "/{booking_id}/cancel",
    response_model=BookingOut,
    responses={404: {"description": "Not this host's booking"}, 409: {"description": "Already took place"}},
)
async def cancel(ctx: CtxDep, host: ApiHost, booking_id: str, body: HostCancelIn | None = None) -> BookingOut:
    """Cancel a booking; the invitee is told (with the reason, when given); again answers 200."""
    return to_out(await cancel_as_host(ctx, host, booking_id, reason=body.reason if body else None))
