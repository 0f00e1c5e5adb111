"""Graph calendar reads: the default calendar, calendarView and getSchedule (free/busy).

References: Graph `calendar-get.md`, `user-list-calendars.md`, `user-list-calendarview.md` (CV),
`calendar-getschedule.md` (GS), `concepts/outlook-get-free-busy-schedule.md` (GS-C).
"""

import math
import re
from datetime import UTC, datetime, timedelta
from typing import Any

from . import timezones
from .errors import (
    GraphError,
    access_denied,
    invalid_parameter,
    invalid_request,
    mailbox_not_enabled,
    not_emulated,
)
from .event_json import EVENT_PROPERTIES, event_json, span_in
from .events import EVENT_TYPE, read_date_time
from .mailbox import READ_CALENDAR, calendar_json, guard_calendar, other_calendar_json
from .state import Event, User
from .wire import (
    Context,
    GraphResponse,
    context_url,
    ok,
    page,
    project,
    reject_unsupported_options,
    select_fields,
    user_context,
)

MAX_VIEW_DAYS = 1825  # CV, observed limit
MAX_SCHEDULES = 20  # GS-C
MAX_SCHEDULE_DAYS = 62  # GS-C: window must be shorter than 62 days
_VIEW_DIGIT = {
    "free": "0",
    "tentative": "1",
    "busy": "2",
    "oof": "3",
    "workingElsewhere": "4",
    "unknown": "2",
}
_RANK = {"free": 0, "workingElsewhere": 1, "tentative": 2, "busy": 3, "unknown": 3, "oof": 4}
_ORDER_BY = re.compile(r"start/datetime(\s+(asc|desc))?", re.IGNORECASE)


def get_calendar(ctx: Context, match: re.Match[str]) -> GraphResponse:
    """GET /me/calendar | /me/calendars/{id} [calendar-get.md, D2.1, C4]."""
    key = guard_calendar(ctx, match.groupdict().get("cid"), write=False)
    body: dict[str, Any] = {"@odata.context": user_context(ctx.user, "calendars/$entity")}
    if match.groupdict().get("cid") is None:
        body["@odata.context"] = user_context(ctx.user, "calendar/$entity")
    body.update(
        calendar_json(ctx.user) if key is None else other_calendar_json(ctx.user, ctx.user.calendars[key])
    )
    return ok(body)


def list_calendars(ctx: Context, match: re.Match[str]) -> GraphResponse:
    """GET /me/calendars [user-list-calendars.md, C4]: the default calendar, then the others in
    the order they were made; paged like other collections; empty for a mailbox without one."""
    ctx.require(READ_CALENDAR, access_denied)
    reject_unsupported_options(ctx, ("$select", "$top", "$skip"))
    if not ctx.user.mailbox_enabled:
        raise mailbox_not_enabled()
    user = ctx.user
    every = [calendar_json(user), *(other_calendar_json(user, c) for c in user.calendars.values())]
    chosen = select_fields(ctx, tuple(str(k) for k in every[0]), "microsoft.graph.calendar")
    rendered = [project(dict(c), chosen, ("id",)) for c in every] if user.has_calendar else []
    items, next_link = page(ctx, rendered)
    body: dict[str, Any] = {"@odata.context": user_context(user, "calendars"), "value": items}
    if next_link:
        body["@odata.nextLink"] = next_link
    return ok(body)


def _instant(raw: str, name: str) -> datetime:
    """CV: ISO 8601; an offset is honoured, none means UTC (Prefer does not apply here)."""
    try:
        parsed = datetime.fromisoformat(raw)
    except ValueError as exc:
        raise invalid_parameter(f"The value '{raw}' of parameter '{name}' is not a valid DateTime.") from exc
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _overlaps(span: tuple[datetime, datetime], start: datetime, end: datetime) -> bool:
    first, last = span
    if first == last:
        return start <= first < end
    return first < end and last > start


def calendar_view(ctx: Context, match: re.Match[str]) -> GraphResponse:
    """GET /me/calendarView | /me/calendar/calendarView | /me/calendars/{id}/calendarView [CV]:
    the events of that one calendar (the default one without an id) [C4]."""
    key = guard_calendar(ctx, match.group("cid"), write=False)
    reject_unsupported_options(ctx, ("$select", "$top", "$skip", "$orderby"))
    start_raw, end_raw = ctx.request.param("startDateTime"), ctx.request.param("endDateTime")
    if not start_raw or not end_raw:
        raise invalid_parameter(
            "This request requires a time window specified by the query string parameters "
            "StartDateTime and EndDateTime."
        )
    start, end = _instant(start_raw, "StartDateTime"), _instant(end_raw, "EndDateTime")
    if end - start > timedelta(days=MAX_VIEW_DAYS):
        raise invalid_request(
            "Your request can't be completed. The range between the start and end dates is "
            f"greater than the allowed range. Maximum number of days: {MAX_VIEW_DAYS}"
        )
    order = ctx.request.param("$orderby")
    if order is not None and not _ORDER_BY.fullmatch(order.strip()):
        raise not_emulated(f"$orderby={order} (only start/dateTime)")
    descending = order is not None and order.strip().lower().endswith("desc")
    chosen = select_fields(ctx, EVENT_PROPERTIES, EVENT_TYPE)
    zone, user = ctx.prefer.time_zone, ctx.user
    found = [
        e for e in user.events.values() if e.calendar_id == key and _overlaps(span_in(e, zone), start, end)
    ]
    found.sort(key=lambda e: (span_in(e, zone)[0], e.id), reverse=descending)
    rendered = [
        project(
            event_json(e, user, zone=zone, body_type=ctx.prefer.body_content_type),
            chosen,
            ("@odata.etag", "id"),
        )
        for e in found
    ]
    items, next_link = page(ctx, rendered)
    selection = f"({','.join(chosen)})" if chosen else ""
    body: dict[str, Any] = {"@odata.context": user_context(user, f"calendarView{selection}"), "value": items}
    if next_link:
        body["@odata.nextLink"] = next_link
    return ok(body, headers=ctx.prefer.header(paged=True))


# --- getSchedule -------------------------------------------------------------------------

_SCHEDULE_PARAMETERS = {"schedules", "startTime", "endTime", "availabilityViewInterval"}


def _schedule_window(data: dict[str, Any]) -> tuple[datetime, datetime]:
    bounds = []
    for name in ("startTime", "endTime"):
        if data.get(name) is None:
            raise invalid_parameter(f"The parameter '{name}' is required.")
        wall, zone = read_date_time(data[name])
        bounds.append(timezones.to_utc(wall, zone))
    start, end = bounds
    if end <= start:
        raise invalid_parameter("The end time must be later than the start time.")
    days = (end - start) / timedelta(days=1)
    if days >= MAX_SCHEDULE_DAYS:
        raise GraphError(
            400,
            "ErrorTimeIntervalTooBig",
            "The requested time duration specified is too long. FreeBusyViewOptions.TimeWindow "
            f"is too long. The allowed limit = {MAX_SCHEDULE_DAYS} days; Actual = {math.ceil(days)} days.",
        )
    return start, end


def _interval(data: dict[str, Any]) -> int:
    if "availabilityViewInterval" not in data:
        return 30
    value = data["availabilityViewInterval"]
    if value is None:
        # Observed: an explicit null made Graph fail with 500 (GS quirk in C1).
        raise GraphError(
            500, "ErrorInternalServerError", "An internal server error occurred. The operation failed."
        )
    if not isinstance(value, int) or isinstance(value, bool):
        raise GraphError(
            400, "RequestBodyRead", f"Cannot convert the literal '{value}' to the expected type 'Edm.Int32'."
        )
    if not 5 <= value <= 1440:
        raise invalid_parameter("availabilityViewInterval must be between 5 and 1440 minutes.")
    return value


def _busy_items(user: User, start: datetime, end: datetime) -> list[tuple[Event, datetime, datetime]]:
    items = []
    for event in user.events.values():
        if event.is_cancelled or event.show_as == "free" or event.calendar_id is not None:
            continue  # getSchedule covers the default calendar only [C4]
        first, last = span_in(event, user.time_zone)
        if _overlaps((first, last), start, end):
            items.append((event, first, last))
    items.sort(key=lambda item: (item[1], item[0].id))
    return items


def _schedule(ctx: Context, address: str, start: datetime, end: datetime, interval: int) -> dict[str, Any]:
    owner = ctx.state.user_by_email(address)
    if owner is None or owner.is_personal or not owner.mailbox_enabled or not owner.has_calendar:
        return {
            "scheduleId": address,
            "error": {
                "message": f"Unable to resolve e-mail address {address} to an Active Directory object.",
                "responseCode": "5009",
            },
        }
    zone = ctx.prefer.time_zone
    items = _busy_items(owner, start, end)
    slot = timedelta(minutes=interval)
    view = []
    for index in range(math.ceil((end - start) / slot)):
        slot_start = start + index * slot
        overlapping = [e.show_as for e, a, b in items if _overlaps((a, b), slot_start, slot_start + slot)]
        strongest = max(overlapping, key=_RANK.__getitem__, default="free")
        view.append(_VIEW_DIGIT[strongest])
    schedule_items = []
    for event, first, last in items:
        item: dict[str, Any] = {"status": event.show_as}
        if owner.id == ctx.user.id:  # others' subjects depend on their sharing settings
            private = event.sensitivity == "private"
            item["isPrivate"] = private
            if not private:
                item["subject"] = event.subject
                item["location"] = str(event.location.get("displayName", ""))
        item["start"] = timezones.graph_date_time(first, zone)
        item["end"] = timezones.graph_date_time(last, zone)
        schedule_items.append(item)
    return {
        "scheduleId": address,
        "availabilityView": "".join(view),
        "scheduleItems": schedule_items,
        "workingHours": {
            "daysOfWeek": ["monday", "tuesday", "wednesday", "thursday", "friday"],
            "startTime": "08:00:00.0000000",
            "endTime": "17:00:00.0000000",
            "timeZone": {"name": owner.time_zone},
        },
    }


def get_schedule(ctx: Context, match: re.Match[str]) -> GraphResponse:
    """POST /me/calendar/getSchedule [GS, GS-C]; refused for personal accounts (H.4)."""
    ctx.require(READ_CALENDAR, access_denied)
    if ctx.user.is_personal:
        raise access_denied()  # GS: delegated personal Microsoft account "Not supported"
    if not ctx.user.mailbox_enabled:
        raise mailbox_not_enabled()
    data = ctx.request.json_object()
    for key in data:
        if key not in _SCHEDULE_PARAMETERS:
            raise GraphError(
                400,
                "RequestBodyRead",
                f"The parameter '{key}' in the request payload is not a valid parameter for the "
                "operation 'getSchedule'.",
            )
    schedules = data.get("schedules")
    if not isinstance(schedules, list) or not schedules or not all(isinstance(s, str) for s in schedules):
        raise invalid_parameter("The parameter 'schedules' must be a non-empty list of SMTP addresses.")
    if len(schedules) > MAX_SCHEDULES:
        raise invalid_parameter(f"Too many schedules requested; the limit is {MAX_SCHEDULES}.")
    start, end = _schedule_window(data)
    interval = _interval(data)
    value = [_schedule(ctx, address, start, end, interval) for address in schedules]
    body = {"@odata.context": context_url("Collection(microsoft.graph.scheduleInformation)"), "value": value}
    return ok(body, headers=ctx.prefer.header())
