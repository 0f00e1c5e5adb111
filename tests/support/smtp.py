"""A real SMTP server (aiosmtpd, own thread and loop) that keeps what it receives, for tests.

Use the ``smtp_sink`` fixture (import it into a conftest) or ``with SmtpSink() as sink:``.
"""

import asyncio
import email
import email.policy
import socket
import threading
import time
from collections.abc import Iterator, Mapping
from email.message import EmailMessage
from types import TracebackType
from typing import Self

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

_HOST = "127.0.0.1"


def free_port() -> int:
    """A loopback port nobody listens on right now (it may be taken again later)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((_HOST, 0))
        port: int = probe.getsockname()[1]
        return port


class _Handler:
    def __init__(self, sink: "SmtpSink") -> None:
        self._sink = sink

    async def handle_RCPT(  # noqa: N802 (aiosmtpd's hook name)
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        reply = self._sink.refuse.get(address)
        if reply is not None:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(  # noqa: N802 (aiosmtpd's hook name)
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        raw = envelope.original_content or envelope.content
        assert isinstance(raw, bytes)
        message = email.message_from_bytes(raw, _class=EmailMessage, policy=email.policy.default)
        self._sink.record(message, envelope_to=tuple(envelope.rcpt_tos))
        return "250 Message accepted for delivery"


class SmtpSink:
    """Accepts every message on 127.0.0.1:<free port> and keeps it parsed.

    ``refuse`` maps a recipient address to the reply it gets instead of 250, for example
    ``{"gone@example.com": "550 5.1.1 No such user"}`` or ``{"busy@example.com": "451 Try later"}``.
    """

    def __init__(self, *, refuse: Mapping[str, str] | None = None) -> None:
        self.refuse: dict[str, str] = dict(refuse or {})
        self.messages: list[EmailMessage] = []
        self.envelope_recipients: list[tuple[str, ...]] = []
        self._changed = threading.Condition()
        self._controller = Controller(_Handler(self), hostname=_HOST, port=free_port())

    @property
    def url(self) -> str:
        return f"smtp://{_HOST}:{self._controller.port}"

    def record(self, message: EmailMessage, *, envelope_to: tuple[str, ...]) -> None:
        with self._changed:
            self.messages.append(message)
            self.envelope_recipients.append(envelope_to)
            self._changed.notify_all()

    # ASYNC109: the timeout is part of the assertion (its message names the count), not a cancel.
    async def wait_for(self, count: int, timeout: float = 5.0) -> list[EmailMessage]:  # noqa: ASYNC109
        """The first ``count`` messages once they arrived; fails the test after ``timeout`` s."""
        return await asyncio.to_thread(self.wait_for_sync, count, timeout)

    async def message_to(self, address: str, timeout: float = 10.0) -> EmailMessage:  # noqa: ASYNC109
        """The first message addressed to ``address``; fails the test after ``timeout`` s."""
        return await asyncio.to_thread(self._message_to_sync, address, timeout)

    def _message_to_sync(self, address: str, timeout: float) -> EmailMessage:
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                for message in self.messages:
                    if address.lower() in str(message["To"]).lower():
                        return message
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    seen = [str(m["To"]) for m in self.messages]
                    raise AssertionError(f"no message to {address} within {timeout} s (got: {seen})")
                self._changed.wait(remaining)

    def wait_for_sync(self, count: int, timeout: float = 5.0) -> list[EmailMessage]:
        """Blocking ``wait_for``, for sync tests (inside an event loop, await ``wait_for``)."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while len(self.messages) < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(self._shortfall(count, timeout))
                self._changed.wait(remaining)
            return self.messages[:count]

    def _shortfall(self, count: int, timeout: float) -> str:
        return f"expected {count} message(s) within {timeout} s, got {len(self.messages)}"

    def start(self) -> None:
        self._controller.start()

    def stop(self) -> None:
        self._controller.stop()

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


@pytest.fixture
def smtp_sink() -> Iterator[SmtpSink]:
    with SmtpSink() as sink:
        yield sink
