"""The emails a booking sends: the invitee's confirmation and the host's notification.

One invitation, not two: when the provider event already invites the attendee (and sits on the
host's calendar), neither email carries an .ics; otherwise both do.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

from workestra.db.models import Booking, BookingLink, User
from workestra.db.unit_of_work import UnitOfWork
from workestra.enums import CalendarProviderName, CalendarSyncStatus, JobKind
from workestra.mail import Attachment, OutgoingEmail, invitation_ics, render_email
from workestra.services.context import ServiceContext

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
        "manage_url": None,
    }


def _invitation(booking: Booking, link: BookingLink, host: User, *, method: str) -> tuple[Attachment, ...]:
    """The .ics, unless the provider event already put the meeting on both calendars."""
    provider_invites = (
        CalendarProviderName(booking.calendar_provider) is not CalendarProviderName.NONE
        and booking.calendar_status == CalendarSyncStatus.CREATED
    )
    if provider_invites:
        return ()
    ics = invitation_ics(
        uid=f"{booking.id}@workestra",
        sequence=0,
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
