"""The host's Calendar dashboard (bookings with Join buttons, the host's cancel) and the site root."""

from dataclasses import dataclass
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from workestra.enums import BookingStatus
from workestra.errors import Conflict, InvalidInput
from workestra.services.assignment import AssignmentRecord, RepStatus
from workestra.services.booking import list_bookings
from workestra.services.lifecycle import MAX_REASON, cancel_as_host
from workestra.services.notifications import emails_delivered
from workestra.web.deps import CsrfDep, CtxDep, CurrentHost
from workestra.web.pages.rendering import flash, render, see_other

router = APIRouter(tags=["pages"])


@router.get("/")
async def home(request: Request) -> Response:
    return see_other("/calendar" if isinstance(request.session.get("uid"), str) else "/login")


_STATUS_WORDS = {
    RepStatus.CHOSEN: "got it",
    RepStatus.FREE: "free",
    RepStatus.BUSY: "busy",
    RepStatus.UNREADABLE: "calendar couldn't be read",
    RepStatus.BOOKED: "already booked then",
    RepStatus.DAILY_LIMIT: "had their bookings of this link that day",
    RepStatus.NOT_ASKED: "not asked: due after the rep who got it",
}


@dataclass(frozen=True, slots=True)
class AssignedRep:
    name: str
    words: str
    detail: str  # busy times, or why the calendar couldn't be read


def _assigned_reps(record: AssignmentRecord | None, tz: ZoneInfo) -> list[AssignedRep]:
    """Each rep's line under "Why … got this booking", in the host's words and time zone."""
    if record is None:
        return []
    lines = []
    for rep in record.reps:
        spans = [f"{b.start.astimezone(tz):%H:%M}–{b.end.astimezone(tz):%H:%M}" for b in rep.busy]
        detail = ", ".join(spans) or rep.why or ""
        lines.append(AssignedRep(rep.name or rep.email, _STATUS_WORDS[rep.status], detail))
    return lines


@router.get("/calendar")
async def calendar(request: Request, ctx: CtxDep, host: CurrentHost) -> Response:
    bookings = await list_bookings(ctx, host)  # upcoming soonest first, then past most recent first
    now = ctx.clock.now()
    confirmed = [b for b in bookings if b.status is BookingStatus.CONFIRMED]
    context = {
        "upcoming": [b for b in confirmed if b.ends_at > now],
        "cancelled": [b for b in bookings if b.status is BookingStatus.CANCELLED],
        "past": [b for b in confirmed if b.ends_at <= now],
        "max_reason": MAX_REASON,
        "assigned_reps": {b.id: _assigned_reps(b.assignment, host.timezone) for b in bookings},
    }
    return render(request, "calendar/index.html", context, host=host)


@router.post("/calendar/bookings/{booking_id}/cancel")
async def cancel_booking(
    request: Request,
    ctx: CtxDep,
    host: CurrentHost,
    _csrf: CsrfDep,
    booking_id: str,
    reason: Annotated[str, Form(max_length=MAX_REASON * 2)] = "",
) -> Response:
    """The host cancels; the invitee is told (with the reason, when given) and the event goes."""
    try:
        view = await cancel_as_host(ctx, host, booking_id, reason=reason)
    except (Conflict, InvalidInput) as exc:
        flash(request, exc.message, "error")
        return see_other("/calendar")
    told = f" {view.invitee_name} will get an email about it." if emails_delivered(ctx) else ""
    flash(request, f"Cancelled “{view.title}” with {view.invitee_name}.{told}")
    return see_other("/calendar")
