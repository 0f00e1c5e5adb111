"""Properties of the slot engine over random hours, zones (DST days included) and busy time."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from workestra.scheduling import (
    Interval,
    SlotPolicy,
    WeeklyRule,
    available_slots,
    is_available,
    local_days,
    windows_for,
)

MINUTE = timedelta(minutes=1)
ANY_WEEKDAY = st.integers(0, 6)
ZONES = [
    ZoneInfo(name)
    for name in (
        "UTC",
        "America/New_York",
        "Europe/London",
        "Asia/Kolkata",
        "Pacific/Chatham",
        "Australia/Lord_Howe",
    )
]
DST_DAYS = [
    date(2024, 3, 10), date(2024, 11, 3),  # New York
    date(2024, 3, 31), date(2024, 10, 27),  # London
    date(2024, 4, 7), date(2024, 10, 6),  # Lord Howe (and Chatham in April)
    date(2024, 9, 29),  # Chatham
]  # fmt: skip


@st.composite
def weekly_rules(draw: st.DrawFn, weekdays: st.SearchStrategy[int] = ANY_WEEKDAY) -> WeeklyRule:
    start = draw(st.integers(0, 95))
    end = draw(st.integers(start + 1, 96))
    return WeeklyRule(draw(weekdays), start * 15, end * 15)


def minutes(low: int, high: int, step: int = 1) -> st.SearchStrategy[timedelta]:
    return st.integers(low // step, high // step).map(lambda n: n * step * MINUTE)


@dataclass(frozen=True, slots=True)
class Scenario:
    rules: list[WeeklyRule]
    tz: ZoneInfo
    window: Interval
    policy: SlotPolicy
    busy: list[Interval]
    now: datetime

    def slots(self) -> list[Interval]:
        return available_slots(rules=self.rules, tz=self.tz, window=self.window,
                               policy=self.policy, busy=self.busy, now=self.now)  # fmt: skip


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    tz = draw(st.sampled_from(ZONES))
    first = draw(st.sampled_from(DST_DAYS) | st.dates(date(2024, 1, 1), date(2024, 12, 31)))
    first -= timedelta(days=draw(st.integers(0, 2)))
    days = local_days(first, first + timedelta(days=draw(st.integers(0, 3))), tz)
    window = Interval(days.start + draw(minutes(0, 600)), days.end)
    policy = SlotPolicy(
        duration=draw(st.sampled_from([15, 30, 45, 60, 90, 120])) * MINUTE,
        interval=draw(st.sampled_from([10, 15, 20, 30, 45, 60, 90])) * MINUTE,
        buffer_before=draw(minutes(0, 60, 15)),
        buffer_after=draw(minutes(0, 60, 15)),
        minimum_notice=draw(minutes(0, 720, 30)),
        horizon=draw(minutes(2 * 1440, 10 * 1440, 1440)),
    )
    busy = [
        Interval(window.start + offset, window.start + offset + draw(minutes(5, 240, 5)))
        for offset in draw(st.lists(minutes(-1440, 5 * 1440, 5), max_size=15))
    ]
    now = window.start + draw(minutes(-3 * 1440, 720, 5))
    nearby = st.integers(0, 2).map(lambda offset: (first.weekday() + offset) % 7)
    rules = draw(st.lists(weekly_rules(nearby | ANY_WEEKDAY), min_size=1, max_size=6))
    return Scenario(rules, tz, window, policy, busy, now)


def wall_is_open(instant: datetime, scenario: Scenario) -> bool:
    local = instant.astimezone(scenario.tz)
    minute = local.hour * 60 + local.minute
    return any(
        rule.weekday == local.weekday() and rule.start_minute <= minute < rule.end_minute
        for rule in scenario.rules
    )


def is_ambiguous(instant: datetime, tz: ZoneInfo) -> bool:
    """True in a fall-back hour, whose wall times the engine covers for both occurrences."""
    local = instant.astimezone(tz)
    return local.utcoffset() != local.replace(fold=1 - local.fold).utcoffset()


def instants(interval: Interval) -> Iterator[datetime]:
    point = interval.start
    while point < interval.end:
        yield point
        point += 5 * MINUTE
    yield interval.end - MINUTE


def brute_force(scenario: Scenario) -> list[Interval]:
    """Every grid point of every availability window, checked one by one."""
    policy, window = scenario.policy, scenario.window
    first = window.start.astimezone(scenario.tz).date() - timedelta(days=20)
    last = window.end.astimezone(scenario.tz).date() + timedelta(days=20)
    found = []
    for available in windows_for(scenario.rules, scenario.tz, first, last):
        if available.end <= window.start or available.start >= window.end:
            continue
        start = available.start
        while start + policy.duration <= available.end:
            guarded = Interval(start - policy.buffer_before,
                               start + policy.duration + policy.buffer_after)  # fmt: skip
            if (
                window.start <= start < window.end
                and scenario.now + policy.minimum_notice <= start
                and start < scenario.now + policy.horizon
                and not any(guarded.overlaps(busy) for busy in scenario.busy)
            ):
                found.append(Interval(start, start + policy.duration))
            start += policy.interval
    return found


@given(scenarios())
def test_no_slot_overlaps_busy_time_including_buffers(scenario: Scenario) -> None:
    before, after = scenario.policy.buffer_before, scenario.policy.buffer_after
    for slot in scenario.slots():
        guarded = Interval(slot.start - before, slot.end + after)
        assert not any(guarded.overlaps(busy) for busy in scenario.busy)


@given(scenarios())
def test_every_slot_lies_inside_the_weekly_hours_in_local_wall_clock_time(
    scenario: Scenario,
) -> None:
    for slot in scenario.slots():
        for instant in instants(slot):
            assert wall_is_open(instant, scenario) or is_ambiguous(instant, scenario.tz)


@given(scenarios())
def test_slots_are_sorted_unique_and_respect_window_notice_and_horizon(
    scenario: Scenario,
) -> None:
    found = scenario.slots()
    policy = scenario.policy
    assert all(a.start < b.start for a, b in pairwise(found))
    for slot in found:
        assert slot.duration == policy.duration
        assert scenario.window.start <= slot.start < scenario.window.end
        assert scenario.now + policy.minimum_notice <= slot.start
        assert slot.start < scenario.now + policy.horizon


@given(scenarios())
def test_slots_are_exactly_the_free_grid_points_a_brute_force_search_finds(
    scenario: Scenario,
) -> None:
    assert scenario.slots() == brute_force(scenario)


@given(scenarios(), st.data())
def test_is_available_accepts_listed_slots_and_rejects_starts_off_the_list(
    scenario: Scenario, data: st.DataObject
) -> None:
    found = scenario.slots()
    starts = {slot.start for slot in found}
    probes = [slot.start for slot in found[:2] + found[-2:]]
    probes += [start + 5 * MINUTE for start in probes] + [scenario.window.start]
    for probe in probes:
        expected = probe in starts
        assert expected == is_available(probe, rules=scenario.rules, tz=scenario.tz,
                                        policy=scenario.policy, busy=scenario.busy,
                                        now=scenario.now)  # fmt: skip


@given(st.lists(weekly_rules(), max_size=6), st.sampled_from(ZONES), st.sampled_from(DST_DAYS))
def test_every_open_wall_clock_minute_falls_in_an_availability_window(
    rules: list[WeeklyRule], tz: ZoneInfo, day: date
) -> None:
    first, last = day - timedelta(days=1), day + timedelta(days=1)
    windows = windows_for(rules, tz, first, last)
    for offset in range(3):
        midnight = datetime.combine(first + timedelta(days=offset), datetime.min.time())
        for rule in rules:
            if rule.weekday != midnight.weekday():
                continue
            for minute in range(rule.start_minute, rule.end_minute, 15):
                wall = midnight + minute * MINUTE
                for fold in (0, 1):
                    instant = wall.replace(tzinfo=tz, fold=fold).astimezone(UTC)
                    if instant.astimezone(tz).replace(tzinfo=None) != wall:
                        continue  # this wall time does not exist (spring-forward gap)
                    assert any(w.start <= instant < w.end for w in windows)
