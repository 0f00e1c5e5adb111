"""One contract, every calendar: the same behaviours against Microsoft and Google, each through its
sandbox over HTTP and through the same services a booking uses (slots, bookings, worker, cards).

A provider is described by a ``Harness`` (how to make an account, a busy block, a fault in its
sandbox, and how to read its events back); the tests never ask which provider they run against.
"""

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from tests.conftest import SettingsFactory
from tests.support.builders import make_host, service_context
from tests.support.calendars import (
    FAST,
    HARNESSES,
    GoogleHarness,
    Harness,
    MicrosoftHarness,
    a_link,
    at,
    booked,
    connect,
    connected_host,
    run_worker,
    starts,
)
from tests.support.sandbox import SandboxControl
from tests.support.smtp import SmtpSink
from tests.support.waiting import eventually
from workestra.calendars.base import Attendee, EventDraft
from workestra.db.migrate import upgrade_to_head
from workestra.enums import (
    PROVIDER_SLOT,
    CalendarSyncStatus,
    ConnectionProblem,
    IntegrationStatus,
    JobKind,
    JobStatus,
)
from workestra.errors import CalendarUnavailable
from workestra.mail import SmtpSender
from workestra.services.booking import get_booking
from workestra.services.connections import (
    check_connection,
    list_connections,
)
from workestra.services.context import ServiceContext
from workestra.services.credentials import ConnectionCredentials
from workestra.worker.retry import RetryPolicy
from workestra.worker.runner import Worker


@pytest.fixture(params=list(HARNESSES))
def provider(request: pytest.FixtureRequest) -> Harness:
    return HARNESSES[request.param]


@pytest.fixture
async def ctx(
    sqlite_url: str, make_settings: SettingsFactory, sandbox: SandboxControl, smtp_sink: SmtpSink
) -> AsyncIterator[ServiceContext]:
    await upgrade_to_head(sqlite_url)  # one engine: the contract is about the calendars
    settings = make_settings(database_url=sqlite_url, smtp_url=smtp_sink.url)
    mail = SmtpSender(url=smtp_sink.url, mail_from=settings.mail_from)
    async with service_context(settings, mail=mail) as context:
        yield context


async def test_busy_time_hides_the_slots_it_overlaps(
    ctx: ServiceContext, sandbox: SandboxControl, provider: Harness
) -> None:
    host = await connected_host(ctx, sandbox, provider)
    link = await a_link(ctx, host, provider)
    await provider.busy(sandbox, at(10), at(11))
    free = await starts(ctx, link)
    assert at(9, 30) in free
    assert at(10) not in free
    assert at(10, 30) not in free
    assert at(11) in free


async def test_a_booking_lands_on_the_calendar_with_the_invitee_and_a_meeting_link(
    ctx: ServiceContext, sandbox: SandboxControl, provider: Harness, smtp_sink: SmtpSink
) -> None:
    host = await connected_host(ctx, sandbox, provider)
    link = await a_link(ctx, host, provider)
    made = await booked(ctx, link, at(9))
    await run_worker(ctx)
    [event] = await provider.events(sandbox)
    assert event.subject.startswith("Intro")
    assert event.attendees == ("ivo@example.test",)
    stored = await get_booking(ctx, host, made.id)
    assert stored.calendar_status is CalendarSyncStatus.CREATED
    assert stored.meeting_url is not None
    assert stored.meeting_url.startswith(provider.meeting_url_prefix)
    assert stored.meeting_url == event.join_url
    assert stored.calendar_problem is None
    message = await smtp_sink.message_to("ivo@example.test", timeout=15)
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    assert stored.meeting_url in body.get_content()


async def test_without_the_switch_there_is_no_meeting_link(
    ctx: ServiceContext, sandbox: SandboxControl, provider: Harness
) -> None:
    host = await connected_host(ctx, sandbox, provider)
    link = await a_link(ctx, host, provider, meeting=False)
    made = await booked(ctx, link, at(9))
    await run_worker(ctx)
    [event] = await provider.events(sandbox)
    assert event.join_url is None
    stored = await get_booking(ctx, host, made.id)
    assert stored.calendar_status is CalendarSyncStatus.CREATED
    assert stored.meeting_url is None
    assert stored.calendar_problem is None


async def test_an_account_without_meeting_links_gets_the_event_and_the_host_is_told(
    ctx: ServiceContext, sandbox: SandboxControl, provider: Harness
) -> None:
    host = await connected_host(ctx, sandbox, provider, meeting=False)
    view = await check_connection(ctx, host, PROVIDER_SLOT[provider.name])
    assert view.meeting_link_available is False
    assert view.problem is ConnectionProblem.NO_MEETING_LINK
    assert view.problem_message is not None
    assert view.meeting_link in view.problem_message
    link = await a_link(ctx, host, provider)
    made = await booked(ctx, link, at(9))
    await run_worker(ctx)
    [event] = await provider.events(sandbox)
    assert event.attendees == ("ivo@example.test",)
    stored = await get_booking(ctx, host, made.id)
    assert stored.calendar_status is CalendarSyncStatus.CREATED
    assert stored.meeting_url is None
    assert stored.calendar_problem is not None
    assert f"No {view.meeting_link} link" in stored.calendar_problem


async def test_creating_the_same_event_twice_makes_one_event(
    ctx: ServiceContext, sandbox: SandboxControl, provider: Harness
) -> None:
    host = await connected_host(ctx, sandbox, provider)
    draft = EventDraft(
        idempotency_key="0f1e2d3c-4b5a-4697-8877-665544332211",
        subject="Retried intro",
        body_text="Booked via Workestra.",
        starts_at=at(9),
        ends_at=at(9, 30),
        timezone="Europe/Berlin",
        attendee=Attendee(email="ivo@example.test", name="Ivo Invitee"),
        online_meeting=False,
    )
    calendar = ctx.calendars.calendar(provider.name)
    credentials = ConnectionCredentials(ctx, host.id, PROVIDER_SLOT[provider.name])
    first = await calendar.create_event(credentials, draft)
    again = await calendar.create_event(credentials, draft)
    assert again.event_id == first.event_id
    assert [e.subject for e in await provider.events(sandbox)] == ["Retried intro"]


async def test_a_throttled_calendar_offers_no_slots_and_the_card_says_so(
    ctx: ServiceContext, sandbox: SandboxControl, provider: Harness
) -> None:
    host = await connected_host(ctx, sandbox, provider)
    link = await a_link(ctx, host, provider)
    await provider.throttle(sandbox, count=50)
    with pytest.raises(CalendarUnavailable):
        await starts(ctx, link)
    view = await check_connection(ctx, host, PROVIDER_SLOT[provider.name])
    assert view.problem is ConnectionProblem.UNAVAILABLE
    assert not view.needs_reconnect


async def test_a_revoked_grant_asks_the_host_to_reconnect(
    ctx: ServiceContext, sandbox: SandboxControl, provider: Harness
) -> None:
    host = await connected_host(ctx, sandbox, provider)
    await provider.revoke(sandbox)
    view = await check_connection(ctx, host, PROVIDER_SLOT[provider.name])
    assert view.status is IntegrationStatus.NEEDS_REAUTH
    assert view.problem is ConnectionProblem.REVOKED
    assert view.needs_reconnect
    link = await a_link(ctx, host, provider)
    with pytest.raises(CalendarUnavailable):
        await starts(ctx, link)


async def test_a_missing_calendar_permission_is_named_on_the_card(
    ctx: ServiceContext, sandbox: SandboxControl, provider: Harness
) -> None:
    await provider.setup(sandbox, ctx.base_url)
    await provider.drop_scope(sandbox, provider.calendar_scope)
    host = (await make_host(ctx, name="Host"))[1]
    view = await connect(ctx, host, provider)
    assert view.problem is ConnectionProblem.MISSING_SCOPE
    assert view.needs_reconnect
    assert view.problem_message is not None
    assert f"A permission is missing: {provider.calendar_scope}." in view.problem_message
    words = {p.scope: p for p in ctx.calendars.oauth(PROVIDER_SLOT[provider.name]).permissions}
    assert words[provider.calendar_scope].if_missing in view.problem_message
    assert [p.scope for p in view.permissions if not p.granted] == [provider.calendar_scope]


async def test_a_host_with_both_calendars_gets_the_one_its_link_names(
    ctx: ServiceContext, sandbox: SandboxControl
) -> None:
    microsoft, google = MicrosoftHarness(), GoogleHarness()
    await microsoft.setup(sandbox, ctx.base_url)
    await google.setup(sandbox, ctx.base_url)
    host = (await make_host(ctx, name="Host"))[1]
    await connect(ctx, host, microsoft)
    await connect(ctx, host, google)
    await microsoft.busy(sandbox, at(10), at(11))
    await google.busy(sandbox, at(13), at(14))
    on_microsoft = await a_link(ctx, host, microsoft)
    on_google = await a_link(ctx, host, google)

    microsoft_free = await starts(ctx, on_microsoft)
    assert at(10) not in microsoft_free
    assert at(13) in microsoft_free
    google_free = await starts(ctx, on_google)
    assert at(13) not in google_free
    assert at(10) in google_free

    made = await booked(ctx, on_google, at(10))
    await run_worker(ctx)
    assert [e.attendees for e in await google.events(sandbox)] == [("ivo@example.test",)]
    assert await microsoft.events(sandbox) == []
    stored = await get_booking(ctx, host, made.id)
    assert stored.meeting_url is not None
    assert stored.meeting_url.startswith(google.meeting_url_prefix)


# --- a meeting link made after its event (Google Meet is asynchronous) ------------------------------

POLL_FAST = {JobKind.AWAIT_MEETING_LINK: RetryPolicy(base=timedelta(milliseconds=20), max_attempts=7)}


async def run_worker_polling_fast(ctx: ServiceContext) -> None:
    worker = Worker(ctx, policy=FAST, policies=POLL_FAST)

    async def all_done() -> bool:
        await worker.run_until_idle()
        async with ctx.uow() as uow:
            return await uow.outbox.pending_count() == 0

    await eventually(all_done, within=30, every=0.05, what="every outbox job finishing")


async def jobs_of(ctx: ServiceContext, booking_id: str) -> list[tuple[str, str]]:
    async with ctx.uow() as uow:
        return [(job.kind, job.status) for job in await uow.outbox.for_booking(booking_id)]


async def test_the_confirmation_waits_for_a_meeting_link_made_after_the_event(
    ctx: ServiceContext, sandbox: SandboxControl, smtp_sink: SmtpSink
) -> None:
    google = GoogleHarness()
    host = await connected_host(ctx, sandbox, google)
    await sandbox.set_google_meet(outcome="success", after_reads=3)
    link = await a_link(ctx, host, google)
    made = await booked(ctx, link, at(9))
    await run_worker_polling_fast(ctx)
    stored = await get_booking(ctx, host, made.id)
    [event] = await google.events(sandbox)
    assert stored.meeting_url is not None
    assert stored.meeting_url == event.join_url
    assert stored.calendar_problem is None
    # The emails were queued only once the link was there: after the wait, never beside it.
    assert await jobs_of(ctx, made.id) == [
        (JobKind.CREATE_CALENDAR_EVENT, JobStatus.DONE),
        (JobKind.AWAIT_MEETING_LINK, JobStatus.DONE),
        (JobKind.SEND_CONFIRMATION, JobStatus.DONE),
        (JobKind.NOTIFY_HOST, JobStatus.DONE),
    ]
    message = await smtp_sink.message_to("ivo@example.test", timeout=15)
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    assert stored.meeting_url in body.get_content()


async def test_a_meeting_link_that_never_comes_still_confirms_and_tells_the_host(
    ctx: ServiceContext, sandbox: SandboxControl, smtp_sink: SmtpSink
) -> None:
    google = GoogleHarness()
    host = await connected_host(ctx, sandbox, google)
    await sandbox.set_google_meet(outcome="success", after_reads=10_000)
    link = await a_link(ctx, host, google)
    made = await booked(ctx, link, at(9))
    await run_worker_polling_fast(ctx)
    stored = await get_booking(ctx, host, made.id)
    assert stored.calendar_status is CalendarSyncStatus.CREATED
    assert stored.meeting_url is None
    assert stored.calendar_problem is not None
    assert "No Google Meet link could be created" in stored.calendar_problem
    assert "didn't arrive in time" in stored.calendar_problem
    kinds = [kind for kind, _ in await jobs_of(ctx, made.id)]
    assert kinds == [
        JobKind.CREATE_CALENDAR_EVENT,
        JobKind.AWAIT_MEETING_LINK,
        JobKind.MEETING_LINK_MISSING,
        JobKind.SEND_CONFIRMATION,
        JobKind.NOTIFY_HOST,
    ]
    [card] = [v for v in await list_connections(ctx, host) if v.provider is PROVIDER_SLOT[google.name]]
    assert card.problem is ConnectionProblem.NO_MEETING_LINK
    await smtp_sink.message_to("ivo@example.test", timeout=15)  # the invitee is confirmed anyway


async def test_a_refused_meeting_request_confirms_without_waiting_for_a_link(
    ctx: ServiceContext, sandbox: SandboxControl
) -> None:
    google = GoogleHarness()
    host = await connected_host(ctx, sandbox, google)
    await sandbox.set_google_meet(outcome="failure", after_reads=1)
    link = await a_link(ctx, host, google)
    made = await booked(ctx, link, at(9))
    await run_worker_polling_fast(ctx)
    stored = await get_booking(ctx, host, made.id)
    assert stored.meeting_url is None
    assert stored.calendar_problem is not None
    assert "returned no meeting link" in stored.calendar_problem
    assert (JobKind.AWAIT_MEETING_LINK, JobStatus.DONE) in await jobs_of(ctx, made.id)
