from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from workestra.scheduling import (
    Interval,
    WeeklyRule,
    format_hhmm,
    local_days,
    local_to_utc,
    parse_hhmm,
    windows_for,
)

NEW_YORK = ZoneInfo("America/New_York")
LONDON = ZoneInfo("Europe/London")
LORD_HOWE = ZoneInfo("Australia/Lord_Howe")
CHATHAM = ZoneInfo("Pacific/Chatham")
KOLKATA = ZoneInfo("Asia/Kolkata")
SUNDAY = 6


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def wall(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    """A naive local wall-clock time, as local_to_utc expects."""
    return datetime.combine(date(year, month, day), time(hour, minute))


def hours(day: int, start: str, end: str) -> WeeklyRule:
    return WeeklyRule(day, parse_hhmm(start), parse_hhmm(end, allow_24=True))


@pytest.mark.parametrize(
    ("text", "minute"),
    [("00:00", 0), ("09:30", 570), ("23:59", 1439)],
)
def test_parse_hhmm_reads_minutes_after_midnight(text: str, minute: int) -> None:
    assert parse_hhmm(text) == minute


def test_parse_hhmm_accepts_end_of_day_only_when_allowed() -> None:
    assert parse_hhmm("24:00", allow_24=True) == 1440
    with pytest.raises(ValueError, match=r"'24:00'.*00:00 and 23:59"):
        parse_hhmm("24:00")


@pytest.mark.parametrize(
    "text",
    ["9:30", "09:3", "0930", "09-30", "24:30", "23:60", "ab:cd", "", "09:30:00", " 9:30", "٠٩:٣٠"],
)
def test_parse_hhmm_rejects_anything_but_hh_mm(text: str) -> None:
    with pytest.raises(ValueError, match="expected HH:MM"):
        parse_hhmm(text, allow_24=True)


def test_format_hhmm_is_the_inverse_of_parse_hhmm() -> None:
    assert format_hhmm(570) == "09:30"
    assert format_hhmm(1440) == "24:00"
    assert all(parse_hhmm(format_hhmm(m), allow_24=True) == m for m in range(1441))


@pytest.mark.parametrize("minute", [-1, 1441])
def test_format_hhmm_rejects_minutes_outside_a_day(minute: int) -> None:
    with pytest.raises(ValueError, match=r"0\.\.1440"):
        format_hhmm(minute)


@pytest.mark.parametrize(
    ("weekday", "start", "end", "message"),
    [
        (7, 0, 60, "weekday"),
        (-1, 0, 60, "weekday"),
        (0, 1440, 1440, "start_minute"),
        (0, 0, 1441, "end_minute"),
        (0, 600, 600, "end after they start"),
        (0, 1320, 120, "two rules"),
    ],
)
def test_weekly_rule_rejects_impossible_hours(weekday: int, start: int, end: int, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        WeeklyRule(weekday, start, end)


def test_hours_that_end_at_midnight_run_to_the_next_local_day() -> None:
    windows = windows_for([hours(0, "22:00", "24:00")], LONDON, date(2024, 1, 8), date(2024, 1, 8))
    assert windows == [Interval(utc(2024, 1, 8, 22), utc(2024, 1, 9))]


def test_hours_crossing_midnight_as_two_rules_form_one_window() -> None:
    rules = [hours(0, "22:00", "24:00"), hours(1, "00:00", "02:00")]
    windows = windows_for(rules, LONDON, date(2024, 1, 8), date(2024, 1, 9))
    assert windows == [Interval(utc(2024, 1, 8, 22), utc(2024, 1, 9, 2))]


def test_overlapping_rules_on_one_day_are_merged() -> None:
    rules = [hours(0, "09:00", "12:00"), hours(0, "11:00", "13:00"), hours(0, "15:00", "16:00")]
    windows = windows_for(rules, LONDON, date(2024, 1, 8), date(2024, 1, 8))
    assert windows == [
        Interval(utc(2024, 1, 8, 9), utc(2024, 1, 8, 13)),
        Interval(utc(2024, 1, 8, 15), utc(2024, 1, 8, 16)),
    ]


def test_half_hour_offset_of_kolkata_shifts_the_window() -> None:
    windows = windows_for([hours(0, "09:00", "17:00")], KOLKATA, date(2024, 1, 8), date(2024, 1, 8))
    assert windows == [Interval(utc(2024, 1, 8, 3, 30), utc(2024, 1, 8, 11, 30))]


def test_chatham_offset_of_twelve_forty_five_puts_the_window_on_the_previous_utc_day() -> None:
    windows = windows_for([hours(0, "09:00", "17:00")], CHATHAM, date(2024, 7, 1), date(2024, 7, 1))
    assert windows == [Interval(utc(2024, 6, 30, 20, 15), utc(2024, 7, 1, 4, 15))]


@pytest.mark.parametrize(
    ("tz", "day", "length"),
    [
        (NEW_YORK, date(2024, 3, 10), timedelta(hours=4)),  # 02:00 -> 03:00
        (NEW_YORK, date(2024, 11, 3), timedelta(hours=6)),  # 02:00 -> 01:00
        (LONDON, date(2024, 3, 31), timedelta(hours=4)),  # 01:00 -> 02:00
        (LONDON, date(2024, 10, 27), timedelta(hours=6)),  # 02:00 -> 01:00
        (LORD_HOWE, date(2024, 10, 6), timedelta(hours=4, minutes=30)),  # 02:00 -> 02:30
        (LORD_HOWE, date(2024, 4, 7), timedelta(hours=5, minutes=30)),  # 02:00 -> 01:30
        (CHATHAM, date(2024, 9, 29), timedelta(hours=4)),  # 02:45 -> 03:45
        (CHATHAM, date(2024, 4, 7), timedelta(hours=6)),  # 03:45 -> 02:45
    ],
)
def test_hours_across_a_dst_change_last_as_long_as_the_wall_clock_span(
    tz: ZoneInfo, day: date, length: timedelta
) -> None:
    (window,) = windows_for([hours(SUNDAY, "00:00", "05:00")], tz, day, day)
    assert window.duration == length
    assert window.start.astimezone(tz).strftime("%H:%M") == "00:00"
    assert window.end.astimezone(tz).strftime("%H:%M") == "05:00"


def test_wall_time_in_the_spring_forward_gap_maps_to_the_end_of_the_gap() -> None:
    assert local_to_utc(wall(2024, 3, 10, 2, 30), NEW_YORK) == utc(2024, 3, 10, 7)
    assert local_to_utc(wall(2024, 10, 6, 2, 15), LORD_HOWE) == utc(2024, 10, 5, 15, 30)


def test_ambiguous_wall_time_is_the_first_occurrence_for_starts_and_second_for_ends() -> None:
    repeated = wall(2024, 11, 3, 1, 30)
    assert local_to_utc(repeated, NEW_YORK) == utc(2024, 11, 3, 5, 30)
    assert local_to_utc(repeated, NEW_YORK, is_end=True) == utc(2024, 11, 3, 6, 30)


def test_hours_entirely_inside_the_gap_give_no_window_that_day() -> None:
    rules = [hours(SUNDAY, "02:00", "02:30")]
    assert windows_for(rules, NEW_YORK, date(2024, 3, 10), date(2024, 3, 10)) == []
    assert len(windows_for(rules, NEW_YORK, date(2024, 3, 3), date(2024, 3, 3))) == 1


def test_local_to_utc_rejects_an_aware_wall_time() -> None:
    with pytest.raises(ValueError, match="naive"):
        local_to_utc(utc(2024, 1, 1), LONDON)


def test_local_days_spans_whole_local_days_including_the_last() -> None:
    span = local_days(date(2024, 3, 9), date(2024, 3, 10), NEW_YORK)
    assert span == Interval(utc(2024, 3, 9, 5), utc(2024, 3, 11, 4))


def test_a_reversed_day_range_is_rejected() -> None:
    with pytest.raises(ValueError, match="before first day"):
        windows_for([], LONDON, date(2024, 1, 9), date(2024, 1, 8))
    with pytest.raises(ValueError, match="before first day"):
        local_days(date(2024, 1, 9), date(2024, 1, 8), LONDON)
