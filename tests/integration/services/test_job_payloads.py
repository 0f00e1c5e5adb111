"""Job payloads are typed: a stored payload that doesn't fit its kind is given up, never retried."""

import json
from collections.abc import AsyncIterator

import pytest

from tests.conftest import SettingsFactory
from tests.support.builders import ALL_WEEK, make_host, make_link, service_context
from tests.support.calendars import at, booked
from tests.support.smtp import SmtpSink
from workestra.db.migrate import upgrade_to_head
from workestra.enums import JobKind, JobStatus
from workestra.mail import SmtpSender
from workestra.services.context import ServiceContext
from workestra.services.jobs import PAYLOADS, BookingChange, InvalidPayload, read_payload
from workestra.worker.runner import Worker


@pytest.fixture
async def ctx(
    sqlite_url: str, make_settings: SettingsFactory, smtp_sink: SmtpSink
) -> AsyncIterator[ServiceContext]:
    await upgrade_to_head(sqlite_url)
    settings = make_settings(database_url=sqlite_url, smtp_url=smtp_sink.url)
    mail = SmtpSender(url=smtp_sink.url, mail_from=settings.mail_from)
    async with service_context(settings, mail=mail) as context:
        yield context


def test_every_job_kind_has_a_payload_model() -> None:
    assert set(PAYLOADS) == set(JobKind)


@pytest.mark.parametrize(
    "stored",
    [
        '{"change": "exploded", "sequence": 1}',
        '{"change": "cancelled"}',
        '{"change": "cancelled", "sequence": 1, "x": 1}',
        "[]",
        "not json",
    ],
)
def test_a_payload_that_doesnt_fit_its_kind_is_refused(stored: str) -> None:
    with pytest.raises(InvalidPayload):
        read_payload(JobKind.SEND_CHANGE_NOTICE, stored)


def test_a_payload_round_trips() -> None:
    change = BookingChange.rescheduled(2, at(9), at(9, 30))
    assert read_payload(JobKind.SEND_CHANGE_NOTICE, json.dumps(change.payload())) == change


async def test_the_worker_gives_up_a_job_whose_payload_doesnt_fit_and_sends_nothing(
    ctx: ServiceContext, smtp_sink: SmtpSink
) -> None:
    host = (await make_host(ctx, name="Host"))[1]
    link = await make_link(ctx, host, timezone="UTC", weekly_hours=ALL_WEEK, calendar_provider="none")
    made = await booked(ctx, link, at(9))
    async with ctx.uow(write=True) as uow:
        bad = uow.outbox.add(
            JobKind.SEND_CHANGE_NOTICE, now=ctx.clock.now(), booking_id=made.id, payload={"change": "boom"}
        )
        await uow.commit()
        bad_id = bad.id
    await Worker(ctx).run_until_idle()
    async with ctx.uow() as uow:
        jobs = {job.id: job for job in await uow.outbox.for_booking(made.id)}
    assert jobs[bad_id].status == JobStatus.FAILED
    assert jobs[bad_id].attempts == 1
    assert (jobs[bad_id].last_error or "").startswith("InvalidPayload")
    assert all(j.status == JobStatus.DONE for i, j in jobs.items() if i != bad_id)
    subjects = [str(m["Subject"]) for m in smtp_sink.messages]
    assert not any(s.startswith(("Moved", "Cancelled")) for s in subjects)
