""" "Why isn't this slot offered?": one day of a link, every candidate time and its reasons in words.

The page only words what ``services.troubleshoot.explain_day`` decided; nothing is decided here.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Annotated
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from workestra.enums import CalendarProviderName
from workestra.errors import InvalidInput
from workestra.scheduling import Interval
from workestra.scheduling.explain import Reason, ReasonCode, SlotExplanation
from workestra.services.troubleshoot import DayExplanation, Rep, explain_day
from workestra.web.deps import CtxDep, CurrentHost
from workestra.web.pages.rendering import render

router = APIRouter(prefix="/settings", tags=["pages"])

CALENDAR_NAMES = {CalendarProviderName.MICROSOFT: "Outlook", CalendarProviderName.GOOGLE: "Google Calendar"}
# The calendar as a thing that can be read: "Your Outlook calendar", "Your Google Calendar".
CALENDAR_NOUNS = {
    CalendarProviderName.MICROSOFT: "Outlook calendar",
    CalendarProviderName.GOOGLE: "Google Calendar",
}
# Reasons that belong to the link, not to a rep: said once per row, never per rep.
_LINK_REASONS = frozenset({ReasonCode.OUTSIDE_HOURS, ReasonCode.MINIMUM_NOTICE, ReasonCode.BEYOND_HORIZON})


@dataclass(slots=True)
class Row:
    """One line of the day: a time (or a run of times refused for the same reasons) and what stands
    in its way."""

    start: datetime
    end: datetime
    label: str
    available: bool
    reasons: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class DayPage:
    rows: list[Row]
    offered: int
    candidates: int
    problems: list[str]  # each unreadable calendar, once
    team: bool


def duration_words(span: timedelta) -> str:
    """90 minutes -> "1 hour 30 minutes"; 2 days -> "2 days"."""
    minutes = int(span.total_seconds() // 60)
    days, rest = divmod(minutes, 1440)
    hours, minutes = divmod(rest, 60)
    parts = [(days, "day"), (hours, "hour"), (minutes, "minute")]
    words = [f"{n} {unit}{'' if n == 1 else 's'}" for n, unit in parts if n]
    return " ".join(words) or "0 minutes"


class Wording:
    """Plain words for each reason, with times in the asked day's zone."""

    def __init__(self, explained: DayExplanation, now: datetime) -> None:
        self.tz: ZoneInfo = explained.timezone
        self.day = explained.day
        self.link = explained.link
        self.now = now

    def time(self, instant: datetime) -> str:
        local = instant.astimezone(self.tz)
        if local.date() == self.day:
            return local.strftime("%H:%M")
        if local.date() == self.day + timedelta(days=1) and local.hour == local.minute == 0:
            return "24:00"  # the midnight that ends the day
        return f"{local:%a} {local.day} {local:%b %H:%M}"

    def span(self, interval: Interval) -> str:
        return f"{self.time(interval.start)}–{self.time(interval.end)}"

    def link_reason(self, reason: Reason, slot: Interval) -> str:
        if reason.code is ReasonCode.OUTSIDE_HOURS:
            return "Outside the link's weekly hours"
        if reason.code is ReasonCode.MINIMUM_NOTICE:
            if slot.start < self.now:
                return "Already past"
            notice = duration_words(timedelta(minutes=self.link.minimum_notice_minutes))
            return f"Inside the minimum notice ({notice} ahead)"
        days = self.link.booking_horizon_days
        return f"Beyond the booking horizon ({days} day{'' if days == 1 else 's'} ahead)"

    def rep_reason(self, reason: Reason, rep: Rep) -> str:
        calendar = CALENDAR_NAMES.get(rep.provider, "the calendar")
        about = f": {reason.label}" if reason.label else ""
        when = self.span(reason.time) if reason.time else ""
        if reason.code is ReasonCode.BOOKED:
            return f"Already booked {when}"
        if reason.code is ReasonCode.BUSY:
            return f"Busy in {calendar} {when}{about}"
        if reason.code is ReasonCode.BUFFER and reason.source == "booking":
            return f"Buffer: too close to the booking {when}"
        if reason.code is ReasonCode.BUFFER:
            return f"Buffer: too close to busy time in {calendar} {when}{about}"
        if reason.code is ReasonCode.DAILY_LIMIT:
            return "Has had their daily limit of this link's bookings that day"
        return f"{CALENDAR_NOUNS.get(rep.provider, 'calendar').capitalize()} can't be read (see above)"


def day_page(explained: DayExplanation, now: datetime) -> DayPage:
    words = Wording(explained, now)
    team = len(explained.reps) > 1
    rows: list[Row] = []
    for slot in explained.slots:
        row = _row(slot, explained.reps, words, team=team)
        previous = rows[-1] if rows else None
        if previous is not None and _same_refusal(previous, row):
            # A run of times refused for the same reasons (the night, a meeting) is one line.
            previous.end = max(previous.end, row.end)
            previous.label = f"{words.time(previous.start)}–{words.time(previous.end)}"
            continue
        rows.append(row)
    problems = [_unreadable(rep, team) for rep in explained.reps if rep.calendar_problem is not None]
    if not explained.reps:
        problems.append("Nobody is in this link's round-robin pool yet, so no times can be offered.")
    offered = sum(1 for slot in explained.slots if slot.available)
    return DayPage(rows, offered, len(explained.slots), problems, team)


def _unreadable(rep: Rep, team: bool) -> str:
    whose = "Your" if rep.is_you or not team else f"{rep.name or rep.email}'s"
    calendar = CALENDAR_NOUNS.get(rep.provider, "calendar")
    return f"{whose} {calendar} can't be read: {rep.calendar_problem}"


def _row(slot: SlotExplanation, reps: list[Rep], words: Wording, *, team: bool) -> Row:
    reasons: list[str] = []
    seen_link: set[ReasonCode] = set()
    for rep, rep_reasons in zip(reps, slot.reasons, strict=True):
        for reason in rep_reasons:
            if reason.code in _LINK_REASONS:
                if reason.code not in seen_link:
                    seen_link.add(reason.code)
                    reasons.append(words.link_reason(reason, slot.slot))
                continue
            text = words.rep_reason(reason, rep)
            reasons.append(f"{rep.name or rep.email}: {text}" if team else text)
    if team and slot.available:
        free = ", ".join(rep.name or rep.email for rep, r in zip(reps, slot.reasons, strict=True) if not r)
        reasons = [f"Free: {free}", *reasons]
    return Row(slot.slot.start, slot.slot.end, words.span(slot.slot), slot.available, reasons)


def _same_refusal(previous: Row, row: Row) -> bool:
    return not previous.available and not row.available and previous.reasons == row.reasons


def _parse_day(value: str | None, today: date) -> date:
    if not value:
        return today
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise InvalidInput(
            f"{value!r} isn't a date; use YYYY-MM-DD.", fields={"date": "a date such as 2030-06-03"}
        ) from exc


@router.get("/booking-links/{link_id}/availability")
async def day_view(
    request: Request,
    ctx: CtxDep,
    host: CurrentHost,
    link_id: str,
    day: Annotated[str | None, Query(alias="date", max_length=20)] = None,
    timezone: Annotated[str | None, Query(max_length=200)] = None,
) -> Response:
    now = ctx.clock.now()
    asked = _parse_day(day, now.astimezone(host.timezone).date())
    explained = await explain_day(ctx, host, link_id, asked, timezone)
    zone = explained.timezone.key
    keep = {"timezone": zone} if timezone else {}

    def day_url(other: date) -> str:
        return "?" + urlencode({"date": other.isoformat(), **keep})

    context = {
        "link": explained.link,
        "day": explained.day,
        "day_label": f"{asked:%A} {asked.day} {asked:%B %Y}",
        "zone": zone,
        "page": day_page(explained, now),
        "previous_url": day_url(asked - timedelta(days=1)),
        "next_url": day_url(asked + timedelta(days=1)),
        "timezone": timezone or "",
    }
    return render(request, "settings/troubleshoot.html", context, host=host)
