from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from workestra.scheduling import (
    Interval,
    SlotPolicy,
    WeeklyRule,
    available_slots,
    is_available,
    local_days,
    parse_hhmm,
)

LONDON = ZoneInfo("Europe/London")
MONDAY, TUESDAY, SUNDAY = 0, 1, 6
JAN_8 = date(2024, 1, 8)  # a Monday; London is on UTC in January
HALF_HOUR = timedelta(minutes=30)
QUARTER = timedelta(minutes=15)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def hours(day: int, start: str, end: str) -> WeeklyRule:
    return WeeklyRule(day, parse_hhmm(start), parse_hhmm(end, allow_24=True))


def slots(
    rules: list[WeeklyRule],
    *,
    tz: ZoneInfo = LONDON,
    days: tuple[date, date] = (JAN_8, JAN_8),
    viewer: ZoneInfo | None = None,
    policy: SlotPolicy | None = None,
    busy: tuple[Interval, ...] = (),
    now: datetime | None = None,
) -> list[Interval]:
    window = local_days(*days, viewer or tz)
    return available_slots(
        rules=rules,
        tz=tz,
        window=window,
        policy=policy or SlotPolicy(duration=HALF_HOUR, interval=HALF_HOUR),
        busy=busy,
        now=now or window.start - timedelta(days=1),
    )


def walls(found: list[Interval], tz: ZoneInfo) -> list[str]:
    return [slot.start.astimezone(tz).strftime("%H:%M%z") for slot in found]


def test_spring_forward_gap_has_no_phantom_slots() -> None:
    tz = ZoneInfo("America/New_York")
    found = slots([hours(SUNDAY, "00:00", "05:00")], tz=tz, days=(date(2024, 3, 10),) * 2)
    assert walls(found, tz) == [
        "00:00-0500",
        "00:30-0500",
        "01:00-0500",
        "01:30-0500",
        "03:00-0400",
        "03:30-0400",
        "04:00-0400",
        "04:30-0400",
    ]


def test_fall_back_offers_the_repeated_hour_twice() -> None:
    tz = ZoneInfo("America/New_York")
    found = slots([hours(SUNDAY, "00:00", "05:00")], tz=tz, days=(date(2024, 11, 3),) * 2)
    assert len(found) == 12  # six hours of 30-minute slots
    assert walls(found, tz)[2:6] == ["01:00-0400", "01:30-0400", "01:00-0500", "01:30-0500"]


@pytest.mark.parametrize(
    ("day", "count"), [(date(2024, 3, 31), 8), (date(2024, 10, 27), 12)], ids=["spring", "fall"]
)
def test_london_dst_changes_neither_invent_nor_lose_slots(day: date, count: int) -> None:
    found = slots([hours(SUNDAY, "00:00", "05:00")], days=(day, day))
    assert len(found) == count
    assert found[-1].end.astimezone(LONDON).strftime("%H:%M") == "05:00"


def test_lord_howe_half_hour_dst_shift_removes_exactly_one_slot() -> None:
    tz = ZoneInfo("Australia/Lord_Howe")
    found = slots([hours(SUNDAY, "01:00", "04:00")], tz=tz, days=(date(2024, 10, 6),) * 2)
    assert walls(found, tz) == ["01:00+1030", "01:30+1030", "02:30+1100", "03:00+1100", "03:30+1100"]


def test_kolkata_and_chatham_slots_start_at_local_hours() -> None:
    for name, first_utc in [
        ("Asia/Kolkata", utc(2024, 1, 8, 3, 30)),
        ("Pacific/Chatham", utc(2024, 1, 7, 19, 15)),
    ]:
        tz = ZoneInfo(name)
        found = slots([hours(MONDAY, "09:00", "10:00")], tz=tz)
        assert [slot.start for slot in found] == [first_utc, first_utc + HALF_HOUR]


def test_hours_ending_at_midnight_offer_the_last_slot_of_the_day() -> None:
    found = slots([hours(MONDAY, "23:00", "24:00")])
    assert found[-1] == Interval(utc(2024, 1, 8, 23, 30), utc(2024, 1, 9))


def test_hours_crossing_midnight_offer_a_slot_that_spans_midnight() -> None:
    rules = [hours(MONDAY, "23:00", "24:00"), hours(TUESDAY, "00:00", "01:00")]
    policy = SlotPolicy(duration=timedelta(hours=1), interval=HALF_HOUR)
    found = slots(rules, days=(JAN_8, JAN_8 + timedelta(days=1)), policy=policy)
    assert Interval(utc(2024, 1, 8, 23, 30), utc(2024, 1, 9, 0, 30)) in found
    assert len(found) == 3


def test_invitee_day_in_another_zone_selects_the_hosts_hours_by_instant() -> None:
    host = ZoneInfo("America/Los_Angeles")
    tokyo = ZoneInfo("Asia/Tokyo")
    found = slots([hours(MONDAY, "09:00", "12:00")], tz=host, days=(date(2024, 1, 9),) * 2, viewer=tokyo)
    assert walls(found, host)[0] == "09:00-0800"
    assert {slot.start.astimezone(tokyo).date() for slot in found} == {date(2024, 1, 9)}
    assert len(found) == 6


def test_grid_stays_anchored_to_the_hours_when_the_invitee_day_starts_midway() -> None:
    policy = SlotPolicy(duration=HALF_HOUR, interval=timedelta(minutes=45))
    auckland = ZoneInfo("Pacific/Auckland")  # Tuesday there starts Monday 11:00 UTC
    found = slots(
        [hours(MONDAY, "09:00", "13:00")], days=(date(2024, 1, 9),) * 2, viewer=auckland, policy=policy
    )
    assert walls(found, LONDON) == ["11:15+0000", "12:00+0000"]


def test_minimum_notice_hides_slots_starting_too_soon() -> None:
    policy = SlotPolicy(duration=HALF_HOUR, interval=QUARTER, minimum_notice=timedelta(hours=1))
    found = slots([hours(MONDAY, "09:00", "12:00")], policy=policy, now=utc(2024, 1, 8, 9, 10))
    assert found[0].start == utc(2024, 1, 8, 10, 15)


def test_horizon_hides_slots_starting_at_or_after_it() -> None:
    policy = SlotPolicy(duration=HALF_HOUR, interval=HALF_HOUR, horizon=timedelta(hours=25))
    found = slots(
        [hours(MONDAY, "09:00", "10:00"), hours(TUESDAY, "09:00", "10:00")],
        days=(JAN_8, date(2024, 1, 9)),
        policy=policy,
        now=utc(2024, 1, 8, 8, 30),
    )
    assert [slot.start for slot in found] == [
        utc(2024, 1, 8, 9),
        utc(2024, 1, 8, 9, 30),
        utc(2024, 1, 9, 9),
    ]


def test_buffers_keep_slots_clear_of_busy_time_on_both_sides() -> None:
    policy = SlotPolicy(duration=HALF_HOUR, interval=QUARTER, buffer_before=QUARTER, buffer_after=QUARTER)
    busy = (Interval(utc(2024, 1, 8, 12), utc(2024, 1, 8, 13)),)
    found = slots([hours(MONDAY, "11:00", "14:00")], policy=policy, busy=busy)
    assert walls(found, LONDON) == ["11:00+0000", "11:15+0000", "13:15+0000", "13:30+0000"]


def test_interval_shorter_than_duration_offers_overlapping_slots() -> None:
    policy = SlotPolicy(duration=timedelta(hours=1), interval=QUARTER)
    found = slots([hours(MONDAY, "09:00", "11:00")], policy=policy)
    assert walls(found, LONDON) == [
        "09:00+0000",
        "09:15+0000",
        "09:30+0000",
        "09:45+0000",
        "10:00+0000",
    ]


def test_busy_time_exactly_touching_a_slot_does_not_block_it() -> None:
    busy = (Interval(utc(2024, 1, 8, 10), utc(2024, 1, 8, 11)),)
    found = slots([hours(MONDAY, "09:30", "11:30")], busy=busy)
    assert walls(found, LONDON) == ["09:30+0000", "11:00+0000"]


def test_no_rules_means_no_slots() -> None:
    assert slots([]) == []


def test_is_available_agrees_with_the_listed_slots() -> None:
    busy = [Interval(utc(2024, 1, 8, 10), utc(2024, 1, 8, 11))]
    policy = SlotPolicy(duration=HALF_HOUR, interval=HALF_HOUR)

    def offered(start: datetime) -> bool:
        rules = [hours(MONDAY, "09:00", "12:00")]
        return is_available(start, rules=rules, tz=LONDON, policy=policy, busy=busy, now=utc(2024, 1, 1))

    assert offered(utc(2024, 1, 8, 9, 30))
    assert not offered(utc(2024, 1, 8, 10))  # busy
    assert not offered(utc(2024, 1, 8, 9, 15))  # off the grid
    assert not offered(utc(2024, 1, 8, 11, 45))  # would end after the hours


def test_naive_now_and_start_are_rejected() -> None:
    rules, policy = [hours(MONDAY, "09:00", "12:00")], SlotPolicy(HALF_HOUR, HALF_HOUR)
    naive = datetime(2024, 1, 8, 9)  # noqa: DTZ001 - the point of the test
    with pytest.raises(ValueError, match="now must be timezone-aware"):
        slots(rules, now=naive)
    with pytest.raises(ValueError, match="start must be timezone-aware"):
        is_available(naive, rules=rules, tz=LONDON, policy=policy, busy=[], now=utc(2024, 1, 1))


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("duration", timedelta(0)),
        ("interval", -QUARTER),
        ("buffer_before", -QUARTER),
        ("minimum_notice", -QUARTER),
        ("horizon", -QUARTER),
    ],
)
def test_slot_policy_rejects_empty_steps_and_negative_margins(field: str, value: timedelta) -> None:
    fields = {"duration": HALF_HOUR, "interval": HALF_HOUR, field: value}
    with pytest.raises(ValueError, match=field):
        SlotPolicy(**fields)


def test_slot_grid_does_not_depend_on_which_days_are_requested() -> None:
    around_the_clock = [hours(day, "00:00", "24:00") for day in range(5)]  # Mon-Fri
    policy = SlotPolicy(duration=HALF_HOUR, interval=timedelta(minutes=50))
    wednesday = date(2024, 1, 10)
    alone = slots(around_the_clock, days=(wednesday, wednesday), policy=policy)
    in_week = slots(around_the_clock, days=(JAN_8, date(2024, 1, 12)), policy=policy)
    assert alone == [slot for slot in in_week if slot.start.date() == wednesday]
    assert alone[0].start == utc(2024, 1, 10, 0, 20)  # 58 steps of 50 minutes from Monday 00:00
