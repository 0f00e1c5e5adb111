"""Job kind → handler, spelled out, and what to queue when a kind's retries run out.

Each handler receives its job's payload as its kind's model (``services.jobs.PAYLOADS``), validated
when the job was claimed.
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import TypeVar

from workestra.enums import JobKind
from workestra.services.calendar_changes import (
    calendar_change_failed,
    cancel_calendar_event,
    update_calendar_event,
)
from workestra.services.calendar_events import (
    await_meeting_link,
    calendar_event_failed,
    create_calendar_event,
    failure_payload,
    meeting_link_missing,
)
from workestra.services.context import ServiceContext
from workestra.services.jobs import (
    BookingChange,
    CancelEvent,
    EventFailure,
    NoPayload,
    Payload,
    TeamInvitation,
)
from workestra.services.notifications import (
    notify_host_change,
    send_change_notice,
    send_confirmation,
    send_host_notification,
)
from workestra.services.teams import send_invitation
from workestra.worker.retry import RetryPolicy


@dataclass(frozen=True, slots=True)
class Job:
    id: str
    kind: JobKind
    booking_id: str  # "" for a job of no booking (a team invitation)
    payload: Payload
    attempts: int


Handler = Callable[[ServiceContext, Job], Awaitable[None]]


P = TypeVar("P", bound=Payload)


def _payload(job: Job, model: type[P]) -> P:
    if not isinstance(job.payload, model):  # read_payload gave the kind's model: a bug otherwise
        raise TypeError(
            f"job {job.id} ({job.kind}) carries {type(job.payload).__name__}, not {model.__name__}"
        )
    return job.payload


async def _create_event(ctx: ServiceContext, job: Job) -> None:
    await create_calendar_event(ctx, job.booking_id)


async def _event_failed(ctx: ServiceContext, job: Job) -> None:
    await calendar_event_failed(ctx, job.booking_id, _payload(job, EventFailure))


async def _await_meeting_link(ctx: ServiceContext, job: Job) -> None:
    await await_meeting_link(ctx, job.booking_id)


async def _meeting_link_missing(ctx: ServiceContext, job: Job) -> None:
    await meeting_link_missing(ctx, job.booking_id)


async def _update_event(ctx: ServiceContext, job: Job) -> None:
    await update_calendar_event(ctx, job.booking_id)


async def _cancel_event(ctx: ServiceContext, job: Job) -> None:
    await cancel_calendar_event(ctx, job.booking_id, _payload(job, CancelEvent))


async def _change_failed(ctx: ServiceContext, job: Job) -> None:
    await calendar_change_failed(ctx, job.booking_id, _payload(job, EventFailure))


async def _send_confirmation(ctx: ServiceContext, job: Job) -> None:
    await send_confirmation(ctx, job.booking_id)


async def _notify_host(ctx: ServiceContext, job: Job) -> None:
    await send_host_notification(ctx, job.booking_id)


async def _send_change_notice(ctx: ServiceContext, job: Job) -> None:
    await send_change_notice(ctx, job.booking_id, _payload(job, BookingChange))


async def _notify_host_change(ctx: ServiceContext, job: Job) -> None:
    await notify_host_change(ctx, job.booking_id, _payload(job, BookingChange))


async def _send_team_invitation(ctx: ServiceContext, job: Job) -> None:
    await send_invitation(ctx, _payload(job, TeamInvitation))


JOB_HANDLERS: dict[JobKind, Handler] = {
    JobKind.CREATE_CALENDAR_EVENT: _create_event,
    JobKind.CALENDAR_EVENT_FAILED: _event_failed,
    JobKind.AWAIT_MEETING_LINK: _await_meeting_link,
    JobKind.MEETING_LINK_MISSING: _meeting_link_missing,
    JobKind.UPDATE_CALENDAR_EVENT: _update_event,
    JobKind.CANCEL_CALENDAR_EVENT: _cancel_event,
    JobKind.CALENDAR_UPDATE_FAILED: _change_failed,
    JobKind.SEND_CONFIRMATION: _send_confirmation,
    JobKind.NOTIFY_HOST: _notify_host,
    JobKind.SEND_CHANGE_NOTICE: _send_change_notice,
    JobKind.NOTIFY_HOST_CHANGE: _notify_host_change,
    JobKind.SEND_TEAM_INVITATION: _send_team_invitation,
}


def _moving(error: BaseException) -> EventFailure:
    return failure_payload(error, action="move")


def _cancelling(error: BaseException) -> EventFailure:
    return failure_payload(error, action="cancel")


def _nothing(_error: BaseException) -> NoPayload:
    return NoPayload()


# Giving up queues a follow-up job in the same transaction, so its consequence can't be lost.
ON_GIVE_UP: dict[JobKind, tuple[JobKind, Callable[[BaseException], Payload]]] = {
    JobKind.CREATE_CALENDAR_EVENT: (JobKind.CALENDAR_EVENT_FAILED, failure_payload),
    JobKind.AWAIT_MEETING_LINK: (JobKind.MEETING_LINK_MISSING, _nothing),
    JobKind.UPDATE_CALENDAR_EVENT: (JobKind.CALENDAR_UPDATE_FAILED, _moving),
    JobKind.CANCEL_CALENDAR_EVENT: (JobKind.CALENDAR_UPDATE_FAILED, _cancelling),
}

# The invitee's confirmation waits on the meeting link, so its polling is short: 1 + 2 + 4 + 8 +
# 15 + 15 seconds, about 45 s, before the confirmation goes out without it.
POLICIES: dict[JobKind, RetryPolicy] = {
    JobKind.AWAIT_MEETING_LINK: RetryPolicy(
        base=timedelta(seconds=1), cap=timedelta(seconds=15), max_attempts=7
    ),
}
