"""The troubleshooter page's words: link-wide reasons once, each rep's named on a team, runs of
times outside the hours folded into one line, and the midnight that ends the day as 24:00."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from workestra.enums import CalendarProviderName
from workestra.scheduling import Interval, WeeklyRule, local_days
from workestra.scheduling.explain import Booked, Busy, RepDay, explain_day
from workestra.services.availability import policy_for
from workestra.services.booking_links import LinkView
from workestra.services.troubleshoot import DayExplanation, Rep
from workestra.web.pages.troubleshoot import day_page, duration_words

DAY = date(2030, 6, 3)  # a Monday
UTC_ZONE = ZoneInfo("UTC")


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2030, 6, 3, tzinfo=UTC) + timedelta(hours=hour, minutes=minute)


def link(**fields: object) -> LinkView:
    values: dict[str, object] = {
        "id": "link-1",
        "slug": "intro",
        "title": "Intro",
        "description": "",
        "duration_minutes": 30,
        "timezone": "UTC",
        "weekly_hours": {"monday": [("09:00", "17:00")]},
        "calendar_provider": CalendarProviderName.MICROSOFT,
        "auto_meeting_link": False,
        "slot_interval_minutes": 30,
        "buffer_before_minutes": 0,
        "buffer_after_minutes": 0,
        "minimum_notice_minutes": 120,
        "booking_horizon_days": 60,
        "round_robin_members": None,
        "owner_id": "alice",
        "rules": (WeeklyRule(0, 9 * 60, 17 * 60),),
    }
    values.update(fields)
    return LinkView(**values)  # type: ignore[arg-type]  # field names


def explained(view: LinkView, reps: list[Rep], days: list[RepDay], now: datetime) -> DayExplanation:
    slots = explain_day(rules=view.rules, tz=UTC_ZONE, day=local_days(DAY, DAY, UTC_ZONE),
                        policy=policy_for(view), now=now, reps=days)  # fmt: skip
    return DayExplanation(link=view, day=DAY, timezone=UTC_ZONE, reps=reps, slots=slots)


ALICE = Rep("alice", "Alice", "alice@example.test", CalendarProviderName.MICROSOFT, True, None)
DANA = Rep("dana", "Dana", "dana@example.test", CalendarProviderName.GOOGLE, False, None)


def test_a_single_host_day_in_words() -> None:
    day = RepDay(
        bookings=[Booked(Interval(at(13), at(13, 30)))],
        calendar=[Busy(Interval(at(15), at(16)), "Roadmap review")],
    )
    page = day_page(explained(link(), [ALICE], [day], now=at(9, 10)), now=at(9, 10))
    rows = {row.label: row for row in page.rows}
    assert page.rows[0].label == "00:00–09:00"  # one line for the night
    assert rows["00:00–09:00"].reasons == ["Outside the link's weekly hours", "Already past"]
    assert rows["09:00–09:30"].reasons == ["Already past"]
    assert rows["09:30–11:30"].reasons == ["Inside the minimum notice (2 hours ahead)"]
    assert rows["11:30–12:00"].available
    assert rows["13:00–13:30"].reasons == ["Already booked 13:00–13:30"]
    assert rows["15:00–16:00"].reasons == ["Busy in Outlook 15:00–16:00: Roadmap review"]
    assert rows["16:00–16:30"].available
    assert rows["17:00–24:00"].reasons == ["Outside the link's weekly hours"]
    assert page.problems == []
    assert (page.offered, page.candidates) == (8, 48)


def test_a_team_names_each_rep_and_says_unreadable_calendars_once() -> None:
    unreadable = Rep(
        "dana", "Dana", "dana@example.test", CalendarProviderName.GOOGLE, False, "Access was revoked."
    )
    days = [
        RepDay(calendar=[Busy(Interval(at(10), at(11)), "1:1")]),
        RepDay(unreadable="Access was revoked."),
    ]
    page = day_page(
        explained(link(minimum_notice_minutes=0), [ALICE, unreadable], days, now=at(0)), now=at(0)
    )
    rows = {row.label: row for row in page.rows}
    assert page.problems == ["Dana's Google Calendar can't be read: Access was revoked."]
    assert rows["10:00–11:00"].reasons == [
        "Alice: Busy in Outlook 10:00–11:00: 1:1",
        "Dana: Google calendar can't be read (see above)",
    ]
    assert "07:00–07:30" not in rows  # folded into the night's line
    assert rows["00:00–09:00"].reasons == [
        "Outside the link's weekly hours",
        "Dana: Google calendar can't be read (see above)",
    ]


def test_a_team_slot_says_who_is_free() -> None:
    days = [RepDay(calendar=[Busy(Interval(at(10), at(11)))]), RepDay()]
    page = day_page(explained(link(minimum_notice_minutes=0), [ALICE, DANA], days, now=at(0)), now=at(0))
    rows = {row.label: row for row in page.rows}
    assert rows["10:00–10:30"].available
    assert rows["10:00–10:30"].reasons == ["Free: Dana", "Alice: Busy in Outlook 10:00–11:00"]


def test_nobody_in_the_pool_is_said_plainly() -> None:
    page = day_page(explained(link(), [], [], now=at(0)), now=at(0))
    assert page.problems == ["Nobody is in this link's round-robin pool yet, so no times can be offered."]
    assert page.offered == 0


def test_durations_in_words() -> None:
    assert duration_words(timedelta(minutes=90)) == "1 hour 30 minutes"
    assert duration_words(timedelta(days=2)) == "2 days"
    assert duration_words(timedelta(minutes=1)) == "1 minute"
    assert duration_words(timedelta(0)) == "0 minutes"
