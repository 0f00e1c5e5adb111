"""Outgoing mail: the message model, MIME assembly, and the SMTP and log senders.

Never logs bodies (they may hold manage links) or SMTP credentials.
"""

import email.message
import email.utils
import logging
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import unquote, urlsplit

import aiosmtplib

logger = logging.getLogger(__name__)

_DEFAULT_PORTS = {"smtp": 25, "smtps": 465}


@dataclass(frozen=True, slots=True)
class Attachment:
    filename: str
    content_type: str  # e.g. "text/calendar; method=REQUEST; charset=utf-8"
    data: bytes


@dataclass(frozen=True, slots=True)
class OutgoingEmail:
    to: tuple[str, ...]
    subject: str
    text: str
    html: str
    attachments: tuple[Attachment, ...] = ()
    reply_to: str | None = None


class MailDeliveryError(Exception):
    """Delivery failed; ``temporary`` says whether trying again later can help."""

    def __init__(self, message: str, *, temporary: bool) -> None:
        super().__init__(message)
        self.message = message
        self.temporary = temporary


class MailSender(Protocol):
    @property
    def delivers(self) -> bool:
        """True when ``send`` hands mail to a server that delivers it; False when it only logs it."""
        ...

    async def send(self, message: OutgoingEmail) -> None:
        """Deliver ``message``; raises ``MailDeliveryError``, or ValueError for a bad header."""
        ...


def _check_header(name: str, value: str) -> str:
    # Header injection: a CR or LF would let user input start a new header (e.g. "Bcc:").
    if "\r" in value or "\n" in value:
        raise ValueError(f"{name} must not contain CR or LF")
    return value


def _split_content_type(content_type: str) -> tuple[str, str, dict[str, str]]:
    parsed = email.message.EmailMessage()
    parsed["Content-Type"] = content_type
    if parsed.get_content_type() != content_type.split(";", 1)[0].strip().lower():
        raise ValueError(f"not a MIME content type: {content_type!r}")
    params = {
        key: str(value)
        for key, value in parsed["Content-Type"].params.items()  # excludes the type itself
    }
    return parsed.get_content_maintype(), parsed.get_content_subtype(), params


def _is_invitation(maintype: str, subtype: str, params: dict[str, str]) -> bool:
    return (maintype, subtype) == ("text", "calendar") and "method" in params


def build_message(message: OutgoingEmail, *, mail_from: str) -> email.message.EmailMessage:
    """A text + HTML alternative with the attachments; ValueError on CR/LF in any header value."""
    if not message.to:
        raise ValueError("a message needs at least one recipient")
    msg = email.message.EmailMessage()
    msg["From"] = _check_header("From", mail_from)
    msg["To"] = ", ".join(_check_header("To", address) for address in message.to)
    msg["Subject"] = _check_header("Subject", message.subject)
    if message.reply_to is not None:
        msg["Reply-To"] = _check_header("Reply-To", message.reply_to)
    msg["Date"] = email.utils.formatdate(usegmt=True)
    domain = email.utils.parseaddr(mail_from)[1].rpartition("@")[2] or None
    msg["Message-ID"] = email.utils.make_msgid(domain=domain)
    parts = []
    for attachment in message.attachments:
        _check_header("attachment filename", attachment.filename)
        _check_header("attachment content type", attachment.content_type)
        parts.append((attachment, *_split_content_type(attachment.content_type)))
    msg.set_content(message.text)
    msg.add_alternative(message.html, subtype="html")
    invitation = next((part for part in parts if _is_invitation(*part[1:])), None)
    if invitation is not None:
        # Outlook offers Accept/Decline only for an invitation inside multipart/alternative;
        # Gmail and Apple Mail read the attached copy. Google's own invitations carry both.
        attachment, maintype, subtype, params = invitation
        msg.add_alternative(attachment.data, maintype, subtype, params=params)
    for attachment, maintype, subtype, params in parts:
        msg.add_attachment(attachment.data, maintype, subtype, filename=attachment.filename, params=params)
    return msg


class SmtpSender:
    """Sends through one SMTP server: ``smtp://[user:pass@]host[:port]`` or ``smtps://…``.

    ``smtp://`` upgrades with STARTTLS when the server offers it (default port 25);
    ``smtps://`` speaks TLS from the start (default port 465). Certificates are verified.
    """

    __slots__ = ("_host", "_implicit_tls", "_mail_from", "_password", "_port", "_timeout", "_user")

    def __init__(self, *, url: str, mail_from: str, timeout: float = 10) -> None:
        parts = urlsplit(url)
        if parts.scheme not in _DEFAULT_PORTS or not parts.hostname:
            raise ValueError("SMTP URL must look like smtp://host:port or smtps://host:port")
        self._host = parts.hostname
        self._port = parts.port or _DEFAULT_PORTS[parts.scheme]
        self._implicit_tls = parts.scheme == "smtps"
        self._user = unquote(parts.username) if parts.username else None
        self._password = unquote(parts.password) if parts.password else None
        self._mail_from = _check_header("mail_from", mail_from)
        self._timeout = timeout

    @property
    def delivers(self) -> bool:
        return True

    async def send(self, message: OutgoingEmail) -> None:
        msg = build_message(message, mail_from=self._mail_from)
        try:
            errors, _ = await aiosmtplib.send(
                msg,
                hostname=self._host,
                port=self._port,
                username=self._user,
                password=self._password,
                use_tls=self._implicit_tls,
                start_tls=False if self._implicit_tls else None,
                timeout=self._timeout,
            )
        except aiosmtplib.SMTPRecipientsRefused as exc:
            temporary = all(400 <= refused.code < 500 for refused in exc.recipients)
            raise MailDeliveryError("all recipients refused", temporary=temporary) from exc
        except aiosmtplib.SMTPResponseException as exc:
            # RFC 5321 §4.2.1: 4yz is a transient failure, 5yz a permanent one.
            raise MailDeliveryError(
                f"SMTP server replied {exc.code}", temporary=400 <= exc.code < 500
            ) from exc
        except (aiosmtplib.SMTPConnectError, aiosmtplib.SMTPTimeoutError) as exc:
            raise MailDeliveryError("SMTP server unreachable", temporary=True) from exc
        except (aiosmtplib.SMTPServerDisconnected, OSError) as exc:
            raise MailDeliveryError("SMTP connection lost", temporary=True) from exc
        except aiosmtplib.SMTPException as exc:  # e.g. AUTH or STARTTLS not offered: our setup
            raise MailDeliveryError(f"SMTP failed: {exc}", temporary=False) from exc
        if errors:
            # Some recipients were accepted, so a retry would send them a duplicate.
            logger.warning(
                "SMTP refused %d of %d recipients for %r",
                len(errors),
                len(message.to),
                message.subject,
            )


class LogSender:
    """For setups without SMTP: builds the message (so bad headers still fail) and logs it."""

    __slots__ = ("_mail_from",)

    def __init__(self, *, mail_from: str) -> None:
        self._mail_from = _check_header("mail_from", mail_from)

    @property
    def delivers(self) -> bool:
        return False  # nobody receives what this sender "sends"

    async def send(self, message: OutgoingEmail) -> None:
        build_message(message, mail_from=self._mail_from)
        logger.info(
            "Mail not sent (no SMTP configured) to %s: %r, attachments %s",
            ", ".join(message.to),
            message.subject,
            [attachment.filename for attachment in message.attachments],
        )


def sender_from_settings(*, smtp_url: str | None, mail_from: str) -> MailSender:
    if smtp_url:
        return SmtpSender(url=smtp_url, mail_from=mail_from)
    return LogSender(mail_from=mail_from)
