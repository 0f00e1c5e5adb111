from dataclasses import replace
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage, MIMEPart

import pytest
from icalendar import Calendar

from tests.support.smtp import SmtpSink, free_port
from workestra.mail import (
    Attachment,
    MailDeliveryError,
    OutgoingEmail,
    SmtpSender,
    invitation_ics,
    render_email,
)

MAIL_FROM = "Workestra <bookings@workestra.example>"
STARTS_AT = datetime(2025, 6, 3, 12, 0, tzinfo=UTC)


def confirmation_email(to: str = "ann@example.com") -> OutgoingEmail:
    subject, text, html = render_email(
        "booking_confirmation",
        {
            "invitee_name": "Ann Invitee",
            "host_name": "Bob Host",
            "host_email": "bob@example.com",
            "title": "Intro call",
            "when": "Tuesday 3 June 2025, 14:00–14:30 (Europe/Berlin)",
            "duration_minutes": 30,
            "meeting_url": "https://meet.example/abc",
            "meeting_note": None,
            "reschedule_url": None,
            "cancel_url": None,
        },
    )
    ics = invitation_ics(
        uid="booking-42@workestra.example",
        sequence=0,
        organizer_name="Bob Host",
        organizer_email="bob@example.com",
        attendee_name="Ann Invitee",
        attendee_email=to,
        starts_at=STARTS_AT,
        ends_at=STARTS_AT + timedelta(minutes=30),
        summary="Intro call",
        description="Join: https://meet.example/abc",
        location="https://meet.example/abc",
        url="https://meet.example/abc",
        dtstamp=datetime(2025, 5, 20, 9, 30, tzinfo=UTC),
    )
    invite = Attachment("invite.ics", "text/calendar; method=REQUEST; charset=utf-8", ics)
    return OutgoingEmail(
        to=(to,),
        subject=subject,
        text=text,
        html=html,
        attachments=(invite,),
        reply_to="bob@example.com",
    )


def text_of(part: MIMEPart | None) -> str:
    assert part is not None
    content = part.get_content()
    assert isinstance(content, str)
    return content


async def test_confirmation_arrives_with_text_html_and_a_readable_invitation(
    smtp_sink: SmtpSink,
) -> None:
    await SmtpSender(url=smtp_sink.url, mail_from=MAIL_FROM).send(confirmation_email())

    [received] = await smtp_sink.wait_for(1)
    assert smtp_sink.envelope_recipients == [("ann@example.com",)]
    assert received["From"] == MAIL_FROM
    assert received["To"] == "ann@example.com"
    assert received["Reply-To"] == "bob@example.com"
    assert received["Subject"].startswith("Confirmed: Intro call with Bob Host")
    assert "Join: https://meet.example/abc" in text_of(received.get_body(("plain",)))
    assert "Join meeting" in text_of(received.get_body(("html",)))
    [attachment] = list(received.iter_attachments())
    assert isinstance(attachment, EmailMessage)
    assert attachment.get_filename() == "invite.ics"
    assert attachment.get_content_type() == "text/calendar"
    assert attachment.get_param("method") == "REQUEST"
    calendar = Calendar.from_ical(text_of(attachment))
    [event] = calendar.events
    assert str(calendar["METHOD"]) == "REQUEST"
    assert str(event["UID"]) == "booking-42@workestra.example"
    assert str(event["ORGANIZER"]) == "mailto:bob@example.com"
    assert str(event["ATTENDEE"]) == "mailto:ann@example.com"
    assert event.start == STARTS_AT


async def test_unreachable_server_is_a_temporary_failure() -> None:
    sender = SmtpSender(url=f"smtp://127.0.0.1:{free_port()}", mail_from=MAIL_FROM, timeout=2)

    with pytest.raises(MailDeliveryError) as caught:
        await sender.send(confirmation_email())

    assert caught.value.temporary


@pytest.mark.parametrize(
    ("reply", "temporary"),
    [("550 5.1.1 No such user", False), ("451 4.3.0 Try again later", True)],
)
async def test_refused_recipient_is_permanent_for_5xx_and_temporary_for_4xx(
    reply: str, temporary: bool
) -> None:
    with SmtpSink(refuse={"ann@example.com": reply}) as sink:
        sender = SmtpSender(url=sink.url, mail_from=MAIL_FROM)

        with pytest.raises(MailDeliveryError) as caught:
            await sender.send(confirmation_email())

    assert caught.value.temporary is temporary
    assert sink.messages == []


async def test_partly_refused_recipients_are_logged_not_retried(
    caplog: pytest.LogCaptureFixture,
) -> None:
    message = replace(confirmation_email(), to=("ann@example.com", "gone@example.com"))

    with SmtpSink(refuse={"gone@example.com": "550 5.1.1 No such user"}) as sink:
        await SmtpSender(url=sink.url, mail_from=MAIL_FROM).send(message)
        await sink.wait_for(1)

    assert sink.envelope_recipients == [("ann@example.com",)]
    assert "refused 1 of 2 recipients" in caplog.text
