"""Slot engine benchmark: one booking link over 60 days against 2,000 busy intervals."""

import random
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from bench import Comparison, median_seconds
from workestra.scheduling import (
    Interval,
    SlotPolicy,
    WeeklyRule,
    available_slots,
    local_days,
    parse_hhmm,
)

DAYS = 60
BUSY_COUNT = 2_000
BUSY_MINUTES = (15, 30, 45, 60, 90, 120)
SEED = 20250303
TARGET_RATIO = 3.0


def slots_vs_sorting_busy(*, repeat: int) -> Comparison:
    """Time `available_slots` against merely sorting its busy list, the floor any engine pays.

    Mon-Fri 09:00-17:00 in Europe/Berlin (the range crosses the March DST change), 30-minute
    slots every 15 minutes, busy intervals seeded-random over the 60 days, in random order.
    """
    tz = ZoneInfo("Europe/Berlin")
    first_day = date(2025, 3, 3)
    window = local_days(first_day, first_day + timedelta(days=DAYS - 1), tz)
    rules = [WeeklyRule(day, parse_hhmm("09:00"), parse_hhmm("17:00")) for day in range(5)]
    policy = SlotPolicy(duration=timedelta(minutes=30), interval=timedelta(minutes=15))
    busy = _random_busy(window, random.Random(SEED))
    now = window.start

    def engine() -> list[Interval]:
        return available_slots(rules=rules, tz=tz, window=window, policy=policy, busy=busy, now=now)

    def baseline() -> list[Interval]:
        return sorted(busy, key=lambda i: (i.start, i.end))

    return Comparison(
        name="slots-60d-2000-busy",
        subject="available_slots",
        subject_seconds=median_seconds(engine, repeat=repeat),
        baseline="sorted(busy, key=(start, end))",
        baseline_seconds=median_seconds(baseline, repeat=repeat),
        target_ratio=TARGET_RATIO,
        detail=f"{len(engine())} slots, {len(busy)} busy",
    )


def _random_busy(window: Interval, rng: random.Random) -> list[Interval]:
    span_minutes = int(window.duration / timedelta(minutes=1))
    busy = []
    for _ in range(BUSY_COUNT):
        start = window.start + timedelta(minutes=5 * rng.randrange(span_minutes // 5))
        busy.append(Interval(start, start + timedelta(minutes=rng.choice(BUSY_MINUTES))))
    rng.shuffle(busy)
    return busy
