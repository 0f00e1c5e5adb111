"""Job kind → handler, spelled out, and what to queue when a kind's retries run out."""

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta

from workestra.enums import JobKind
from workestra.services.calendar_events import (
    await_meeting_link,
    calendar_event_failed,
    create_calendar_event,
    failure_payload,
    meeting_link_missing,
)
from workestra.services.context import ServiceContext
from workestra.services.notifications import send_confirmation, send_host_notification
from workestra.worker.retry import RetryPolicy


@dataclass(frozen=True, slots=True)
class Job:
    id: str
    kind: JobKind
    booking_id: str
    payload: Mapping[str, str]
    attempts: int


Handler = Callable[[ServiceContext, Job], Awaitable[None]]


async def _create_event(ctx: ServiceContext, job: Job) -> None:
    await create_calendar_event(ctx, job.booking_id)


async def _event_failed(ctx: ServiceContext, job: Job) -> None:
    await calendar_event_failed(ctx, job.booking_id, job.payload)


async def _await_meeting_link(ctx: ServiceContext, job: Job) -> None:
    await await_meeting_link(ctx, job.booking_id)


async def _meeting_link_missing(ctx: ServiceContext, job: Job) -> None:
    await meeting_link_missing(ctx, job.booking_id)


async def _send_confirmation(ctx: ServiceContext, job: Job) -> None:
    await send_confirmation(ctx, job.booking_id)


async def _notify_host(ctx: ServiceContext, job: Job) -> None:
    await send_host_notification(ctx, job.booking_id)


JOB_HANDLERS: dict[JobKind, Handler] = {
    JobKind.CREATE_CALENDAR_EVENT: _create_event,
    JobKind.CALENDAR_EVENT_FAILED: _event_failed,
    JobKind.AWAIT_MEETING_LINK: _await_meeting_link,
    JobKind.MEETING_LINK_MISSING: _meeting_link_missing,
    JobKind.SEND_CONFIRMATION: _send_confirmation,
    JobKind.NOTIFY_HOST: _notify_host,
}

# Giving up queues a follow-up job in the same transaction, so its consequence can't be lost.
ON_GIVE_UP: dict[JobKind, tuple[JobKind, Callable[[BaseException], dict[str, str]]]] = {
    JobKind.CREATE_CALENDAR_EVENT: (JobKind.CALENDAR_EVENT_FAILED, failure_payload),
    JobKind.AWAIT_MEETING_LINK: (JobKind.MEETING_LINK_MISSING, lambda _error: {}),
}

# The invitee's confirmation waits on the meeting link, so its polling is short: 1 + 2 + 4 + 8 +
# 15 + 15 seconds, about 45 s, before the confirmation goes out without it.
POLICIES: dict[JobKind, RetryPolicy] = {
    JobKind.AWAIT_MEETING_LINK: RetryPolicy(
        base=timedelta(seconds=1), cap=timedelta(seconds=15), max_attempts=7
    ),
}
