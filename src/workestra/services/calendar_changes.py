"""The outbox jobs that keep a provider event in step with its booking: moved in place, or cancelled.

Both are safe to repeat (an update sets the same values again; cancelling an event already gone
counts as done), so the worker's retries need no bookkeeping of their own.
"""

from workestra.enums import PROVIDER_SLOT, BookingStatus, CalendarProviderName, ConnectionProblem
from workestra.services.calendar_events import event_draft, failure_reason
from workestra.services.context import ServiceContext
from workestra.services.credentials import ConnectionCredentials
from workestra.services.jobs import CancelEvent, EventFailure

NOTES = {
    "move": "The booking was moved, but its event couldn't be moved on your calendar: {reason} "
    "Move it there yourself.",
    "cancel": "The booking was cancelled, but its event couldn't be removed from your calendar: "
    "{reason} Delete it there yourself.",
}
EVENT_GONE = "the event is no longer on your calendar (it was deleted there)."


async def update_calendar_event(ctx: ServiceContext, booking_id: str) -> None:
    """Move the provider event to the booking's time, in place: same event, same meeting link."""
    async with ctx.uow() as uow:
        booking = await uow.bookings.get(booking_id)
        if booking is None or booking.status == BookingStatus.CANCELLED or booking.calendar_event_id is None:
            return  # cancelled since, or its event was never made (that job used the new time)
        link = await uow.links.get(booking.link_id, include_deleted=True)
    if link is None:
        return
    provider = CalendarProviderName(booking.calendar_provider)
    credentials = ConnectionCredentials(ctx, booking.host_id, PROVIDER_SLOT[provider])
    updated = await ctx.calendars.calendar(provider).update_event(
        credentials, booking.calendar_event_id, event_draft(ctx, booking, link)
    )
    async with ctx.uow(write=True) as uow:
        row = await uow.bookings.get(booking_id)
        if row is None or row.calendar_event_id != booking.calendar_event_id:
            return
        row.meeting_url = updated.join_url or row.meeting_url
        await uow.commit()


async def cancel_calendar_event(ctx: ServiceContext, booking_id: str, job: CancelEvent) -> None:
    """Cancel the event (Graph's organizer cancel, Google's delete): the attendee is told by the
    calendar that invited them. An event already gone counts as cancelled."""
    if job.moved_from is not None:  # the event of a calendar the booking has left
        host_id, provider, event_id = job.moved_from.host_id, job.moved_from.provider, job.moved_from.event_id
    else:
        async with ctx.uow() as uow:
            booking = await uow.bookings.get(booking_id)
        if booking is None or booking.status != BookingStatus.CANCELLED:
            return
        host_id, provider = booking.host_id, CalendarProviderName(booking.calendar_provider)
        event_id = booking.calendar_event_id
    if event_id is None or provider is CalendarProviderName.NONE:
        return  # never made: the booking was cancelled before its creation ran
    credentials = ConnectionCredentials(ctx, host_id, PROVIDER_SLOT[provider])
    await ctx.calendars.calendar(provider).cancel_event(credentials, event_id)


async def calendar_change_failed(ctx: ServiceContext, booking_id: str, failure: EventFailure) -> None:
    """The worker gave up moving or cancelling the event: the booking stands as changed; the host
    is told on /calendar (and on the card when the connection is the cause)."""
    async with ctx.uow() as uow:
        booking = await uow.bookings.get(booking_id)
    if booking is None:
        return
    if failure.action == "move" and failure.problem == ConnectionProblem.CALENDAR_NOT_FOUND:
        reason = EVENT_GONE  # the event, not the calendar: nothing for the card
    else:
        reason = await failure_reason(ctx, booking, failure)
    async with ctx.uow(write=True) as uow:
        row = await uow.bookings.get(booking_id)
        if row is None:
            return
        row.calendar_problem = NOTES[failure.action].format(reason=reason)
        await uow.commit()
