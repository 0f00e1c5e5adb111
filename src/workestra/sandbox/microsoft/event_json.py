"""An event as Graph serialises it: D1 response fields, times in the Prefer zone or UTC.

Reference: Graph `resources/event.md`, `resources/datetimetimezone.md`. Pure rendering.
"""

import re
from datetime import UTC, datetime
from html import unescape
from typing import Any
from urllib.parse import quote

from . import timezones
from .state import Event, User
from .wire import graph_instant

NO_TIME = "0001-01-01T00:00:00Z"

# Properties of microsoft.graph.event (v1.0) that the sandbox serialises, for $select.
EVENT_PROPERTIES = (
    "id", "createdDateTime", "lastModifiedDateTime", "changeKey", "categories", "transactionId",
    "originalStartTimeZone", "originalEndTimeZone", "iCalUId", "reminderMinutesBeforeStart",
    "isReminderOn", "hasAttachments", "subject", "bodyPreview", "importance", "sensitivity",
    "isAllDay", "isCancelled", "isOrganizer", "responseRequested", "seriesMasterId", "showAs",
    "type", "webLink", "onlineMeetingUrl", "isOnlineMeeting", "onlineMeetingProvider",
    "allowNewTimeProposals", "occurrenceId", "isDraft", "hideAttendees", "responseStatus",
    "body", "start", "end", "location", "locations", "recurrence", "attendees", "organizer",
    "onlineMeeting",
)  # fmt: skip
_TAG = re.compile(r"<[^>]+>")


def as_text(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(_TAG.sub(" ", html))).strip()


def web_link(event_id: str, user: User) -> str:
    """EV: Outlook on the web for work/school accounts, outlook.live.com for personal ones."""
    host = "outlook.live.com" if user.is_personal else "outlook.office365.com"
    return f"https://{host}/owa/?itemid={quote(event_id, safe='')}&exvsurl=1&path=/calendar/item"


def span_in(event: Event, zone: str) -> tuple[datetime, datetime]:
    """The event's UTC span; all-day events are floating dates placed at midnight in `zone`."""
    if not event.is_all_day:
        return event.starts_at, event.ends_at
    start = timezones.to_utc(event.starts_at.replace(tzinfo=None), zone)
    end = timezones.to_utc(event.ends_at.replace(tzinfo=None), zone)
    return start, end


def date_time_in(event: Event, moment: datetime, zone: str) -> dict[str, str]:
    if event.is_all_day:
        return {"dateTime": timezones.format_wall_time(moment.replace(tzinfo=None)), "timeZone": zone}
    return timezones.graph_date_time(moment.astimezone(UTC), zone)


def _location(event: Event) -> dict[str, Any]:
    location: dict[str, Any] = {
        "displayName": "",
        "locationType": "default",
        "uniqueIdType": "unknown",
        "address": {},
        "coordinates": {},
    }
    location.update(event.location)
    return location


def event_json(event: Event, user: User, *, zone: str, body_type: str | None = None) -> dict[str, Any]:
    """The full event resource, as GET /me/events/{id} returns it."""
    content, content_type = event.body_content, event.body_type
    if body_type == "text" and content_type == "html":
        content, content_type = as_text(content), "text"
    location = _location(event)
    organizer_response = "organizer" if event.is_organizer else (event.response or "none")
    data: dict[str, Any] = {
        "@odata.etag": f'W/"{event.change_key}"',
        "id": event.id,
        "createdDateTime": graph_instant(event.created_at),
        "lastModifiedDateTime": graph_instant(event.modified_at),
        "changeKey": event.change_key,
        "categories": list(event.categories),
        "transactionId": event.transaction_id,
        "originalStartTimeZone": event.start_zone,
        "originalEndTimeZone": event.end_zone,
        "iCalUId": event.ical_uid,
        "reminderMinutesBeforeStart": event.reminder_minutes,
        "isReminderOn": event.is_reminder_on,
        "hasAttachments": False,
        "subject": event.subject,
        "bodyPreview": as_text(event.body_content)[:255],
        "importance": event.importance,
        "sensitivity": event.sensitivity,
        "isAllDay": event.is_all_day,
        "isCancelled": event.is_cancelled,
        "isOrganizer": event.is_organizer,
        "responseRequested": event.response_requested,
        "seriesMasterId": None,
        "showAs": event.show_as,
        "type": "singleInstance",
        "webLink": web_link(event.id, user),
        "onlineMeetingUrl": None,
        "isOnlineMeeting": event.is_online_meeting,
        "onlineMeetingProvider": event.online_meeting_provider,
        "allowNewTimeProposals": event.allow_new_time_proposals,
        "occurrenceId": None,
        "isDraft": False,
        "hideAttendees": event.hide_attendees,
        "responseStatus": {"response": organizer_response, "time": NO_TIME},
        "body": {"contentType": content_type, "content": content},
        "start": date_time_in(event, event.starts_at, zone),
        "end": date_time_in(event, event.ends_at, zone),
        "location": location,
        "locations": [location] if location["displayName"] else [],
        "recurrence": None,
        "attendees": [dict(a) for a in event.attendees],
        "organizer": {"emailAddress": {"name": event.organizer_name, "address": event.organizer_address}},
        "onlineMeeting": dict(event.online_meeting) if event.online_meeting else None,
    }
    if event.transaction_id is None:
        del data["transactionId"]  # EV: returned only if set
    return data
