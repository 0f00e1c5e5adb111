"""After a booking: the invitee reschedules or cancels with their private links; the host cancels.

Every change is one transaction: the booking row changes (a reschedule frees the old time and takes
the new one, under the same guard as a new booking), its sequence goes up, and the jobs that keep
the provider's event in step and tell both sides are queued with it. The worker runs a booking's
jobs in order, so an update never overtakes the event's creation, and a booking cancelled before
its event was made never makes one.
"""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from workestra.db.models import Booking
from workestra.db.repositories.bookings import OverlapViolation
from workestra.db.unit_of_work import UnitOfWork
from workestra.enums import BookingStatus, CalendarProviderName, CalendarSyncStatus, JobKind
from workestra.errors import Conflict, InvalidInput, NotFound
from workestra.scheduling import Interval, as_utc, is_available
from workestra.security.booking_tokens import TokenPurpose, matches
from workestra.services.assignment import Pick, confirm
from workestra.services.availability import (
    HostCalendar,
    Moving,
    host_calendars,
    policy_for,
)
from workestra.services.booking import BookingView, to_view
from workestra.services.booking_links import LinkView
from workestra.services.booking_links import to_view as link_view
from workestra.services.context import ServiceContext
from workestra.services.jobs import BookingChange, CalendarEventRef, CancelEvent
from workestra.services.notifications import queue_change_notices, queue_emails
from workestra.services.users import Host
from workestra.services.validation import check_timezone, clean_paragraph

__all__ = [
    "MAX_REASON",
    "TokenPurpose",
    "cancel_as_host",
    "cancel_as_invitee",
    "invitee_booking",
    "moving_booking",
    "reschedule",
]

WRONG_LINK = (
    "This link doesn't work (any more): it may be mistyped, or the meeting has already taken place. "
    "Use the latest email about your booking, or contact the host."
)
MAX_REASON = 1000


def _opened(booking: Booking | None, token: str, purpose: TokenPurpose, now: datetime) -> Booking:
    """The booking, when the token is its own for this purpose and the meeting hasn't passed; the
    same NotFound otherwise, whatever was wrong (nothing tells a stale token from a made-up one)."""
    if booking is not None and booking.ends_at > now:
        if purpose is TokenPurpose.CANCEL:
            stored = booking.cancel_token_digest
        else:
            stored = booking.reschedule_token_digest
        if matches(token, stored):
            return booking
    raise NotFound(WRONG_LINK)


async def _view(uow: UnitOfWork, booking: Booking) -> BookingView:
    link = await uow.links.get(booking.link_id, include_deleted=True)
    host = await uow.users.get(booking.host_id)
    if link is None or host is None:
        raise NotFound(WRONG_LINK)
    return to_view(booking, link, host)


async def moving_booking(ctx: ServiceContext, booking_id: str, *, token: str) -> Moving:
    """What the slots of a reschedule leave out: the booking's own time (NotFound: wrong token)."""
    view = await invitee_booking(ctx, booking_id, token=token, purpose=TokenPurpose.RESCHEDULE)
    async with ctx.uow() as uow:
        booking = await uow.bookings.get(view.id)
    if booking is None:
        raise NotFound(WRONG_LINK)
    return Moving(booking.host_id, Interval(booking.starts_at, booking.ends_at))


async def invitee_booking(
    ctx: ServiceContext, booking_id: str, *, token: str, purpose: TokenPurpose
) -> BookingView:
    """The booking a private link opens (its GET page changes nothing). NotFound otherwise."""
    async with ctx.uow() as uow:
        booking = _opened(await uow.bookings.get(booking_id), token, purpose, ctx.clock.now())
        return await _view(uow, booking)


def _reason(reason: str | None) -> str | None:
    if reason is None or not reason.strip():
        return None
    return clean_paragraph(reason, field="reason", max_length=MAX_REASON) or None


async def cancel_as_invitee(
    ctx: ServiceContext, booking_id: str, *, token: str, reason: str | None = None
) -> BookingView:
    """Cancel with the invitee's token; cancelling again answers the booking unchanged."""
    reason = _reason(reason)
    async with ctx.uow(write=True) as uow:
        found = await uow.bookings.get(booking_id, for_update=True)
        booking = _opened(found, token, TokenPurpose.CANCEL, ctx.clock.now())
        return await _cancel(ctx, uow, booking, by="invitee", reason=reason)


async def cancel_as_host(
    ctx: ServiceContext, host: Host, booking_id: str, *, reason: str | None = None
) -> BookingView:
    """The host (or the link's owner) cancels; the invitee is told why, when a reason is given."""
    reason = _reason(reason)
    async with ctx.uow(write=True) as uow:
        booking = await uow.bookings.get(booking_id, for_update=True)
        link = await uow.links.get(booking.link_id, include_deleted=True) if booking else None
        if booking is None or link is None or host.id not in {booking.host_id, link.owner_id}:
            raise NotFound("No booking with that id.")  # another host's booking looks absent
        if booking.ends_at <= ctx.clock.now() and booking.status == BookingStatus.CONFIRMED:
            raise Conflict("This meeting has already taken place, so it can't be cancelled.")
        return await _cancel(ctx, uow, booking, by="host", reason=reason)


async def _cancel(
    ctx: ServiceContext, uow: UnitOfWork, booking: Booking, *, by: str, reason: str | None
) -> BookingView:
    if booking.status == BookingStatus.CANCELLED:
        return await _view(uow, booking)
    now = ctx.clock.now()
    booking.status = BookingStatus.CANCELLED
    booking.cancelled_at = now
    booking.cancelled_by = by
    booking.cancel_reason = reason
    booking.sequence += 1
    if booking.calendar_status in {CalendarSyncStatus.PENDING, CalendarSyncStatus.CREATED}:
        # Runs after a pending creation (jobs of a booking run in order): that one now makes nothing.
        uow.outbox.add(JobKind.CANCEL_CALENDAR_EVENT, now=now, booking_id=booking.id)
    queue_change_notices(uow, booking.id, BookingChange.cancelled(booking.sequence, reason=reason), now=now)
    view = await _view(uow, booking)
    await uow.commit()
    return view


async def reschedule(
    ctx: ServiceContext, booking_id: str, *, token: str, start: datetime, timezone: str
) -> BookingView:
    """Move the booking to ``start``, checked exactly like a new booking (offered time, the live
    calendar, the database guard), freeing the old time in the same transaction. A round-robin
    booking keeps its rep when that rep is free, else goes to the next free rep by rotation.

    Raises NotFound (token), Conflict (cancelled), InvalidInput (not an offered time),
    SlotUnavailable (taken), CalendarUnavailable (no calendar could be read)."""
    check_timezone(timezone)
    try:
        start = as_utc(start, name="start")
    except ValueError as exc:
        raise InvalidInput(
            "start needs a UTC offset, e.g. 2025-06-03T14:00:00+02:00.", fields={"start": "offset required"}
        ) from exc
    now = ctx.clock.now()
    async with ctx.uow() as uow:
        booking = _opened(await uow.bookings.get(booking_id), token, TokenPurpose.RESCHEDULE, now)
        if booking.status == BookingStatus.CANCELLED:
            raise Conflict("This booking was cancelled, so it can't be moved. Book a new time instead.")
        link_row = await uow.links.get(booking.link_id)
        if link_row is None:
            raise Conflict("This booking page no longer exists, so the booking can't be moved.")
        link = link_view(link_row, None)
        hosts = await host_calendars(uow, link)
    current, old = booking.host_id, Interval(booking.starts_at, booking.ends_at)
    policy = policy_for(link)
    if start == old.start or not _offered(link, start, now):
        raise InvalidInput(
            "That time isn't one of the offered times (it may be in the past, too soon, off the "
            "schedule, or the booking's current time). Pick a time from the list.",
            fields={"start": "not an offered time"},
        )
    slot = Interval(start, start + policy.duration)

    async def write(uow: UnitOfWork, pick: Pick) -> BookingView | None:
        return await _move(uow, booking_id, link, pick, slot, timezone=timezone, now=now)

    # A round-robin booking keeps its rep while free; else the rotation's next free rep takes it.
    return await confirm(
        ctx, link, hosts, slot, write, now=now, doing="moved", keep=current, moving=booking_id, old_span=old
    )


def _offered(link: LinkView, start: datetime, now: datetime) -> bool:
    policy = policy_for(link)
    if not now - timedelta(days=1) <= start <= now + policy.horizon + timedelta(days=1):
        return False
    return is_available(start, rules=link.rules, tz=ZoneInfo(link.timezone), policy=policy, busy=[], now=now)


async def _move(
    uow: UnitOfWork,
    booking_id: str,
    link: LinkView,
    pick: Pick,
    slot: Interval,
    *,
    timezone: str,
    now: datetime,
) -> BookingView | None:
    """Inside ``uow``, under the host's write lock (the caller holds it and commits): check
    Workestra's bookings (this one left out) and move; None if the time is taken after all."""
    policy = policy_for(link)
    host = pick.host
    booking = await uow.bookings.get(booking_id, for_update=True)
    if booking is None or booking.status == BookingStatus.CANCELLED:
        raise Conflict("This booking was cancelled meanwhile, so it can't be moved.")
    reads = Interval(slot.start - policy.buffer_before, slot.end + policy.buffer_after)
    taken = await uow.bookings.busy([host.host_id], reads.start, reads.end, excluding=booking.id)
    booked = [Interval(s, e) for _, s, e in taken]
    tz = ZoneInfo(link.timezone)
    if not is_available(slot.start, rules=link.rules, tz=tz, policy=policy, busy=booked + pick.live, now=now):
        return None
    previous = Interval(booking.starts_at, booking.ends_at)
    reassigned = host.host_id != booking.host_id
    if reassigned:
        await uow.links.unassign(link.id, booking.host_id)  # the old rep didn't keep it after all
    booking.starts_at, booking.ends_at = slot.start, slot.end
    booking.invitee_timezone = timezone
    booking.sequence += 1
    if pick.record is not None:
        booking.assignment = pick.record.stored()
    if reassigned:
        _reassign(uow, booking, host, link, previous, now=now)
    elif booking.calendar_status in {CalendarSyncStatus.PENDING, CalendarSyncStatus.CREATED}:
        uow.outbox.add(JobKind.UPDATE_CALENDAR_EVENT, now=now, booking_id=booking.id)
    try:
        await uow.bookings.save(booking)
    except OverlapViolation:
        return None
    if not reassigned:
        change = BookingChange.rescheduled(booking.sequence, previous.start, previous.end)
        queue_change_notices(uow, booking.id, change, now=now)
    return await _view(uow, booking)


def _reassign(
    uow: UnitOfWork,
    booking: Booking,
    host: HostCalendar,
    link: LinkView,
    previous: Interval,
    *,
    now: datetime,
) -> None:
    """The booking's rep is busy at the new time: the event leaves the old rep's calendar (the old
    rep is told it was cancelled for them) and is made on the new rep's; the invitee and the new
    rep then get a confirmation and a notification as for a new booking, with the meeting link."""
    if booking.calendar_status in {CalendarSyncStatus.PENDING, CalendarSyncStatus.CREATED}:
        moved_off = CalendarEventRef(
            host_id=booking.host_id,
            provider=CalendarProviderName(booking.calendar_provider),
            event_id=booking.calendar_event_id,
        )
        cancel = CancelEvent(moved_from=moved_off)
        uow.outbox.add(
            JobKind.CANCEL_CALENDAR_EVENT, now=now, booking_id=booking.id, payload=cancel.payload()
        )
    notice = BookingChange(  # for the old rep, at the time it had on their calendar
        change="cancelled",
        sequence=booking.sequence,
        host_id=booking.host_id,
        previous_start=previous.start,
        previous_end=previous.end,
    )
    uow.outbox.add(JobKind.NOTIFY_HOST_CHANGE, now=now, booking_id=booking.id, payload=notice.payload())
    booking.host_id = host.host_id
    booking.calendar_provider = host.provider
    booking.online_meeting_requested = (
        link.auto_meeting_link and host.provider is not CalendarProviderName.NONE
    )
    booking.calendar_event_id = booking.calendar_ical_uid = booking.meeting_url = None
    booking.calendar_problem = None
    if host.provider is CalendarProviderName.NONE:
        booking.calendar_status = CalendarSyncStatus.NOT_APPLICABLE
        queue_emails(uow, booking.id, now=now)
    else:  # the event job queues the emails once the new event (and its meeting link) exists
        booking.calendar_status = CalendarSyncStatus.PENDING
        uow.outbox.add(JobKind.CREATE_CALENDAR_EVENT, now=now, booking_id=booking.id)
