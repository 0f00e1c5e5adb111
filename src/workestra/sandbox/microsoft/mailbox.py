"""A user's Exchange mailbox as Graph exposes it: access checks, the calendar, event lookup.

Reference: Graph `resources/calendar.md`, `concepts/errors.md` (E1 404s and 403s). Callers hold the lock.
"""

import base64
import secrets
from datetime import datetime

from .errors import access_denied, item_not_found, mailbox_not_enabled
from .state import Calendar, Event, User, opaque
from .wire import Context

READ_CALENDAR = (
    "Calendars.Read",
    "Calendars.ReadBasic",
    "Calendars.ReadWrite",
    "Calendars.Read.Shared",
    "Calendars.ReadWrite.Shared",
)
WRITE_CALENDAR = ("Calendars.ReadWrite", "Calendars.ReadWrite.Shared")


def guard_calendar(ctx: Context, calendar_id: str | None, *, write: bool) -> str | None:
    """403 without a calendar scope, 404 without a mailbox or calendar, 404 for an unknown (or
    deleted) calendar id [C4], 403 ErrorAccessDenied writing to a calendar the user can't edit.

    Returns the calendar's key: None for the default calendar, else the other calendar's id."""
    ctx.require(WRITE_CALENDAR if write else READ_CALENDAR, access_denied)
    user = ctx.user
    if not user.mailbox_enabled:
        raise mailbox_not_enabled()
    if not user.has_calendar:
        raise item_not_found()
    if calendar_id is None or calendar_id == user.calendar_id:
        return None
    other = user.calendars.get(calendar_id)  # ids are case-sensitive, like event ids
    if other is None:
        raise item_not_found()
    if write and not other.can_edit:
        raise access_denied()
    return other.id


def find_event(user: User, event_id: str) -> Event:
    """Event ids are case-sensitive [EV]."""
    event = user.events.get(event_id)
    if event is None:
        raise item_not_found()
    return event


def new_change_key() -> str:
    return base64.b64encode(secrets.token_bytes(12)).decode("ascii")


def new_event(user: User, *, now: datetime, starts_at: datetime, ends_at: datetime) -> Event:
    """A fresh event organised by `user`, with Outlook-like ids; callers fill in the rest."""
    return Event(
        id="AAMkAGsbx" + opaque("", 30) + "=",
        ical_uid="040000008200E00074C5B7101A82E00800000000" + secrets.token_hex(26).upper(),
        change_key=new_change_key(),
        created_at=now,
        modified_at=now,
        subject="",
        body_type="html",
        body_content="",
        starts_at=starts_at,
        ends_at=ends_at,
        start_zone="UTC",
        end_zone="UTC",
        organizer_name=user.display_name,
        organizer_address=user.email,
    )


def other_calendar_json(user: User, calendar: Calendar) -> dict[str, object]:
    """A calendar besides the default one [C4]: it can't host Teams meetings of its own here."""
    return {
        "id": calendar.id,
        "name": calendar.name,
        "color": "auto",
        "hexColor": "",
        "isDefaultCalendar": False,
        "changeKey": base64.b64encode(calendar.id.encode()).decode("ascii")[:16],
        "canShare": calendar.can_edit,
        "canViewPrivateItems": calendar.can_edit,
        "canEdit": calendar.can_edit,
        "allowedOnlineMeetingProviders": ["teamsForBusiness"] if user.teams_enabled else ["unknown"],
        "defaultOnlineMeetingProvider": "teamsForBusiness" if user.teams_enabled else "unknown",
        "isTallyingResponses": calendar.can_edit,
        "isRemovable": True,
        "owner": {"name": user.display_name, "address": user.email},
    }


def calendar_json(user: User) -> dict[str, object]:
    """The default calendar [D2.1]; Teams only for work accounts that have it."""
    providers = ["teamsForBusiness"] if user.teams_enabled else ["unknown"]
    return {
        "id": user.calendar_id,
        "name": "Calendar",
        "color": "auto",
        "hexColor": "",
        "isDefaultCalendar": True,
        "changeKey": base64.b64encode(user.calendar_id.encode()).decode("ascii")[:16],
        "canShare": True,
        "canViewPrivateItems": True,
        "canEdit": True,
        "allowedOnlineMeetingProviders": providers,
        "defaultOnlineMeetingProvider": providers[0],
        "isTallyingResponses": True,
        "isRemovable": False,
        "owner": {"name": user.display_name, "address": user.email},
    }
