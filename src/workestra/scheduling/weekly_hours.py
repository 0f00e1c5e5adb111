"""Weekly opening hours in an IANA zone, turned into UTC availability windows (DST-safe).

Pure: standard library only, no I/O, no clock.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from workestra.scheduling.intervals import Interval, merge, trusted_interval

MINUTES_PER_DAY = 1440
_ONE_DAY = timedelta(days=1)
_ONE_SECOND = timedelta(seconds=1)


@dataclass(frozen=True, slots=True)
class WeeklyRule:
    """Open from `start_minute` to `end_minute` (local wall clock) on every `weekday`.

    weekday: 0 = Monday … 6 = Sunday, as `date.weekday()`. Minutes count from local midnight;
    end_minute 1440 is the midnight that ends the day. Hours that cross midnight are two rules.
    Raises ValueError when a field is out of range or end_minute <= start_minute.
    """

    weekday: int
    start_minute: int
    end_minute: int

    def __post_init__(self) -> None:
        if not 0 <= self.weekday <= 6:
            raise ValueError(f"weekday must be 0 (Monday) to 6 (Sunday), got {self.weekday}")
        if not 0 <= self.start_minute < MINUTES_PER_DAY:
            raise ValueError(f"start_minute must be 0..1439, got {self.start_minute}")
        if not 0 < self.end_minute <= MINUTES_PER_DAY:
            raise ValueError(f"end_minute must be 1..1440, got {self.end_minute}")
        if self.end_minute <= self.start_minute:
            raise ValueError(
                f"hours must end after they start, got {format_hhmm(self.start_minute)}"
                f"-{format_hhmm(self.end_minute)}; split hours that cross midnight into two rules"
            )


def parse_hhmm(value: str, *, allow_24: bool = False) -> int:
    """Parse a 24-hour "HH:MM" wall-clock time into minutes after midnight ("09:30" -> 570).

    "24:00" (-> 1440, the end of the day) is accepted only with allow_24=True.
    Raises ValueError naming the bad value otherwise.
    """
    hours, sep, minutes = value.partition(":")
    well_formed = (
        sep == ":"
        and len(hours) == 2
        and len(minutes) == 2
        and (hours + minutes).isascii()
        and (hours + minutes).isdigit()
    )
    if well_formed:
        hour, minute = int(hours), int(minutes)
        if hour < 24 and minute < 60:
            return hour * 60 + minute
        if allow_24 and hour == 24 and minute == 0:
            return MINUTES_PER_DAY
    latest = "24:00" if allow_24 else "23:59"
    raise ValueError(f"invalid time {value!r}: expected HH:MM between 00:00 and {latest}")


def format_hhmm(minute: int) -> str:
    """Format minutes after midnight as "HH:MM" (570 -> "09:30", 1440 -> "24:00").

    Raises ValueError outside 0..1440.
    """
    if not 0 <= minute <= MINUTES_PER_DAY:
        raise ValueError(f"minute must be 0..1440, got {minute}")
    return f"{minute // 60:02d}:{minute % 60:02d}"


def local_to_utc(wall: datetime, tz: ZoneInfo, *, is_end: bool = False) -> datetime:
    """Map a naive local wall-clock time in `tz` to an aware UTC instant.

    A wall time inside a spring-forward gap maps to the first instant after the gap. An
    ambiguous (fall-back) wall time maps to its first occurrence, or to its second one when
    `is_end` is true, so that a span of wall-clock time covers both occurrences.
    Raises ValueError when `wall` is aware.
    """
    if wall.tzinfo is not None:
        raise ValueError(f"wall-clock time must be naive, got {wall.isoformat()}")
    wall = wall.replace(fold=0)
    first = _offset(tz, wall)
    second = _offset(tz, wall.replace(fold=1))
    if first == second:
        return (wall - first).replace(tzinfo=UTC)
    if first > second:  # repeated hour: fold=0 is the earlier occurrence
        return (wall - (second if is_end else first)).replace(tzinfo=UTC)
    return _end_of_gap(wall - second, wall - first, tz, before=first)


def _offset(tz: ZoneInfo, wall: datetime) -> timedelta:
    offset = tz.utcoffset(wall)
    if offset is None:  # ZoneInfo always has an offset; this guards a foreign tzinfo
        raise ValueError(f"time zone {tz} gives no UTC offset for {wall.isoformat()}")
    return offset


def _end_of_gap(low: datetime, high: datetime, tz: ZoneInfo, *, before: timedelta) -> datetime:
    """Find the transition instant in (low, high]: the first UTC instant whose offset changed.

    zoneinfo does not expose its transitions, so bisect on whole seconds (tzdata transitions
    are whole seconds); a gap is at most a few hours, so this takes ~15 steps.
    """
    low_utc, high_utc = low.replace(tzinfo=UTC), high.replace(tzinfo=UTC)
    lo, hi = 0, int((high_utc - low_utc) / _ONE_SECOND)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if (low_utc + mid * _ONE_SECOND).astimezone(tz).utcoffset() == before:
            lo = mid
        else:
            hi = mid
    return low_utc + hi * _ONE_SECOND


def local_days(first_day: date, last_day: date, tz: ZoneInfo) -> Interval:
    """The UTC interval from local midnight of `first_day` to local midnight after `last_day`.

    Both days are included. Raises ValueError when last_day is before first_day.
    """
    if last_day < first_day:
        raise ValueError(f"last day {last_day} is before first day {first_day}")
    start = local_to_utc(datetime.combine(first_day, time()), tz)
    end = local_to_utc(datetime.combine(last_day + _ONE_DAY, time()), tz)
    return Interval(start, end)


def windows_for(rules: Sequence[WeeklyRule], tz: ZoneInfo, first_day: date, last_day: date) -> list[Interval]:
    """Availability windows in UTC for the local days first_day..last_day (both included).

    Each rule applies on every day of its weekday, in `tz` wall-clock time (DST-safe, see
    `local_to_utc`: starts use the first occurrence of an ambiguous time, ends the second).
    A rule that falls entirely in a DST gap yields nothing that day. The result is merged
    (overlapping and touching windows joined, so Mon 22:00-24:00 + Tue 00:00-02:00 is one
    window), sorted and disjoint. Raises ValueError when last_day is before first_day.
    """
    if last_day < first_day:
        raise ValueError(f"last day {last_day} is before first day {first_day}")
    by_weekday: dict[int, list[WeeklyRule]] = {}
    for rule in rules:
        by_weekday.setdefault(rule.weekday, []).append(rule)
    windows: list[Interval] = []
    day = first_day
    while day <= last_day:
        midnight = datetime.combine(day, time())
        for rule in by_weekday.get(day.weekday(), ()):
            start = local_to_utc(midnight + timedelta(minutes=rule.start_minute), tz)
            end = local_to_utc(midnight + timedelta(minutes=rule.end_minute), tz, is_end=True)
            if start < end:
                windows.append(trusted_interval(start, end))
        day += _ONE_DAY
    return merge(windows)
