import logging
from dataclasses import replace
from email.message import EmailMessage

import pytest

from workestra.mail import (
    Attachment,
    LogSender,
    OutgoingEmail,
    SmtpSender,
    build_message,
    sender_from_settings,
)

MAIL_FROM = "Workestra <bookings@workestra.example>"
ICS = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n"
INVITE = Attachment(
    filename="invite.ics", content_type="text/calendar; method=REQUEST; charset=utf-8", data=ICS
)


BASE_EMAIL = OutgoingEmail(
    to=("ann@example.com",),
    subject="Confirmed: Intro with Bob",
    text="Join: https://meet.example/abc",
    html="<p><a href='https://meet.example/abc'>Join meeting</a></p>",
    attachments=(INVITE,),
    reply_to="bob@example.com",
)


def body_text(msg: EmailMessage, subtype: str) -> str:
    part = msg.get_body(preferencelist=(subtype,))
    assert isinstance(part, EmailMessage)
    content = part.get_content()
    assert isinstance(content, str)
    return content


def test_message_has_headers_text_html_and_the_invitation() -> None:
    msg = build_message(BASE_EMAIL, mail_from=MAIL_FROM)

    assert msg["From"] == MAIL_FROM
    assert msg["To"] == "ann@example.com"
    assert msg["Subject"] == "Confirmed: Intro with Bob"
    assert msg["Reply-To"] == "bob@example.com"
    assert msg["Date"]
    assert msg["Message-ID"].endswith("@workestra.example>")
    assert "Join: https://meet.example/abc" in body_text(msg, "plain")
    assert "Join meeting" in body_text(msg, "html")
    [attachment] = list(msg.iter_attachments())
    assert isinstance(attachment, EmailMessage)
    assert attachment.get_filename() == "invite.ics"
    assert attachment.get_content_type() == "text/calendar"
    assert attachment.get_param("method") == "REQUEST"
    assert attachment.get_content().encode() == ICS


def test_invitation_is_also_an_alternative_part_for_outlook() -> None:
    msg = build_message(BASE_EMAIL, mail_from=MAIL_FROM)

    alternative = next(part for part in msg.iter_parts() if part.is_multipart())
    types = [part.get_content_type() for part in alternative.iter_parts()]
    assert types == ["text/plain", "text/html", "text/calendar"]


def test_message_without_attachments_is_a_plain_alternative() -> None:
    msg = build_message(replace(BASE_EMAIL, attachments=(), reply_to=None), mail_from=MAIL_FROM)

    assert msg.get_content_type() == "multipart/alternative"
    assert msg["Reply-To"] is None
    assert list(msg.iter_attachments()) == []


def test_several_recipients_share_the_to_header() -> None:
    msg = build_message(replace(BASE_EMAIL, to=("a@example.com", "b@example.com")), mail_from=MAIL_FROM)

    assert msg["To"] == "a@example.com, b@example.com"


def test_non_ascii_subject_and_names_survive() -> None:
    msg = build_message(
        replace(BASE_EMAIL, subject="Bestätigt: Gespräch mit Zoë", to=("Zoë Müller <zoe@example.com>",)),
        mail_from=MAIL_FROM,
    )

    assert msg["Subject"] == "Bestätigt: Gespräch mit Zoë"
    assert msg["To"].addresses[0].addr_spec == "zoe@example.com"


@pytest.mark.parametrize(
    "injected",
    [
        replace(BASE_EMAIL, subject="Hello\r\nBcc: victim@example.com"),
        replace(BASE_EMAIL, subject="Hello\nBcc: victim@example.com"),
        replace(BASE_EMAIL, to=("Bob\r\nBcc: x@y",)),
        replace(BASE_EMAIL, reply_to="bob@example.com\rBcc: x@y"),
        replace(BASE_EMAIL, attachments=(Attachment("a.ics\r\nX-Evil: 1", "text/calendar", b""),)),
        replace(BASE_EMAIL, attachments=(Attachment("a.ics", "text/calendar\r\nX-Evil: 1", b""),)),
    ],
    ids=["subject-crlf", "subject-lf", "to", "reply-to", "filename", "content-type"],
)
def test_header_injection_is_rejected(injected: OutgoingEmail) -> None:
    with pytest.raises(ValueError, match="CR or LF"):
        build_message(injected, mail_from=MAIL_FROM)


def test_header_injection_in_the_sender_is_rejected() -> None:
    with pytest.raises(ValueError, match="CR or LF"):
        build_message(BASE_EMAIL, mail_from="x@y\r\nBcc: z@y")


def test_message_without_recipients_is_rejected() -> None:
    with pytest.raises(ValueError, match="recipient"):
        build_message(replace(BASE_EMAIL, to=()), mail_from=MAIL_FROM)


def test_nonsense_content_type_is_rejected() -> None:
    with pytest.raises(ValueError, match="content type"):
        build_message(
            replace(BASE_EMAIL, attachments=(Attachment("x", "nonsense", b""),)),
            mail_from=MAIL_FROM,
        )


async def test_log_sender_logs_recipient_and_subject_but_not_the_body(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="workestra.mail")

    await LogSender(mail_from=MAIL_FROM).send(BASE_EMAIL)

    assert "ann@example.com" in caplog.text
    assert "Confirmed: Intro with Bob" in caplog.text
    assert "meet.example" not in caplog.text


async def test_log_sender_still_rejects_header_injection() -> None:
    with pytest.raises(ValueError, match="CR or LF"):
        await LogSender(mail_from=MAIL_FROM).send(replace(BASE_EMAIL, subject="a\nBcc: b@c"))


def test_settings_choose_smtp_when_a_url_is_given_and_logging_otherwise() -> None:
    assert isinstance(sender_from_settings(smtp_url="smtp://127.0.0.1:2525", mail_from=MAIL_FROM), SmtpSender)
    assert isinstance(sender_from_settings(smtp_url=None, mail_from=MAIL_FROM), LogSender)
    assert isinstance(sender_from_settings(smtp_url="", mail_from=MAIL_FROM), LogSender)


@pytest.mark.parametrize("url", ["http://mail.example", "smtp://", "mail.example:25", "smtp://host:notaport"])
def test_smtp_sender_rejects_a_malformed_url(url: str) -> None:
    with pytest.raises(ValueError, match=r"smtp://|[Pp]ort"):
        SmtpSender(url=url, mail_from=MAIL_FROM)
