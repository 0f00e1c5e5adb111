from datetime import UTC, datetime, timedelta, timezone
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workestra.scheduling import Interval, merge, subtract

BASE = datetime(2024, 1, 1, tzinfo=UTC)


def at(minute: int) -> datetime:
    return BASE + timedelta(minutes=minute)


def span(start: int, end: int) -> Interval:
    return Interval(at(start), at(end))


@st.composite
def intervals(draw: st.DrawFn) -> Interval:
    start = draw(st.integers(0, 2_000))
    return span(start, start + draw(st.integers(1, 300)))


interval_lists = st.lists(intervals(), max_size=12)


def boundaries(*groups: list[Interval]) -> list[datetime]:
    """Instants where coverage can change; with half-open bounds, checking these suffices."""
    return sorted({edge for group in groups for i in group for edge in (i.start, i.end)})


def covered(points: list[datetime], parts: list[Interval]) -> list[bool]:
    return [any(p.start <= point < p.end for p in parts) for point in points]


def test_interval_is_stored_in_utc_whatever_zone_it_was_given_in() -> None:
    berlin = datetime(2024, 1, 1, 10, tzinfo=ZoneInfo("Europe/Berlin"))
    interval = Interval(berlin, berlin + timedelta(hours=1))
    assert interval.start == datetime(2024, 1, 1, 9, tzinfo=UTC)
    assert interval.start.tzinfo is UTC
    assert Interval(at(0), at(60)) == Interval(at(0).astimezone(timezone(timedelta(hours=-5))), at(60))


def test_naive_datetimes_are_rejected() -> None:
    with pytest.raises(ValueError, match="start must be timezone-aware"):
        Interval(datetime(2024, 1, 1), at(60))  # noqa: DTZ001 - the point of the test
    with pytest.raises(ValueError, match="end must be timezone-aware"):
        Interval(at(0), datetime(2024, 1, 2))  # noqa: DTZ001 - the point of the test


@pytest.mark.parametrize(("start", "end"), [(60, 60), (60, 0)])
def test_an_interval_must_end_after_it_starts(start: int, end: int) -> None:
    with pytest.raises(ValueError, match="must be before end"):
        span(start, end)


def test_touching_intervals_do_not_overlap_because_they_are_half_open() -> None:
    assert not span(0, 60).overlaps(span(60, 120))
    assert not span(60, 120).overlaps(span(0, 60))
    assert span(0, 61).overlaps(span(60, 120))


def test_contains_includes_equal_bounds() -> None:
    assert span(0, 60).contains(span(0, 60))
    assert span(0, 60).contains(span(10, 20))
    assert not span(0, 60).contains(span(30, 61))
    assert span(0, 90).duration == timedelta(minutes=90)


def test_merge_joins_overlapping_and_touching_intervals_and_sorts() -> None:
    assert merge([span(100, 120), span(0, 30), span(30, 60), span(50, 55)]) == [
        span(0, 60),
        span(100, 120),
    ]
    assert merge([]) == []


def test_subtract_cuts_busy_time_out_of_windows() -> None:
    windows = [span(0, 100), span(200, 300)]
    busy = [span(90, 210), span(20, 30), span(250, 260)]
    assert subtract(windows, busy) == [span(0, 20), span(30, 90), span(210, 250), span(260, 300)]


def test_subtract_leaves_windows_untouched_by_busy_time_that_only_touches_them() -> None:
    assert subtract([span(60, 120)], [span(0, 60), span(120, 180)]) == [span(60, 120)]


@given(interval_lists)
def test_merging_twice_is_the_same_as_merging_once(parts: list[Interval]) -> None:
    assert merge(merge(parts)) == merge(parts)


@given(interval_lists)
def test_merge_gives_sorted_separate_intervals_covering_the_same_time(
    parts: list[Interval],
) -> None:
    merged = merge(parts)
    assert all(a.end < b.start for a, b in pairwise(merged))
    points = boundaries(parts)
    assert covered(points, merged) == covered(points, parts)


@given(interval_lists, interval_lists)
def test_subtract_result_avoids_busy_time_and_stays_inside_windows(
    windows: list[Interval], busy: list[Interval]
) -> None:
    free = subtract(windows, busy)
    assert not any(f.overlaps(b) for f in free for b in busy)
    assert all(any(w.contains(f) for w in merge(windows)) for f in free)
    assert all(a.end < b.start for a, b in pairwise(free))
    points = boundaries(windows, busy)
    in_windows, in_busy = covered(points, windows), covered(points, busy)
    expected = [w and not b for w, b in zip(in_windows, in_busy, strict=True)]
    assert covered(points, free) == expected
