"""After booking: the invitee reschedules and cancels with their private links, the host cancels,
and the provider's event follows, against Microsoft and Google through their sandboxes and on a
link without a calendar (where our own .ics carries the change)."""

import dataclasses
from collections.abc import AsyncIterator
from email.message import EmailMessage
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.conftest import SettingsFactory
from tests.support.builders import ALL_WEEK, make_host, make_link, service_context
from tests.support.calendars import (
    HARNESSES,
    Harness,
    a_link,
    at,
    booked,
    connect,
    connected_host,
    run_worker,
    starts,
)
from tests.support.clock import FixedClock
from tests.support.sandbox import SandboxControl
from tests.support.smtp import SmtpSink
from tests.support.teams import make_team
from tests.support.waiting import eventually
from workestra.db.migrate import upgrade_to_head
from workestra.enums import PROVIDER_SLOT, BookingStatus, CalendarSyncStatus, JobKind, JobStatus
from workestra.errors import CalendarUnavailable, Conflict, InvalidInput, NotFound, SlotUnavailable
from workestra.mail import SmtpSender
from workestra.security.booking_tokens import TokenPurpose
from workestra.services.availability import list_slots
from workestra.services.booking import get_booking
from workestra.services.context import ServiceContext
from workestra.services.credentials import ConnectionCredentials
from workestra.services.invitee_links import manage_links
from workestra.services.lifecycle import (
    cancel_as_host,
    cancel_as_invitee,
    invitee_booking,
    moving_booking,
    reschedule,
)


@pytest.fixture(params=list(HARNESSES))
def provider(request: pytest.FixtureRequest) -> Harness:
    return HARNESSES[request.param]


@pytest.fixture
async def ctx(
    sqlite_url: str, make_settings: SettingsFactory, smtp_sink: SmtpSink
) -> AsyncIterator[ServiceContext]:
    await upgrade_to_head(sqlite_url)
    settings = make_settings(database_url=sqlite_url, smtp_url=smtp_sink.url)
    async with service_context(
        settings, mail=SmtpSender(url=smtp_sink.url, mail_from=settings.mail_from)
    ) as c:
        yield c


def token_of(url: str) -> str:
    return parse_qs(urlsplit(url).query)["token"][0]


def text_of(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    content: str = body.get_content()
    return content.replace("\r\n", "\n")


async def mail_to(sink: SmtpSink, address: str, subject: str, *, containing: str = "") -> EmailMessage:
    """The first message to ``address`` whose subject starts with ``subject`` (and whose text
    contains ``containing``)."""

    async def found() -> EmailMessage | None:
        for message in list(sink.messages):
            if address.lower() not in str(message["To"]).lower():
                continue
            if str(message["Subject"]).startswith(subject) and containing in text_of(message):
                return message
        return None

    return await eventually(found, within=15, what=f"a {subject!r} email to {address}")


def ics_of(message: EmailMessage) -> str | None:
    for part in message.iter_attachments():
        if part.get_content_type() == "text/calendar":
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            return payload.decode()
    return None


async def test_the_invitee_cancels_the_event_goes_and_both_sides_are_told(
    ctx: ServiceContext, sandbox: SandboxControl, provider: Harness, smtp_sink: SmtpSink
) -> None:
    host = await connected_host(ctx, sandbox, provider)
    link = await a_link(ctx, host, provider)
    made = await booked(ctx, link, at(9))
    await run_worker(ctx)
    assert len(await provider.events(sandbox)) == 1
    assert at(9) not in await starts(ctx, link)

    links = manage_links(ctx, made.id)
    cancelled = await cancel_as_invitee(ctx, made.id, token=token_of(links.cancel_url), reason="Ill, sorry")
    assert cancelled.status is BookingStatus.CANCELLED
    assert cancelled.cancelled_by == "invitee"
    assert cancelled.cancel_reason == "Ill, sorry"
    await run_worker(ctx)
    assert await provider.events(sandbox) == []  # the calendar told the attendee, not us
    assert at(9) in await starts(ctx, link)  # free again, in Workestra and on the calendar
    to_host = await mail_to(smtp_sink, host.email, "Cancelled")
    assert "Ill, sorry" in text_of(to_host)
    assert "was cancelled by Ivo Invitee" in text_of(to_host)
    to_invitee = await mail_to(smtp_sink, "ivo@example.test", "Cancelled")
    assert "was cancelled by you" in text_of(to_invitee)
    assert ics_of(to_invitee) is None  # the provider's event told the attendee

    again = await cancel_as_invitee(ctx, made.id, token=token_of(links.cancel_url))
    assert again == cancelled


async def test_a_reschedule_moves_the_same_event_and_keeps_its_meeting_link(
    ctx: ServiceContext, sandbox: SandboxControl, provider: Harness, smtp_sink: SmtpSink
) -> None:
    host = await connected_host(ctx, sandbox, provider)
    link = await a_link(ctx, host, provider)
    made = await booked(ctx, link, at(9))
    await run_worker(ctx)
    [before] = await provider.events(sandbox)
    stored = await get_booking(ctx, host, made.id)
    assert stored.meeting_url is not None

    token = token_of(manage_links(ctx, made.id).reschedule_url)
    moved = await reschedule(ctx, made.id, token=token, start=at(14), timezone="Europe/Berlin")
    assert moved.id == made.id
    assert (moved.starts_at, moved.ends_at) == (at(14), at(14, 30))
    async with ctx.uow() as uow:  # the old time is freed in the same transaction
        taken = await uow.bookings.busy([host.id], at(0), at(23))
    assert [(start, end) for _, start, end in taken] == [(at(14), at(14, 30))]
    await run_worker(ctx)
    free = await starts(ctx, link)
    assert at(9) in free
    assert at(14) not in free
    [after] = await provider.events(sandbox)
    assert after.event_id == before.event_id
    assert after.start == at(14)
    assert after.join_url == before.join_url == stored.meeting_url
    assert (await get_booking(ctx, host, made.id)).meeting_url == stored.meeting_url
    notice = await mail_to(smtp_sink, "ivo@example.test", "Moved")
    assert stored.meeting_url in text_of(notice)
    assert "Was:" in text_of(notice)
    await mail_to(smtp_sink, host.email, "Moved")


async def test_a_reschedule_is_checked_like_a_new_booking(
    ctx: ServiceContext, sandbox: SandboxControl, provider: Harness
) -> None:
    host = await connected_host(ctx, sandbox, provider)
    link = await a_link(ctx, host, provider)
    made = await booked(ctx, link, at(9))
    other = await booked(ctx, link, at(11))
    await provider.busy(sandbox, at(15), at(16))
    token = token_of(manage_links(ctx, made.id).reschedule_url)
    with pytest.raises(SlotUnavailable):  # another booking
        await reschedule(ctx, made.id, token=token, start=at(11), timezone="UTC")
    with pytest.raises(SlotUnavailable):  # busy on the calendar
        await reschedule(ctx, made.id, token=token, start=at(15), timezone="UTC")
    with pytest.raises(InvalidInput):  # not an offered time
        await reschedule(ctx, made.id, token=token, start=at(9, 7), timezone="UTC")
    # Half an hour later overlaps the booking's own old time: that doesn't count against it.
    moved = await reschedule(ctx, made.id, token=token, start=at(9, 30), timezone="UTC")
    assert moved.starts_at == at(9, 30)
    assert (await get_booking(ctx, host, other.id)).starts_at == at(11)


async def test_a_booking_cancelled_before_its_event_was_made_never_makes_one(
    ctx: ServiceContext, sandbox: SandboxControl, provider: Harness, smtp_sink: SmtpSink
) -> None:
    host = await connected_host(ctx, sandbox, provider)
    link = await a_link(ctx, host, provider)
    made = await booked(ctx, link, at(9))
    token = token_of(manage_links(ctx, made.id).cancel_url)
    await cancel_as_invitee(ctx, made.id, token=token)  # the event job hasn't run yet
    await run_worker(ctx)
    assert await provider.events(sandbox) == []
    async with ctx.uow() as uow:
        kinds = {job.kind for job in await uow.outbox.for_booking(made.id)}
    assert JobKind.SEND_CONFIRMATION not in kinds  # nothing to confirm any more
    await mail_to(smtp_sink, "ivo@example.test", "Cancelled")


async def test_the_host_cancels_with_a_reason_the_invitee_reads(
    ctx: ServiceContext, sandbox: SandboxControl, provider: Harness, smtp_sink: SmtpSink
) -> None:
    host = await connected_host(ctx, sandbox, provider)
    link = await a_link(ctx, host, provider)
    made = await booked(ctx, link, at(9))
    await run_worker(ctx)
    stranger = (await make_host(ctx, name="Stranger"))[1]
    with pytest.raises(NotFound):
        await cancel_as_host(ctx, stranger, made.id)
    view = await cancel_as_host(ctx, host, made.id, reason="Double-booked\non my side")
    assert view.cancelled_by == "host"
    await run_worker(ctx)
    assert await provider.events(sandbox) == []
    notice = await mail_to(smtp_sink, "ivo@example.test", "Cancelled")
    assert "was cancelled by Host" in text_of(notice)
    assert "Double-booked\non my side" in text_of(notice)
    token = token_of(manage_links(ctx, made.id).reschedule_url)
    with pytest.raises(Conflict):  # a cancelled booking can't be moved
        await reschedule(ctx, made.id, token=token, start=at(14), timezone="UTC")


async def test_a_move_whose_event_was_deleted_on_the_calendar_tells_the_host(
    ctx: ServiceContext, sandbox: SandboxControl, provider: Harness
) -> None:
    host = await connected_host(ctx, sandbox, provider)
    link = await a_link(ctx, host, provider)
    made = await booked(ctx, link, at(9))
    await run_worker(ctx)
    [event] = await provider.events(sandbox)
    credentials = ConnectionCredentials(ctx, host.id, PROVIDER_SLOT[provider.name])
    await ctx.calendars.calendar(provider.name).cancel_event(credentials, event.event_id)  # in Outlook/Google
    token = token_of(manage_links(ctx, made.id).reschedule_url)
    moved = await reschedule(ctx, made.id, token=token, start=at(14), timezone="UTC")
    assert moved.starts_at == at(14)  # the booking moves; the calendar can't follow
    await run_worker(ctx)
    stored = await get_booking(ctx, host, made.id)
    assert stored.starts_at == at(14)
    assert stored.calendar_problem is not None
    assert "couldn't be moved on your calendar" in stored.calendar_problem
    assert "no longer on your calendar" in stored.calendar_problem


async def test_a_calendar_that_cant_be_read_moves_nothing(
    ctx: ServiceContext, sandbox: SandboxControl, provider: Harness
) -> None:
    host = await connected_host(ctx, sandbox, provider)
    link = await a_link(ctx, host, provider)
    made = await booked(ctx, link, at(9))
    await run_worker(ctx)
    await provider.revoke(sandbox)
    token = token_of(manage_links(ctx, made.id).reschedule_url)
    with pytest.raises(CalendarUnavailable):
        await reschedule(ctx, made.id, token=token, start=at(14), timezone="UTC")
    assert (await get_booking(ctx, host, made.id)).starts_at == at(9)


# --- tokens -----------------------------------------------------------------------------------------


async def test_tokens_are_single_purpose_and_belong_to_one_booking(
    ctx: ServiceContext, sandbox: SandboxControl
) -> None:
    host = (await make_host(ctx, name="Host"))[1]
    link = await make_link(ctx, host, timezone="UTC", weekly_hours=ALL_WEEK, calendar_provider="none")
    first, second = await booked(ctx, link, at(9)), await booked(ctx, link, at(10))
    first_links, second_links = manage_links(ctx, first.id), manage_links(ctx, second.id)
    cancel, move = token_of(first_links.cancel_url), token_of(first_links.reschedule_url)
    assert cancel != move
    assert len(cancel) >= 43
    view = await invitee_booking(ctx, first.id, token=cancel, purpose=TokenPurpose.CANCEL)
    assert view.id == first.id
    for booking_id, token, purpose in (
        (first.id, move, TokenPurpose.CANCEL),  # the reschedule token doesn't cancel
        (first.id, cancel, TokenPurpose.RESCHEDULE),
        (second.id, cancel, TokenPurpose.CANCEL),  # nor works on another booking
        (first.id, token_of(second_links.cancel_url), TokenPurpose.CANCEL),
        (first.id, "", TokenPurpose.CANCEL),
        (first.id, "x" * 5000, TokenPurpose.CANCEL),
        ("no-such-booking", cancel, TokenPurpose.CANCEL),
    ):
        with pytest.raises(NotFound):
            await invitee_booking(ctx, booking_id, token=token, purpose=purpose)
    with pytest.raises(NotFound):
        await cancel_as_invitee(ctx, first.id, token=move)
    async with ctx.uow() as uow:
        row = await uow.bookings.get(first.id)
    assert row is not None
    assert row.status == BookingStatus.CONFIRMED
    assert cancel not in {row.cancel_token_digest, row.reschedule_token_digest}  # stored hashed
    assert move not in {row.cancel_token_digest, row.reschedule_token_digest}


async def test_a_token_stops_working_once_the_meeting_has_passed(ctx: ServiceContext) -> None:
    host = (await make_host(ctx, name="Host"))[1]
    link = await make_link(ctx, host, timezone="UTC", weekly_hours=ALL_WEEK, calendar_provider="none")
    made = await booked(ctx, link, at(9))
    token = token_of(manage_links(ctx, made.id).cancel_url)
    later = dataclasses.replace(ctx, clock=FixedClock(at(9, 30)))
    with pytest.raises(NotFound):
        await cancel_as_invitee(later, made.id, token=token)
    during = dataclasses.replace(ctx, clock=FixedClock(at(9, 29)))
    assert (await invitee_booking(during, made.id, token=token, purpose=TokenPurpose.CANCEL)).id == made.id


# --- a link without a calendar: our own .ics carries the change -----------------------------------


async def test_without_a_calendar_the_ics_moves_and_cancels_the_same_event(
    ctx: ServiceContext, smtp_sink: SmtpSink
) -> None:
    host = (await make_host(ctx, name="Host"))[1]
    link = await make_link(ctx, host, timezone="UTC", weekly_hours=ALL_WEEK, calendar_provider="none")
    made = await booked(ctx, link, at(9))
    await run_worker(ctx)
    confirmation = await mail_to(smtp_sink, "ivo@example.test", "Confirmed")
    invitation = ics_of(confirmation)
    assert invitation is not None
    assert f"UID:{made.id}@workestra" in invitation
    assert "SEQUENCE:0" in invitation
    links = manage_links(ctx, made.id)
    assert links.reschedule_url in text_of(confirmation)
    assert links.cancel_url in text_of(confirmation)

    await reschedule(ctx, made.id, token=token_of(links.reschedule_url), start=at(13), timezone="UTC")
    await run_worker(ctx)
    moved = ics_of(await mail_to(smtp_sink, "ivo@example.test", "Moved"))
    assert moved is not None
    assert "METHOD:REQUEST" in moved
    assert f"UID:{made.id}@workestra" in moved
    assert "SEQUENCE:1" in moved
    assert "DTSTART:" + at(13).strftime("%Y%m%dT%H%M%SZ") in moved

    await cancel_as_invitee(ctx, made.id, token=token_of(links.cancel_url))
    await run_worker(ctx)
    gone = ics_of(await mail_to(smtp_sink, "ivo@example.test", "Cancelled"))
    assert gone is not None
    assert "METHOD:CANCEL" in gone
    assert f"UID:{made.id}@workestra" in gone
    assert "SEQUENCE:2" in gone
    async with ctx.uow() as uow:
        statuses = {(job.kind, job.status) for job in await uow.outbox.for_booking(made.id)}
    assert all(status == JobStatus.DONE for _, status in statuses)
    assert (JobKind.CANCEL_CALENDAR_EVENT, JobStatus.DONE) not in statuses  # nothing on a calendar
    assert (await get_booking(ctx, host, made.id)).calendar_status is CalendarSyncStatus.NOT_APPLICABLE


async def test_the_reason_is_plain_text_of_bounded_length(ctx: ServiceContext) -> None:
    host = (await make_host(ctx, name="Host"))[1]
    link = await make_link(ctx, host, timezone="UTC", weekly_hours=ALL_WEEK, calendar_provider="none")
    made = await booked(ctx, link, at(9))
    token = token_of(manage_links(ctx, made.id).cancel_url)
    for reason in ("x" * 1001, "bell\x07", "\ud800"):
        with pytest.raises(InvalidInput):
            await cancel_as_invitee(ctx, made.id, token=token, reason=reason)
    assert (await get_booking(ctx, host, made.id)).status is BookingStatus.CONFIRMED
    assert (await cancel_as_invitee(ctx, made.id, token=token, reason="  ")).cancel_reason is None


# --- round robin: the same rep when free, else the next by rotation, and the event follows ---------


async def test_a_round_robin_reschedule_keeps_the_rep_when_free_and_moves_the_event_when_not(
    ctx: ServiceContext, sandbox: SandboxControl, smtp_sink: SmtpSink
) -> None:
    microsoft, google = HARNESSES["microsoft"], HARNESSES["google"]
    alice = await connected_host(ctx, sandbox, microsoft)
    await google.setup(sandbox, ctx.base_url)
    gus = (await make_host(ctx, name="Gus"))[1]
    await connect(ctx, gus, google)
    team = await make_team(ctx, alice, [gus])
    link = await make_link(
        ctx,
        alice,
        timezone="UTC",
        weekly_hours=ALL_WEEK,
        team_id=team.id,
        round_robin_members=[alice.email, gus.email],
        auto_meeting_link=True,
        title="Pool",
    )
    await google.busy(sandbox, at(9), at(10))  # Gus is busy at 9: Alice gets it
    made = await booked(ctx, link, at(9))
    assert made.host_email == alice.email
    await run_worker(ctx)
    token = token_of(manage_links(ctx, made.id).reschedule_url)

    kept = await reschedule(ctx, made.id, token=token, start=at(11), timezone="UTC")
    assert kept.host_email == alice.email  # still free: the same rep
    await run_worker(ctx)
    [event] = await microsoft.events(sandbox)
    assert event.start == at(11)

    await microsoft.busy(sandbox, at(15), at(16))  # Alice is busy at 15: Gus takes it over
    moved = await reschedule(ctx, made.id, token=token, start=at(15), timezone="UTC")
    assert moved.host_email == gus.email
    await run_worker(ctx)
    assert await microsoft.events(sandbox) == []  # off Alice's calendar
    [on_google] = await google.events(sandbox)
    assert on_google.start == at(15)
    assert on_google.attendees == ("ivo@example.test",)
    stored = await get_booking(ctx, alice, made.id)  # the link's owner sees it
    assert stored.meeting_url == on_google.join_url  # a Meet link now, from Gus's calendar
    assert stored.meeting_url is not None
    assert stored.meeting_url.startswith(google.meeting_url_prefix)
    left = await mail_to(smtp_sink, alice.email, "Cancelled")  # Alice is told it left her calendar
    was = at(11).astimezone(alice.timezone).strftime("%H:%M")
    assert was in str(left["Subject"])  # at the time it had on her calendar, not the new one
    await mail_to(smtp_sink, gus.email, "New booking")  # Gus as for a new booking
    confirmation = await mail_to(smtp_sink, "ivo@example.test", "Confirmed", containing=stored.meeting_url)
    assert "with Gus" in str(confirmation["Subject"])


async def test_the_slots_of_a_reschedule_leave_the_bookings_own_time_out(
    ctx: ServiceContext, sandbox: SandboxControl, provider: Harness
) -> None:
    host = await connected_host(ctx, sandbox, provider)
    link = await make_link(
        ctx,
        host,
        timezone="UTC",
        weekly_hours=ALL_WEEK,
        calendar_provider=provider.name.value,
        slot_interval_minutes=15,
        duration_minutes=30,
    )
    made = await booked(ctx, link, at(9))
    await run_worker(ctx)  # the event is on the calendar too
    assert at(9, 15) not in await starts(ctx, link)
    token = token_of(manage_links(ctx, made.id).reschedule_url)
    moving = await moving_booking(ctx, made.id, token=token)
    day = at(9).date()
    result = await list_slots(ctx, link.slug, first_day=day, last_day=day, timezone="UTC", moving=moving)
    offered = [s.start for s in result.slots]
    assert at(9, 15) in offered  # overlaps only the booking itself
    assert at(8, 45) in offered
    assert at(9) not in offered  # its current time
    moved = await reschedule(ctx, made.id, token=token, start=at(9, 15), timezone="UTC")
    assert moved.starts_at == at(9, 15)
    with pytest.raises(NotFound):
        await moving_booking(ctx, made.id, token=token_of(manage_links(ctx, made.id).cancel_url))
