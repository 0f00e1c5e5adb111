"""Job kind → handler, spelled out (and what to do when a kind's retries run out)."""

from collections.abc import Awaitable, Callable

from workestra.enums import JobKind
from workestra.services.calendar_events import calendar_event_failed, create_calendar_event
from workestra.services.context import ServiceContext
from workestra.services.notifications import send_confirmation

Handler = Callable[[ServiceContext, str], Awaitable[None]]
GiveUpHandler = Callable[[ServiceContext, str, Exception], Awaitable[None]]

JOB_HANDLERS: dict[JobKind, Handler] = {
    JobKind.CREATE_CALENDAR_EVENT: create_calendar_event,
    JobKind.SEND_CONFIRMATION: send_confirmation,
}

ON_GIVE_UP: dict[JobKind, GiveUpHandler] = {
    JobKind.CREATE_CALENDAR_EVENT: calendar_event_failed,
}
