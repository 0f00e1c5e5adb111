"""The outbox on real SQLite and PostgreSQL: a booking's jobs run in order, and each claim is one worker's."""

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from tests.conftest import SettingsFactory
from tests.support.builders import ALL_WEEK, make_host, make_link, service_context
from tests.support.clock import FixedClock
from tests.support.microsoft import connect_microsoft, register_app
from tests.support.sandbox import SandboxControl
from tests.support.smtp import SmtpSink
from workestra.clock import SystemClock
from workestra.enums import CalendarSyncStatus, JobKind, JobStatus
from workestra.mail import SmtpSender
from workestra.services.booking import book, get_booking
from workestra.services.context import ServiceContext
from workestra.services.notifications import queue_emails
from workestra.worker.runner import Worker

ALICE = "alice@contoso.test"
LEASE = timedelta(minutes=2)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(SystemClock().now())


@pytest.fixture
async def ctx(
    database_url: str,
    make_settings: SettingsFactory,
    sandbox: SandboxControl,
    smtp_sink: SmtpSink,
    clock: FixedClock,
) -> AsyncIterator[ServiceContext]:
    settings = make_settings(database_url=database_url, smtp_url=smtp_sink.url)
    await register_app(sandbox, settings.base_url)
    await sandbox.create_microsoft_user(email=ALICE, display_name="Alice Contoso")
    mail = SmtpSender(url=smtp_sink.url, mail_from=settings.mail_from)
    async with service_context(settings, clock=clock, mail=mail) as context:
        yield context


async def test_a_bookings_email_waits_for_its_event_even_when_the_email_is_due_first(
    ctx: ServiceContext, clock: FixedClock, sandbox: SandboxControl, smtp_sink: SmtpSink
) -> None:
    host = (await make_host(ctx, name="Alice Contoso"))[1]
    await connect_microsoft(ctx, host, sandbox, email=ALICE)
    link = await make_link(
        ctx,
        host,
        timezone="UTC",
        weekly_hours=ALL_WEEK,
        calendar_provider="microsoft",
        auto_meeting_link=True,
    )
    day = (clock.now() + timedelta(days=3)).date()
    made = await book(
        ctx,
        link.slug,
        start=datetime(day.year, day.month, day.day, 10, tzinfo=UTC),
        name="Ivo",
        email="ivo@example.test",
        timezone="UTC",
    )
    await sandbox.add_microsoft_fault(status=429, retry_after="60", method="POST", path_contains="/events")
    worker = Worker(ctx)
    await worker.run_until_idle()  # Outlook throttles the event: due again in a minute
    clock.advance(timedelta(seconds=1))
    async with ctx.uow(write=True) as uow:  # a later job of the booking, due at once
        queue_emails(uow, made.id, now=clock.now())
        await uow.commit()

    await worker.run_until_idle()
    assert smtp_sink.messages == []  # no email before its event
    async with ctx.uow() as uow:
        waiting = {j.kind: (j.status, j.attempts) for j in await uow.outbox.for_booking(made.id)}
    assert waiting == {
        JobKind.CREATE_CALENDAR_EVENT: (JobStatus.PENDING, 1),
        JobKind.SEND_CONFIRMATION: (JobStatus.PENDING, 0),
        JobKind.NOTIFY_HOST: (JobStatus.PENDING, 0),
    }

    clock.advance(timedelta(seconds=60))
    await worker.run_until_idle()
    stored = await get_booking(ctx, host, made.id)
    assert stored.calendar_status is CalendarSyncStatus.CREATED
    assert stored.meeting_url
    first = await smtp_sink.message_to("ivo@example.test")
    text = first.get_body(preferencelist=("plain",))
    assert text is not None
    assert stored.meeting_url in text.get_content()  # the email came after the event it announces


async def test_jobs_queued_together_run_independently_and_an_abandoned_one_is_due_after_its_lease(
    ctx: ServiceContext, clock: FixedClock
) -> None:
    host = (await make_host(ctx))[1]
    link = await make_link(ctx, host, timezone="UTC", weekly_hours=ALL_WEEK)
    day = (clock.now() + timedelta(days=3)).date()
    await book(
        ctx,
        link.slug,
        start=datetime(day.year, day.month, day.day, 10, tzinfo=UTC),
        name="Ivo",
        email="ivo@example.test",
        timezone="UTC",
    )  # no calendar provider: the two emails are queued at once, in one transaction
    async with ctx.uow(write=True) as uow:
        [first] = await uow.outbox.claim_due(now=clock.now(), limit=1, lease=LEASE)
        await uow.commit()  # this worker holds one email (then dies with it)
    async with ctx.uow(write=True) as uow:  # the other email doesn't wait for it
        [second] = await uow.outbox.claim_due(now=clock.now(), limit=10, lease=LEASE)
        await uow.commit()
    assert {first.kind, second.kind} == {JobKind.SEND_CONFIRMATION, JobKind.NOTIFY_HOST}
    async with ctx.uow(write=True) as uow:
        assert await uow.outbox.claim_due(now=clock.now(), limit=10, lease=LEASE) == []
    clock.advance(LEASE + timedelta(seconds=1))
    async with ctx.uow(write=True) as uow:
        again = await uow.outbox.claim_due(now=clock.now(), limit=10, lease=LEASE)
        await uow.commit()
    assert sorted((j.id, j.attempts) for j in again) == sorted([(first.id, 2), (second.id, 2)])


async def test_workers_claiming_at_once_never_take_the_same_job(
    ctx: ServiceContext, clock: FixedClock
) -> None:
    async with ctx.uow(write=True) as uow:
        for _ in range(24):
            uow.outbox.add(JobKind.NOTIFY_HOST, now=clock.now())
        await uow.commit()

    async def claim() -> list[tuple[str, int]]:
        async with ctx.uow(write=True) as uow:
            jobs = await uow.outbox.claim_due(now=clock.now(), limit=5, lease=LEASE)
            await uow.commit()
        return [(j.id, j.attempts) for j in jobs]

    rounds = await asyncio.gather(*(claim() for _ in range(8)))
    taken = [job for claimed in rounds for job in claimed]
    assert len(taken) == 24
    assert len({job_id for job_id, _ in taken}) == 24
    assert {attempts for _, attempts in taken} == {1}
