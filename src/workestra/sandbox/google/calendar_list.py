"""calendarList.list / calendarList.get and calendars.get: the calendars a user sees.

Reference: DISC (`CalendarListEntry`, `Calendar`, `ConferenceProperties.allowedConferenceSolutionTypes`).
Only primary calendars exist here: each account's own, plus those shared with the caller.
"""

import hashlib
import re
from typing import Any

from .context import ApiResponse, Context, calendar_for, role_of
from .errors import not_found
from .state import AccessRole, Account


def _etag(*parts: str) -> str:
    return '"' + str(int(hashlib.sha256("|".join(parts).encode()).hexdigest()[:15], 16)) + '"'


def _entry(caller: Account, owner: Account, role: AccessRole) -> dict[str, Any]:
    own = owner is caller
    entry: dict[str, Any] = {
        "kind": "calendar#calendarListEntry",
        "etag": _etag(owner.email, role, owner.time_zone, str(owner.meet_allowed)),
        "id": owner.email,
        "summary": owner.email,
        "timeZone": owner.time_zone,
        "colorId": "14",
        "backgroundColor": "#9fe1e7",
        "foregroundColor": "#000000",
        "selected": True,
        "accessRole": role,
        "defaultReminders": [{"method": "popup", "minutes": 10}] if role in {"owner", "writer"} else [],
        "conferenceProperties": {"allowedConferenceSolutionTypes": owner.conference_types},
    }
    if own:
        entry["notificationSettings"] = {
            "notifications": [
                {"type": t, "method": "email"}
                for t in ("eventCreation", "eventChange", "eventCancellation", "eventResponse")
            ]
        }
        entry["primary"] = True
    return entry


def _visible(ctx: Context) -> list[tuple[Account, AccessRole]]:
    """The caller's own calendar first, then calendars explicitly shared with the caller."""
    found: list[tuple[Account, AccessRole]] = [(ctx.caller, "owner")]
    for owner in ctx.state.accounts.values():
        if owner is not ctx.caller and ctx.caller.email.lower() in owner.shared_with:
            role = role_of(ctx.caller, owner)
            if role is not None:
                found.append((owner, role))
    return found


def list_calendars(ctx: Context, match: re.Match[str]) -> ApiResponse:
    """GET /users/me/calendarList [DISC calendarList.list]."""
    items = [_entry(ctx.caller, owner, role) for owner, role in _visible(ctx)]
    body = {
        "kind": "calendar#calendarList",
        "etag": _etag(*(item["etag"] for item in items)),
        "nextSyncToken": "sbx-calendarlist-" + str(ctx.state.next_serial()),
        "items": items,
    }
    return ApiResponse(200, body)


def get_calendar_list_entry(ctx: Context, match: re.Match[str]) -> ApiResponse:
    """GET /users/me/calendarList/{calendarId} [DISC calendarList.get]."""
    wanted = match.group("cid")
    for owner, role in _visible(ctx):
        if (wanted == "primary" and owner is ctx.caller) or wanted.lower() == owner.email.lower():
            return ApiResponse(200, _entry(ctx.caller, owner, role))
    raise not_found()


def get_calendar(ctx: Context, match: re.Match[str]) -> ApiResponse:
    """GET /calendars/{calendarId} [DISC calendars.get]."""
    owner, _ = calendar_for(ctx, match.group("cid"), need="reader")
    body = {
        "kind": "calendar#calendar",
        "etag": _etag(owner.email, owner.time_zone, str(owner.meet_allowed)),
        "id": owner.email,
        "summary": owner.email,
        "timeZone": owner.time_zone,
        "conferenceProperties": {"allowedConferenceSolutionTypes": owner.conference_types},
    }
    return ApiResponse(200, body)
