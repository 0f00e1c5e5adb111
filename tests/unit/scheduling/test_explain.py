"""The troubleshooter's explanation agrees with the slot engine, and names each reason (tables)."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.unit.scheduling.test_properties import DST_DAYS, ZONES, minutes, weekly_rules
from workestra.scheduling import Interval, SlotPolicy, WeeklyRule, available_slots, is_available, local_days
from workestra.scheduling.explain import (
    Booked,
    Busy,
    Reason,
    ReasonCode,
    RepDay,
    SlotExplanation,
    explain_day,
)

MINUTE = timedelta(minutes=1)
ANY_WEEKDAY = st.integers(0, 6)


# --- properties: the explanation and the engine agree ---------------------------------------------


@dataclass(frozen=True, slots=True)
class Day:
    rules: list[WeeklyRule]
    tz: ZoneInfo
    day: Interval
    policy: SlotPolicy
    reps: list[RepDay]
    now: datetime

    def explain(self) -> list[SlotExplanation]:
        return explain_day(rules=self.rules, tz=self.tz, day=self.day, policy=self.policy,
                           now=self.now, reps=self.reps)  # fmt: skip

    def busy(self, rep: RepDay) -> list[Interval]:
        """What availability feeds the engine for this rep: calendar time and widened bookings."""
        return [b.time for b in rep.calendar] + [b.blocked for b in rep.bookings]

    def engine(self, rep: RepDay) -> set[datetime]:
        """The starts `available_slots` offers this rep on the day (none when unreadable)."""
        if rep.unreadable is not None:
            return set()
        found = available_slots(rules=self.rules, tz=self.tz, window=self.day, policy=self.policy,
                                busy=self.busy(rep), now=self.now)  # fmt: skip
        return {slot.start for slot in found}


@st.composite
def intervals_near(draw: st.DrawFn, day: Interval) -> Interval:
    start = day.start + draw(minutes(-720, 1440 + 720, 5))
    return Interval(start, start + draw(minutes(5, 240, 5)))


@st.composite
def reps(draw: st.DrawFn, day: Interval) -> RepDay:
    bookings = [
        Booked(draw(intervals_near(day)), draw(minutes(0, 60, 15)), draw(minutes(0, 60, 15)))
        for _ in range(draw(st.integers(0, 4)))
    ]
    calendar = [
        Busy(draw(intervals_near(day)), draw(st.none() | st.just("Standup")))
        for _ in range(draw(st.integers(0, 6)))
    ]
    unreadable = draw(st.sampled_from([None, None, None, "The calendar couldn't be read just now."]))
    return RepDay(bookings, calendar, unreadable)


@st.composite
def days(draw: st.DrawFn) -> Day:
    tz = draw(st.sampled_from(ZONES))
    viewer = draw(st.sampled_from([tz, *ZONES]))  # the day the host looks at, in any zone
    first = draw(st.sampled_from(DST_DAYS) | st.dates(date(2024, 1, 1), date(2024, 12, 31)))
    day = local_days(first, first, viewer)
    policy = SlotPolicy(
        duration=draw(st.sampled_from([15, 30, 45, 60, 90])) * MINUTE,
        interval=draw(st.sampled_from([10, 15, 20, 30, 45, 60, 90])) * MINUTE,
        buffer_before=draw(minutes(0, 60, 15)),
        buffer_after=draw(minutes(0, 60, 15)),
        minimum_notice=draw(minutes(0, 720, 30)),
        horizon=draw(minutes(60, 4 * 1440, 60)),
    )
    nearby = st.integers(0, 2).map(lambda offset: (first.weekday() + offset - 1) % 7)
    rules = draw(st.lists(weekly_rules(nearby | ANY_WEEKDAY), max_size=6))
    if draw(st.booleans()):  # a working day that surely meets the asked one
        rules.append(WeeklyRule(day.start.astimezone(tz).weekday(), 8 * 60, 18 * 60))
    now = day.start + draw(minutes(-1440, 1440, 5))
    team = draw(st.lists(reps(day), min_size=1, max_size=3))
    return Day(rules, tz, day, policy, team, now)


@settings(max_examples=300)
@given(days())
def test_each_rep_has_no_reason_exactly_when_the_engine_offers_that_rep_the_slot(case: Day) -> None:
    explained = case.explain()
    starts = [e.slot.start for e in explained]
    assert all(a < b for a, b in pairwise(starts))  # sorted, unique
    for index, rep in enumerate(case.reps):
        offered = case.engine(rep)
        assert offered <= set(starts)  # every offered slot is explained
        for explanation in explained:
            free = not explanation.reasons[index]
            assert free == (explanation.slot.start in offered), explanation


@settings(max_examples=300)
@given(days())
def test_a_slot_is_available_exactly_when_some_rep_is_offered_it(case: Day) -> None:
    offered = set().union(*(case.engine(rep) for rep in case.reps))
    for explanation in case.explain():
        assert explanation.available == (explanation.slot.start in offered)
        if not explanation.available:
            assert all(explanation.reasons)  # every rep has at least one reason
        assert explanation.slot.duration == case.policy.duration
        assert case.day.start <= explanation.slot.start < case.day.end


@given(days())
def test_the_explanation_agrees_with_is_available(case: Day) -> None:
    explained = case.explain()
    probes = explained[:3] + explained[-3:] + [e for e in explained if e.available][:3]
    for explanation in probes:
        for rep, reasons in zip(case.reps, explanation.reasons, strict=True):
            if rep.unreadable is not None:
                continue
            engine = is_available(explanation.slot.start, rules=case.rules, tz=case.tz,
                                  policy=case.policy, busy=case.busy(rep), now=case.now)  # fmt: skip
            assert engine == (not reasons), (explanation, rep)


@given(days())
def test_reasons_carry_what_is_in_the_way(case: Day) -> None:
    for explanation in case.explain():
        slot = explanation.slot
        for rep, reasons in zip(case.reps, explanation.reasons, strict=True):
            for reason in reasons:
                if reason.code in {ReasonCode.BOOKED, ReasonCode.BUSY}:
                    assert reason.time is not None
                    assert reason.time.overlaps(slot)
                if reason.code is ReasonCode.BUFFER:
                    assert reason.time is not None
                    assert not reason.time.overlaps(slot)
                if reason.code is ReasonCode.CALENDAR_UNREADABLE:
                    assert reason.detail == rep.unreadable


# --- tables: each reason on a plain day -----------------------------------------------------------

BERLIN = ZoneInfo("Europe/Berlin")
MONDAY = date(2024, 1, 8)  # Berlin is UTC+1 in January
DAY = local_days(MONDAY, MONDAY, BERLIN)
NINE_TO_FIVE = [WeeklyRule(0, 9 * 60, 17 * 60)]
HALF_HOUR = SlotPolicy(duration=30 * MINUTE, interval=30 * MINUTE)
EARLY = datetime(2024, 1, 1, tzinfo=UTC)  # a week before: nothing inside the notice


def berlin(hour: int, minute: int = 0) -> datetime:
    return (datetime(2024, 1, 8, tzinfo=BERLIN) + timedelta(hours=hour, minutes=minute)).astimezone(UTC)


def span(start: tuple[int, int], end: tuple[int, int]) -> Interval:
    return Interval(berlin(*start), berlin(*end))


def explained(
    *reps: RepDay,
    policy: SlotPolicy = HALF_HOUR,
    now: datetime = EARLY,
    rules: list[WeeklyRule] | None = None,
) -> dict[datetime, SlotExplanation]:
    found = explain_day(rules=NINE_TO_FIVE if rules is None else rules, tz=BERLIN, day=DAY,
                        policy=policy, now=now, reps=list(reps) or [RepDay()])  # fmt: skip
    return {e.slot.start: e for e in found}


def codes(explanation: SlotExplanation, rep: int = 0) -> list[ReasonCode]:
    return [r.code for r in explanation.reasons[rep]]


def test_a_plain_day_lists_every_half_hour_and_offers_the_open_ones() -> None:
    found = explained()
    assert len(found) == 48
    assert [s for s, e in found.items() if e.available] == [berlin(9, 30 * i) for i in range(16)]
    assert codes(found[berlin(8, 30)]) == [ReasonCode.OUTSIDE_HOURS]
    assert codes(found[berlin(17)]) == [ReasonCode.OUTSIDE_HOURS]


def test_a_slot_running_past_the_hours_is_outside_them() -> None:
    found = explained(policy=SlotPolicy(duration=60 * MINUTE, interval=30 * MINUTE))
    assert found[berlin(16)].available
    assert codes(found[berlin(16, 30)]) == [ReasonCode.OUTSIDE_HOURS]


def test_hours_off_the_midnight_grid_keep_their_own_grid() -> None:
    rules = [WeeklyRule(0, 9 * 60 + 10, 12 * 60)]
    found = explained(rules=rules)
    assert found[berlin(9, 10)].available
    assert berlin(9, 30) not in found  # inside the hours, but not a start they offer
    assert codes(found[berlin(9)]) == [ReasonCode.OUTSIDE_HOURS]
    assert found[berlin(11, 10)].available  # the last that ends by 12:00
    assert berlin(11, 30) not in found
    assert berlin(11, 40) not in found
    assert codes(found[berlin(12)]) == [ReasonCode.OUTSIDE_HOURS]


def test_no_hours_that_day_means_every_slot_is_outside_them() -> None:
    found = explained(rules=[WeeklyRule(1, 9 * 60, 17 * 60)])
    assert all(codes(e) == [ReasonCode.OUTSIDE_HOURS] for e in found.values())


def test_minimum_notice_and_the_horizon() -> None:
    now = berlin(10, 5)
    policy = SlotPolicy(
        duration=30 * MINUTE, interval=30 * MINUTE, minimum_notice=60 * MINUTE, horizon=5 * 60 * MINUTE
    )
    found = explained(policy=policy, now=now)
    assert codes(found[berlin(9)]) == [ReasonCode.MINIMUM_NOTICE]  # the past counts as notice
    assert codes(found[berlin(11)]) == [ReasonCode.MINIMUM_NOTICE]
    assert found[berlin(11, 30)].available
    assert found[berlin(15)].available
    assert codes(found[berlin(15, 30)]) == [ReasonCode.BEYOND_HORIZON]
    assert codes(found[berlin(20)]) == [ReasonCode.OUTSIDE_HOURS, ReasonCode.BEYOND_HORIZON]


def test_a_booking_is_booked_over_its_own_time_and_a_buffer_around_it() -> None:
    meeting = span((10, 0), (10, 30))
    rep = RepDay(bookings=[Booked(meeting, buffer_before=15 * MINUTE, buffer_after=30 * MINUTE)])
    found = explained(rep)
    assert found[berlin(10)].reasons[0] == (Reason(ReasonCode.BOOKED, time=meeting, source="booking"),)
    assert found[berlin(9, 30)].reasons[0] == (Reason(ReasonCode.BUFFER, time=meeting, source="booking"),)
    assert codes(found[berlin(10, 30)]) == [ReasonCode.BUFFER]  # the booking's 30 minutes after
    assert found[berlin(9)].available
    assert found[berlin(11)].available


def test_this_links_buffers_reach_busy_time() -> None:
    standup = Busy(span((10, 0), (10, 15)), "Standup")
    policy = SlotPolicy(duration=30 * MINUTE, interval=30 * MINUTE, buffer_after=30 * MINUTE)
    found = explained(RepDay(calendar=[standup]), policy=policy)
    assert found[berlin(10)].reasons[0] == (
        Reason(ReasonCode.BUSY, time=standup.time, source="calendar", label="Standup"),
    )
    assert found[berlin(9, 30)].reasons[0] == (
        Reason(ReasonCode.BUFFER, time=standup.time, source="calendar", label="Standup"),
    )
    assert found[berlin(9)].available
    assert found[berlin(10, 30)].available


def test_an_unreadable_calendar_is_a_reason_on_every_slot() -> None:
    found = explained(RepDay(unreadable="Access was revoked."))
    assert not any(e.available for e in found.values())
    reason = found[berlin(10)].reasons[0]
    assert reason == (Reason(ReasonCode.CALENDAR_UNREADABLE, detail="Access was revoked."),)
    assert codes(found[berlin(7)]) == [ReasonCode.OUTSIDE_HOURS, ReasonCode.CALENDAR_UNREADABLE]


def test_a_team_slot_is_available_while_one_rep_is_free() -> None:
    busy = RepDay(calendar=[Busy(span((10, 0), (11, 0)))])
    unreadable = RepDay(unreadable="The calendar couldn't be read just now.")
    found = explained(busy, unreadable, RepDay(calendar=[Busy(span((10, 30), (12, 0)))]))
    assert found[berlin(10)].available  # the third rep is free at 10:00
    assert codes(found[berlin(10)], 0) == [ReasonCode.BUSY]
    assert codes(found[berlin(10)], 2) == []
    assert not found[berlin(10, 30)].available
    assert [codes(found[berlin(10, 30)], i) for i in range(3)] == [
        [ReasonCode.BUSY],
        [ReasonCode.CALENDAR_UNREADABLE],
        [ReasonCode.BUSY],
    ]


def test_nobody_to_book_offers_nothing() -> None:
    found = explain_day(rules=NINE_TO_FIVE, tz=BERLIN, day=DAY, policy=HALF_HOUR, now=EARLY, reps=[])
    assert len(found) == 48
    assert not any(e.available for e in found)
    assert all(e.reasons == () for e in found)


@pytest.mark.parametrize(
    ("day", "expected"),
    [(date(2024, 3, 31), 46), (date(2024, 10, 27), 50)],  # Berlin's DST days: 23 and 25 hours
)
def test_dst_days_have_as_many_half_hours_as_they_are_long(day: date, expected: int) -> None:
    weekday = day.weekday()
    found = explain_day(
        rules=[WeeklyRule(weekday, 0, 1440)],
        tz=BERLIN,
        day=local_days(day, day, BERLIN),
        policy=HALF_HOUR,
        now=datetime.combine(day, datetime.min.time(), tzinfo=UTC) - timedelta(days=1),
        reps=[RepDay()],
    )
    assert len(found) == expected
    assert all(e.available for e in found)


def test_the_viewers_day_may_span_two_of_the_links_days() -> None:
    tokyo = local_days(MONDAY, MONDAY, ZoneInfo("Asia/Tokyo"))  # Sunday 16:00 to Monday 16:00 Berlin
    found = explain_day(
        rules=NINE_TO_FIVE, tz=BERLIN, day=tokyo, policy=HALF_HOUR, now=EARLY, reps=[RepDay()]
    )
    assert len(found) == 48
    assert [e.slot.start for e in found if e.available] == [berlin(9, 30 * i) for i in range(14)]
