"""Bookable slots: weekly hours minus busy time, on a step grid, with buffers, notice and horizon.

Pure: standard library only, no I/O, no clock (`now` is a parameter).
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from operator import attrgetter
from zoneinfo import ZoneInfo

from workestra.scheduling.intervals import Interval, as_utc
from workestra.scheduling.weekly_hours import WeeklyRule, local_days, windows_for

_ZERO = timedelta(0)
_TICK = timedelta(microseconds=1)  # datetime resolution: `s < x` is `s <= x - _TICK`
_ONE_DAY = timedelta(days=1)
_ONE_WEEK = timedelta(days=7)
_EXTENSIONS = 2  # look at most two extra weeks each way for where an availability run begins
_by_start = attrgetter("start")
MAX_BUFFER_MINUTES = 720  # a link's buffers are at most 12 hours each side


@dataclass(frozen=True, slots=True)
class SlotPolicy:
    """How a booking link cuts availability into slots.

    duration and interval (the step between candidate starts) must be positive; buffers,
    minimum notice and horizon must not be negative. Raises ValueError otherwise.
    """

    duration: timedelta
    interval: timedelta
    buffer_before: timedelta = _ZERO
    buffer_after: timedelta = _ZERO
    minimum_notice: timedelta = _ZERO
    horizon: timedelta = timedelta(days=60)

    def __post_init__(self) -> None:
        for name in ("duration", "interval"):
            if getattr(self, name) <= _ZERO:
                raise ValueError(f"{name} must be positive, got {getattr(self, name)}")
        for name in ("buffer_before", "buffer_after", "minimum_notice", "horizon"):
            if getattr(self, name) < _ZERO:
                raise ValueError(f"{name} must not be negative, got {getattr(self, name)}")


def available_slots(
    *,
    rules: Sequence[WeeklyRule],
    tz: ZoneInfo,
    window: Interval,
    policy: SlotPolicy,
    busy: Iterable[Interval],
    now: datetime,
) -> list[Interval]:
    """Return the free slots whose start lies in `window`, sorted by start and unique.

    Availability is `windows_for(rules, tz, ...)`: merged UTC windows from the weekly hours in
    the link's zone `tz`. Candidate starts lie on a grid anchored at the start of each merged
    window, `policy.interval` apart. A candidate [start, start + duration) is a slot when:
    it fits entirely in its availability window; [start - buffer_before, end + buffer_after)
    overlaps no busy interval (half-open: touching is fine); start >= now + minimum_notice; and
    start < now + horizon. Busy intervals may be unsorted and overlapping.

    The grid anchor does not depend on `window`: the engine looks up to two weeks back for where
    a run of availability begins. Only a run longer than that (e.g. 24/7 hours) is anchored at
    the local midnight where the examined days begin; give such links an interval dividing 24 h.
    Raises ValueError when `now` is naive. Costs O(busy log busy + days + slots).
    """
    now = as_utc(now, name="now")
    lower = max(window.start, now + policy.minimum_notice)
    upper = min(window.end, now + policy.horizon)
    if lower >= upper or not rules:
        return []
    starts, ends = _blocked(busy, policy)
    return _sweep(_availability(rules, tz, lower, upper), starts, ends, policy, lower, upper)


def is_available(
    start: datetime,
    *,
    rules: Sequence[WeeklyRule],
    tz: ZoneInfo,
    policy: SlotPolicy,
    busy: Iterable[Interval],
    now: datetime,
) -> bool:
    """True when `start` is exactly the start of a slot `available_slots` would offer.

    Same rules, grid and constraints as `available_slots`. Raises ValueError when `start` or
    `now` is naive.
    """
    start = as_utc(start, name="start")
    # Only busy time within the buffers of this one candidate can reject it.
    reach_back = start - policy.buffer_before
    reach_forward = start + policy.duration + policy.buffer_after
    nearby = [b for b in busy if b.start < reach_forward and b.end > reach_back]
    slots = available_slots(
        rules=rules,
        tz=tz,
        window=Interval(start, start + _TICK),
        policy=policy,
        busy=nearby,
        now=now,
    )
    return any(slot.start == start for slot in slots)


def _availability(
    rules: Sequence[WeeklyRule], tz: ZoneInfo, lower: datetime, upper: datetime
) -> list[Interval]:
    """Merged availability windows covering [lower, upper), each complete at both ends.

    A window that starts at the first local midnight examined (or ends at the last) may
    continue beyond it, which would move its grid anchor (or cut its end), so widen the days.
    """
    first = lower.astimezone(tz).date() - _ONE_DAY
    last = upper.astimezone(tz).date() + _ONE_DAY
    for _ in range(_EXTENSIONS):
        windows = windows_for(rules, tz, first, last)
        if not windows:
            return windows
        span = local_days(first, last, tz)
        grow_back = windows[0].start <= span.start and windows[0].end > lower
        grow_forward = windows[-1].end >= span.end and windows[-1].start < upper
        if not (grow_back or grow_forward):
            return windows
        first -= _ONE_WEEK if grow_back else _ZERO
        last += _ONE_WEEK if grow_forward else _ZERO
    return windows_for(rules, tz, first, last)


def _blocked(busy: Iterable[Interval], policy: SlotPolicy) -> tuple[list[datetime], list[datetime]]:
    """Merge busy time into parallel, increasing lists of starts and ends of forbidden zones.

    A slot [s, e) conflicts with busy b when [s - before, e + after) overlaps b, that is when
    [s, e) overlaps [b.start - after, b.end + before): the zones are busy time widened by the
    buffers the other way round.
    """
    starts: list[datetime] = []
    ends: list[datetime] = []
    ordered = sorted(busy, key=_by_start)
    if not ordered:
        return starts, ends
    start, end = ordered[0].start, ordered[0].end
    for interval in ordered:
        if interval.start <= end:
            if interval.end > end:
                end = interval.end
        else:
            starts.append(start)
            ends.append(end)
            start, end = interval.start, interval.end
    starts.append(start)
    ends.append(end)
    if policy.buffer_after:
        starts = [start - policy.buffer_after for start in starts]
    if policy.buffer_before:
        ends = [end + policy.buffer_before for end in ends]
    return starts, ends


def _sweep(
    windows: list[Interval],
    starts: list[datetime],
    ends: list[datetime],
    policy: SlotPolicy,
    lower: datetime,
    upper: datetime,
) -> list[Interval]:
    """One pass over the availability windows and the forbidden zones, both sorted.

    Within a window, every grid point up to the next zone is emitted in a tight loop; a
    conflicting candidate jumps straight to the first grid point at or after the zone's end.
    """
    duration, step = policy.duration, policy.interval
    new, assign = object.__new__, object.__setattr__
    slots: list[Interval] = []
    append = slots.append
    count, zone = len(starts), 0
    for window in windows:
        anchor = window.start
        if anchor >= upper:
            break
        limit = min(window.end - duration, upper - _TICK)  # a start s is allowed iff s <= limit
        if limit < lower or limit < anchor:
            continue
        start = anchor if anchor >= lower else anchor - step * ((anchor - lower) // step)
        while start <= limit:
            while zone < count and ends[zone] <= start:
                zone += 1
            stop = limit
            if zone < count:
                free_until = starts[zone] - duration
                if start > free_until:  # the zone overlaps this candidate
                    start = anchor - step * ((anchor - ends[zone]) // step)
                    continue
                stop = min(stop, free_until)
            while start <= stop:
                slot = new(Interval)
                assign(slot, "start", start)
                assign(slot, "end", start + duration)
                append(slot)
                start += step
    return slots
