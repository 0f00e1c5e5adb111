"""Calendar events: insert, get, list, patch, update, delete under /calendars/{calendarId}/events.

Reference: DISC (events.* parameters), G3 (insert 200, client ids, Meet, `sendUpdates`), G4
(patch, delete 204, 410 `deleted`, cancelled events kept, sync tokens), G5.2 (409 `duplicate`).
Callers hold the lock.
"""

import re
import secrets
from typing import Any, Literal
from zoneinfo import ZoneInfo

from . import conference, times
from .context import ApiResponse, Context, calendar_for
from .errors import (
    ApiError,
    bad_request,
    deleted,
    duplicate,
    full_sync_required,
    invalid,
    not_emulated,
    not_found,
)
from .event_json import apply_times, event_json, read_properties
from .state import Account, Event, Notification

_CLIENT_ID = re.compile(r"[a-v0-9]{5,1024}")  # G3: base32hex, 5-1024 characters
_BASE32HEX = "0123456789abcdefghijklmnopqrstuv"
DEFAULT_PAGE_SIZE = 250  # G4
MAX_PAGE_SIZE = 2500
_SEND_UPDATES = ("all", "externalOnly", "none")
_NOT_EMULATED_FILTERS = ("updatedMin", "privateExtendedProperty", "sharedExtendedProperty", "timeZone")


def _zone(owner: Account) -> ZoneInfo:
    return times.zone(owner.time_zone) or ZoneInfo("UTC")


def _range_value(name: str, value: str, allowed: str) -> ApiError:
    return invalid(f"Invalid value '{value}'. Values must be within the range: [{allowed}]", location=name)


def _conference_version(ctx: Context) -> int:
    raw = ctx.request.query.get("conferenceDataVersion", "0")
    if raw not in {"0", "1"}:
        raise _range_value("conferenceDataVersion", raw, "0, 1")  # DISC: minimum 0, maximum 1
    return int(raw)


def _send_updates(ctx: Context) -> str:
    """G3: `sendUpdates` (none when absent); the deprecated `sendNotifications=true` means all."""
    value = ctx.request.query.get("sendUpdates")
    if value is None:
        return "all" if ctx.flag("sendNotifications") else "none"
    if value not in _SEND_UPDATES:
        raise invalid(
            f"Invalid value '{value}'. Value must be one of: {', '.join(_SEND_UPDATES)}",
            location="sendUpdates",
        )
    return value


def _notify(
    ctx: Context,
    owner: Account,
    event: Event,
    action: Literal["insert", "patch", "update", "delete"],
    mode: str,
) -> None:
    """Record who Google emails about this write: guests other than the organizer and caller;
    `externalOnly` means guests without a (sandbox) Google account."""
    skip = {owner.email.lower(), ctx.caller.email.lower(), event.organizer_email.lower()}
    guests = [a["email"] for a in event.resource.get("attendees") or [] if a["email"].lower() not in skip]
    if mode == "externalOnly":
        guests = [g for g in guests if ctx.state.account(g) is None]
    recipients = guests if mode in {"all", "externalOnly"} else []
    owner.notifications.append(Notification(event.id, action, mode, recipients))


def new_event_id() -> str:
    """A Google-style event id: 26 base32hex characters."""
    return "".join(secrets.choice(_BASE32HEX) for _ in range(26))


def _touch(ctx: Context, event: Event) -> None:
    event.updated_at = ctx.state.now()
    event.etag_serial = event.change_serial = ctx.state.next_serial()


def _find(owner: Account, event_id: str) -> Event:
    event = owner.events.get(event_id)
    if event is None:
        raise not_found()
    return event


def _respond(ctx: Context, event: Event, owner: Account) -> ApiResponse:
    return ApiResponse(200, event_json(event, owner, ctx.caller))


def insert_event(ctx: Context, match: re.Match[str]) -> ApiResponse:
    """POST /calendars/{calendarId}/events [G3]: 200 with the Event."""
    owner, _ = calendar_for(ctx, match.group("cid"), need="writer")
    version, mode = _conference_version(ctx), _send_updates(ctx)
    data = ctx.json_object()
    event_id = data.get("id")
    if event_id is not None:
        if not isinstance(event_id, str) or not _CLIENT_ID.fullmatch(event_id):
            raise invalid("Invalid resource id value.")  # [O]
        if event_id in owner.events:
            raise duplicate()
    now = ctx.state.now()
    chosen = event_id or new_event_id()
    given_uid = data.get("iCalUID")
    ical_uid = given_uid if isinstance(given_uid, str) and given_uid else f"{chosen}@google.com"
    resource = read_properties(data)
    resource.update({"start": data.get("start"), "end": data.get("end")})
    event = Event(
        id=chosen,
        calendar_email=owner.email,
        starts_at=now,
        ends_at=now,
        created_at=now,
        updated_at=now,
        resource={},
        organizer_email=owner.email,
        creator_email=ctx.caller.email,
        ical_uid=ical_uid,
    )
    apply_times(event, resource, _zone(owner))
    event.status = resource.pop("status", None) or "confirmed"
    event.resource = {k: v for k, v in resource.items() if v is not None}
    conference.apply(ctx.state, event, owner, data, version=version)
    _touch(ctx, event)
    owner.events[event.id] = event
    _notify(ctx, owner, event, "insert", mode)
    return _respond(ctx, event, owner)


def get_event(ctx: Context, match: re.Match[str]) -> ApiResponse:
    """GET /calendars/{calendarId}/events/{eventId} [DISC events.get]; cancelled ones too (G4)."""
    owner, _ = calendar_for(ctx, match.group("cid"), need="reader")
    event = _find(owner, match.group("eid"))
    conference.observe(ctx.state, event)
    return _respond(ctx, event, owner)


def _change(ctx: Context, match: re.Match[str], action: Literal["patch", "update"]) -> ApiResponse:
    owner, _ = calendar_for(ctx, match.group("cid"), need="writer")
    version, mode = _conference_version(ctx), _send_updates(ctx)
    event = _find(owner, match.group("eid"))
    data = ctx.json_object()
    if action == "update":
        resource = read_properties(data)
        resource.update({"start": data.get("start"), "end": data.get("end")})
    else:
        resource = {**event.resource, **read_properties(data)}
        resource.update({k: data[k] for k in ("start", "end") if k in data})
    before = (event.starts_at, event.ends_at)
    apply_times(event, resource, _zone(owner))
    status = resource.pop("status", None)
    if status is not None:
        event.status = status
    elif action == "update":
        event.status = "confirmed"
    event.resource = {k: v for k, v in resource.items() if v is not None}
    if action == "update" and version == 1 and "conferenceData" not in data:
        event.conference = None
    conference.apply(ctx.state, event, owner, data, version=version)
    if (event.starts_at, event.ends_at) != before:
        event.sequence += 1
    _touch(ctx, event)
    _notify(ctx, owner, event, action, mode)
    return _respond(ctx, event, owner)


def patch_event(ctx: Context, match: re.Match[str]) -> ApiResponse:
    """PATCH /calendars/{calendarId}/events/{eventId} [G4]: patch semantics, 200."""
    return _change(ctx, match, "patch")


def update_event(ctx: Context, match: re.Match[str]) -> ApiResponse:
    """PUT /calendars/{calendarId}/events/{eventId} [G4]: replaces the whole event, 200."""
    return _change(ctx, match, "update")


def delete_event(ctx: Context, match: re.Match[str]) -> ApiResponse:
    """DELETE /calendars/{calendarId}/events/{eventId} [G4]: 204, 410 `deleted` the second time."""
    owner, _ = calendar_for(ctx, match.group("cid"), need="writer")
    mode = _send_updates(ctx)
    event = _find(owner, match.group("eid"))
    if event.status == "cancelled":
        raise deleted()
    event.status = "cancelled"
    event.sequence += 1
    _touch(ctx, event)
    _notify(ctx, owner, event, "delete", mode)
    return ApiResponse(204)


def _page_size(ctx: Context) -> int:
    raw = ctx.request.query.get("maxResults")
    if raw is None:
        return DEFAULT_PAGE_SIZE
    if not raw.isdigit() or int(raw) < 1:
        raise _range_value("maxResults", raw, "1, ")
    return min(int(raw), MAX_PAGE_SIZE)


def _page_offset(ctx: Context) -> int:
    token = ctx.request.query.get("pageToken")
    if token is None:
        return 0
    digits = token.removeprefix("sbx-page-")
    if not token.startswith("sbx-page-") or not digits.isdigit():
        raise invalid("Invalid page token value.", location="pageToken")  # [R]
    return int(digits)


def _sync_serial(ctx: Context) -> int | None:
    token = ctx.request.query.get("syncToken")
    if token is None:
        return None
    for name in ("timeMin", "timeMax", "orderBy", "q", "iCalUID"):
        if name in ctx.request.query:
            raise invalid(f"The parameter {name} cannot be used with syncToken.")  # [R]
    digits = token.removeprefix("sbx-sync-")
    if not token.startswith("sbx-sync-") or not digits.isdigit():
        raise full_sync_required()
    return int(digits)


def _filtered(ctx: Context, owner: Account, since: int | None) -> list[Event]:
    query = ctx.request.query
    for name in _NOT_EMULATED_FILTERS:
        if name in query:
            raise not_emulated(f"the {name} parameter of events.list")
    bounds = []
    for name in ("timeMin", "timeMax"):
        value = times.parse_instant(query[name]) if name in query else None
        if name in query and value is None:
            raise bad_request()
        bounds.append(value)
    time_min, time_max = bounds
    if time_min is not None and time_max is not None and time_max <= time_min:
        raise invalid("The specified time range is empty.", location="timeMax")  # [R]
    text, ical_uid = query.get("q", "").lower(), query.get("iCalUID")
    show_deleted = since is not None or ctx.flag("showDeleted")
    found = []
    for event in owner.events.values():
        if since is not None and event.change_serial <= since:
            continue
        if event.status == "cancelled" and not show_deleted:
            continue
        if time_min is not None and event.ends_at <= time_min:
            continue
        if time_max is not None and event.starts_at >= time_max:
            continue
        if ical_uid is not None and event.ical_uid != ical_uid:
            continue
        words = " ".join(str(event.resource.get(k) or "") for k in ("summary", "description", "location"))
        if text and text not in words.lower():
            continue
        found.append(event)
    return found


def list_events(ctx: Context, match: re.Match[str]) -> ApiResponse:
    """GET /calendars/{calendarId}/events [DISC events.list, G4 paging and sync tokens]."""
    owner, role = calendar_for(ctx, match.group("cid"), need="reader")
    since = _sync_serial(ctx)
    order = ctx.request.query.get("orderBy")
    if order not in {None, "startTime", "updated"}:
        raise _range_value("orderBy", str(order), "startTime, updated")
    if order == "startTime" and not ctx.flag("singleEvents"):
        raise bad_request("The requested ordering is not available for the particular query.")  # [O]
    events = _filtered(ctx, owner, since)
    if order == "updated":
        events.sort(key=lambda e: (e.updated_at, e.id))
    else:
        events.sort(key=lambda e: (e.starts_at, e.id))
    size, offset = _page_size(ctx), _page_offset(ctx)
    chosen = events[offset : offset + size]
    for event in chosen:
        conference.observe(ctx.state, event)
    body: dict[str, Any] = {
        "kind": "calendar#events",
        "etag": f'"{3458123412340000 + ctx.state.next_serial()}"',
        "summary": owner.email,
        "description": "",
        "updated": times.format_millis(max((e.updated_at for e in events), default=ctx.state.now())),
        "timeZone": owner.time_zone,
        "accessRole": role,
        "defaultReminders": [{"method": "popup", "minutes": 10}] if role in {"owner", "writer"} else [],
    }
    if offset + size < len(events):
        body["nextPageToken"] = f"sbx-page-{offset + size}"
    else:
        body["nextSyncToken"] = f"sbx-sync-{ctx.state.next_serial()}"
    body["items"] = [event_json(e, owner, ctx.caller) for e in chosen]
    return ApiResponse(200, body)
