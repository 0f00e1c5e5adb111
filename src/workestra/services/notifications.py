"""The emails a booking sends: the invitee's confirmation and the host's notification, and a
notice to both sides when it is moved or cancelled.

One invitation, not two: when the provider event already invites the attendee (and sits on the
host's calendar), no email carries an .ics, and the provider tells the attendee of every change;
otherwise each email carries one (the same UID; a change has a higher SEQUENCE, a cancellation is
METHOD:CANCEL).
"""

from datetime import datetime
from zoneinfo import ZoneInfo

from workestra.db.models import Booking, BookingLink, User
from workestra.db.unit_of_work import UnitOfWork
from workestra.enums import BookingStatus, CalendarProviderName, CalendarSyncStatus, JobKind
from workestra.mail import Attachment, OutgoingEmail, cancellation_ics, invitation_ics, render_email
from workestra.services.context import ServiceContext
from workestra.services.invitee_links import manage_links
from workestra.services.jobs import BookingChange

MEETING_FOLLOWS = "The meeting details will follow from the host."


def format_when(starts_at: datetime, ends_at: datetime, tz: ZoneInfo) -> str:
    """ "Tuesday 3 June 2025, 14:00–14:30 (Europe/Berlin)" in ``tz``."""
    start, end = starts_at.astimezone(tz), ends_at.astimezone(tz)
    day = f"{start:%A} {start.day} {start:%B %Y}"
    return f"{day}, {start:%H:%M}–{end:%H:%M} ({tz.key})"


def emails_delivered(ctx: ServiceContext) -> bool:
    """Whether this server's emails reach anyone (False: without SMTP they are only logged)."""
    return ctx.mail.delivers


def queue_emails(uow: UnitOfWork, booking_id: str, *, now: datetime) -> None:
    """Queue both emails (separate jobs: a retry of one never repeats the other)."""
    uow.outbox.add(JobKind.SEND_CONFIRMATION, now=now, booking_id=booking_id)
    uow.outbox.add(JobKind.NOTIFY_HOST, now=now, booking_id=booking_id)


def queue_change_notices(uow: UnitOfWork, booking_id: str, change: BookingChange, *, now: datetime) -> None:
    """Queue the notices of a change to both sides (separate jobs, as for the confirmation)."""
    uow.outbox.add(JobKind.SEND_CHANGE_NOTICE, now=now, booking_id=booking_id, payload=change.payload())
    uow.outbox.add(JobKind.NOTIFY_HOST_CHANGE, now=now, booking_id=booking_id, payload=change.payload())


async def _load(ctx: ServiceContext, booking_id: str) -> tuple[Booking, BookingLink, User] | None:
    async with ctx.uow() as uow:
        booking = await uow.bookings.get(booking_id)
        if booking is None:
            return None
        link = await uow.links.get(booking.link_id, include_deleted=True)
        host = await uow.users.get(booking.host_id)
    return None if link is None or host is None else (booking, link, host)


def _context(booking: Booking, link: BookingLink, host: User, *, tz: ZoneInfo) -> dict[str, object]:
    return {
        "invitee_name": booking.invitee_name,
        "invitee_email": booking.invitee_email,
        "host_name": host.name,
        "host_email": host.email,
        "title": link.title,
        "when": format_when(booking.starts_at, booking.ends_at, tz),
        "duration_minutes": link.duration_minutes,
        "meeting_url": booking.meeting_url,
        "meeting_note": MEETING_FOLLOWS
        if booking.online_meeting_requested and not booking.meeting_url
        else None,
    }


def _provider_invites(booking: Booking) -> bool:
    """The provider event sits on the host's calendar and invited the attendee (and tells them of
    every change): no .ics of ours then."""
    return (
        CalendarProviderName(booking.calendar_provider) is not CalendarProviderName.NONE
        and booking.calendar_status == CalendarSyncStatus.CREATED
    )


def _invitation(booking: Booking, link: BookingLink, host: User, *, method: str) -> tuple[Attachment, ...]:
    """The .ics, unless the provider event already put the meeting on both calendars."""
    if _provider_invites(booking):
        return ()
    ics = invitation_ics(
        uid=f"{booking.id}@workestra",
        sequence=booking.sequence,
        method=method,
        organizer_name=host.name,
        organizer_email=host.email,
        attendee_name=booking.invitee_name,
        attendee_email=booking.invitee_email,
        starts_at=booking.starts_at,
        ends_at=booking.ends_at,
        summary=f"{link.title}: {host.name} and {booking.invitee_name}",
        description=f"Booked via Workestra.\n{booking.meeting_url or ''}".strip(),
        location=booking.meeting_url,
        url=booking.meeting_url,
        dtstamp=booking.created_at,
    )
    content_type = f"text/calendar; method={method}; charset=utf-8"
    return (Attachment("invite.ics", content_type, ics),)


async def send_confirmation(ctx: ServiceContext, booking_id: str) -> None:
    """Send the invitee's confirmation. Raises MailDeliveryError for the worker to retry."""
    await _send(ctx, booking_id, to_host=False)


async def send_host_notification(ctx: ServiceContext, booking_id: str) -> None:
    """Tell the host, in the host's zone; an .ics to add it to their calendar when no provider did."""
    await _send(ctx, booking_id, to_host=True)


async def _send(ctx: ServiceContext, booking_id: str, *, to_host: bool) -> None:
    loaded = await _load(ctx, booking_id)
    if loaded is None:
        return
    booking, link, host = loaded
    zone = host.timezone if to_host else booking.invitee_timezone
    context = _context(booking, link, host, tz=ZoneInfo(zone))
    if to_host:
        context["meeting_note"] = booking.calendar_problem  # what the host must do, if anything
        context["manage_url"] = f"{ctx.base_url}/calendar"
    else:
        context.update(_invitee_links(ctx, booking))
    subject, text, html = render_email("host_notification" if to_host else "booking_confirmation", context)
    await ctx.mail.send(
        OutgoingEmail(
            to=(host.email if to_host else booking.invitee_email,),
            subject=subject,
            text=text,
            html=html,
            attachments=_invitation(booking, link, host, method="PUBLISH" if to_host else "REQUEST"),
            reply_to=booking.invitee_email if to_host else host.email,
        )
    )


def _invitee_links(ctx: ServiceContext, booking: Booking) -> dict[str, str | None]:
    """The invitee's private pages, while the booking can still be changed (made since 0006)."""
    if booking.status == BookingStatus.CANCELLED or booking.reschedule_token_digest is None:
        return {"reschedule_url": None, "cancel_url": None}
    links = manage_links(ctx, booking.id)
    return {"reschedule_url": links.reschedule_url, "cancel_url": links.cancel_url}


async def send_change_notice(ctx: ServiceContext, booking_id: str, change: BookingChange) -> None:
    """Tell the invitee their booking was moved or cancelled."""
    await _send_change(ctx, booking_id, change, to_host=False)


async def notify_host_change(ctx: ServiceContext, booking_id: str, change: BookingChange) -> None:
    """Tell the host (``change.host_id``, else the booking's) their booking was moved or cancelled."""
    await _send_change(ctx, booking_id, change, to_host=True)


async def _send_change(ctx: ServiceContext, booking_id: str, change: BookingChange, *, to_host: bool) -> None:
    async with ctx.uow() as uow:
        booking = await uow.bookings.get(booking_id)
        if booking is None:
            return
        link = await uow.links.get(booking.link_id, include_deleted=True)
        host = await uow.users.get(change.host_id or booking.host_id)
    if link is None or host is None:
        return
    zone = ZoneInfo(host.timezone if to_host else booking.invitee_timezone)
    cancelled = change.change == "cancelled"
    starts_at, ends_at = booking.starts_at, booking.ends_at
    if cancelled and change.previous_start and change.previous_end:  # cancelled for one host only
        starts_at, ends_at = change.previous_start, change.previous_end
    by = booking.cancelled_by if cancelled else None
    context: dict[str, object] = {
        "change": change.change,
        "recipient_name": host.name if to_host else booking.invitee_name,
        "other_name": booking.invitee_name if to_host else host.name,
        "other_email": booking.invitee_email if to_host else host.email,
        "title": link.title,
        "when": format_when(starts_at, ends_at, zone),
        "previous_when": (
            format_when(change.previous_start, change.previous_end, zone)
            if change.previous_start and change.previous_end and not cancelled
            else None
        ),
        "cancelled_by": _canceller(by, booking, host, to_host=to_host),
        "reason": change.reason,
        "meeting_url": None if cancelled else booking.meeting_url,
        "manage_url": f"{ctx.base_url}/calendar" if to_host else None,
        "reschedule_url": None,
        "cancel_url": None,
    }
    if not to_host and not cancelled:
        context.update(_invitee_links(ctx, booking))
    subject, text, html = render_email("booking_changed", context)
    await ctx.mail.send(
        OutgoingEmail(
            to=(host.email if to_host else booking.invitee_email,),
            subject=subject,
            text=text,
            html=html,
            attachments=_change_ics(booking, link, host, change, to_host=to_host),
            reply_to=booking.invitee_email if to_host else host.email,
        )
    )


def _canceller(by: str | None, booking: Booking, host: User, *, to_host: bool) -> str | None:
    if by is None:
        return None
    if (by == "host") == to_host:
        return "you"
    return host.name if by == "host" else booking.invitee_name


def _change_ics(
    booking: Booking, link: BookingLink, host: User, change: BookingChange, *, to_host: bool
) -> tuple[Attachment, ...]:
    """The same UID as the invitation: a CANCEL, or the moved event with the higher SEQUENCE."""
    if _provider_invites(booking):
        return ()  # the provider's event tells the attendee; the host's calendar has it
    if change.change == "rescheduled":
        return _invitation(booking, link, host, method="PUBLISH" if to_host else "REQUEST")
    ics = cancellation_ics(
        uid=f"{booking.id}@workestra",
        sequence=change.sequence - 1,  # the last invitation's; the CANCEL carries one more
        organizer_name=host.name,
        organizer_email=host.email,
        attendee_name=booking.invitee_name,
        attendee_email=booking.invitee_email,
        starts_at=booking.starts_at,
        ends_at=booking.ends_at,
        summary=f"{link.title}: {host.name} and {booking.invitee_name}",
        description="Cancelled." + (f"\n{change.reason}" if change.reason else ""),
        location=None,
        url=None,
        dtstamp=booking.cancelled_at or booking.created_at,
    )
    return (Attachment("cancel.ics", "text/calendar; method=CANCEL; charset=utf-8", ics),)
