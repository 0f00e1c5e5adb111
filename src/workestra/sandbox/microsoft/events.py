"""Graph event endpoints: create, list, get, update, delete, cancel, with Teams meetings.

References: Graph `user-post-events.md`, `event-update.md`, `event-delete.md`, `event-cancel.md`,
`resources/event.md`, `concepts/outlook-calendar-online-meetings.md`. Callers hold the lock.
"""

import dataclasses
import re
import secrets
from datetime import datetime, time
from typing import Any

from . import timezones
from .errors import (
    GraphError,
    invalid_request,
    not_emulated,
    time_zone_not_supported,
    unable_to_deserialize,
    unknown_property,
)
from .event_json import EVENT_PROPERTIES, event_json, span_in
from .mailbox import find_event, guard_calendar, new_change_key, new_event
from .state import Event, RemovedEvent, User
from .wire import Context, GraphResponse, ok, page, project, select_fields, user_context

EVENT_TYPE = "microsoft.graph.event"
MAX_ATTENDEES = 500  # EV-POST
PATCHABLE = frozenset(
    {
        "attendees", "body", "categories", "end", "hideAttendees", "importance", "isAllDay",
        "isOnlineMeeting", "isReminderOn", "location", "locations", "onlineMeetingProvider",
        "recurrence", "reminderMinutesBeforeStart", "responseRequested", "sensitivity", "showAs",
        "start", "subject",
    }
)  # fmt: skip
CREATABLE = PATCHABLE | {"allowNewTimeProposals", "transactionId"}
SHOW_AS = ("free", "tentative", "busy", "oof", "workingElsewhere", "unknown")
PROVIDERS = ("unknown", "teamsForBusiness", "skypeForBusiness", "skypeForConsumer")
_ENUMS = {
    "showAs": ("microsoft.graph.freeBusyStatus", SHOW_AS),
    "importance": ("microsoft.graph.importance", ("low", "normal", "high")),
    "sensitivity": ("microsoft.graph.sensitivity", ("normal", "personal", "private", "confidential")),
    "onlineMeetingProvider": ("microsoft.graph.onlineMeetingProviderType", PROVIDERS),
}
_BOOLEANS = ("hideAttendees", "isReminderOn", "responseRequested", "allowNewTimeProposals", "isAllDay")


def _convert_error(value: object, type_name: str) -> GraphError:
    return GraphError(
        400, "RequestBodyRead", f"Cannot convert the literal '{value}' to the expected type '{type_name}'."
    )


def _enum(value: object, type_name: str, members: tuple[str, ...]) -> str:
    if isinstance(value, str):
        for member in members:
            if member.lower() == value.lower():
                return member
    raise _convert_error(value, type_name)


def _check_keys(data: dict[str, Any], allowed: set[str] | frozenset[str], type_name: str) -> None:
    for key in data:
        if key not in allowed and not key.startswith("@odata."):
            raise unknown_property(key, type_name)


def read_date_time(value: object) -> tuple[datetime, str]:
    """A dateTimeTimeZone request object -> (naive wall time, zone name)."""
    if not isinstance(value, dict):
        raise _convert_error(value, "microsoft.graph.dateTimeTimeZone")
    _check_keys(value, {"dateTime", "timeZone"}, "microsoft.graph.dateTimeTimeZone")
    raw, zone = value.get("dateTime"), value.get("timeZone")
    wall = timezones.parse_wall_time(raw) if isinstance(raw, str) else None
    if wall is None:
        raise unable_to_deserialize(
            f"Cannot convert the literal '{raw}' to the expected type 'Edm.DateTime'."
        )
    if not isinstance(zone, str) or not timezones.is_supported(zone):
        raise time_zone_not_supported(str(zone) if zone is not None else "")
    return wall, zone


def _attendees(value: object) -> list[dict[str, Any]]:
    if not isinstance(value, list):
        raise _convert_error(value, "Collection(microsoft.graph.attendee)")
    if len(value) > MAX_ATTENDEES:
        raise invalid_request(f"An event can have at most {MAX_ATTENDEES} attendees.")
    result = []
    for item in value:
        if not isinstance(item, dict):
            raise _convert_error(item, "microsoft.graph.attendee")
        _check_keys(item, {"emailAddress", "type", "status", "proposedNewTime"}, "microsoft.graph.attendee")
        email = item.get("emailAddress")
        if not isinstance(email, dict) or not isinstance(email.get("address"), str):
            raise invalid_request("An attendee must have an emailAddress with an address.")
        _check_keys(email, {"address", "name"}, "microsoft.graph.emailAddress")
        kind = _enum(
            item.get("type", "required"), "microsoft.graph.attendeeType", ("required", "optional", "resource")
        )
        address = email["address"]
        result.append(
            {
                "type": kind,
                "status": {"response": "none", "time": "0001-01-01T00:00:00Z"},
                "emailAddress": {"name": email.get("name") or address, "address": address},
            }
        )
    return result


def _apply(event: Event, data: dict[str, Any]) -> None:
    """Copy the plain (non-time, non-meeting) properties of a create/update body."""
    if "subject" in data:
        if data["subject"] is not None and not isinstance(data["subject"], str):
            raise _convert_error(data["subject"], "Edm.String")
        event.subject = data["subject"] or ""
    if "body" in data:
        body = data["body"]
        if not isinstance(body, dict):
            raise _convert_error(body, "microsoft.graph.itemBody")
        _check_keys(body, {"contentType", "content"}, "microsoft.graph.itemBody")
        event.body_type = _enum(body.get("contentType", "text"), "microsoft.graph.bodyType", ("text", "html"))
        event.body_content = str(body.get("content") or "")
    for name in _BOOLEANS:
        if name in data:
            if not isinstance(data[name], bool):
                raise _convert_error(data[name], "Edm.Boolean")
            setattr(event, _ATTRIBUTE[name], data[name])
    for name in ("showAs", "importance", "sensitivity"):
        if name in data:
            setattr(event, _ATTRIBUTE[name], _enum(data[name], *_ENUMS[name]))
    if "reminderMinutesBeforeStart" in data:
        minutes = data["reminderMinutesBeforeStart"]
        if not isinstance(minutes, int) or isinstance(minutes, bool):
            raise _convert_error(minutes, "Edm.Int32")
        event.reminder_minutes = minutes
    if "categories" in data:
        if not isinstance(data["categories"], list):
            raise _convert_error(data["categories"], "Collection(Edm.String)")
        event.categories = [str(c) for c in data["categories"]]
    if "location" in data:
        event.location = _location(data["location"])
    if "locations" in data:
        locations = data["locations"]
        if not isinstance(locations, list):
            raise _convert_error(locations, "Collection(microsoft.graph.location)")
        if locations:  # EV-PATCH: location and locations always correspond
            event.location = _location(locations[0])
    if "attendees" in data:
        event.attendees = _attendees(data["attendees"])
    if data.get("recurrence") is not None:
        raise not_emulated("recurring events")


_ATTRIBUTE = {
    "hideAttendees": "hide_attendees",
    "isReminderOn": "is_reminder_on",
    "responseRequested": "response_requested",
    "allowNewTimeProposals": "allow_new_time_proposals",
    "isAllDay": "is_all_day",
    "showAs": "show_as",
    "importance": "importance",
    "sensitivity": "sensitivity",
}


def _location(value: object) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise _convert_error(value, "microsoft.graph.location")
    return {k: v for k, v in value.items() if not k.startswith("@odata.")}


def _apply_times(event: Event, data: dict[str, Any], *, creating: bool) -> None:
    if creating and ("start" not in data or "end" not in data):
        raise invalid_request("Your request can't be completed. The start and end times are required.")
    start_wall, start_zone = read_date_time(data["start"]) if "start" in data else (None, event.start_zone)
    end_wall, end_zone = read_date_time(data["end"]) if "end" in data else (None, event.end_zone)
    if event.is_all_day:
        # All-day events are floating dates: midnight to midnight [EV isAllDay].
        kept = [
            m.replace(tzinfo=None)
            for m, w in ((event.starts_at, start_wall), (event.ends_at, end_wall))
            if w is None
        ]
        for wall in (start_wall, end_wall, *kept):
            if wall is not None and wall.time() != time(0):
                raise GraphError(
                    400,
                    "ErrorPropertyValidationFailure",
                    "When isAllDay is true, start and end must be set to midnight.",
                )
        if start_wall is not None:
            event.starts_at = start_wall.replace(tzinfo=timezones.zone_for("UTC"))
        if end_wall is not None:
            event.ends_at = end_wall.replace(tzinfo=timezones.zone_for("UTC"))
    else:
        if start_wall is not None:
            event.starts_at = timezones.to_utc(start_wall, start_zone)
        if end_wall is not None:
            event.ends_at = timezones.to_utc(end_wall, end_zone)
    event.start_zone, event.end_zone = start_zone, end_zone
    if event.ends_at < event.starts_at:
        raise invalid_request("Your request can't be completed. The end time is before the start time.")


def _attach_meeting(event: Event, user: User) -> None:
    """A Teams meeting with its join URL, appended to the body as Outlook does [OLM]."""
    tenant = user.tenant_id
    join_url = (
        f"https://teams.microsoft.com/l/meetup-join/19%3ameeting_{secrets.token_urlsafe(24)}"
        f"%40thread.v2/0?context=%7b%22Tid%22%3a%22{tenant}%22%2c%22Oid%22%3a%22{user.id}%22%7d"
    )
    event.is_online_meeting = True
    event.online_meeting_provider = "teamsForBusiness"
    event.online_meeting = {
        "joinUrl": join_url,
        "conferenceId": str(secrets.randbelow(900_000_000) + 100_000_000),
        "tollNumber": "+1 555 010 0000",
    }
    if event.body_type == "html":
        event.body_content += (
            "<div><hr><div>Microsoft Teams meeting</div>"
            f'<div><a href="{join_url}">Join Microsoft Teams Meeting</a></div><hr></div>'
        )
    else:
        event.body_content += f"\n\nMicrosoft Teams meeting\nJoin Microsoft Teams Meeting: {join_url}\n"
    if not event.location.get("displayName"):
        event.location = {"displayName": "Microsoft Teams Meeting", "locationType": "default"}


def _turn_online(event: Event, user: User, provider: str | None) -> None:
    """isOnlineMeeting: true. Only work accounts with Teams get a meeting; everyone else gets
    201 with isOnlineMeeting false and no meeting (observed for personal accounts, D2)."""
    chosen = provider or ("teamsForBusiness" if user.teams_enabled else "unknown")
    if chosen == "teamsForBusiness" and user.teams_enabled:
        _attach_meeting(event, user)


def _event_response(ctx: Context, event: Event, *, status: int = 200) -> GraphResponse:
    body = {"@odata.context": user_context(ctx.user, "events/$entity")}
    body.update(
        event_json(event, ctx.user, zone=ctx.prefer.time_zone, body_type=ctx.prefer.body_content_type)
    )
    return ok(body, status=status, headers=ctx.prefer.header())


_NOT_EMULATED = ("attachments", "extensions", "singleValueExtendedProperties", "multiValueExtendedProperties")


def _check_event_keys(data: dict[str, Any]) -> None:
    for name in _NOT_EMULATED:
        if name in data:
            raise not_emulated(f"the event property '{name}'")
    _check_keys(data, set(EVENT_PROPERTIES), EVENT_TYPE)


def create_event(ctx: Context, match: re.Match[str]) -> GraphResponse:
    """POST /me/events | /me/calendar/events | /me/calendars/{id}/events [EV-POST, C4]: into the
    default calendar, or the one named (404 unknown or deleted, 403 one the user can't edit)."""
    key = guard_calendar(ctx, match.group("cid"), write=True)
    data = ctx.request.json_object()
    _check_event_keys(data)
    user, now = ctx.user, ctx.state.now()
    transaction_id = data.get("transactionId")
    if transaction_id is not None and not isinstance(transaction_id, str):
        raise _convert_error(transaction_id, "Edm.String")
    existing = user.transactions.get(transaction_id) if transaction_id else None
    if existing is not None and existing in user.events:
        return _event_response(ctx, user.events[existing], status=201)  # [R] replay -> same event
    event = new_event(user, now=now, starts_at=now, ends_at=now)
    event.calendar_id = key
    _apply(event, {k: v for k, v in data.items() if k in CREATABLE})
    _apply_times(event, data, creating=True)
    provider = (
        _enum(data["onlineMeetingProvider"], *_ENUMS["onlineMeetingProvider"])
        if "onlineMeetingProvider" in data
        else None
    )
    online = data.get("isOnlineMeeting", False)
    if not isinstance(online, bool):
        raise _convert_error(online, "Edm.Boolean")
    if online:
        _turn_online(event, user, provider)
    if transaction_id:
        event.transaction_id = transaction_id
        user.transactions[transaction_id] = event.id
    user.events[event.id] = event
    return _event_response(ctx, event, status=201)


def list_events(ctx: Context, match: re.Match[str]) -> GraphResponse:
    """GET /me/events [user-list-events.md] (no $filter in the sandbox); /me/calendars/{id}/events
    lists that calendar's events only [C4]."""
    key = guard_calendar(ctx, match.group("cid"), write=False)
    chosen = select_fields(ctx, EVENT_PROPERTIES, EVENT_TYPE)
    zone = ctx.prefer.time_zone
    mine = [e for e in ctx.user.events.values() if match.group("cid") is None or e.calendar_id == key]
    events = sorted(mine, key=lambda e: (span_in(e, zone)[0], e.id))
    rendered = [
        project(
            event_json(e, ctx.user, zone=zone, body_type=ctx.prefer.body_content_type),
            chosen,
            ("@odata.etag", "id"),
        )
        for e in events
    ]
    items, next_link = page(ctx, rendered)
    body: dict[str, Any] = {"@odata.context": user_context(ctx.user, "events"), "value": items}
    if next_link:
        body["@odata.nextLink"] = next_link
    return ok(body, headers=ctx.prefer.header(paged=True))


def get_event(ctx: Context, match: re.Match[str]) -> GraphResponse:
    """GET /me/events/{id} [event-get.md]."""
    guard_calendar(ctx, match.group("cid"), write=False)
    event = find_event(ctx.user, match.group("eid"))
    chosen = select_fields(ctx, EVENT_PROPERTIES, EVENT_TYPE)
    response = _event_response(ctx, event)
    response.body = project(response.body, chosen, ("@odata.context", "@odata.etag", "id"))
    return response


def update_event(ctx: Context, match: re.Match[str]) -> GraphResponse:
    """PATCH /me/events/{id} -> 200 with the updated event [EV-PATCH]."""
    guard_calendar(ctx, match.group("cid"), write=True)
    event = find_event(ctx.user, match.group("eid"))
    data = ctx.request.json_object()
    _check_event_keys(data)
    # Read-only properties in the body are ignored (the EV-PATCH sample sends some), but a
    # transactionId can't be changed after creation [EV].
    if "transactionId" in data and data["transactionId"] != event.transaction_id:
        raise invalid_request("The property 'transactionId' can't be changed after creation.")
    data = {k: v for k, v in data.items() if k in PATCHABLE}
    if event.is_online_meeting and data.get("isOnlineMeeting") is False:
        raise invalid_request("An online meeting can't be changed back to a regular event.")
    if (
        event.is_online_meeting
        and "onlineMeetingProvider" in data
        and _enum(data["onlineMeetingProvider"], *_ENUMS["onlineMeetingProvider"])
        != event.online_meeting_provider
    ):
        raise invalid_request("The online meeting provider of an online meeting can't be changed.")
    event = dataclasses.replace(event)  # a draft: a 400 below must leave the stored event alone
    _apply(event, data)
    if "start" in data or "end" in data or "isAllDay" in data:
        _apply_times(event, data, creating=False)
    join_url = event.online_meeting.get("joinUrl") if event.online_meeting else None
    if join_url and "body" in data and join_url not in event.body_content:
        # EV-PATCH: removing the meeting blob from the body disables the online meeting; observed:
        # isOnlineMeeting turns false, and turning it on again makes a new join URL [O: graph-docs
        # issues 16336, microsoft-graph-docs-contrib 311].
        event.online_meeting = None
        event.is_online_meeting = False
    if data.get("isOnlineMeeting") is True and not event.is_online_meeting:
        provider = data.get("onlineMeetingProvider")
        _turn_online(event, ctx.user, _enum(provider, *_ENUMS["onlineMeetingProvider"]) if provider else None)
    event.modified_at = ctx.state.now()
    event.change_key = new_change_key()
    ctx.user.events[event.id] = event
    return _event_response(ctx, event)


def delete_event(ctx: Context, match: re.Match[str]) -> GraphResponse:
    """DELETE /me/events/{id} -> 204 [EV-DEL]."""
    guard_calendar(ctx, match.group("cid"), write=True)
    event = find_event(ctx.user, match.group("eid"))
    del ctx.user.events[event.id]
    ctx.user.removed.append(RemovedEvent(event=event, reason="deleted", comment=None))
    return GraphResponse(204)


def cancel_event(ctx: Context, match: re.Match[str]) -> GraphResponse:
    """POST /me/events/{id}/cancel -> 202, organizer only [EV-CANCEL]."""
    guard_calendar(ctx, match.group("cid"), write=True)
    event = find_event(ctx.user, match.group("eid"))
    data = ctx.request.json_object() if ctx.request.body.strip() else {}
    _check_keys(data, {"comment"}, "microsoft.graph.event.cancel")
    comment = data.get("comment")
    if comment is not None and not isinstance(comment, str):
        raise _convert_error(comment, "Edm.String")
    if not event.is_organizer:
        raise invalid_request(
            "Your request can't be completed. You need to be an organizer to cancel a meeting."
        )
    del ctx.user.events[event.id]
    event.is_cancelled = True
    ctx.user.removed.append(RemovedEvent(event=event, reason="cancelled", comment=comment))
    return GraphResponse(202)
