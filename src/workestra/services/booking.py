"""Booking a slot: validate, re-verify the chosen host live, then insert the booking and its outbox
rows in ONE transaction. The database's overlap guard has the last word (409 on a lost race).
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from workestra.db.models import Booking, BookingLink, User, new_id
from workestra.db.repositories.bookings import OverlapViolation
from workestra.db.unit_of_work import UnitOfWork
from workestra.enums import BookingStatus, CalendarProviderName, CalendarSyncStatus, JobKind
from workestra.errors import InvalidInput, NotFound
from workestra.scheduling import Interval, as_utc, is_available
from workestra.security.booking_tokens import TokenPurpose
from workestra.services.assignment import AssignmentRecord, Pick, confirm
from workestra.services.availability import host_calendars, policy_for
from workestra.services.booking_links import LinkView, public_link
from workestra.services.context import ServiceContext
from workestra.services.notifications import queue_emails
from workestra.services.users import Host
from workestra.services.validation import check_timezone, clean_text, normalize_email

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class BookingView:
    id: str
    status: BookingStatus
    starts_at: datetime
    ends_at: datetime
    host_name: str
    host_email: str
    invitee_name: str
    invitee_email: str
    invitee_timezone: str
    title: str
    link_id: str
    link_slug: str
    calendar_provider: CalendarProviderName
    calendar_status: CalendarSyncStatus
    calendar_event_id: str | None
    meeting_url: str | None
    calendar_problem: str | None
    online_meeting_requested: bool
    cancelled_at: datetime | None = None
    cancelled_by: str | None = None
    cancel_reason: str | None = None
    manageable: bool = False  # the invitee has private links for it (bookings made since 0006)
    assignment: AssignmentRecord | None = None  # round robin: the decision on record (hosts only)


def to_view(booking: Booking, link: BookingLink, host: User) -> BookingView:
    return BookingView(
        id=booking.id,
        status=BookingStatus(booking.status),
        starts_at=booking.starts_at,
        ends_at=booking.ends_at,
        host_name=host.name,
        host_email=host.email,
        invitee_name=booking.invitee_name,
        invitee_email=booking.invitee_email,
        invitee_timezone=booking.invitee_timezone,
        title=link.title,
        link_id=link.id,
        link_slug=link.slug,
        calendar_provider=CalendarProviderName(booking.calendar_provider),
        calendar_status=CalendarSyncStatus(booking.calendar_status),
        calendar_event_id=booking.calendar_event_id,
        meeting_url=booking.meeting_url,
        calendar_problem=booking.calendar_problem,
        online_meeting_requested=booking.online_meeting_requested,
        cancelled_at=booking.cancelled_at,
        cancelled_by=booking.cancelled_by,
        cancel_reason=booking.cancel_reason,
        manageable=booking.reschedule_token_digest is not None,
        assignment=AssignmentRecord.read(booking.assignment),
    )


async def book(
    ctx: ServiceContext, slug: str, *, start: datetime, name: str, email: str, timezone: str
) -> BookingView:
    """Book ``start`` on the link for the invitee.

    Raises NotFound (slug), InvalidInput (422: bad field, or a start that isn't an offered time),
    SlotUnavailable (409: taken in Workestra or busy in the host's calendar), CalendarUnavailable
    (no host calendar could be read). Nothing is written unless the booking is confirmed.
    """
    name = clean_text(name, field="name", max_length=200)
    email = normalize_email(email)
    check_timezone(timezone)
    try:
        start = as_utc(start, name="start")
    except ValueError as exc:
        raise InvalidInput(
            "start needs a UTC offset, e.g. 2025-06-03T14:00:00+02:00.",
            fields={"start": "offset required"},
        ) from exc
    async with ctx.uow() as uow:  # one read of the link and its pool's connections
        link = await public_link(uow, slug)
        hosts = await host_calendars(uow, link)
    now = ctx.clock.now()
    policy = policy_for(link)
    link_tz = ZoneInfo(link.timezone)
    in_range = now - timedelta(days=1) <= start <= now + policy.horizon + timedelta(days=1)
    if not in_range or not is_available(start, rules=link.rules, tz=link_tz, policy=policy, busy=[], now=now):
        raise InvalidInput(
            "That time isn't one of the offered times (it may be in the past, too soon, or off the "
            "schedule). Pick a time from the list.",
            fields={"start": "not an offered time"},
        )
    slot = Interval(start, start + policy.duration)
    invitee = _Invitee(name, email, timezone)

    async def write(uow: UnitOfWork, pick: Pick) -> BookingView | None:
        return await _insert(ctx, uow, link, pick, slot, invitee, now=now)

    return await confirm(ctx, link, hosts, slot, write, now=now, doing="made")


@dataclass(frozen=True, slots=True)
class _Invitee:
    name: str
    email: str
    timezone: str


async def _insert(
    ctx: ServiceContext,
    uow: UnitOfWork,
    link: LinkView,
    pick: Pick,
    slot: Interval,
    invitee: _Invitee,
    *,
    now: datetime,
) -> BookingView | None:
    """Check Workestra's own bookings and insert, inside ``uow`` and under the host's write lock
    (the caller holds it and commits); None if the time is taken after all."""
    policy = policy_for(link)
    host = pick.host
    online = link.auto_meeting_link and host.provider is not CalendarProviderName.NONE
    # Each existing booking comes back widened by its own link's buffers.
    reads = Interval(slot.start - policy.buffer_before, slot.end + policy.buffer_after)
    booked = [Interval(s, e) for _, s, e in await uow.bookings.busy([host.host_id], reads.start, reads.end)]
    tz = ZoneInfo(link.timezone)
    if not is_available(slot.start, rules=link.rules, tz=tz, policy=policy, busy=booked + pick.live, now=now):
        return None
    link_row = await uow.links.get(link.id)
    user = await uow.users.get(host.host_id)
    if user is None or link_row is None:  # deleted under us: nothing to confirm
        return None
    booking_id = new_id()
    booking = Booking(
        id=booking_id,
        cancel_token_digest=ctx.booking_tokens.digest(booking_id, TokenPurpose.CANCEL),
        reschedule_token_digest=ctx.booking_tokens.digest(booking_id, TokenPurpose.RESCHEDULE),
        link_id=link.id,
        host_id=host.host_id,
        invitee_name=invitee.name,
        invitee_email=invitee.email,
        invitee_timezone=invitee.timezone,
        starts_at=slot.start,
        ends_at=slot.end,
        status=BookingStatus.CONFIRMED,
        calendar_provider=host.provider,
        online_meeting_requested=online,
        calendar_status=(
            CalendarSyncStatus.NOT_APPLICABLE
            if host.provider is CalendarProviderName.NONE
            else CalendarSyncStatus.PENDING
        ),
        created_at=now,
        assignment=None if pick.record is None else pick.record.stored(),
    )
    try:
        await uow.bookings.insert(booking)
    except OverlapViolation:
        return None
    if host.provider is CalendarProviderName.NONE:
        queue_emails(uow, booking.id, now=now)
    else:  # the event job stores the join URL, then queues the emails
        uow.outbox.add(JobKind.CREATE_CALENDAR_EVENT, now=now, booking_id=booking.id)
    return to_view(booking, link_row, user)


async def get_booking(ctx: ServiceContext, host: Host, booking_id: str) -> BookingView:
    async with ctx.uow() as uow:
        booking = await uow.bookings.get(booking_id)
        if booking is not None:
            link = await uow.links.get(booking.link_id, include_deleted=True)
            user = await uow.users.get(booking.host_id)
            if link is not None and user is not None and await _may_see(uow, host, booking, link):
                return to_view(booking, link, user)
    raise NotFound("No booking with that id.")  # another host's booking looks absent


async def _may_see(uow: UnitOfWork, host: Host, booking: Booking, link: BookingLink) -> bool:
    """Its rep, its link's owner, or an admin of the link's team."""
    if host.id in {booking.host_id, link.owner_id}:
        return True
    return link.team_id is not None and await uow.teams.is_admin(link.team_id, host.id)


async def public_booking(ctx: ServiceContext, booking_id: str) -> BookingView:
    """For the invitee's confirmation page (the id is an unguessable UUID)."""
    async with ctx.uow() as uow:
        booking = await uow.bookings.get(booking_id)
        if booking is not None:
            link = await uow.links.get(booking.link_id, include_deleted=True)
            user = await uow.users.get(booking.host_id)
            if link is not None and user is not None:
                return to_view(booking, link, user)
    raise NotFound("No booking with that id.")


async def list_bookings(
    ctx: ServiceContext, host: Host, *, upcoming_limit: int = 500, past_limit: int = 200
) -> list[BookingView]:
    """Upcoming bookings (soonest first), then past ones (most recent first)."""
    now = ctx.clock.now()
    async with ctx.uow() as uow:
        rows = await uow.bookings.for_host(host.id, now=now, upcoming=True, limit=upcoming_limit)
        rows += await uow.bookings.for_host(host.id, now=now, upcoming=False, limit=past_limit)
        users = {u.id: u for u in await uow.users.by_ids(list({b.host_id for b, _ in rows}))}
        return [to_view(b, link, users[b.host_id]) for b, link in rows]
