"""freebusy.query: busy periods of the requested calendars, per-calendar errors at HTTP 200.

Reference: G-FB, DISC (`FreeBusyRequest`, `FreeBusyResponse`, `Error` reasons), G5 (400
`timeRangeEmpty`), G2 ([O] windows over ~90 days refused). Callers hold the lock.
"""

import re
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from . import times
from .context import ApiResponse, Context, role_of
from .errors import ApiError, bad_request, invalid, required, time_range_empty, time_range_too_long
from .state import Account

MAX_WINDOW = timedelta(days=90)
MAX_CALENDARS = 50  # DISC: calendarExpansionMax, maximum 50


def _instant(data: dict[str, Any], name: str) -> datetime:
    if data.get(name) in (None, ""):
        raise required(f"Missing {name} parameter.")  # [O]
    parsed = times.parse_instant(data[name])
    if parsed is None:
        raise bad_request()
    return parsed


def _zone(data: dict[str, Any]) -> ZoneInfo:
    name = data.get("timeZone") or "UTC"
    found = times.zone(name) if isinstance(name, str) else None
    if found is None:
        raise invalid(f"Invalid time zone definition: {name}", location="timeZone")  # [R]
    return found


def _items(data: dict[str, Any]) -> list[str]:
    items = data.get("items", [])
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise bad_request()
    ids = [str(item.get("id", "")) for item in items]
    if len(ids) > MAX_CALENDARS:
        raise ApiError(
            400, "calendar", "tooManyCalendarsRequested", "Too many calendars requested."
        )  # DISC reason; message [R]
    return ids


def busy_periods(account: Account, start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
    """Opaque, not cancelled events overlapping [start, end), clipped and merged (end exclusive)."""
    spans = sorted(
        (max(e.starts_at, start), min(e.ends_at, end))
        for e in account.events.values()
        if e.status != "cancelled"
        and e.resource.get("transparency", "opaque") != "transparent"
        and e.starts_at < end
        and e.ends_at > start
        and e.ends_at > e.starts_at
    )
    merged: list[tuple[datetime, datetime]] = []
    for span_start, span_end in spans:
        if merged and span_start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], span_end))
        else:
            merged.append((span_start, span_end))
    return merged


def query(ctx: Context, match: re.Match[str]) -> ApiResponse:
    """POST /freeBusy [G-FB]."""
    data = ctx.json_object()
    time_min, time_max = _instant(data, "timeMin"), _instant(data, "timeMax")
    tz = _zone(data)
    if time_max <= time_min:
        raise time_range_empty()
    if time_max - time_min > MAX_WINDOW:
        raise time_range_too_long()
    calendars: dict[str, Any] = {}
    for calendar_id in _items(data):
        owner = ctx.caller if calendar_id == "primary" else ctx.state.account(calendar_id)
        if owner is None or role_of(ctx.caller, owner) is None:
            calendars[calendar_id] = {"errors": [{"domain": "global", "reason": "notFound"}], "busy": []}
            continue
        calendars[calendar_id] = {
            "busy": [
                {"start": times.format_offset(s, tz), "end": times.format_offset(e, tz)}
                for s, e in busy_periods(owner, time_min, time_max)
            ]
        }
    body = {
        "kind": "calendar#freeBusy",
        "timeMin": times.format_millis(time_min, tz),
        "timeMax": times.format_millis(time_max, tz),
        "calendars": calendars,
    }
    return ApiResponse(200, body)
