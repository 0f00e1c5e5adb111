"""The outbox jobs that put a booking on the host's calendar, idempotently, before any email goes out.

``create_calendar_event`` makes the event. When the provider makes the meeting link later (Google
Meet), ``await_meeting_link`` reads the event again, under the worker's bounded backoff, until the
link is there; only then are the emails queued. If it never comes, ``meeting_link_missing`` still
confirms the invitee and tells the host, on the booking and on the card.
"""

import logging

from workestra.calendars.base import Attendee, CreatedEvent, EventDraft
from workestra.calendars.errors import CalendarError, MeetingLinkPending, MissingScope, NeedsReauth
from workestra.db.models import Booking, BookingLink
from workestra.enums import (
    PROVIDER_SLOT,
    BookingStatus,
    CalendarProviderName,
    CalendarSyncStatus,
    ConnectionProblem,
    JobKind,
)
from workestra.services.context import ServiceContext
from workestra.services.credentials import ConnectionCredentials
from workestra.services.jobs import EventFailure, FailedAction
from workestra.services.notifications import queue_emails
from workestra.services.problems import (
    MEETING_LINK_PROBLEMS,
    describe,
    problem_for,
    record_problem_code,
    wording,
)

logger = logging.getLogger(__name__)

NO_MEETING_LINK_NOTE = (
    "No {meeting} link could be created for this booking: {reason} The event is on your calendar; "
    "send the invitee meeting details yourself."
)
NO_LINK_RETURNED = "the calendar accepted the event but returned no meeting link."
LINK_NEVER_CAME = "the calendar took the event but its meeting link didn't arrive in time."


async def create_calendar_event(ctx: ServiceContext, booking_id: str) -> None:
    """Create the provider event (Graph ``transactionId`` / Google event id make retries safe),
    store its id and join URL, and only then queue the confirmation email, in one transaction.

    Raises CalendarError for the worker's retry policy to judge.
    """
    async with ctx.uow() as uow:
        booking = await uow.bookings.get(booking_id)
        if booking is None or booking.calendar_status == CalendarSyncStatus.CREATED:
            return  # a late duplicate run: the event is stored and the emails are queued
        if booking.status == BookingStatus.CANCELLED:
            return  # cancelled before its event was made: it never is
        link = await uow.links.get(booking.link_id, include_deleted=True)
    if link is None:
        return
    provider = CalendarProviderName(booking.calendar_provider)
    draft = event_draft(ctx, booking, link)
    credentials = ConnectionCredentials(ctx, booking.host_id, PROVIDER_SLOT[provider])
    created = await ctx.calendars.calendar(provider).create_event(credentials, draft)
    waiting = booking.online_meeting_requested and created.meeting_pending and not created.join_url
    note = None if waiting else await _missing_link_note(ctx, booking, created)
    async with ctx.uow(write=True) as uow:
        booking = await uow.bookings.get(booking_id)
        if booking is None or booking.calendar_status == CalendarSyncStatus.CREATED:
            return
        emails_due = booking.calendar_status == CalendarSyncStatus.PENDING  # not if given up and sent
        booking.calendar_event_id = created.event_id
        booking.calendar_ical_uid = created.ical_uid
        booking.meeting_url = created.join_url
        booking.calendar_problem = note
        booking.calendar_status = CalendarSyncStatus.CREATED
        if waiting and emails_due:
            uow.outbox.add(JobKind.AWAIT_MEETING_LINK, now=ctx.clock.now(), booking_id=booking.id)
        elif emails_due:
            queue_emails(uow, booking.id, now=ctx.clock.now())
        await uow.commit()


def event_draft(ctx: ServiceContext, booking: Booking, link: BookingLink) -> EventDraft:
    """The provider event of a booking as it stands now (created, or moved to its new time). The
    body names no time: a move may leave the body as it was (Graph keeps a Teams meeting's body)."""
    return EventDraft(
        idempotency_key=booking.id,
        subject=f"{link.title} — {booking.invitee_name}",
        body_text=(
            f"{link.title} booked via Workestra.\n\n"
            f"Invitee: {booking.invitee_name} <{booking.invitee_email}>\n"
            f"Invitee's time zone: {booking.invitee_timezone}\n\n"
            f"To reschedule or cancel, reply to the invitee or manage the booking at "
            f"{ctx.base_url}/calendar"
        ),
        starts_at=booking.starts_at,
        ends_at=booking.ends_at,
        timezone=link.timezone,
        attendee=Attendee(email=booking.invitee_email, name=booking.invitee_name),
        online_meeting=booking.online_meeting_requested,
    )


async def _missing_link_note(
    ctx: ServiceContext, booking: Booking, created: CreatedEvent, *, reason: str = NO_LINK_RETURNED
) -> str | None:
    """The host's note when a meeting link was asked for and the event has none; else None."""
    if not booking.online_meeting_requested or created.join_url:
        return None
    slot = PROVIDER_SLOT[CalendarProviderName(booking.calendar_provider)]
    words = wording(ctx, slot)
    async with ctx.uow() as uow:
        row = await uow.integrations.get(booking.host_id, slot)
    if row is not None and row.problem in MEETING_LINK_PROBLEMS:
        problem = ConnectionProblem(row.problem)
        reason = describe(problem, wording=words, missing_scopes=row.last_error or "")
    logger.info("booking %s: provider event without a meeting link", booking.id)
    return NO_MEETING_LINK_NOTE.format(meeting=words.terms.meeting_link, reason=reason)


async def await_meeting_link(ctx: ServiceContext, booking_id: str) -> None:
    """Read the event again; once its meeting link is there (or the provider says none will come),
    store it and queue the emails. Raises ``MeetingLinkPending`` while it is still being made."""
    async with ctx.uow() as uow:
        booking = await uow.bookings.get(booking_id)
    if booking is None or booking.calendar_event_id is None or booking.meeting_url:
        return
    if booking.status == BookingStatus.CANCELLED:
        return
    provider = CalendarProviderName(booking.calendar_provider)
    credentials = ConnectionCredentials(ctx, booking.host_id, PROVIDER_SLOT[provider])
    event = await ctx.calendars.calendar(provider).read_event(credentials, booking.calendar_event_id)
    if event.meeting_pending and not event.join_url:
        raise MeetingLinkPending(f"booking {booking_id}: the meeting link is still being made")
    note = await _missing_link_note(ctx, booking, event)
    await _settle_meeting_link(ctx, booking_id, event.join_url, note)


async def meeting_link_missing(ctx: ServiceContext, booking_id: str) -> None:
    """The link never came (or reading the event kept failing): confirm without it, tell the host."""
    async with ctx.uow() as uow:
        booking = await uow.bookings.get(booking_id)
    if booking is None or booking.meeting_url or booking.status == BookingStatus.CANCELLED:
        return
    empty = CreatedEvent(event_id=booking.calendar_event_id or "", ical_uid=None, join_url=None)
    note = await _missing_link_note(ctx, booking, empty, reason=LINK_NEVER_CAME)
    slot = PROVIDER_SLOT[CalendarProviderName(booking.calendar_provider)]
    async with ctx.uow() as uow:
        row = await uow.integrations.get(booking.host_id, slot)
    if row is not None and row.problem is None:  # a card's note that explains more stays
        await record_problem_code(ctx, booking.host_id, slot, ConnectionProblem.NO_MEETING_LINK)
    await _settle_meeting_link(ctx, booking_id, None, note)


async def _settle_meeting_link(
    ctx: ServiceContext, booking_id: str, join_url: str | None, note: str | None
) -> None:
    async with ctx.uow(write=True) as uow:
        booking = await uow.bookings.get(booking_id)
        jobs = await uow.outbox.for_booking(booking_id)  # oldest first
        waits = [job.created_at for job in jobs if job.kind == JobKind.AWAIT_MEETING_LINK]
        confirmed = any(
            job.kind == JobKind.SEND_CONFIRMATION and (not waits or job.created_at >= waits[-1])
            for job in jobs
        )  # since this event's wait began (a moved booking was confirmed once before)
        if booking is None or booking.meeting_url or confirmed:
            return  # a duplicate run got here first
        booking.meeting_url = join_url
        booking.calendar_problem = note
        queue_emails(uow, booking.id, now=ctx.clock.now())
        await uow.commit()


def failure_payload(error: BaseException, *, action: FailedAction = "create") -> EventFailure:
    """What the give-up job needs to know about the last error (stored with the job, no secrets)."""
    if not isinstance(error, CalendarError):
        return EventFailure(action=action)
    missing = " ".join(sorted(error.missing_scopes)) if isinstance(error, MissingScope) else ""
    return EventFailure(
        action=action,
        problem=problem_for(error).value,
        missing_scopes=missing,
        needs_reauth=isinstance(error, NeedsReauth),
    )


async def failure_reason(ctx: ServiceContext, booking: Booking, failure: EventFailure) -> str:
    """Put the failure on the host's card; the reason in the host's words for the booking's note."""
    if not failure.problem:
        return "an unexpected error occurred."
    problem = ConnectionProblem(failure.problem)
    slot = PROVIDER_SLOT[CalendarProviderName(booking.calendar_provider)]
    await record_problem_code(
        ctx,
        booking.host_id,
        slot,
        problem,
        needs_reauth=failure.needs_reauth,
        missing_scopes=failure.missing_scopes or None,
    )
    return describe(problem, wording=wording(ctx, slot), missing_scopes=failure.missing_scopes)


async def calendar_event_failed(ctx: ServiceContext, booking_id: str, failure: EventFailure) -> None:
    """The worker gave up on the event: keep the booking, tell the host why, still confirm the invitee."""
    async with ctx.uow() as uow:
        booking = await uow.bookings.get(booking_id)
    if booking is None or booking.calendar_status != CalendarSyncStatus.PENDING:
        return  # already created (a late duplicate run) or already given up: nothing to undo
    if booking.status == BookingStatus.CANCELLED:
        return  # nothing to confirm any more
    reason = await failure_reason(ctx, booking, failure)
    async with ctx.uow(write=True) as uow:
        booking = await uow.bookings.get(booking_id)
        if booking is None or booking.calendar_status != CalendarSyncStatus.PENDING:
            return
        booking.calendar_status = CalendarSyncStatus.FAILED
        booking.calendar_problem = f"The event couldn't be added to your calendar: {reason}"
        queue_emails(uow, booking.id, now=ctx.clock.now())
        await uow.commit()
