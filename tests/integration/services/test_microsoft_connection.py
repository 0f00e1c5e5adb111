"""Connecting Microsoft 365 through the identity-platform sandbox: tokens, slots, refresh, problems."""

import asyncio
import dataclasses
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import create_async_engine

from tests.support.builders import make_host, service_context
from tests.support.clock import FixedClock
from tests.support.microsoft import MS, authorize, connect_microsoft, register_app
from tests.support.sandbox import SandboxControl
from tests.support.waiting import eventually
from workestra.calendars.base import AccountProfile, OAuthClient, TokenGrant
from workestra.calendars.errors import CalendarError, NeedsReauth, ProviderUnavailable
from workestra.calendars.registry import CalendarRegistry
from workestra.clock import SystemClock
from workestra.config import Settings
from workestra.db.models import OAuthState, UserIntegration
from workestra.enums import (
    AccountKind,
    CalendarProviderName,
    ConnectionProblem,
    IntegrationProvider,
    IntegrationStatus,
)
from workestra.errors import ConnectionFailed, Forbidden
from workestra.services.connections import (
    ConnectionView,
    check_connection,
    complete_connection,
    disconnect,
    list_connections,
)
from workestra.services.context import ServiceContext
from workestra.services.credentials import FORCED_REFRESH_INTERVAL, ConnectionCredentials
from workestra.services.users import Host

ALICE = "alice@contoso.test"


@pytest.fixture
async def settings(database_url: str, sandbox: SandboxControl, make_settings: object) -> Settings:
    from tests.conftest import SettingsFactory

    assert callable(make_settings)
    factory: SettingsFactory = make_settings
    configured = factory(database_url=database_url)
    await register_app(sandbox, configured.base_url)
    await sandbox.create_microsoft_user(email=ALICE, display_name="Alice Contoso")
    return configured


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(SystemClock().now())


@pytest.fixture
async def ctx(settings: Settings, clock: FixedClock) -> AsyncIterator[ServiceContext]:
    async with service_context(settings, clock=clock) as context:
        yield context


@pytest.fixture
async def host(ctx: ServiceContext) -> Host:
    return (await make_host(ctx))[1]


async def refresh(ctx: ServiceContext, host: Host) -> str:
    credentials = ConnectionCredentials(ctx, host.id, MS)
    return await credentials.access_token(rejected=await credentials.access_token())


async def _row(ctx: ServiceContext, host: Host, provider: str = MS) -> UserIntegration:
    async with ctx.uow() as uow:
        row = await uow.integrations.get(host.id, provider)
    assert row is not None
    return row


def lease_running(row: UserIntegration, now: datetime) -> bool:
    """A refresh lease is running (a settled one keeps its end, in the past)."""
    return row.refresh_lease_until is not None and row.refresh_lease_until > now


async def test_connecting_stores_the_account_in_the_microsoft_calendar_slot(
    ctx: ServiceContext, host: Host, sandbox: SandboxControl
) -> None:
    view = await connect_microsoft(ctx, host, sandbox, email=ALICE)
    assert view.connected
    assert view.account_email == ALICE
    assert view.status is IntegrationStatus.ACTIVE
    assert view.problem is None
    assert view.meeting_link_available is True
    assert view.meeting_link == "Microsoft Teams"
    assert {"Calendars.ReadWrite", "OnlineMeetings.ReadWrite", "User.Read"} <= set(view.scopes)
    row = await _row(ctx, host)
    assert row.provider == "microsoft_calendar"
    requests = await sandbox.microsoft_requests()
    assert any(r["method"] == "GET" and r["path"].endswith("/me") for r in requests)


async def test_tokens_are_encrypted_at_rest_and_never_logged(
    sqlite_url: str, sandbox: SandboxControl, make_settings: object, caplog: pytest.LogCaptureFixture
) -> None:
    from tests.conftest import SettingsFactory
    from workestra.db.migrate import upgrade_to_head

    assert callable(make_settings)
    factory: SettingsFactory = make_settings
    settings = factory(database_url=sqlite_url)
    await upgrade_to_head(sqlite_url)
    await register_app(sandbox, settings.base_url)
    await sandbox.create_microsoft_user(email=ALICE, display_name="Alice Contoso")
    caplog.set_level(logging.DEBUG)
    async with service_context(settings) as ctx:
        host = (await make_host(ctx))[1]
        await connect_microsoft(ctx, host, sandbox, email=ALICE)
        await sandbox.expire_access_tokens(ALICE)
        await check_connection(ctx, host, MS)  # 401 → refresh → retry, all logged at DEBUG
        row = await _row(ctx, host)
        access = ctx.token_box.open(row.access_token_enc)
        assert row.refresh_token_enc is not None
        refresh = ctx.token_box.open(row.refresh_token_enc)
    raw = b"".join(
        p.read_bytes() for p in Path(sqlite_url.split("///", 1)[1]).parent.glob("workestra.sqlite3*")
    )
    for secret in (access, refresh):
        assert secret.encode() not in raw
        assert secret not in caplog.text


async def test_a_microsoft_mail_slot_is_never_touched(
    ctx: ServiceContext, host: Host, sandbox: SandboxControl, clock: FixedClock
) -> None:
    now = ctx.clock.now()
    async with ctx.uow(write=True) as uow:
        uow.integrations.add(
            UserIntegration(
                user_id=host.id,
                provider=IntegrationProvider.MICROSOFT_MAIL,
                account_id="mail-1",
                account_email=ALICE,
                display_name="Alice mail",
                scopes="Mail.Read offline_access",
                access_token_enc=ctx.token_box.seal("mail-access"),
                refresh_token_enc=ctx.token_box.seal("mail-refresh"),
                expires_at=now + timedelta(hours=1),
                status=IntegrationStatus.ACTIVE,
                token_version=7,
                created_at=now,
                updated_at=now,
            )
        )
        await uow.commit()

    async def snapshot() -> tuple[object, ...]:
        async with ctx.uow() as uow:
            row = (
                await uow.session.scalars(
                    select(UserIntegration).where(
                        UserIntegration.user_id == host.id, UserIntegration.provider == "microsoft_mail"
                    )
                )
            ).one()
            return tuple(getattr(row, c.key) for c in UserIntegration.__table__.columns)

    before = await snapshot()
    await connect_microsoft(ctx, host, sandbox, email=ALICE)
    await refresh(ctx, host)
    await sandbox.set_refresh_fault(ALICE, "revoked")
    clock.advance(FORCED_REFRESH_INTERVAL)  # a refused token is refreshed once a minute at most
    with pytest.raises(NeedsReauth):
        await refresh(ctx, host)
    await disconnect(ctx, host, MS)
    assert await snapshot() == before
    views = {v.provider: v for v in await list_connections(ctx, host)}
    assert not views[MS].connected


async def test_every_refresh_stores_the_newest_refresh_token(
    ctx: ServiceContext, host: Host, sandbox: SandboxControl
) -> None:
    await connect_microsoft(ctx, host, sandbox, email=ALICE)
    first = await _row(ctx, host)
    await refresh(ctx, host)
    second = await _row(ctx, host)
    assert second.token_version == first.token_version + 1
    assert ctx.token_box.open(second.refresh_token_enc or "") != ctx.token_box.open(
        first.refresh_token_enc or ""
    )


async def test_graph_401_triggers_one_refresh_and_the_call_succeeds(
    ctx: ServiceContext, host: Host, sandbox: SandboxControl
) -> None:
    await connect_microsoft(ctx, host, sandbox, email=ALICE)
    before = await _row(ctx, host)
    await sandbox.expire_access_tokens(ALICE)
    view = await check_connection(ctx, host, MS)
    assert view.problem is None
    assert view.status is IntegrationStatus.ACTIVE
    assert (await _row(ctx, host)).token_version == before.token_version + 1


async def _refreshes(sandbox: SandboxControl) -> int:
    return sum(
        1
        for r in await sandbox.microsoft_requests()
        if r["path"].endswith("/oauth2/v2.0/token") and (r["body"] or {}).get("grant_type") == "refresh_token"
    )


async def test_two_processes_refreshing_at_once_end_with_a_working_connection(
    settings: Settings, ctx: ServiceContext, host: Host, sandbox: SandboxControl, clock: FixedClock
) -> None:
    await connect_microsoft(ctx, host, sandbox, email=ALICE)
    before = await _refreshes(sandbox)
    refused = await ConnectionCredentials(ctx, host.id, MS).access_token()
    async with service_context(settings, clock=clock) as other_process:
        # Both processes got a 401 for the same token at once.
        tokens = await asyncio.gather(
            ConnectionCredentials(ctx, host.id, MS).access_token(rejected=refused),
            ConnectionCredentials(other_process, host.id, MS).access_token(rejected=refused),
        )
    # One refresh: the process that waited used the token the other one stored.
    assert await _refreshes(sandbox) == before + 1
    assert tokens[0] == tokens[1]
    row = await _row(ctx, host)
    assert not lease_running(row, clock.now())
    # The stored refresh token is a live one: the next refresh (a minute later) works and Graph answers.
    clock.advance(FORCED_REFRESH_INTERVAL)
    await refresh(ctx, host)
    assert (await check_connection(ctx, host, MS)).status is IntegrationStatus.ACTIVE


@pytest.mark.parametrize(
    ("fault", "problem"),
    [
        ("inactive", ConnectionProblem.EXPIRED),
        ("revoked", ConnectionProblem.REVOKED),
        ("consent_missing", ConnectionProblem.CONSENT_MISSING),
    ],
)
async def test_a_dead_grant_marks_the_connection_for_reconnect(
    ctx: ServiceContext, host: Host, sandbox: SandboxControl, fault: str, problem: ConnectionProblem
) -> None:
    await connect_microsoft(ctx, host, sandbox, email=ALICE)
    await sandbox.set_refresh_fault(ALICE, fault)  # type: ignore[arg-type]  # a RefreshFaultKind
    with pytest.raises(NeedsReauth):
        await refresh(ctx, host)
    [view] = [v for v in await list_connections(ctx, host) if v.provider == MS]
    assert view.status is IntegrationStatus.NEEDS_REAUTH
    assert view.problem is problem
    assert view.needs_reconnect
    assert view.problem_message
    assert "Reconnect" in view.problem_message


async def test_a_personal_account_is_told_it_has_no_teams(
    ctx: ServiceContext, host: Host, sandbox: SandboxControl
) -> None:
    await sandbox.create_microsoft_user(
        email="bob@outlook.test", display_name="Bob", kind="personal", teams=False
    )
    view = await connect_microsoft(ctx, host, sandbox, email="bob@outlook.test")
    assert view.account_kind is AccountKind.PERSONAL
    assert view.meeting_link_available is False
    assert view.problem is ConnectionProblem.PERSONAL_ACCOUNT
    assert view.problem_message
    assert "Teams for Business" in view.problem_message


async def test_a_missing_teams_permission_is_named(
    ctx: ServiceContext, host: Host, sandbox: SandboxControl
) -> None:
    await sandbox.drop_scope(ALICE, "OnlineMeetings.ReadWrite")
    view = await connect_microsoft(ctx, host, sandbox, email=ALICE)
    assert view.problem is ConnectionProblem.MISSING_SCOPE
    assert view.problem_message
    assert "Teams links can't be created" in view.problem_message
    assert view.needs_reconnect


async def test_a_mailbox_without_calendar_says_calendar_not_found(
    ctx: ServiceContext, host: Host, sandbox: SandboxControl
) -> None:
    await sandbox.set_microsoft_user(ALICE, has_calendar=False)
    view = await connect_microsoft(ctx, host, sandbox, email=ALICE)
    assert view.problem is ConnectionProblem.CALENDAR_NOT_FOUND
    assert view.problem_message
    assert "Calendar not found" in view.problem_message


async def test_a_callback_replayed_in_another_session_connects_nothing_and_spares_the_hosts_flow(
    ctx: ServiceContext, host: Host, sandbox: SandboxControl
) -> None:
    await sandbox.set_auto_consent(ALICE)
    params = await authorize(ctx, host, session_id="alice-browser")
    intruder = (await make_host(ctx, name="Mallory"))[1]
    for who, session in ((intruder, "mallory-browser"), (host, "mallory-browser")):
        with pytest.raises(Forbidden):
            await complete_connection(
                ctx, who, MS, session_id=session, state=params["state"], code=params["code"]
            )
    assert not [v for v in await list_connections(ctx, intruder) if v.connected]
    assert not [v for v in await list_connections(ctx, host) if v.connected]
    view = await complete_connection(
        ctx, host, MS, session_id="alice-browser", state=params["state"], code=params["code"]
    )
    assert (view.connected, view.account_email) == (True, ALICE)
    with pytest.raises(ConnectionFailed):  # and a state is used once
        await complete_connection(
            ctx, host, MS, session_id="alice-browser", state=params["state"], code=params["code"]
        )


@pytest.mark.parametrize(
    ("error", "description", "words"),
    [
        ("access_denied", "AADSTS65004: User declined to consent to access the app.", "cancelled"),
        ("consent_required", "AADSTS65004: User declined to consent to access the app.", "cancelled"),
        ("access_denied", "AADSTS90094: Admin consent is required.", "administrator"),
    ],
)
async def test_consent_cancelled_or_admin_approval_needed_is_said_plainly(
    ctx: ServiceContext, host: Host, sandbox: SandboxControl, error: str, description: str, words: str
) -> None:
    await sandbox.set_auto_consent(ALICE)
    params = await authorize(ctx, host, session_id="s")
    with pytest.raises(ConnectionFailed) as failed:
        await complete_connection(
            ctx,
            host,
            MS,
            session_id="s",
            state=params["state"],
            code=None,
            error=error,
            error_description=description,
        )
    assert words in failed.value.message
    assert not [v for v in await list_connections(ctx, host) if v.connected]


async def test_an_access_token_is_refreshed_before_it_expires(
    settings: Settings, host: Host, sandbox: SandboxControl
) -> None:
    clock = FixedClock(SystemClock().now())
    async with service_context(settings, clock=clock) as ctx:
        await connect_microsoft(ctx, host, sandbox, email=ALICE)
        first = await _row(ctx, host)
        credentials = ConnectionCredentials(ctx, host.id, MS)
        token = await credentials.access_token()
        clock.advance(first.expires_at - clock.now() - timedelta(minutes=5))
        assert await credentials.access_token() == token  # still well before expiry
        before = await _refreshes(sandbox)
        clock.advance(timedelta(minutes=4))  # within the refresh margin: refresh before any 401
        renewed = await credentials.access_token()
        assert renewed != token
        assert await _refreshes(sandbox) == before + 1
        assert (await _row(ctx, host)).expires_at > first.expires_at


class GatedOAuth:
    """The real Microsoft OAuth client whose refresh waits for a gate (to stage a race)."""

    def __init__(self, real: OAuthClient, gate: asyncio.Event) -> None:
        self._real = real
        self._gate = gate
        self.started = asyncio.Event()
        self.permissions = real.permissions

    def authorization_url(
        self, *, state: str, code_verifier: str, redirect_uri: str, login_hint: str | None = None
    ) -> str:
        return self._real.authorization_url(
            state=state, code_verifier=code_verifier, redirect_uri=redirect_uri, login_hint=login_hint
        )

    async def exchange_code(self, *, code: str, code_verifier: str, redirect_uri: str) -> TokenGrant:
        return await self._real.exchange_code(
            code=code, code_verifier=code_verifier, redirect_uri=redirect_uri
        )

    async def refresh(self, refresh_token: str) -> TokenGrant:
        self.started.set()  # the lease is taken by now
        await self._gate.wait()
        return await self._real.refresh(refresh_token)

    async def fetch_profile(self, access_token: str) -> AccountProfile:
        return await self._real.fetch_profile(access_token)

    def authorization_error(self, error: str, description: str | None) -> CalendarError:
        return self._real.authorization_error(error, description)


async def test_a_refresh_that_fails_after_the_host_reconnected_leaves_the_new_connection_alone(
    ctx: ServiceContext, host: Host, sandbox: SandboxControl
) -> None:
    await connect_microsoft(ctx, host, sandbox, email=ALICE)
    await sandbox.set_refresh_fault(ALICE, "revoked")  # the refresh token in hand is now dead
    gate = asyncio.Event()
    registry = ctx.calendars
    gated = GatedOAuth(registry.oauth(MS), gate)
    calendars = (CalendarProviderName.NONE, CalendarProviderName.MICROSOFT)
    slow = CalendarRegistry({name: registry.calendar(name) for name in calendars}, {MS: gated})
    stale = ConnectionCredentials(dataclasses.replace(ctx, calendars=slow), host.id, MS)
    refused = await stale.access_token()
    refreshing = asyncio.create_task(stale.access_token(rejected=refused))
    await gated.started.wait()
    reconnected = await connect_microsoft(ctx, host, sandbox, email=ALICE, session_id="again")
    gate.set()
    with pytest.raises(NeedsReauth):
        await refreshing
    row = await _row(ctx, host)
    assert row.status == IntegrationStatus.ACTIVE
    assert row.problem is None
    assert not lease_running(row, ctx.clock.now())
    assert row.refresh_lease_until is None  # the new grant was never refreshed: its first 401 refreshes
    assert reconnected.status is IntegrationStatus.ACTIVE
    assert (await check_connection(ctx, host, MS)).status is IntegrationStatus.ACTIVE


async def test_a_token_refused_right_after_a_refresh_is_an_outage_not_another_refresh(
    settings: Settings, ctx: ServiceContext, host: Host, sandbox: SandboxControl, clock: FixedClock
) -> None:
    await connect_microsoft(ctx, host, sandbox, email=ALICE)
    renewed = await refresh(ctx, host)  # Graph refused the first token: refreshed at once
    before = (await _refreshes(sandbox), await _row(ctx, host))
    async with service_context(settings, clock=clock) as other_process:
        for process in (ctx, other_process):  # Graph refuses the new one too, moments later
            with pytest.raises(ProviderUnavailable) as caught:
                await ConnectionCredentials(process, host.id, MS).access_token(rejected=renewed)
            assert not isinstance(caught.value, NeedsReauth)
            assert caught.value.retry_after == FORCED_REFRESH_INTERVAL.total_seconds()
    after = await _row(ctx, host)
    assert await _refreshes(sandbox) == before[0]  # no call to the token endpoint
    assert (after.token_version, after.updated_at, after.refresh_lease_until) == (
        before[1].token_version,
        before[1].updated_at,
        before[1].refresh_lease_until,
    )
    assert after.status == IntegrationStatus.ACTIVE

    clock.advance(FORCED_REFRESH_INTERVAL)  # a minute later, a refused token is refreshed again
    assert await ConnectionCredentials(ctx, host.id, MS).access_token(rejected=renewed) != renewed
    assert await _refreshes(sandbox) == before[0] + 1


async def _code_exchanges(sandbox: SandboxControl) -> int:
    return sum(
        1
        for r in await sandbox.microsoft_requests()
        if r["path"].endswith("/oauth2/v2.0/token")
        and (r["body"] or {}).get("grant_type") == "authorization_code"
    )


@asynccontextmanager
async def held_on_postgres(url: str, state: str, *, until_waiting: int) -> AsyncIterator[None]:
    """On PostgreSQL, hold the state's row locked while the body starts its callbacks, and let go
    once ``until_waiting`` of them are queued on a lock: they all got that far before any went on.
    (SQLite runs one write transaction at a time, so there is nothing to hold.)"""
    if not url.startswith("postgresql"):
        yield
        return
    engine = create_async_engine(url)
    try:
        async with engine.connect() as holder, engine.connect() as watcher:
            lock = await holder.begin()
            await holder.execute(select(OAuthState).where(OAuthState.state == state).with_for_update())
            yield

            async def waiting() -> bool:
                queued: int | None = await watcher.scalar(
                    text(
                        "SELECT count(*) FROM pg_stat_activity "
                        "WHERE datname = current_database() AND wait_event_type = 'Lock'"
                    )
                )
                await watcher.rollback()  # a fresh snapshot each time
                return queued == until_waiting

            await eventually(waiting, what=f"{until_waiting} callbacks waiting on the state")
            await lock.commit()
    finally:
        await engine.dispose()


async def test_callbacks_racing_with_one_state_connect_once(
    settings: Settings, ctx: ServiceContext, host: Host, sandbox: SandboxControl, clock: FixedClock
) -> None:
    """The same callback arriving several times at once (a double click, a retried request, two
    serve processes): the state is used once, so the code is exchanged once and one connects."""
    await sandbox.set_auto_consent(ALICE)
    params = await authorize(ctx, host, session_id="alice-browser")
    async with (
        service_context(settings, clock=clock) as second,
        service_context(settings, clock=clock) as third,
    ):
        processes = (ctx, second, third)
        async with held_on_postgres(settings.database_url, params["state"], until_waiting=len(processes)):
            callbacks = [
                asyncio.create_task(
                    complete_connection(
                        process,
                        host,
                        MS,
                        session_id="alice-browser",
                        state=params["state"],
                        code=params["code"],
                    )
                )
                for process in processes
            ]
        outcomes = await asyncio.gather(*callbacks, return_exceptions=True)
    connected = [o for o in outcomes if isinstance(o, ConnectionView)]
    refused = [o for o in outcomes if isinstance(o, ConnectionFailed)]
    assert (len(connected), len(refused)) == (1, 2), outcomes
    assert (connected[0].connected, connected[0].account_email) == (True, ALICE)
    for failure in refused:  # told the link was used, not that connecting failed
        assert failure.message == (
            "This sign-in response isn't valid any more (it was used already or has expired). "
            "Start again from Connected Accounts."
        )
    assert await _code_exchanges(sandbox) == 1
    row = await _row(ctx, host)
    assert (row.status, row.token_version) == (IntegrationStatus.ACTIVE, 1)  # stored once
