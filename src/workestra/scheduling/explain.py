"""Why a slot is (not) offered: every candidate start of a day, with the reasons per rep.

Pure: standard library only, no I/O, no clock (`now` is a parameter). It answers the same question
as `available_slots` (and agrees with it: see the property tests), but keeps the reasons instead of
dropping the candidate, so it is a separate function: the hot path stays as it is.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Literal
from zoneinfo import ZoneInfo

from workestra.scheduling.intervals import Interval, as_utc
from workestra.scheduling.slots import SlotPolicy, available_slots
from workestra.scheduling.weekly_hours import WeeklyRule, local_to_utc, windows_for

_ZERO = timedelta(0)
_ONE_DAY = timedelta(days=1)


class ReasonCode(StrEnum):
    """Why one rep can't take a candidate slot (the API's ``code``)."""

    OUTSIDE_HOURS = "outside_hours"  # not a start the weekly hours offer (or runs past their end)
    MINIMUM_NOTICE = "minimum_notice"  # starts before now + minimum notice (the past included)
    BEYOND_HORIZON = "beyond_horizon"  # starts at or after now + booking horizon
    BOOKED = "booked"  # overlaps a booking's own time
    BUFFER = "buffer"  # only a buffer (the booking's, or this link's) reaches a booking or busy time
    BUSY = "busy"  # overlaps busy time in the rep's calendar
    CALENDAR_UNREADABLE = "calendar_unreadable"  # the rep's calendar could not be read
    DAILY_LIMIT = "daily_limit"  # the rep has had their daily limit of this link's bookings that day


# The order reasons are listed in: the slot's own rules first, then what is in the way.
_ORDER = {code: index for index, code in enumerate(ReasonCode)}


@dataclass(frozen=True, slots=True)
class Booked:
    """A live booking of a rep: its own time and the buffers of the link it was booked on."""

    time: Interval
    buffer_before: timedelta = _ZERO
    buffer_after: timedelta = _ZERO

    @property
    def blocked(self) -> Interval:
        """The time it takes: its own, widened by its link's buffers (as availability reads it)."""
        return Interval(self.time.start - self.buffer_before, self.time.end + self.buffer_after)


@dataclass(frozen=True, slots=True)
class Busy:
    """Busy time in a rep's calendar; ``label`` is what to call it (an event's subject), if known."""

    time: Interval
    label: str | None = None


@dataclass(frozen=True, slots=True)
class RepDay:
    """What one rep brings to the day: bookings, calendar busy time, or why the calendar is unknown."""

    bookings: Sequence[Booked] = ()
    calendar: Sequence[Busy] = ()
    unreadable: str | None = None  # set: the calendar couldn't be read (this says why); rep not offered
    full_days: frozenset[date] = frozenset()  # days (in the link's zone) the rep is at their daily limit


@dataclass(frozen=True, slots=True)
class Reason:
    """One reason a rep can't take a slot. ``time``: the booking's or busy event's own time;
    ``source``: what a ``buffer`` reaches; ``label``: the busy event's subject; ``detail``: why a
    calendar is unreadable."""

    code: ReasonCode
    time: Interval | None = None
    source: Literal["booking", "calendar"] | None = None
    label: str | None = None
    detail: str | None = None


@dataclass(frozen=True, slots=True)
class SlotExplanation:
    """One candidate slot and, per rep (in the order given), the reasons that rep can't take it."""

    slot: Interval
    reasons: tuple[tuple[Reason, ...], ...]

    @property
    def available(self) -> bool:
        """Offered: at least one rep has no reason against it."""
        return any(not reasons for reasons in self.reasons)


def explain_day(
    *,
    rules: Sequence[WeeklyRule],
    tz: ZoneInfo,
    day: Interval,
    policy: SlotPolicy,
    now: datetime,
    reps: Sequence[RepDay],
) -> list[SlotExplanation]:
    """Every candidate slot starting in ``day`` (a UTC span, usually one local day), sorted by start.

    Candidates are the starts `available_slots` would consider in the weekly hours (its grid,
    notice and horizon ignored), plus the starts outside the hours on a grid anchored at local
    midnight in the link's zone ``tz``, ``policy.interval`` apart, whose slot doesn't lie inside the
    hours. A rep can take a candidate when none of `ReasonCode` applies; the slot is offered when
    some rep can, exactly when `available_slots` (fed the rep's busy time, each booking widened by
    its own buffers) offers it for that rep. Raises ValueError when ``now`` is naive.
    """
    now = as_utc(now, name="now")
    earliest, latest = now + policy.minimum_notice, now + policy.horizon
    in_hours = _in_hours(rules, tz, day, policy, now=now)
    starts = sorted(in_hours | _outside_hours(rules, tz, day, policy))
    duration, before, after = policy.duration, policy.buffer_before, policy.buffer_after
    reach = Interval(day.start - before - duration, day.end + duration + after)
    nearby = [_nearby(rep, reach) for rep in reps]
    explained: list[SlotExplanation] = []
    for start in starts:
        slot = Interval(start, start + duration)
        widened = Interval(start - before, slot.end + after)
        common: list[Reason] = []
        if start not in in_hours:
            common.append(Reason(ReasonCode.OUTSIDE_HOURS))
        if start < earliest:
            common.append(Reason(ReasonCode.MINIMUM_NOTICE))
        if start >= latest:
            common.append(Reason(ReasonCode.BEYOND_HORIZON))
        local_day = start.astimezone(tz).date()
        per_rep = tuple(
            _rep_reasons(rep, bookings, calendar, common, slot, widened, full=local_day in rep.full_days)
            for rep, (bookings, calendar) in zip(reps, nearby, strict=True)
        )
        explained.append(SlotExplanation(slot, per_rep))
    return explained


def _rep_reasons(
    rep: RepDay,
    bookings: list[Booked],
    calendar: list[Busy],
    common: list[Reason],
    slot: Interval,
    widened: Interval,
    *,
    full: bool = False,
) -> tuple[Reason, ...]:
    reasons = list(common)
    if full:
        reasons.append(Reason(ReasonCode.DAILY_LIMIT))
    if rep.unreadable is not None:
        reasons.append(Reason(ReasonCode.CALENDAR_UNREADABLE, detail=rep.unreadable))
    for booking in bookings:
        if widened.overlaps(booking.blocked):
            code = ReasonCode.BOOKED if slot.overlaps(booking.time) else ReasonCode.BUFFER
            reasons.append(Reason(code, time=booking.time, source="booking"))
    for busy in calendar:
        if widened.overlaps(busy.time):
            code = ReasonCode.BUSY if slot.overlaps(busy.time) else ReasonCode.BUFFER
            reasons.append(Reason(code, time=busy.time, source="calendar", label=busy.label))
    reasons.sort(key=lambda r: (_ORDER[r.code], r.time.start if r.time else slot.start))
    return tuple(reasons)


def _nearby(rep: RepDay, reach: Interval) -> tuple[list[Booked], list[Busy]]:
    """The rep's bookings and busy time that could touch a candidate of the day (buffers included)."""
    bookings = [b for b in rep.bookings if b.blocked.overlaps(reach)]
    calendar = [b for b in rep.calendar if b.time.overlaps(reach)]
    return bookings, calendar


def _in_hours(
    rules: Sequence[WeeklyRule], tz: ZoneInfo, day: Interval, policy: SlotPolicy, *, now: datetime
) -> set[datetime]:
    """The starts in ``day`` the engine considers within the weekly hours, whatever notice,
    horizon or busy time say.

    Within what notice and horizon leave bookable the engine's own candidates are used (for very
    long runs of hours, its grid anchor depends on where it starts looking); the rest of the day
    is read with the same rules from the day's start.
    """
    span = day.duration
    plain = SlotPolicy(duration=policy.duration, interval=policy.interval, horizon=span)
    everything = {s.start for s in _slots(rules, tz, day, plain, now=day.start)}
    lower, upper = max(day.start, now + policy.minimum_notice), min(day.end, now + policy.horizon)
    if lower >= upper:
        return everything
    bookable = Interval(lower, upper)
    # The engine's own view: `now` and the policy as given, minus busy time.
    offered = {s.start for s in _slots(rules, tz, bookable, policy, now=now)}
    return {s for s in everything if not lower <= s < upper} | offered


def _slots(
    rules: Sequence[WeeklyRule], tz: ZoneInfo, window: Interval, policy: SlotPolicy, *, now: datetime
) -> list[Interval]:
    return available_slots(rules=rules, tz=tz, window=window, policy=policy, busy=(), now=now)


def _outside_hours(
    rules: Sequence[WeeklyRule], tz: ZoneInfo, day: Interval, policy: SlotPolicy
) -> set[datetime]:
    """Starts in ``day`` on the grid anchored at local midnight (``tz``) whose slot doesn't fit
    inside one window of the weekly hours."""
    first: date = day.start.astimezone(tz).date()
    last: date = day.end.astimezone(tz).date()
    windows = windows_for(rules, tz, first - _ONE_DAY, last + _ONE_DAY) if rules else []
    anchor = local_to_utc(datetime.combine(first, time()), tz)
    step, duration = policy.interval, policy.duration
    start = anchor + step * -((anchor - day.start) // step)  # the first grid point >= day.start
    found: set[datetime] = set()
    index, count = 0, len(windows)
    while start < day.end:
        while index < count and windows[index].end <= start:
            index += 1
        inside = index < count and windows[index].start <= start and start + duration <= windows[index].end
        if not inside:
            found.add(start)
        start += step
    return found
