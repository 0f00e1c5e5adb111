"""Inputs at the edges, on both engines: answered plainly, never a crash, nothing written."""

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from tests.support.builders import make_host, make_link, service_context
from tests.support.clock import FixedClock
from tests.support.smtp import SmtpSink
from workestra.config import Settings
from workestra.errors import InvalidInput, NotFound
from workestra.mail import SmtpSender
from workestra.services.availability import list_slots
from workestra.services.booking import book, list_bookings
from workestra.services.booking_links import LinkInput, delete_link, update_link
from workestra.worker.runner import Worker

NOW = datetime(2031, 6, 1, 12, 0, tzinfo=UTC)


def _settings(url: str) -> Settings:
    return Settings(database_url=url, secret_key="k" * 32, _env_file=None)


@pytest.mark.parametrize("slug", ["a\x00b", "../etc", "x" * 300, "ÜBER", ""])
async def test_impossible_slugs_are_simply_not_found(database_url: str, slug: str) -> None:
    async with service_context(_settings(database_url), clock=FixedClock(NOW)) as ctx:
        with pytest.raises(NotFound):
            await list_slots(ctx, slug, first_day=date(2031, 6, 2), last_day=date(2031, 6, 2), timezone="UTC")


@pytest.mark.parametrize(
    ("first", "last"),
    [
        (date(9999, 12, 31), date(9999, 12, 31)),
        (date(1, 1, 1), date(1, 1, 2)),
        (date(1970, 1, 1), date(1970, 1, 1)),
    ],
)
async def test_days_far_from_now_have_no_slots(database_url: str, first: date, last: date) -> None:
    async with service_context(_settings(database_url), clock=FixedClock(NOW)) as ctx:
        _, host = await make_host(ctx)
        link = await make_link(ctx, host)
        result = await list_slots(
            ctx, link.slug, first_day=first, last_day=last, timezone="Pacific/Kiritimati"
        )
        assert result.slots == []


@pytest.mark.parametrize(
    "start",
    [
        datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=5))),
        datetime(9999, 12, 31, 23, 30, tzinfo=UTC),
        datetime(2031, 6, 2, 9, 0, tzinfo=timezone(timedelta(hours=-12))),
    ],
)
async def test_starts_far_from_now_are_refused(database_url: str, start: datetime) -> None:
    async with service_context(_settings(database_url), clock=FixedClock(NOW)) as ctx:
        _, host = await make_host(ctx)
        link = await make_link(ctx, host, booking_horizon_days=1)
        with pytest.raises(InvalidInput):
            await book(ctx, link.slug, start=start, name="Ivo", email="ivo@example.test", timezone="UTC")
        assert await list_bookings(ctx, host) == []


@pytest.mark.parametrize("text", ["nul \x00 byte", "bell \x07", "x" * 6000])
async def test_descriptions_with_control_characters_or_too_long_are_refused(
    database_url: str, text: str
) -> None:
    async with service_context(_settings(database_url), clock=FixedClock(NOW)) as ctx:
        _, host = await make_host(ctx)
        link = await make_link(ctx, host)
        with pytest.raises(InvalidInput) as refused:
            await update_link(ctx, host, link.id, LinkInput(description=text))
        assert "description" in refused.value.fields


@pytest.mark.parametrize("zone", ["localtime", "Factory", "EST5EDT", "Mars/Olympus"])
async def test_zones_that_are_not_places_are_refused(database_url: str, zone: str) -> None:
    async with service_context(_settings(database_url), clock=FixedClock(NOW)) as ctx:
        _, host = await make_host(ctx)
        link = await make_link(ctx, host)
        with pytest.raises(InvalidInput):
            await update_link(ctx, host, link.id, LinkInput(timezone=zone))


async def test_deleting_a_link_keeps_its_bookings_and_their_times(database_url: str) -> None:
    async with service_context(_settings(database_url), clock=FixedClock(NOW)) as ctx:
        _, host = await make_host(ctx)
        first = await make_link(ctx, host, slug="first-link", timezone="UTC")
        second = await make_link(ctx, host, slug="second-link", timezone="UTC")
        start = datetime(2031, 6, 2, 10, 0, tzinfo=UTC)
        await book(ctx, first.slug, start=start, name="Ivo", email="ivo@example.test", timezone="UTC")
        await delete_link(ctx, host, first.id)
        [kept] = await list_bookings(ctx, host)
        assert kept.starts_at == start
        assert kept.title == first.title
        slots = await list_slots(
            ctx, second.slug, first_day=date(2031, 6, 2), last_day=date(2031, 6, 2), timezone="UTC"
        )
        assert start not in [s.start for s in slots.slots]  # the host is still booked then
        with pytest.raises(NotFound):
            await list_slots(
                ctx, first.slug, first_day=date(2031, 6, 2), last_day=date(2031, 6, 2), timezone="UTC"
            )
        again = await make_link(ctx, host, slug="first-link")  # the slug is free again
        assert again.slug == "first-link"


async def test_a_booking_on_a_link_deleted_before_the_worker_ran_still_sends_both_emails(
    database_url: str, smtp_sink: SmtpSink
) -> None:
    settings = Settings(
        database_url=database_url, secret_key="k" * 32, smtp_url=smtp_sink.url, _env_file=None
    )
    mail = SmtpSender(url=smtp_sink.url, mail_from=settings.mail_from)
    async with service_context(settings, clock=FixedClock(NOW), mail=mail) as ctx:
        _, host = await make_host(ctx)
        link = await make_link(ctx, host, timezone="UTC", title="Soon gone")
        await book(
            ctx,
            link.slug,
            start=datetime(2031, 6, 2, 10, 0, tzinfo=UTC),
            name="Ivo",
            email="ivo@example.test",
            timezone="UTC",
        )
        await delete_link(ctx, host, link.id)
        await Worker(ctx).run_until_idle()
    assert "Soon gone" in str((await smtp_sink.message_to("ivo@example.test"))["Subject"])
    assert "Soon gone" in str((await smtp_sink.message_to(host.email))["Subject"])


@pytest.mark.parametrize("zone", ["America/Indiana", "America/Argentina", "America/Kentucky"])
async def test_zone_folders_are_refused_not_crashed_on(database_url: str, zone: str) -> None:
    async with service_context(_settings(database_url), clock=FixedClock(NOW)) as ctx:
        _, host = await make_host(ctx)
        link = await make_link(ctx, host)
        with pytest.raises(InvalidInput):
            await list_slots(
                ctx, link.slug, first_day=date(2031, 6, 2), last_day=date(2031, 6, 2), timezone=zone
            )
        with pytest.raises(InvalidInput):
            await book(
                ctx,
                link.slug,
                start=datetime(2031, 6, 2, 10, 0, tzinfo=UTC),
                name="Ivo",
                email="ivo@example.test",
                timezone=zone,
            )
