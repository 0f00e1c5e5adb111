"""The public booking page and the confirmation page; with ``?embed=1`` each is the booking
widget's view of itself (``pages/embed.py``).

The booking page's times come from the JSON API through book.js. Without JavaScript the page sends
the browser (``<noscript>``) to its plain view, ``?plain=1``: the server lists the days of the
shown range with their times as radio buttons beside the name, email and zone fields, and the form
posts back to ``/book/<slug>``. The plain view reads the host's calendar itself, so it is only
rendered for browsers that need it (the scripted page would read it twice otherwise).

The form post is protected like the invitee's cancel form: a CSRF token bound to the browser's
anonymous cookie plus the Origin/Referer check (``CsrfDep``), and the booking budgets of the JSON
API (per client and per invitee address). Only the plain view prints the token, so the scripted
page still sets no cookie.

The confirmation page offers the booking to the invitee's calendar: Google and Outlook links, and
``/book/<slug>/confirmed/<id>.ics`` with nothing in it that the page doesn't show.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import JSONResponse, Response
from icalendar import Calendar, Event

from workestra.enums import BookingStatus, CalendarSyncStatus
from workestra.errors import CalendarUnavailable, InvalidInput, NotFound, SlotUnavailable
from workestra.services.availability import list_slots
from workestra.services.booking import BookingView, book, public_booking
from workestra.services.booking_links import LinkView, public_page
from workestra.services.context import ServiceContext
from workestra.services.invitee_links import ManageLinks, manage_links
from workestra.services.notifications import emails_delivered
from workestra.services.rate_limits import booking_budget, spend_slot_read
from workestra.services.validation import check_timezone
from workestra.web.deps import ClientAddress, CsrfDep, CtxDep, public_page_view
from workestra.web.pages.embed import embed_mode, frame_booking_page
from workestra.web.pages.rendering import render, see_other
from workestra.web.security_headers import allow_framing
from workestra.web.zone_catalog import canonical_zone, picker_zones

router = APIRouter(prefix="/book", tags=["pages"], dependencies=[Depends(public_page_view)])

PLAIN_DAYS = 7  # the plain view's range
LOOKAHEAD_DAYS = 62  # how far an empty range looks for the next free day (the slots API's widest range)
PRIVATE = "no-store"  # pages and files that carry the invitee's booking
# Regions whose people read times on a 12-hour clock (the plain view's guess from Accept-Language;
# the scripted page asks the browser).
TWELVE_HOUR_REGIONS = frozenset(
    {"US", "CA", "AU", "NZ", "IN", "PH", "PK", "EG", "SA", "BD", "MY", "CO", "MX"}
)


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


def _twelve_hour(request: Request) -> bool:
    """Whether the browser's first language reads a 12-hour clock (``en-US``: yes, ``de``: no)."""
    first = request.headers.get("accept-language", "").split(",")[0].split(";")[0].strip()
    _, _, region = first.partition("-")
    return region.upper() in TWELVE_HOUR_REGIONS


# ---------------------------------------------------------------- the plain (no-JavaScript) view


@dataclass(frozen=True, slots=True)
class PlainDay:
    day: date
    starts: list[datetime]  # in the shown zone


@dataclass(frozen=True, slots=True)
class PlainRange:
    zone: ZoneInfo
    first: date
    days: list[PlainDay]
    earlier: date | None  # where the "Earlier days" link goes
    later: date | None
    next_free: date | None  # the first day with times after an empty range
    problem: str | None  # the host's calendar couldn't be read


def _parse_day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


async def _plain_range(
    ctx: ServiceContext, link: LinkView, zone: ZoneInfo, client: str | None, first: date | None
) -> PlainRange:
    today = ctx.clock.now().astimezone(zone).date()
    horizon = today + timedelta(days=link.booking_horizon_days)
    start = min(max(first or today, today), horizon)
    last = min(start + timedelta(days=PLAIN_DAYS - 1), horizon)
    earlier = max(start - timedelta(days=PLAIN_DAYS), today) if start > today else None
    later = last + timedelta(days=1) if last < horizon else None
    await spend_slot_read(ctx, client=client)
    try:
        found = await list_slots(ctx, link.slug, first_day=start, last_day=last, timezone=zone.key)
    except CalendarUnavailable as exc:
        return PlainRange(zone, start, [], earlier, later, None, exc.message)
    by_day: dict[date, list[datetime]] = {}
    for slot in found.slots:
        local = slot.start.astimezone(zone)
        by_day.setdefault(local.date(), []).append(local)
    days = [PlainDay(day, by_day[day]) for day in sorted(by_day)]
    next_free = None
    if not days and later is not None:  # one more read finds where the times are
        ahead_last = min(later + timedelta(days=LOOKAHEAD_DAYS - 1), horizon)
        try:
            ahead = await list_slots(ctx, link.slug, first_day=later, last_day=ahead_last, timezone=zone.key)
        except CalendarUnavailable:
            ahead = None
        if ahead is not None and ahead.slots:
            next_free = ahead.slots[0].start.astimezone(zone).date()
    return PlainRange(zone, start, days, earlier, later, next_free, None)


def plain_url(slug: str, zone: str, first: date | None = None) -> str:
    query = {"plain": "1", "tz": zone, **({"from": first.isoformat()} if first else {})}
    return f"/book/{slug}?{urlencode(query)}"


async def _plain_page(
    request: Request,
    ctx: ServiceContext,
    link: LinkView,
    host_name: str,
    *,
    client: str | None,
    zone: ZoneInfo,
    first: date | None,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    notice: str | None = None,
    status_code: int = 200,
) -> Response:
    shown = await _plain_range(ctx, link, zone, client, first)
    zones, _ = picker_zones()
    context = {
        "link": link,
        "host_name": host_name,
        "embed": embed_mode(request),
        "plain": shown,
        "zones": zones,
        "values": values or {},
        "errors": errors or {},
        "notice": notice,
        "time_format": "%I:%M %p" if _twelve_hour(request) else "%H:%M",
        "plain_url": plain_url,
    }
    if shown.problem and status_code == 200:
        status_code = 503
    page = render(request, "book/plain.html", context, status_code=status_code)
    page.headers["Cache-Control"] = PRIVATE  # it carries this browser's form token
    return page


@router.get("/{slug}")
async def booking_page(
    request: Request,
    ctx: CtxDep,
    client: ClientAddress,
    slug: str,
    plain: Annotated[str, Query(max_length=8)] = "",
    tz: Annotated[str | None, Query(max_length=64)] = None,
    first: Annotated[str | None, Query(alias="from", max_length=16)] = None,
) -> Response:
    link, host_name = await public_page(ctx, slug)
    embed = embed_mode(request)
    if embed:
        allow_framing(request, link.embed_allowed_origins)
    if plain == "1":
        zone = _zone(canonical_zone(tz) if tz else None, link.timezone)
        return await _plain_page(
            request, ctx, link, host_name, client=client, zone=zone, first=_parse_day(first)
        )
    context = {"link": link, "host_name": host_name, "embed": embed, "plain_url": plain_url}
    return render(request, "book/page.html", context)


def _field_for(exc: InvalidInput) -> str:
    for name in ("start", "name", "email", "timezone"):
        if name in exc.fields:
            return name
    return "form"


@router.post("/{slug}")
async def book_from_form(
    request: Request,
    ctx: CtxDep,
    _csrf: CsrfDep,
    client: ClientAddress,
    slug: str,
    start: Annotated[str, Form(max_length=64)] = "",
    name: Annotated[str, Form(max_length=400)] = "",
    email: Annotated[str, Form(max_length=640)] = "",
    tz: Annotated[str, Form(max_length=64)] = "",
    first: Annotated[str, Form(alias="from", max_length=16)] = "",
) -> Response:
    """The plain view's form: a booking, then the confirmation page (post/redirect/get); a refusal
    shows the form again with the message beside the field it concerns."""
    link, host_name = await public_page(ctx, slug)
    zone = _zone(canonical_zone(tz) if tz else None, link.timezone)
    values = {"start": start, "name": name, "email": email}
    errors: dict[str, str] = {}
    chosen: datetime | None = None
    try:
        chosen = datetime.fromisoformat(start) if start else None
    except ValueError:
        chosen = None
    if chosen is None or chosen.tzinfo is None:
        errors["start"] = "Please pick one of the times."
    if not name.strip():
        errors["name"] = "Please enter your name."
    if not email.strip():
        errors["email"] = "Please enter your email address."

    async def again(status: int, notice: str | None = None) -> Response:
        return await _plain_page(
            request,
            ctx,
            link,
            host_name,
            client=client,
            zone=zone,
            first=_parse_day(first),
            values=values,
            errors=errors,
            notice=notice,
            status_code=status,
        )

    if errors or chosen is None:
        return await again(422)
    try:
        async with booking_budget(ctx, client=client, email=email):
            view = await book(ctx, slug, start=chosen, name=name, email=email, timezone=zone.key)
    except InvalidInput as exc:
        errors[_field_for(exc)] = exc.message
        return await again(422)
    except SlotUnavailable:
        values["start"] = ""
        return await again(409, "Sorry, that time was just taken. Please pick another time.")
    except CalendarUnavailable as exc:
        return await again(503, exc.message)
    query = urlencode({"tz": zone.key})
    return see_other(f"/book/{slug}/confirmed/{view.id}?{query}")


# ---------------------------------------------------------------- the confirmation


def _utc_stamp(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _summary(view: BookingView) -> str:
    return f"{view.title} with {view.host_name}"


def _meeting_url(view: BookingView) -> str | None:
    url = view.meeting_url
    return url if url and url.startswith(("https://", "http://")) else None


def calendar_links(view: BookingView) -> dict[str, str]:
    """Add-to-calendar links for the invitee: what the page shows (title, host, time, meeting
    link), never the page's own address or its private links."""
    meeting = _meeting_url(view)
    details = f"Meeting link: {meeting}" if meeting else f"{view.host_name} will send the meeting details."
    google = {
        "action": "TEMPLATE",
        "text": _summary(view),
        "dates": f"{_utc_stamp(view.starts_at)}/{_utc_stamp(view.ends_at)}",
        "details": details,
        **({"location": meeting} if meeting else {}),
    }
    outlook = {
        "rru": "addevent",
        "subject": _summary(view),
        "startdt": view.starts_at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        "enddt": view.ends_at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        "body": details,
        **({"location": meeting} if meeting else {}),
    }
    return {
        "google": f"https://calendar.google.com/calendar/render?{urlencode(google)}",
        "outlook": f"https://outlook.office.com/calendar/action/compose?{urlencode(outlook)}",
        "outlook_com": f"https://outlook.live.com/calendar/0/action/compose?{urlencode(outlook)}",
    }


def booking_ics(view: BookingView) -> bytes:
    """One PUBLISH event: the booking's title and host, its time and meeting link, as on the page
    (no addresses, no private links)."""
    meeting = _meeting_url(view)
    event = Event()
    event.add("uid", f"{view.id}@workestra")
    event.add("dtstamp", view.starts_at.astimezone(UTC))  # stable: the file is the same each time
    event.add("dtstart", view.starts_at.astimezone(UTC))
    event.add("dtend", view.ends_at.astimezone(UTC))
    event.add("summary", _summary(view))
    event.add("status", "CONFIRMED")
    if meeting:
        event.add("location", meeting)
        event.add("url", meeting)
        event.add("description", f"Meeting link: {meeting}")
    else:
        event.add("description", f"{view.host_name} will send the meeting details.")
    calendar = Calendar()
    calendar.add("prodid", "-//Workestra//Workestra//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    calendar.add_component(event)
    ical: bytes = calendar.to_ical()
    return ical


@router.get("/{slug}/confirmed/{booking_id}.json")
async def confirmation_status(ctx: CtxDep, slug: str, booking_id: str) -> JSONResponse:
    view = await _booking(ctx, slug, booking_id)
    return JSONResponse(
        {
            "meeting_url": view.meeting_url,
            "calendar_status": view.calendar_status.value,
            "awaiting_link": _awaiting_link(view),
        },
        headers={"Cache-Control": PRIVATE},
    )


@router.get("/{slug}/confirmed/{booking_id}.ics")
async def confirmation_ics(ctx: CtxDep, slug: str, booking_id: str) -> Response:
    view = await _booking(ctx, slug, booking_id)
    if view.status is not BookingStatus.CONFIRMED:
        raise NotFound("This booking was cancelled.")
    return Response(
        booking_ics(view),
        media_type="text/calendar; charset=utf-8",
        headers={
            "Cache-Control": PRIVATE,
            "Content-Disposition": 'attachment; filename="booking.ics"',
        },
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
        "calendar_links": None if cancelled else calendar_links(view),
        "twelve_hour": _twelve_hour(request),
    }
    page = render(request, "book/confirmed.html", context)
    page.headers["Cache-Control"] = PRIVATE  # it shows the invitee's private links
    return page
