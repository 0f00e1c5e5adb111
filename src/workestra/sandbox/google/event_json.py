"""Event resources: reading the writable properties of a request body, and rendering an Event.

Reference: DISC (`Event`, `EventDateTime`, `EventAttendee`), G3 (required start/end, read-only
fields, G3.2 shape). Unknown and read-only properties in a body are ignored, as Google does.
"""

import base64
import re
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from . import conference, times
from .errors import ApiError, invalid, not_emulated, required, time_range_empty
from .state import Account, Event

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_STRINGS = ("summary", "description", "location", "colorId")
_BOOLEANS = ("guestsCanModify", "guestsCanInviteOthers", "guestsCanSeeOtherGuests", "anyoneCanAddSelf")
_OBJECTS = ("reminders", "extendedProperties", "source")
_ENUMS = {
    "transparency": ("opaque", "transparent"),
    "visibility": ("default", "public", "private", "confidential"),
    "status": ("confirmed", "tentative", "cancelled"),
}
_RESPONSES = ("needsAction", "declined", "tentative", "accepted")
_ATTENDEE_FIELDS = (
    "email",
    "displayName",
    "optional",
    "responseStatus",
    "comment",
    "additionalGuests",
    "resource",
)


def _bad_value(name: str) -> ApiError:
    return invalid(f"Invalid value for: {name}")  # [R]


def _attendees(value: object) -> list[dict[str, Any]]:
    if not isinstance(value, list):
        raise _bad_value("attendees")
    result: list[dict[str, Any]] = []
    for item in value:
        if not isinstance(item, dict):
            raise _bad_value("attendees")
        email = item.get("email")
        if not email:
            raise required("Missing attendee email.")  # [O]
        if not isinstance(email, str) or not _EMAIL.fullmatch(email.strip()):
            raise invalid("Invalid attendee email.")  # [O]
        attendee = {k: item[k] for k in _ATTENDEE_FIELDS if k in item}
        attendee["email"] = email.strip()
        status = attendee.setdefault("responseStatus", "needsAction")
        if status not in _RESPONSES:
            raise _bad_value("responseStatus")
        result.append(attendee)
    return result


def read_properties(data: dict[str, Any]) -> dict[str, Any]:
    """The writable, non-time properties of a body, checked; `None` values mean "clear"."""
    found: dict[str, Any] = {}
    for name in _STRINGS:
        if name in data:
            if data[name] is not None and not isinstance(data[name], str):
                raise _bad_value(name)
            found[name] = data[name]
    for name in _BOOLEANS:
        if name in data:
            if data[name] is not None and not isinstance(data[name], bool):
                raise _bad_value(name)
            found[name] = data[name]
    for name in _OBJECTS:
        if name in data:
            if data[name] is not None and not isinstance(data[name], dict):
                raise _bad_value(name)
            found[name] = data[name]
    for name, allowed in _ENUMS.items():
        if name in data:
            if data[name] is not None and data[name] not in allowed:
                raise _bad_value(name)
            found[name] = data[name]
    if "attendees" in data:
        found["attendees"] = _attendees(data["attendees"]) if data["attendees"] is not None else None
    if data.get("recurrence"):
        raise not_emulated("recurring events")
    if data.get("eventType", "default") != "default":
        raise not_emulated(f"events of type {data['eventType']!r}")
    return found


def read_time(value: object, name: str, calendar_zone: ZoneInfo) -> tuple[datetime, bool, dict[str, str]]:
    """An EventDateTime -> (instant in UTC, all-day, what to store). `name` is start or end."""
    if not isinstance(value, dict) or ("date" in value and "dateTime" in value):
        raise invalid(f"Invalid {name} time.")  # [O]
    stored: dict[str, str] = {}
    zone_name = value.get("timeZone")
    tz = calendar_zone
    if zone_name is not None:
        found = times.zone(zone_name) if isinstance(zone_name, str) else None
        if found is None:
            raise invalid(f"Invalid time zone definition for {name} time.")  # [O]
        tz, stored["timeZone"] = found, str(zone_name)
    if value.get("date") is not None:
        day = times.parse_date(value["date"])
        if day is None:
            raise invalid(f"Invalid {name} time.")
        stored["date"] = day.isoformat()
        return times.midnight(day, tz), True, stored
    raw = value.get("dateTime")
    if raw is None:
        raise required(f"Missing {name} time.")  # [O]
    instant = times.parse_instant(raw, fallback_zone=tz if zone_name is not None else None)
    if instant is None:
        if times.parse_instant(raw, fallback_zone=calendar_zone) is not None:
            raise required(f"Missing time zone definition for {name} time.")  # [O]
        raise invalid(f"Invalid {name} time.")
    stored["dateTime"] = str(raw)
    return instant, False, stored


def apply_times(event: Event, resource: dict[str, Any], calendar_zone: ZoneInfo) -> None:
    """Set the event's instants from `resource["start"]`/`["end"]`: both required (G3)."""
    for name in ("start", "end"):
        if resource.get(name) is None:
            raise required(f"Missing {name} time.")  # [O]
    starts_at, start_all_day, start = read_time(resource["start"], "start", calendar_zone)
    ends_at, end_all_day, end = read_time(resource["end"], "end", calendar_zone)
    if start_all_day != end_all_day:
        raise invalid("Start and end times must either both be date or both be dateTime.")  # [O]
    if ends_at < starts_at:
        raise time_range_empty(location=None)
    resource["start"], resource["end"] = start, end
    event.starts_at, event.ends_at = starts_at, ends_at


def _render_time(stored: dict[str, str], instant: datetime, calendar_zone: ZoneInfo) -> dict[str, str]:
    if "date" in stored:
        return dict(stored)
    tz = times.zone(stored["timeZone"]) if "timeZone" in stored else None
    rendered = {"dateTime": times.format_offset(instant, tz or calendar_zone)}
    if "timeZone" in stored:
        rendered["timeZone"] = stored["timeZone"]
    return rendered


def _person(email: str, viewer: Account) -> dict[str, Any]:
    person: dict[str, Any] = {"email": email}
    if email.lower() == viewer.email.lower():
        person["self"] = True
    return person


def html_link(event: Event) -> str:
    eid = base64.urlsafe_b64encode(f"{event.id} {event.calendar_email}".encode()).rstrip(b"=")
    return "https://www.google.com/calendar/event?eid=" + eid.decode("ascii")


def event_json(event: Event, owner: Account, viewer: Account) -> dict[str, Any]:
    """G3.2: the Event as `viewer` reads it from `owner`'s calendar."""
    res = event.resource
    tz = times.zone(owner.time_zone) or ZoneInfo("UTC")
    body: dict[str, Any] = {
        "kind": "calendar#event",
        "etag": f'"{3458123412340000 + event.etag_serial}"',
        "id": event.id,
        "status": event.status,
        "htmlLink": html_link(event),
        "created": times.format_millis(event.created_at),
        "updated": times.format_millis(event.updated_at),
    }
    body.update({k: res[k] for k in _STRINGS if res.get(k) is not None})
    body["creator"] = _person(event.creator_email, viewer)
    body["organizer"] = _person(event.organizer_email, viewer)
    body["start"] = _render_time(res["start"], event.starts_at, tz)
    body["end"] = _render_time(res["end"], event.ends_at, tz)
    for name in ("transparency", "visibility"):
        if res.get(name) is not None:
            body[name] = res[name]
    body["iCalUID"] = event.ical_uid
    body["sequence"] = event.sequence
    if res.get("attendees"):
        body["attendees"] = [_attendee(a, event, viewer) for a in res["attendees"]]
    body.update({k: res[k] for k in _BOOLEANS if res.get(k) is not None})
    link = conference.hangout_link(event)
    if link is not None:
        body["hangoutLink"] = link
    conference_data = conference.conference_json(event)
    if conference_data is not None:
        body["conferenceData"] = conference_data
    body["reminders"] = res.get("reminders") or {"useDefault": True}
    body.update({k: res[k] for k in ("extendedProperties", "source") if res.get(k) is not None})
    body["eventType"] = "default"
    return body


def _attendee(attendee: dict[str, Any], event: Event, viewer: Account) -> dict[str, Any]:
    rendered = dict(attendee)
    if attendee["email"].lower() == event.organizer_email.lower():
        rendered["organizer"] = True
    if attendee["email"].lower() == viewer.email.lower():
        rendered["self"] = True
    return rendered
