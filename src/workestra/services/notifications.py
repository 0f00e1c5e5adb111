"""The confirmation email: details, the join URL, and an .ics only when no provider already invites."""

from datetime import datetime
from zoneinfo import ZoneInfo

from workestra.enums import CalendarProviderName, CalendarSyncStatus
from workestra.mail import Attachment, OutgoingEmail, invitation_ics, render_email
from workestra.services.context import ServiceContext

MEETING_FOLLOWS = "The meeting details will follow from the host."


def format_when(starts_at: datetime, ends_at: datetime, tz: ZoneInfo) -> str:
    """ "Tuesday 3 June 2025, 14:00–14:30 (Europe/Berlin)" in ``tz``."""
    start, end = starts_at.astimezone(tz), ends_at.astimezone(tz)
    day = f"{start:%A} {start.day} {start:%B %Y}"
    return f"{day}, {start:%H:%M}–{end:%H:%M} ({tz.key})"


async def send_confirmation(ctx: ServiceContext, booking_id: str) -> None:
    """Send the invitee's confirmation. Raises MailDeliveryError for the worker to retry."""
    async with ctx.uow() as uow:
        booking = await uow.bookings.get(booking_id)
        if booking is None:
            return
        link = await uow.links.get(booking.link_id, include_deleted=True)
        host = await uow.users.get(booking.host_id)
    if link is None or host is None:
        return
    provider_invites = (
        CalendarProviderName(booking.calendar_provider) is not CalendarProviderName.NONE
        and booking.calendar_status == CalendarSyncStatus.CREATED
    )
    meeting_note = MEETING_FOLLOWS if booking.online_meeting_requested and not booking.meeting_url else None
    context = {
        "invitee_name": booking.invitee_name,
        "host_name": host.name,
        "host_email": host.email,
        "title": link.title,
        "when": format_when(booking.starts_at, booking.ends_at, ZoneInfo(booking.invitee_timezone)),
        "duration_minutes": link.duration_minutes,
        "meeting_url": booking.meeting_url,
        "meeting_note": meeting_note,
        "manage_url": None,
    }
    subject, text, html = render_email("booking_confirmation", context)
    attachments: tuple[Attachment, ...] = ()
    if not provider_invites:
        # One invitation, not two: a provider event already invites the attendee itself.
        ics = invitation_ics(
            uid=f"{booking.id}@workestra",
            sequence=0,
            organizer_name=host.name,
            organizer_email=host.email,
            attendee_name=booking.invitee_name,
            attendee_email=booking.invitee_email,
            starts_at=booking.starts_at,
            ends_at=booking.ends_at,
            summary=f"{link.title} with {host.name}",
            description=f"Booked via Workestra.\n{booking.meeting_url or ''}".strip(),
            location=booking.meeting_url,
            url=booking.meeting_url,
            dtstamp=booking.created_at,
        )
        attachments = (Attachment("invite.ics", "text/calendar; method=REQUEST; charset=utf-8", ics),)
    await ctx.mail.send(
        OutgoingEmail(
            to=(booking.invitee_email,),
            subject=subject,
            text=text,
            html=html,
            attachments=attachments,
            reply_to=host.email,
        )
    )
