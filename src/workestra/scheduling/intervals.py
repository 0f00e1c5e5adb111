"""Half-open UTC time intervals and set operations on them (merge, subtract).

Pure: standard library only, no I/O, no clock.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from operator import attrgetter

_by_start = attrgetter("start")


def as_utc(value: datetime, *, name: str = "datetime") -> datetime:
    """Return the aware datetime `value` expressed in UTC (tzinfo is `datetime.UTC`).

    Raises ValueError for a naive datetime; `name` is used in the message.
    """
    tzinfo = value.tzinfo
    if tzinfo is UTC:
        return value
    if tzinfo is None or tzinfo.utcoffset(value) is None:
        raise ValueError(f"{name} must be timezone-aware, got naive {value.isoformat()}")
    try:
        return value.astimezone(UTC)
    except OverflowError as exc:  # e.g. 0001-01-01T00:00+05:00 lies before datetime.min in UTC
        raise ValueError(f"{name} is out of range: {value.isoformat()}") from exc


@dataclass(frozen=True, slots=True)
class Interval:
    """The half-open span [start, end) between two aware instants, stored in UTC.

    Raises ValueError when either bound is naive or when start is not before end.
    """

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        start = as_utc(self.start, name="interval start")
        end = as_utc(self.end, name="interval end")
        if not start < end:
            raise ValueError(f"interval start {start.isoformat()} must be before end {end.isoformat()}")
        object.__setattr__(self, "start", start)
        object.__setattr__(self, "end", end)

    def overlaps(self, other: "Interval") -> bool:
        """True when the two intervals share an instant; touching ends do not overlap."""
        return self.start < other.end and other.start < self.end

    def contains(self, other: "Interval") -> bool:
        """True when every instant of `other` lies in this interval."""
        return self.start <= other.start and other.end <= self.end

    @property
    def duration(self) -> timedelta:
        return self.end - self.start


def trusted_interval(start: datetime, end: datetime) -> Interval:
    """Build an Interval without validation, for engine internals on hot paths.

    The caller guarantees that both bounds carry `datetime.UTC` and that start < end.
    """
    interval = object.__new__(Interval)
    object.__setattr__(interval, "start", start)
    object.__setattr__(interval, "end", end)
    return interval


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """Join overlapping and touching intervals.

    Returns disjoint, non-touching intervals sorted by start; merge(merge(x)) == merge(x).
    """
    merged: list[Interval] = []
    ordered = sorted(intervals, key=_by_start)
    if not ordered:
        return merged
    first = ordered[0]
    start, end = first.start, first.end
    for interval in ordered:
        if interval.start <= end:
            if interval.end > end:
                end = interval.end
        else:
            merged.append(trusted_interval(start, end))
            start, end = interval.start, interval.end
    merged.append(trusted_interval(start, end))
    return merged


def subtract(windows: Iterable[Interval], busy: Iterable[Interval]) -> list[Interval]:
    """Return the parts of `windows` not covered by any `busy` interval.

    Both inputs may be unsorted and overlapping; they are merged first. The result is sorted,
    disjoint, lies within the windows and never overlaps busy time (touching is allowed, since
    intervals are half-open).
    """
    free: list[Interval] = []
    blocked = merge(busy)
    count = len(blocked)
    index = 0
    for window in merge(windows):
        cursor = window.start
        while index < count and blocked[index].end <= cursor:
            index += 1
        probe = index
        while probe < count and blocked[probe].start < window.end:
            block = blocked[probe]
            if block.start > cursor:
                free.append(trusted_interval(cursor, block.start))
            cursor = max(cursor, block.end)
            probe += 1
        if cursor < window.end:
            free.append(trusted_interval(cursor, window.end))
        index = max(index, probe - 1)
    return free
