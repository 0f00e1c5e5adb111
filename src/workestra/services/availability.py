"""Public availability: the link's weekly hours minus Workestra bookings and each host's live calendar.

Calendars are read concurrently, one call per host; a calendar that can't be read is never "free".
"""

import asyncio
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from workestra.calendars.errors import CalendarError
from workestra.db.repositories.bookings import busy_in
from workestra.db.repositories.links import LinkRecord
from workestra.db.unit_of_work import UnitOfWork
from workestra.enums import PROVIDER_SLOT, CalendarProviderName, IntegrationStatus
from workestra.errors import CalendarUnavailable, InvalidInput, NotFound
from workestra.scheduling import (
    MAX_BUFFER_MINUTES,
    Interval,
    SlotPolicy,
    available_slots,
    local_days,
    subtract,
)
from workestra.services.booking_links import SLUG, LinkView, to_view
from workestra.services.context import ServiceContext
from workestra.services.credentials import ConnectionCredentials
from workestra.services.problems import TRANSIENT_PROBLEMS, note_public_read, problem_for
from workestra.services.validation import check_timezone

logger = logging.getLogger(__name__)

MAX_RANGE_DAYS = 62
# The link's bookings come with the link, read around the asked days before its rules are known:
# this margin covers a slot's buffers and duration (12 hours at most each) plus the reach of other
# links' buffers. Should a link ever need more, its bookings are read again for the exact span.
_BOOKINGS_MARGIN = timedelta(days=2)


@dataclass(frozen=True, slots=True)
class SlotList:
    timezone: ZoneInfo
    slots: list[Interval]


@dataclass(frozen=True, slots=True)
class Moving:
    """A booking being rescheduled: its own time doesn't count against its host (it moves)."""

    host_id: str
    span: Interval


@dataclass(frozen=True, slots=True)
class HostCalendar:
    """Which calendar answers for one host of a link."""

    host_id: str
    provider: CalendarProviderName


def policy_for(link: LinkView) -> SlotPolicy:
    return SlotPolicy(
        duration=timedelta(minutes=link.duration_minutes),
        interval=timedelta(minutes=link.slot_interval_minutes),
        buffer_before=timedelta(minutes=link.buffer_before_minutes),
        buffer_after=timedelta(minutes=link.buffer_after_minutes),
        minimum_notice=timedelta(minutes=link.minimum_notice_minutes),
        horizon=timedelta(days=link.booking_horizon_days),
    )


def busy_window(window: Interval, policy: SlotPolicy) -> Interval:
    """What must be read from calendars so every slot starting in ``window`` is checked, buffers included."""
    return Interval(window.start - policy.buffer_before, window.end + policy.duration + policy.buffer_after)


async def host_calendars(uow: UnitOfWork, link: LinkView) -> list[HostCalendar]:
    """Single host: the link's provider. Round-robin: each member's own connected provider (or none)."""
    if not link.round_robin:
        return [HostCalendar(link.owner_id, link.calendar_provider)]
    if not link.member_ids:  # nobody in the pool yet: nobody to book
        return []
    # A rep with a connection that needs attention keeps that provider: reading it fails and the rep
    # is dropped. Only a rep who never connected a calendar is "weekly hours only".
    by_slot = {
        str(PROVIDER_SLOT[p]): p for p in (CalendarProviderName.GOOGLE, CalendarProviderName.MICROSOFT)
    }
    connected: dict[str, tuple[bool, CalendarProviderName]] = {}
    for row in await uow.integrations.for_users(list(link.member_ids), list(by_slot)):
        candidate = (row.status == IntegrationStatus.ACTIVE, by_slot[row.provider])
        connected[row.user_id] = max(connected.get(row.user_id, candidate), candidate)
    none = (False, CalendarProviderName.NONE)
    return [HostCalendar(m, connected.get(m, none)[1]) for m in link.member_ids]


async def provider_busy(ctx: ServiceContext, host: HostCalendar, window: Interval) -> list[Interval]:
    """Live busy time from the host's calendar; a CalendarError is noted on the host's card (at
    most once per interval: these reads serve anonymous pages) and raised."""
    if host.provider is CalendarProviderName.NONE:
        return []
    slot = PROVIDER_SLOT[host.provider]
    credentials = ConnectionCredentials(ctx, host.host_id, slot)
    try:
        busy = await ctx.calendars.calendar(host.provider).busy_intervals(credentials, window)
    except CalendarError as exc:
        logger.warning("reading %s for host %s failed: %s", host.provider, host.host_id, type(exc).__name__)
        await note_public_read(
            ctx, host.host_id, slot, exc, token_version=credentials.token_version, stored=credentials.problem
        )
        raise
    await note_public_read(
        ctx, host.host_id, slot, None, token_version=credentials.token_version, stored=credentials.problem
    )
    return busy


async def busy_or_error(
    ctx: ServiceContext, host: HostCalendar, window: Interval
) -> list[Interval] | CalendarError:
    try:
        return await provider_busy(ctx, host, window)
    except CalendarError as exc:
        return exc


async def list_slots(
    ctx: ServiceContext,
    slug: str,
    *,
    first_day: date,
    last_day: date,
    timezone: str,
    moving: Moving | None = None,
) -> SlotList:
    """Free slots whose start falls on the days first_day..last_day (both included) in ``timezone``.

    ``moving``: the booking being rescheduled, whose own time is left out (on its host's calendar
    and among Workestra's bookings), so it can move by less than its length; its current start
    isn't offered.

    Raises NotFound (unknown slug), InvalidInput (zone, range) and CalendarUnavailable when no host's
    calendar could be read. For a round-robin link a slot shows when at least one rep is free.
    """
    tz = check_timezone(timezone)
    if last_day < first_day:
        raise InvalidInput("end is before start.", fields={"end": "must not be before start"})
    if (last_day - first_day).days >= MAX_RANGE_DAYS:
        raise InvalidInput(
            f"Ask for at most {MAX_RANGE_DAYS} days at a time.",
            fields={"end": f"at most {MAX_RANGE_DAYS} days after start"},
        )
    now = ctx.clock.now()
    # One read transaction, one statement for a single-host link: the link, its rules and pool and
    # its hosts' bookings around the asked days (a pool's connections add one); the calendars are
    # read after it ends, never inside it.
    async with ctx.uow() as uow:
        record = await _public_record(uow, slug, _around(first_day, last_day, tz))
        link = to_view(record, None)
        policy = policy_for(link)
        window = _bookable(first_day, last_day, tz, policy, now=now)
        if window is None:
            return SlotList(tz, [])
        hosts = await host_calendars(uow, link)
        reads = busy_window(window, policy)
        host_ids = [h.host_id for h in hosts]
        if _covers(record, reads):
            booked = busy_in(record.bookings, set(host_ids), reads.start, reads.end)
            starts: Iterable[tuple[str, datetime]] = (  # walked only when someone has a daily limit
                (b.host_id, b.starts_at) for b in record.bookings if b.link_id == link.id
            )
        else:
            booked = await uow.bookings.busy(host_ids, reads.start, reads.end)
            starts = await _link_starts(uow, link, reads)
        full = full_days(link, starts, moving)
    if moving is not None:  # the booking's own entry: the one holding its time (none overlaps it)
        booked = [
            b
            for b in booked
            if not (b[0] == moving.host_id and b[1] <= moving.span.start and moving.span.end <= b[2])
        ]
    slots = await _free_slots(ctx, link, hosts, booked, window, policy, now=now, moving=moving, full=full)
    if moving is not None:  # its current time is where it is, not somewhere to move to
        slots = [s for s in slots if s.start != moving.span.start]
    return SlotList(tz, slots)


async def _link_starts(uow: UnitOfWork, link: LinkView, reads: Interval) -> list[tuple[str, datetime]]:
    """Starts of the link's bookings by capped reps, around ``reads`` (for daily limits)."""
    capped = [m.user_id for m in link.pool if m.daily_limit is not None]
    if not capped:
        return []
    margin = timedelta(days=2)  # whole days in the link's zone around the slots
    return await uow.bookings.starts_on_link(link.id, capped, reads.start - margin, reads.end + margin)


def full_days(
    link: LinkView, starts: Iterable[tuple[str, datetime]], moving: Moving | None
) -> set[tuple[str, date]]:
    """(rep, day in the link's zone) where the rep has had their daily limit of this link's bookings."""
    limits = {m.user_id: m.daily_limit for m in link.pool if m.daily_limit is not None}
    if not limits:
        return set()
    tz = ZoneInfo(link.timezone)
    counts: dict[tuple[str, date], int] = {}
    for host_id, start in starts:
        if host_id not in limits or (
            moving is not None and (host_id, start) == (moving.host_id, moving.span.start)
        ):
            continue
        key = (host_id, start.astimezone(tz).date())
        counts[key] = counts.get(key, 0) + 1
    return {key for key, count in counts.items() if count >= limits[key[0]]}


def _holds(taken: tuple[str, datetime, datetime], moving: Moving) -> bool:
    host_id, start, end = taken
    return host_id == moving.host_id and start <= moving.span.start and moving.span.end <= end


async def _public_record(uow: UnitOfWork, slug: str, around: Interval | None) -> LinkRecord:
    """The live link by slug (as ``booking_links.public_link`` reads it) with its bookings ``around``."""
    slug = slug.strip().lower()
    between = None if around is None else (around.start, around.end)
    record = await uow.links.public_record(slug, bookings_between=between) if SLUG.match(slug) else None
    if record is None:
        raise NotFound("No booking page with that address.")
    return record


def _around(first_day: date, last_day: date, tz: ZoneInfo) -> Interval | None:
    """The asked days widened by the bookings margin (None at the ends of the calendar)."""
    try:
        asked = local_days(first_day, last_day, tz)
        return Interval(asked.start - _BOOKINGS_MARGIN, asked.end + _BOOKINGS_MARGIN)
    except (OverflowError, ValueError):
        return None


def _covers(record: LinkRecord, reads: Interval) -> bool:
    """Whether the bookings read with the link hold all that ``bookings.busy`` would read for ``reads``."""
    if record.bookings_between is None:
        return False
    reach = timedelta(minutes=MAX_BUFFER_MINUTES)
    first, last = record.bookings_between
    return first <= reads.start - reach and reads.end + reach <= last


def _bookable(
    first_day: date, last_day: date, tz: ZoneInfo, policy: SlotPolicy, *, now: datetime
) -> Interval | None:
    """The part of the asked days (in ``tz``) that notice and horizon leave bookable, if any."""
    margin = timedelta(days=2)  # any zone's calendar day lies within a day of UTC's
    if last_day < (now - margin).date() or first_day > (now + policy.horizon + margin).date():
        return None  # nothing bookable there (and no date arithmetic near year 1 or 9999)
    asked = local_days(first_day, last_day, tz)
    start, end = max(asked.start, now), min(asked.end, now + policy.horizon)
    return Interval(start, end) if start < end else None


HOST_MUST_ACT = (
    "The host's calendar connection needs the host's attention (it has to be reconnected), so no "
    "times can be offered until then. Please let the host know, or try again later."
)
TRY_AGAIN = (
    "The host's calendar can't be read right now, so no times can be offered. "
    "Please try again in a few minutes."
)


def unreadable(failures: list[CalendarError]) -> CalendarUnavailable:
    """What an invitee is told when no calendar could be read: wait a little for an outage; ask
    the host when only the host can fix it (a dead grant, a missing permission, no calendar)."""
    passing = any(problem_for(error) in TRANSIENT_PROBLEMS for error in failures)
    return CalendarUnavailable(TRY_AGAIN if passing else HOST_MUST_ACT)


async def _free_slots(
    ctx: ServiceContext,
    link: LinkView,
    hosts: list[HostCalendar],
    booked: list[tuple[str, datetime, datetime]],
    window: Interval,
    policy: SlotPolicy,
    *,
    now: datetime,
    moving: Moving | None = None,
    full: set[tuple[str, date]] | None = None,
) -> list[Interval]:
    reads = busy_window(window, policy)
    outcomes: list[list[Interval] | CalendarError] = [[] for _ in hosts]
    calendars = [i for i, h in enumerate(hosts) if h.provider is not CalendarProviderName.NONE]
    if calendars:
        async with asyncio.TaskGroup() as group:  # every calendar at once
            tasks = {i: group.create_task(busy_or_error(ctx, hosts[i], reads)) for i in calendars}
        for i, task in tasks.items():
            outcomes[i] = task.result()
    link_tz = ZoneInfo(link.timezone)
    starts: dict[datetime, Interval] = {}
    failures: list[CalendarError] = []
    for host, outcome in zip(hosts, outcomes, strict=True):
        if isinstance(outcome, CalendarError):
            failures.append(outcome)  # this rep is dropped, never treated as free
            continue
        if moving is not None and host.host_id == moving.host_id:
            outcome = subtract(outcome, [moving.span])  # its event moves with it
        busy = outcome + [Interval(s, e) for h, s, e in booked if h == host.host_id]
        for slot in available_slots(
            rules=link.rules, tz=link_tz, window=window, policy=policy, busy=busy, now=now
        ):
            if full and (host.host_id, slot.start.astimezone(link_tz).date()) in full:
                continue  # this rep has had their bookings of this link that day
            starts.setdefault(slot.start, slot)
    if failures and len(failures) == len(hosts):
        raise unreadable(failures)
    return [starts[k] for k in sorted(starts)]
