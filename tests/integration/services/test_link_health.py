"""A link that can't work is told to its host when saved and on the list, not by the first invitee;
and the invitee is told whether to wait or to tell the host."""

from collections.abc import AsyncIterator

import pytest

from tests.conftest import SettingsFactory
from tests.support.builders import ALL_WEEK, make_host, make_link, service_context
from tests.support.calendars import HARNESSES, a_link, connected_host, starts
from tests.support.sandbox import SandboxControl
from workestra.db.migrate import upgrade_to_head
from workestra.enums import PROVIDER_SLOT
from workestra.errors import CalendarUnavailable
from workestra.services.availability import HOST_MUST_ACT, TRY_AGAIN
from workestra.services.connections import check_connection
from workestra.services.context import ServiceContext
from workestra.services.link_health import link_warnings


@pytest.fixture
async def ctx(sqlite_url: str, make_settings: SettingsFactory) -> AsyncIterator[ServiceContext]:
    await upgrade_to_head(sqlite_url)
    async with service_context(make_settings(database_url=sqlite_url)) as context:
        yield context


async def test_a_link_on_a_calendar_that_isnt_connected_is_flagged(ctx: ServiceContext) -> None:
    host = (await make_host(ctx, name="Host"))[1]
    link = await make_link(ctx, host, timezone="UTC", weekly_hours=ALL_WEEK, calendar_provider="microsoft")
    plain = await make_link(ctx, host, timezone="UTC", weekly_hours=ALL_WEEK, calendar_provider="none")
    warnings = await link_warnings(ctx, host, [link, plain])
    assert warnings[plain.id] == []
    [warning] = warnings[link.id]
    assert warning.startswith(
        "Microsoft Calendar isn't connected, so this link's booking page offers no times."
    )
    with pytest.raises(CalendarUnavailable) as refused:
        await starts(ctx, link)
    assert refused.value.message == HOST_MUST_ACT  # not "try again in a few minutes"


async def test_a_connected_calendar_is_fine_until_it_needs_a_reconnect(
    ctx: ServiceContext, sandbox: SandboxControl
) -> None:
    google = HARNESSES["google"]
    host = await connected_host(ctx, sandbox, google)
    link = await a_link(ctx, host, google)
    assert (await link_warnings(ctx, host, [link]))[link.id] == []
    await google.revoke(sandbox)
    await check_connection(ctx, host, PROVIDER_SLOT[google.name])
    [warning] = (await link_warnings(ctx, host, [link]))[link.id]
    assert "needs attention" in warning
    with pytest.raises(CalendarUnavailable) as refused:
        await starts(ctx, link)
    assert refused.value.message == HOST_MUST_ACT


async def test_an_outage_asks_the_invitee_to_wait_not_the_host_to_act(
    ctx: ServiceContext, sandbox: SandboxControl
) -> None:
    microsoft = HARNESSES["microsoft"]
    host = await connected_host(ctx, sandbox, microsoft)
    link = await a_link(ctx, host, microsoft)
    await microsoft.throttle(sandbox, count=50)
    with pytest.raises(CalendarUnavailable) as refused:
        await starts(ctx, link)
    assert refused.value.message == TRY_AGAIN


@pytest.mark.parametrize("name", list(HARNESSES))
async def test_a_meeting_link_the_account_cant_make_is_flagged_on_save(
    ctx: ServiceContext, sandbox: SandboxControl, name: str
) -> None:
    provider = HARNESSES[name]
    host = await connected_host(ctx, sandbox, provider, meeting=False)
    view = await check_connection(ctx, host, PROVIDER_SLOT[provider.name])
    with_link = await a_link(ctx, host, provider, meeting=True)
    without = await a_link(ctx, host, provider, meeting=False)
    warnings = await link_warnings(ctx, host, [with_link, without])
    assert warnings[without.id] == []
    [warning] = warnings[with_link.id]
    assert f"can't create {view.meeting_link} meetings" in warning


async def test_a_provider_this_server_has_no_registration_for_is_flagged(
    sqlite_url: str, make_settings: SettingsFactory
) -> None:
    await upgrade_to_head(sqlite_url)
    async with service_context(make_settings(database_url=sqlite_url, google_client_id=None)) as ctx:
        host = (await make_host(ctx, name="Host"))[1]
        link = await make_link(ctx, host, timezone="UTC", weekly_hours=ALL_WEEK, calendar_provider="google")
        [warning] = (await link_warnings(ctx, host, [link]))[link.id]
        assert (
            warning
            == "Google Calendar isn't configured on this server, so this link's booking page offers no times."
        )
