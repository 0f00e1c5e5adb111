"""Email: message model and senders (SMTP, log), iCalendar attachments, and templates."""

from workestra.mail.ics import cancellation_ics, invitation_ics
from workestra.mail.sender import (
    Attachment,
    LogSender,
    MailDeliveryError,
    MailSender,
    OutgoingEmail,
    SmtpSender,
    build_message,
    sender_from_settings,
)
from workestra.mail.templates import render_email

__all__ = [
    "Attachment",
    "LogSender",
    "MailDeliveryError",
    "MailSender",
    "OutgoingEmail",
    "SmtpSender",
    "build_message",
    "cancellation_ics",
    "invitation_ics",
    "render_email",
    "sender_from_settings",
]
