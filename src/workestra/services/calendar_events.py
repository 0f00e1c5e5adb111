"""The outbox job that puts a booking on the host's calendar, idempotently, before any email goes out."""

import logging
from collections.abc import Mapping
from zoneinfo import ZoneInfo

from workestra.calendars.base import Attendee, EventDraft
from workestra.calendars.errors import CalendarError, MissingScope, NeedsReauth
from workestra.enums import (
    PROVIDER_SLOT,
    CalendarProviderName,
    CalendarSyncStatus,
    ConnectionProblem,
)
from workestra.services.context import ServiceContext
from workestra.services.credentials import ConnectionCredentials
from workestra.services.notifications import format_when, queue_emails
from workestra.services.problems import describe, problem_for, record_problem_code

logger = logging.getLogger(__name__)

NO_TEAMS_NOTE = (
    "No Teams link could be created for this booking: {reason} The event is on your calendar; "
    "send the invitee meeting details yourself."
)


async def create_calendar_event(ctx: ServiceContext, booking_id: str) -> None:
    """Create the provider event (Graph ``transactionId`` / Google event id make retries safe),
    store its id and join URL, and only then queue the confirmation email, in one transaction.

    Raises CalendarError for the worker's retry policy to judge.
    """
    async with ctx.uow() as uow:
        booking = await uow.bookings.get(booking_id)
        if booking is None or booking.calendar_status == CalendarSyncStatus.CREATED:
            return  # a late duplicate run: the event is stored and the emails are queued
        link = await uow.links.get(booking.link_id, include_deleted=True)
        host = await uow.users.get(booking.host_id)
    if link is None or host is None:
        return
    provider = CalendarProviderName(booking.calendar_provider)
    link_tz = ZoneInfo(link.timezone)
    draft = EventDraft(
        idempotency_key=booking.id,
        subject=f"{link.title} — {booking.invitee_name}",
        body_text=(
            f"{link.title} booked via Workestra.\n\n"
            f"Invitee: {booking.invitee_name} <{booking.invitee_email}>\n"
            f"When: {format_when(booking.starts_at, booking.ends_at, link_tz)}\n"
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
    credentials = ConnectionCredentials(ctx, booking.host_id, PROVIDER_SLOT[provider])
    created = await ctx.calendars.calendar(provider).create_event(credentials, draft)
    note: str | None = None
    if booking.online_meeting_requested and not created.join_url:
        async with ctx.uow() as uow:
            row = await uow.integrations.get(booking.host_id, PROVIDER_SLOT[provider])
        if row is not None and row.problem in {
            ConnectionProblem.PERSONAL_ACCOUNT,
            ConnectionProblem.NO_TEAMS,
            ConnectionProblem.MISSING_SCOPE,
        }:
            reason = describe(ConnectionProblem(row.problem), missing_scopes=row.last_error or "")
        else:
            reason = "the calendar accepted the event but returned no meeting link."
        note = NO_TEAMS_NOTE.format(reason=reason)
        logger.info("booking %s: provider event without a meeting link", booking.id)
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
        if emails_due:
            queue_emails(uow, booking.id, now=ctx.clock.now())
        await uow.commit()


def failure_payload(error: BaseException) -> dict[str, str]:
    """What the give-up job needs to know about the last error (stored with the job, no secrets)."""
    if not isinstance(error, CalendarError):
        return {"problem": ""}
    missing = " ".join(sorted(error.missing_scopes)) if isinstance(error, MissingScope) else ""
    return {
        "problem": problem_for(error).value,
        "missing_scopes": missing,
        "needs_reauth": "yes" if isinstance(error, NeedsReauth) else "",
    }


async def calendar_event_failed(ctx: ServiceContext, booking_id: str, payload: Mapping[str, str]) -> None:
    """The worker gave up on the event: keep the booking, tell the host why, still confirm the invitee."""
    async with ctx.uow() as uow:
        booking = await uow.bookings.get(booking_id)
    if booking is None or booking.calendar_status != CalendarSyncStatus.PENDING:
        return  # already created (a late duplicate run) or already given up: nothing to undo
    problem = ConnectionProblem(payload["problem"]) if payload.get("problem") else None
    if problem is not None:
        slot = PROVIDER_SLOT[CalendarProviderName(booking.calendar_provider)]
        await record_problem_code(
            ctx,
            booking.host_id,
            slot,
            problem,
            needs_reauth=bool(payload.get("needs_reauth")),
            missing_scopes=payload.get("missing_scopes") or None,
        )
        reason = describe(problem, missing_scopes=payload.get("missing_scopes", ""))
    else:
        reason = "an unexpected error occurred."
    async with ctx.uow(write=True) as uow:
        booking = await uow.bookings.get(booking_id)
        if booking is None or booking.calendar_status != CalendarSyncStatus.PENDING:
            return
        booking.calendar_status = CalendarSyncStatus.FAILED
        booking.calendar_problem = f"The event couldn't be added to your calendar: {reason}"
        queue_emails(uow, booking.id, now=ctx.clock.now())
        await uow.commit()
