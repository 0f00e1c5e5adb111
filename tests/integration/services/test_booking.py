"""Booking through the use cases on real SQLite and PostgreSQL: one transaction, no collisions."""

from datetime import UTC, date, datetime

import pytest
from icalendar import Calendar

from tests.support.builders import make_host, make_link, service_context
from tests.support.clock import FixedClock
from tests.support.smtp import SmtpSink
from workestra.config import Settings
from workestra.errors import InvalidInput, SlotUnavailable
from workestra.mail import SmtpSender
from workestra.services.availability import list_slots
from workestra.services.booking import book, list_bookings
from workestra.worker.runner import Worker

MONDAY = date(2031, 6, 2)  # a Monday
NOW = datetime(2031, 6, 1, 12, 0, tzinfo=UTC)
HOURS = {"monday": [("09:00", "12:00")]}


def _settings(url: str, smtp: str | None = None) -> Settings:
    return Settings(database_url=url, secret_key="k" * 32, smtp_url=smtp, _env_file=None)


def _at(hour: int, minute: int = 0) -> datetime:
    return datetime(2031, 6, 2, hour, minute, tzinfo=UTC)


async def test_a_booked_slot_disappears_and_cannot_be_booked_again(database_url: str) -> None:
    async with service_context(_settings(database_url), clock=FixedClock(NOW)) as ctx:
        _, host = await make_host(ctx)
        link = await make_link(ctx, host, timezone="UTC", weekly_hours=HOURS)
        before = await list_slots(ctx, link.slug, first_day=MONDAY, last_day=MONDAY, timezone="UTC")
        assert [s.start for s in before.slots] == [
            _at(9),
            _at(9, 30),
            _at(10),
            _at(10, 30),
            _at(11),
            _at(11, 30),
        ]

        booked = await book(
            ctx, link.slug, start=_at(10), name="Ivo", email="ivo@example.test", timezone="Europe/Berlin"
        )
        assert booked.status == "confirmed"
        assert booked.ends_at == _at(10, 30)

        after = await list_slots(ctx, link.slug, first_day=MONDAY, last_day=MONDAY, timezone="UTC")
        assert _at(10) not in [s.start for s in after.slots]
        with pytest.raises(SlotUnavailable):
            await book(ctx, link.slug, start=_at(10), name="Eve", email="eve@example.test", timezone="UTC")
        assert len(await list_bookings(ctx, host)) == 1


async def test_buffers_keep_neighbouring_slots_free(database_url: str) -> None:
    async with service_context(_settings(database_url), clock=FixedClock(NOW)) as ctx:
        _, host = await make_host(ctx)
        link = await make_link(
            ctx, host, timezone="UTC", weekly_hours=HOURS, buffer_after_minutes=15, buffer_before_minutes=15
        )
        await book(ctx, link.slug, start=_at(10), name="Ivo", email="ivo@example.test", timezone="UTC")
        slots = await list_slots(ctx, link.slug, first_day=MONDAY, last_day=MONDAY, timezone="UTC")
        assert [s.start for s in slots.slots] == [_at(9), _at(11), _at(11, 30)]
        with pytest.raises(SlotUnavailable):
            await book(
                ctx, link.slug, start=_at(10, 30), name="Eve", email="eve@example.test", timezone="UTC"
            )


@pytest.mark.parametrize(
    ("start", "field"),
    [
        (datetime(2031, 6, 2, 10, 7, tzinfo=UTC), "start"),  # off the 30-minute grid
        (datetime(2031, 5, 26, 10, 0, tzinfo=UTC), "start"),  # in the past
        (datetime(2031, 6, 2, 13, 0, tzinfo=UTC), "start"),
    ],  # outside the weekly hours
)
async def test_a_start_that_was_never_offered_is_refused(
    database_url: str, start: datetime, field: str
) -> None:
    async with service_context(_settings(database_url), clock=FixedClock(NOW)) as ctx:
        _, host = await make_host(ctx)
        link = await make_link(ctx, host, timezone="UTC", weekly_hours=HOURS)
        with pytest.raises(InvalidInput) as refused:
            await book(ctx, link.slug, start=start, name="Ivo", email="ivo@example.test", timezone="UTC")
        assert field in refused.value.fields
        assert await list_bookings(ctx, host) == []


async def test_the_confirmation_email_arrives_with_an_invitation(
    sqlite_url: str, smtp_sink: SmtpSink
) -> None:
    from workestra.db.migrate import upgrade_to_head

    await upgrade_to_head(sqlite_url)
    settings = _settings(sqlite_url, smtp_sink.url)
    mail = SmtpSender(url=smtp_sink.url, mail_from=settings.mail_from)
    async with service_context(settings, clock=FixedClock(NOW), mail=mail) as ctx:
        _, host = await make_host(ctx, name="Hana Host")
        link = await make_link(ctx, host, timezone="Europe/Berlin", weekly_hours=HOURS, title="Intro call")
        booked = await book(
            ctx,
            link.slug,
            start=datetime(2031, 6, 2, 8, 0, tzinfo=UTC),
            name="Ivo Invitee",
            email="ivo@example.test",
            timezone="America/New_York",
        )
        await Worker(ctx).run_until_idle()
    message = await smtp_sink.message_to("ivo@example.test")
    assert message["To"] == "ivo@example.test"
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    assert "Intro call" in body.get_content()
    assert "04:00" in body.get_content()  # 08:00 UTC shown in the invitee's New York time
    assert message.get_body(preferencelist=("html",)) is not None
    [ics] = [part for part in message.walk() if part.get_filename() == "invite.ics"]
    payload = ics.get_payload(decode=True)
    assert isinstance(payload, bytes)
    calendar = Calendar.from_ical(payload)
    assert str(calendar["METHOD"]) == "REQUEST"
    [event] = calendar.walk("VEVENT")
    assert str(event["UID"]) == f"{booked.id}@workestra"
    assert event.decoded("DTSTART") == datetime(2031, 6, 2, 8, 0, tzinfo=UTC)
    assert "ivo@example.test" in str(event["ATTENDEE"])
    assert host.email in str(event["ORGANIZER"])


async def test_dst_week_in_new_york_offers_every_local_hour_once(database_url: str) -> None:
    spring = datetime(2031, 3, 8, 12, tzinfo=UTC)  # the day before clocks go forward (9 March 2031)
    async with service_context(_settings(database_url), clock=FixedClock(spring)) as ctx:
        _, host = await make_host(ctx, timezone="America/New_York")
        link = await make_link(
            ctx,
            host,
            timezone="America/New_York",
            duration_minutes=60,
            weekly_hours={"sunday": [("00:00", "05:00")], "monday": [("09:00", "10:00")]},
        )
        slots = await list_slots(
            ctx,
            link.slug,
            first_day=date(2031, 3, 9),
            last_day=date(2031, 3, 10),
            timezone="America/New_York",
        )
    local = [s.start.astimezone(slots.timezone).strftime("%d %H:%M") for s in slots.slots]
    assert local == ["09 00:00", "09 01:00", "09 03:00", "09 04:00", "10 09:00"]


async def test_the_host_is_told_too_with_the_meeting_to_add_to_their_calendar(
    sqlite_url: str, smtp_sink: SmtpSink
) -> None:
    from workestra.db.migrate import upgrade_to_head

    await upgrade_to_head(sqlite_url)
    settings = _settings(sqlite_url, smtp_sink.url)
    mail = SmtpSender(url=smtp_sink.url, mail_from=settings.mail_from)
    async with service_context(settings, clock=FixedClock(NOW), mail=mail) as ctx:
        _, host = await make_host(ctx, name="Hana Host", timezone="Asia/Tokyo")
        link = await make_link(ctx, host, timezone="UTC", weekly_hours=HOURS, title="Intro call")
        await book(ctx, link.slug, start=_at(9), name="Ivo Invitee", email="ivo@example.test", timezone="UTC")
        await Worker(ctx).run_until_idle()
    message = await smtp_sink.message_to(host.email)
    assert "New booking: Intro call with Ivo Invitee" in str(message["Subject"])
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    assert "18:00" in body.get_content()  # 09:00 UTC in the host's Tokyo time
    assert message["Reply-To"] == "ivo@example.test"
    [ics] = [part for part in message.walk() if part.get_filename() == "invite.ics"]
    payload = ics.get_payload(decode=True)
    assert isinstance(payload, bytes)
    assert str(Calendar.from_ical(payload)["METHOD"]) == "PUBLISH"
