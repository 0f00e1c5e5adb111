"""NoCalendar: the null provider. Never busy, and creates nothing remotely."""

from workestra.calendars.base import (
    NO_CHOICES,
    BusyEvent,
    CalendarHealth,
    CalendarInfo,
    CalendarTerms,
    CreatedEvent,
    CredentialSource,
    EventDraft,
    MeetingCapability,
)
from workestra.enums import CalendarProviderName
from workestra.scheduling import Interval


class NoCalendar:
    name = CalendarProviderName.NONE
    terms = CalendarTerms(meeting_link="meeting")
    choices = NO_CHOICES

    async def busy_intervals(self, credentials: CredentialSource, window: Interval) -> list[Interval]:
        return []

    async def busy_events(self, credentials: CredentialSource, window: Interval) -> list[BusyEvent]:
        return []

    async def create_event(self, credentials: CredentialSource, draft: EventDraft) -> CreatedEvent:
        return CreatedEvent(event_id=f"local-{draft.idempotency_key}", ical_uid=None, join_url=None)

    async def update_event(
        self, credentials: CredentialSource, event_id: str, draft: EventDraft
    ) -> CreatedEvent:
        return CreatedEvent(event_id=event_id, ical_uid=None, join_url=None)

    async def read_event(self, credentials: CredentialSource, event_id: str) -> CreatedEvent:
        return CreatedEvent(event_id=event_id, ical_uid=None, join_url=None)

    async def cancel_event(self, credentials: CredentialSource, event_id: str) -> None:
        return None

    async def list_calendars(self, credentials: CredentialSource) -> list[CalendarInfo]:
        return []

    async def check_health(self, credentials: CredentialSource) -> CalendarHealth:
        return CalendarHealth(calendar_found=True, meeting=MeetingCapability(available=False))
