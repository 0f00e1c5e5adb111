"""NoCalendar: the null provider. Never busy, and creates nothing remotely."""

from workestra.calendars.base import CalendarHealth, CreatedEvent, CredentialSource, EventDraft
from workestra.enums import CalendarProviderName
from workestra.scheduling import Interval


class NoCalendar:
    name = CalendarProviderName.NONE

    async def busy_intervals(self, credentials: CredentialSource, window: Interval) -> list[Interval]:
        return []

    async def create_event(self, credentials: CredentialSource, draft: EventDraft) -> CreatedEvent:
        return CreatedEvent(event_id=f"local-{draft.idempotency_key}", ical_uid=None, join_url=None)

    async def cancel_event(self, credentials: CredentialSource, event_id: str) -> None:
        return None

    async def check_health(self, credentials: CredentialSource) -> CalendarHealth:
        return CalendarHealth(
            calendar_found=True,
            online_meeting_providers=(),
            teams_available=False,
            personal_account=False,
        )
