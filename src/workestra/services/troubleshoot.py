""" "Why isn't this slot offered?": one day of a host's link, every candidate slot with its reasons.

The host's own link only (another host's link looks absent). Each rep's calendar is read live, as
the booking page reads it; a calendar that can't be read is a reason, in the host's words, never
"free". Event subjects are shown for the requesting host's own calendar only: a team rep's busy
time shows its time, never what it is.
"""

import asyncio
import logging
from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from workestra.calendars.base import BusyEvent
from workestra.calendars.errors import CalendarError, MissingScope
from workestra.db.models import BookingLink
from workestra.db.repositories.bookings import BusyRecord
from workestra.db.unit_of_work import UnitOfWork
from workestra.enums import PROVIDER_SLOT, CalendarProviderName
from workestra.errors import InvalidInput, NotFound
from workestra.scheduling import MAX_BUFFER_MINUTES, Interval, local_days
from workestra.scheduling.explain import Booked, Busy, RepDay, SlotExplanation
from workestra.scheduling.explain import explain_day as explain_slots
from workestra.services.availability import HostCalendar, full_days, host_calendars, policy_for
from workestra.services.booking_links import LinkView, to_view
from workestra.services.context import ServiceContext
from workestra.services.credentials import ConnectionCredentials
from workestra.services.problems import describe, note_public_read, problem_for, wording
from workestra.services.users import Host
from workestra.services.validation import check_timezone

logger = logging.getLogger(__name__)

# Calendars are read a day beyond the asked one each way: that covers every slot's duration and
# buffers (12 hours at most each), and shows most busy events whole rather than cut at the day.
_READ_MARGIN = timedelta(days=1)
MAX_DAYS_AWAY = 800
NOT_CONNECTED = (
    "No {calendar} calendar is connected, so no times can be offered. Connect it under Connected "
    "accounts, or choose another calendar provider for this link."
)
_PROVIDER_NAMES = {CalendarProviderName.MICROSOFT: "Microsoft", CalendarProviderName.GOOGLE: "Google"}


@dataclass(frozen=True, slots=True)
class Rep:
    """Someone the link can book: the host, or a member of a round-robin pool."""

    id: str
    name: str
    email: str
    provider: CalendarProviderName
    is_you: bool  # the requesting host: subjects are shown for this rep's calendar only
    calendar_problem: str | None  # why the calendar couldn't be read, in the host's words


@dataclass(frozen=True, slots=True)
class DayExplanation:
    link: LinkView
    day: date
    timezone: ZoneInfo  # the zone ``day`` is a day in (times are shown in it)
    reps: list[Rep]
    slots: list[SlotExplanation]  # each slot's reasons per rep, in ``reps``' order


async def explain_day(
    ctx: ServiceContext, host: Host, link_id: str, day: date, timezone: str | None = None
) -> DayExplanation:
    """Every candidate slot of ``day`` (a day in ``timezone``, default the link's) with, per rep, why
    it isn't offered. Raises NotFound (not this host's link) and InvalidInput (zone, date)."""
    now = ctx.clock.now()
    async with ctx.uow() as uow:
        row = await uow.links.get(link_id)
        if row is None or not await _may_explain(uow, host, row):
            raise NotFound("No booking link with that id.")  # another host's link looks absent
        link = to_view(row, None)
        tz = check_timezone(timezone or link.timezone)
        span = _day(day, tz, today=now.date())
        reads = Interval(span.start - _READ_MARGIN, span.end + _READ_MARGIN)
        hosts = await host_calendars(uow, link)
        ids = [h.host_id for h in hosts]
        users = {u.id: u for u in await uow.users.by_ids(ids)} if ids else {}
        slots = [str(PROVIDER_SLOT[h.provider]) for h in hosts if h.provider in PROVIDER_SLOT]
        rows = await uow.integrations.for_users(ids, slots) if slots else []
        connected = {(r.user_id, r.provider) for r in rows}
        reach = timedelta(minutes=MAX_BUFFER_MINUTES)
        record = await uow.links.public_record(
            row.slug, bookings_between=(reads.start - reach, reads.end + reach)
        )
        bookings = record.bookings if record is not None else ()
    at_limit = full_days(link, ((b.host_id, b.starts_at) for b in bookings if b.link_id == link.id), None)
    outcomes = await _read_calendars(ctx, hosts, reads)
    reps: list[Rep] = []
    days: list[RepDay] = []
    for calendar, outcome in zip(hosts, outcomes, strict=True):
        user = users.get(calendar.host_id)
        is_you = calendar.host_id == host.id
        problem: str | None = None
        busy: list[Busy] = []
        if isinstance(outcome, CalendarError):
            slot = PROVIDER_SLOT[calendar.provider]
            problem = _why_unreadable(ctx, calendar, outcome, connected=(calendar.host_id, slot) in connected)
        else:
            busy = [Busy(event.interval, event.subject if is_you else None) for event in outcome]
        reps.append(
            Rep(
                id=calendar.host_id,
                name=user.name if user else "",
                email=user.email if user else "",
                provider=calendar.provider,
                is_you=is_you,
                calendar_problem=problem,
            )
        )
        full = frozenset(day for rep_id, day in at_limit if rep_id == calendar.host_id)
        days.append(RepDay(_booked(bookings, calendar.host_id), busy, problem, full))
    explained = explain_slots(
        rules=link.rules, tz=ZoneInfo(link.timezone), day=span, policy=policy_for(link), now=now, reps=days
    )
    return DayExplanation(link=link, day=day, timezone=tz, reps=reps, slots=explained)


async def _may_explain(uow: UnitOfWork, host: Host, link: BookingLink) -> bool:
    """The link's host, or an admin of its team."""
    if link.owner_id == host.id:
        return True
    return link.team_id is not None and await uow.teams.is_admin(link.team_id, host.id)


def _day(day: date, tz: ZoneInfo, *, today: date) -> Interval:
    """The asked day in ``tz``, as UTC; within ``MAX_DAYS_AWAY`` of today (bookings go at most
    730 days ahead), so no date arithmetic runs off the calendar."""
    if abs((day - today).days) > MAX_DAYS_AWAY:
        raise InvalidInput(
            f"Pick a date within {MAX_DAYS_AWAY} days of today.",
            fields={"date": f"within {MAX_DAYS_AWAY} days of today"},
        )
    return local_days(day, day, tz)


def _booked(bookings: tuple[BusyRecord, ...], host_id: str) -> list[Booked]:
    return [
        Booked(
            Interval(b.starts_at, b.ends_at),
            timedelta(minutes=b.buffer_before_minutes),
            timedelta(minutes=b.buffer_after_minutes),
        )
        for b in bookings
        if b.host_id == host_id
    ]


async def _read_calendars(
    ctx: ServiceContext, hosts: list[HostCalendar], window: Interval
) -> list[list[BusyEvent] | CalendarError]:
    """Every rep's calendar at once; a rep without one (weekly hours only) is never busy."""
    outcomes: list[list[BusyEvent] | CalendarError] = [[] for _ in hosts]
    calendars = [i for i, h in enumerate(hosts) if h.provider is not CalendarProviderName.NONE]
    if calendars:
        async with asyncio.TaskGroup() as group:
            tasks = {i: group.create_task(_busy_events(ctx, hosts[i], window)) for i in calendars}
        for i, task in tasks.items():
            outcomes[i] = task.result()
    return outcomes


async def _busy_events(
    ctx: ServiceContext, host: HostCalendar, window: Interval
) -> list[BusyEvent] | CalendarError:
    """Like ``availability.provider_busy``, with subjects; what the read saw goes onto the card too."""
    slot = PROVIDER_SLOT[host.provider]
    credentials = ConnectionCredentials(ctx, host.host_id, slot)
    outcome: list[BusyEvent] | CalendarError
    try:
        outcome = await ctx.calendars.calendar(host.provider).busy_events(credentials, window)
    except CalendarError as exc:
        logger.info(
            "troubleshooter: reading %s for %s failed: %s", host.provider, host.host_id, type(exc).__name__
        )
        outcome = exc
    failure = outcome if isinstance(outcome, CalendarError) else None
    await note_public_read(
        ctx, host.host_id, slot, failure, token_version=credentials.token_version, stored=credentials.problem
    )
    return outcome


def _why_unreadable(ctx: ServiceContext, host: HostCalendar, error: CalendarError, *, connected: bool) -> str:
    if not connected:
        return NOT_CONNECTED.format(calendar=_PROVIDER_NAMES.get(host.provider, str(host.provider)))
    missing = " ".join(sorted(error.missing_scopes)) if isinstance(error, MissingScope) else ""
    return describe(
        problem_for(error), wording=wording(ctx, PROVIDER_SLOT[host.provider]), missing_scopes=missing
    )
