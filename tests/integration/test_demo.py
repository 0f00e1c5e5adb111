"""`workestra demo` seeds hosts whose calendars are already connected: their pages work at once."""

from datetime import timedelta
from pathlib import Path

import pytest

from tests.support.builders import service_context
from tests.support.calendars import run_worker
from tests.support.sandbox import SandboxControl
from workestra.config import Settings
from workestra.demo import (
    DEMO_CLIENT_ID,
    DEMO_CLIENT_SECRET,
    DEMO_GOOGLE_CLIENT_ID,
    DEMO_GOOGLE_CLIENT_SECRET,
    DEMO_HOSTS,
    DEMO_ZONE,
    TEAM_LINK,
    _seed_sandbox,
    _seed_workestra,
    next_workday_at_nine,
)
from workestra.enums import IntegrationStatus
from workestra.errors import SlotUnavailable
from workestra.sandbox import SandboxServer
from workestra.services.availability import list_slots
from workestra.services.booking import book, public_booking
from workestra.services.connections import list_connections
from workestra.services.users import authenticate


def demo_settings(tmp_path: Path, sandbox: SandboxServer) -> Settings:
    return Settings(
        _env_file=None,
        demo=True,
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'demo.sqlite3'}",
        base_url="http://127.0.0.1:8765",
        secret_key="demo-secret-key-for-the-test",
        microsoft_client_id=DEMO_CLIENT_ID,
        microsoft_client_secret=DEMO_CLIENT_SECRET,
        microsoft_login_url=sandbox.microsoft_login_url,
        microsoft_graph_url=sandbox.microsoft_graph_url,
        google_client_id=DEMO_GOOGLE_CLIENT_ID,
        google_client_secret=DEMO_GOOGLE_CLIENT_SECRET,
        google_auth_url=sandbox.google_auth_url,
        google_token_url=sandbox.google_token_url,
        google_revoke_url=sandbox.google_revoke_url,
        google_calendar_url=sandbox.google_calendar_url,
    )


async def test_the_demo_hosts_are_connected_and_their_busy_time_is_hidden(
    tmp_path: Path, sandbox_server: SandboxServer, sandbox: SandboxControl
) -> None:
    settings = demo_settings(tmp_path, sandbox_server)
    await _seed_sandbox(sandbox_server, settings)
    slugs = await _seed_workestra(settings, sandbox_server)
    assert slugs == [*(slug for h in DEMO_HOSTS for slug, *_ in h.links), TEAM_LINK[0]]
    await sandbox.reset()  # a restarted demo: a fresh sandbox, the same database
    await _seed_sandbox(sandbox_server, settings)
    assert await _seed_workestra(settings, sandbox_server) == slugs

    day = next_workday_at_nine()
    async with service_context(settings) as ctx:
        for demo in DEMO_HOSTS:
            host = await authenticate(ctx, email=demo.email, password=demo.password)
            cards = {v.provider: v for v in await list_connections(ctx, host)}
            if demo.provider is not None:
                card = cards[demo.provider]
                assert card.connected
                assert card.status is IntegrationStatus.ACTIVE
                assert card.account_email == demo.calendar_account
                assert card.problem is None
        offered = {}
        for slug in ("hana-teams", "gus-meet", "nina-chat"):
            result = await list_slots(
                ctx, slug, first_day=day.date(), last_day=day.date(), timezone="Europe/Berlin"
            )
            offered[slug] = {s.start.astimezone(DEMO_ZONE).hour for s in result.slots if s.start.minute == 0}
        assert 10 not in offered["hana-teams"]  # "Roadmap review (booked in Outlook)"
        assert 11 not in offered["gus-meet"]  # "Design review (booked in Google Calendar)"
        assert {9, 10, 11} <= offered["nina-chat"]
        assert 9 in offered["hana-teams"]
        made = await book(
            ctx, "hana-teams", start=day, name="Newcomer", email="new@example.test", timezone="Europe/Berlin"
        )
        assert made.host_email == "hana@workestra.test"


async def test_the_demo_team_link_books_each_rep_with_their_own_meeting_link(
    tmp_path: Path, sandbox_server: SandboxServer, sandbox: SandboxControl
) -> None:
    settings = demo_settings(tmp_path, sandbox_server)
    await _seed_sandbox(sandbox_server, settings)
    await _seed_workestra(settings, sandbox_server)
    await sandbox.reset()  # a restarted demo: the team and its link are there once, as they were
    await _seed_sandbox(sandbox_server, settings)
    await _seed_workestra(settings, sandbox_server)

    slug = TEAM_LINK[0]
    day = next_workday_at_nine()
    async with service_context(settings) as ctx:
        result = await list_slots(
            ctx, slug, first_day=day.date(), last_day=day.date(), timezone="Europe/Berlin"
        )
        offered = {s.start.astimezone(DEMO_ZONE).hour for s in result.slots if s.start.minute == 0}
        # 10:00 Hana is in Outlook and 11:00 Gus in Google Calendar: the others are free.
        assert {9, 10, 11, 12} <= offered

        noon = day + timedelta(hours=3)  # everybody is free
        made = [
            await book(
                ctx, slug, start=noon, name=f"Invitee {n}", email=f"invitee{n}@example.test", timezone="UTC"
            )
            for n in range(3)
        ]
        assert sorted(b.host_email for b in made) == sorted(h.email for h in DEMO_HOSTS)  # one each
        with pytest.raises(SlotUnavailable):  # all three are booked at noon now
            await book(ctx, slug, start=noon, name="Late", email="late@example.test", timezone="UTC")

        await run_worker(ctx)
        links = {b.host_email: (await public_booking(ctx, b.id)).meeting_url for b in made}
    assert (links["hana@workestra.test"] or "").startswith("https://teams.microsoft.com/")
    assert (links["gus@workestra.test"] or "").startswith("https://meet.google.com/")
    assert links["nina@workestra.test"] is None
