"""What each outbox job carries: one model per job kind, written as JSON, validated when read.

A job whose stored payload doesn't validate is a bug, not bad luck: the worker gives it up at once
(``InvalidPayload``) instead of retrying it.
"""

from datetime import datetime
from typing import Any, Literal, Self

from pydantic import BaseModel, ConfigDict, ValidationError

from workestra.enums import CalendarProviderName, JobKind


class Payload(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    def payload(self) -> dict[str, Any]:
        """The JSON the outbox row stores."""
        return self.model_dump(mode="json", exclude_none=True)


class NoPayload(Payload):
    """The booking id says it all."""


FailedAction = Literal["create", "move", "cancel"]


class EventFailure(Payload):
    """Why the worker gave up creating, moving or cancelling a provider event (no secrets)."""

    action: FailedAction = "create"
    problem: str = ""  # a ConnectionProblem value, or "" when the error wasn't a CalendarError
    missing_scopes: str = ""
    needs_reauth: bool = False


class CalendarEventRef(Payload):
    """An event on a calendar other than the booking's current one (a round-robin booking moved to
    another rep): which host's calendar, and the event's id when it had been made."""

    host_id: str
    provider: CalendarProviderName
    event_id: str | None = None


class CancelEvent(Payload):
    """Cancel the booking's event; ``moved_from`` names it when it is on a calendar the booking has
    left (a round-robin booking moved to another rep), else it is the booking's own."""

    moved_from: CalendarEventRef | None = None


class BookingChange(Payload):
    """A notice that a booking was cancelled or moved; ``sequence`` is the booking's after the change
    (the .ics SEQUENCE), ``host_id`` the host to tell when not the booking's current host."""

    change: Literal["cancelled", "rescheduled"]
    sequence: int
    previous_start: datetime | None = None
    previous_end: datetime | None = None
    reason: str | None = None
    host_id: str | None = None

    @classmethod
    def cancelled(cls, sequence: int, *, reason: str | None = None, host_id: str | None = None) -> Self:
        return cls(change="cancelled", sequence=sequence, reason=reason, host_id=host_id)

    @classmethod
    def rescheduled(cls, sequence: int, previous_start: datetime, previous_end: datetime) -> Self:
        return cls(
            change="rescheduled", sequence=sequence, previous_start=previous_start, previous_end=previous_end
        )


class TeamInvitation(Payload):
    """Email the invitation link to the invited address (``member_id``: the team member row;
    ``inviter_id``: the admin who invited). Nothing is sent once the invitation is gone or taken."""

    member_id: str
    inviter_id: str


PAYLOADS: dict[JobKind, type[Payload]] = {
    JobKind.CREATE_CALENDAR_EVENT: NoPayload,
    JobKind.CALENDAR_EVENT_FAILED: EventFailure,
    JobKind.AWAIT_MEETING_LINK: NoPayload,
    JobKind.MEETING_LINK_MISSING: NoPayload,
    JobKind.UPDATE_CALENDAR_EVENT: NoPayload,
    JobKind.CALENDAR_UPDATE_FAILED: EventFailure,
    JobKind.CANCEL_CALENDAR_EVENT: CancelEvent,
    JobKind.SEND_CONFIRMATION: NoPayload,
    JobKind.NOTIFY_HOST: NoPayload,
    JobKind.SEND_CHANGE_NOTICE: BookingChange,
    JobKind.NOTIFY_HOST_CHANGE: BookingChange,
    JobKind.SEND_TEAM_INVITATION: TeamInvitation,
}


class InvalidPayload(Exception):
    """A stored payload that doesn't fit its job kind: never retried."""

    temporary = False


def read_payload(kind: JobKind, stored: str | None) -> Payload:
    """The payload of a job as its kind's model."""
    try:
        return PAYLOADS[kind].model_validate_json(stored or "{}")
    except ValidationError as exc:
        raise InvalidPayload(f"{kind} payload doesn't validate: {exc.error_count()} error(s)") from exc
