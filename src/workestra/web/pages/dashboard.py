"""The host's Calendar dashboard (bookings with Join buttons, the host's cancel) and the site root."""

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, cast
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from workestra.enums import BookingStatus
from workestra.errors import Conflict, InvalidInput
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
    "chosen": "got it",
    "free": "free",
    "busy": "busy",
    "unreadable": "calendar couldn't be read",
    "booked": "already booked then",
    "daily_limit": "had their bookings of this link that day",
    "not_asked": "not asked: due after the rep who got it",
}


@dataclass(frozen=True, slots=True)
class AssignedRep:
    name: str
    email: str
    words: str
    detail: str  # busy times, or why the calendar couldn't be read


@dataclass(frozen=True, slots=True)
class Assignment:
    """A round-robin booking's decision on record, in the host's words and time zone."""

    reason: str
    policy: str
    reps: list[AssignedRep]


def _assignment(record: dict[str, object] | None, tz: ZoneInfo) -> Assignment | None:
    if not record or not isinstance(record.get("reps"), list):
        return None
    reps = []
    for rep in cast(list[dict[str, Any]], record["reps"]):
        spans = [
            f"{datetime.fromisoformat(b['start']).astimezone(tz):%H:%M}–{datetime.fromisoformat(b['end']).astimezone(tz):%H:%M}"
            for b in rep.get("busy") or []
        ]
        detail = ", ".join(spans) if spans else str(rep.get("why") or "")
        status = str(rep.get("status"))
        reps.append(
            AssignedRep(
                str(rep.get("name") or ""), str(rep.get("email")), _STATUS_WORDS.get(status, status), detail
            )
        )
    return Assignment(str(record.get("reason", "")), str(record.get("policy", "")), reps)


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
        "assignments": {b.id: _assignment(b.assignment, host.timezone) for b in bookings},
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
