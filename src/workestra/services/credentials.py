"""Access tokens for one connection: decrypted from its row, refreshed under a lease, stored again.

Tokens leave this module only encrypted (into the database) or as a bearer token for an adapter.
"""

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from workestra.calendars.base import PRIMARY_ONLY, CalendarChoice, TokenGrant
from workestra.calendars.busy_rules import BusyRules
from workestra.calendars.errors import NeedsReauth, ProviderUnavailable
from workestra.db.models import UserIntegration
from workestra.enums import ConnectionProblem, IntegrationProvider, IntegrationStatus
from workestra.security import TokenBoxError
from workestra.services.context import ServiceContext
from workestra.services.problems import problem_for

logger = logging.getLogger(__name__)

REFRESH_MARGIN = timedelta(minutes=2)
REFRESH_LEASE = timedelta(seconds=30)
# A token refused within this long after a refresh ended is not refreshed again: the provider is refusing
# good tokens (an outage), and every anonymous view of a 401 storm must not cost a refresh.
FORCED_REFRESH_INTERVAL = timedelta(minutes=1)
LEASE_WAIT_SECONDS = 0.05
LEASE_WAIT_ROUNDS = 600  # up to ~30 s, the lease's own length


def store_grant(ctx: ServiceContext, row: UserIntegration, grant: TokenGrant, *, now: datetime) -> None:
    row.access_token_enc = ctx.token_box.seal(grant.access_token)
    # Every answer's refresh token is stored; an answer without one (Google's refreshes) keeps ours.
    if grant.refresh_token:
        row.refresh_token_enc = ctx.token_box.seal(grant.refresh_token)
    row.expires_at = now + timedelta(seconds=grant.expires_in)
    row.scopes = " ".join(sorted(grant.scopes))
    row.token_version = (row.token_version or 0) + 1
    row.updated_at = now


def open_token(ctx: ServiceContext, sealed: str) -> str:
    """Decrypt a stored token; one sealed under another secret key means the host must reconnect."""
    try:
        return ctx.token_box.open(sealed)
    except TokenBoxError as exc:
        raise NeedsReauth("stored token can't be decrypted (secret key changed?)", reason="revoked") from exc


def calendar_choice_of(row: UserIntegration) -> CalendarChoice:
    """The connection's stored choice of calendars and busy rules, as the port carries it."""
    choice = CalendarChoice(
        conflict_calendars=tuple(row.conflict_calendar_ids or ()),
        destination=row.destination_calendar_id or None,
        busy_rules=BusyRules(
            tentative_blocks=row.busy_tentative is not False,
            working_elsewhere_blocks=bool(row.busy_working_elsewhere),
            all_day_free_blocks=bool(row.busy_all_day_free),
        ),
    )
    return PRIMARY_ONLY if choice == PRIMARY_ONLY else choice


@dataclass(frozen=True, slots=True)
class _Lease:
    version: int  # the connection's token_version when the lease was taken
    until: datetime  # identifies this lease on the row
    refresh_token: str = field(repr=False)


class ConnectionCredentials:
    """CredentialSource over one ``user_integrations`` row: refreshes before expiry or on demand.

    Refreshes are serialised per connection by a lease on the row (no transaction stays open across
    the network call); a process that waited re-reads the row and uses the token the other stored,
    so concurrent refreshers never lose a rotation and the provider sees one refresh. A settled
    lease keeps its end (``refresh_lease_until`` in the past: free, and when the last refresh
    ended), so a refused token is refreshed at most once per ``FORCED_REFRESH_INTERVAL`` per
    connection across processes; within it, the refusal is an outage and nothing is written.
    """

    def __init__(self, ctx: ServiceContext, user_id: str, provider: IntegrationProvider) -> None:
        self._ctx = ctx
        self._user_id = user_id
        self._provider = provider
        self.problem: ConnectionProblem | None = None  # the card's note, as last read
        # One use case (a slots request, a job) reads the row once; later pages reuse the token.
        self._token: tuple[str, datetime] | None = None
        self.token_version: int | None = None  # of the row as last read: guards late problem notes
        self._choice: CalendarChoice | None = None  # of the row as last read (ChoosesCalendars)

    @property
    def connection_key(self) -> str:
        return f"{self._provider}:{self._user_id}"

    async def calendar_choice(self) -> CalendarChoice:
        """The connection's calendars and busy rules (``ChoosesCalendars``), read with its token:
        the row is read once per use case, and a later ``access_token`` reuses that read."""
        if self._choice is None:
            await self.access_token()
        return self._choice if self._choice is not None else PRIMARY_ONLY

    async def access_token(self, *, rejected: str | None = None) -> str:
        ctx = self._ctx
        if self._token is not None and rejected is None and self._token[1] - REFRESH_MARGIN > ctx.clock.now():
            return self._token[0]
        return await self._current_or_refreshed(rejected)

    async def _current_or_refreshed(self, rejected: str | None) -> str:
        ctx = self._ctx
        async with ctx.uow() as uow:
            row = await uow.integrations.get(self._user_id, self._provider)
            if row is None:
                raise NeedsReauth("not connected", reason="revoked")
            if row.status != IntegrationStatus.ACTIVE:
                raise NeedsReauth(f"connection is {row.status}", reason=row.problem or "revoked")
            self.problem = ConnectionProblem(row.problem) if row.problem else None
            self._choice = calendar_choice_of(row)
            fresh = row.expires_at - REFRESH_MARGIN > ctx.clock.now()
            self.token_version = row.token_version
            if fresh:
                stored = open_token(ctx, row.access_token_enc)
                if stored != rejected:  # fresh, and not the one refused (or someone refreshed it)
                    self._token = (stored, row.expires_at)
                    return stored
                wait = _forced_refresh_wait(row, ctx.clock.now())
                if wait is not None:
                    raise _refused_again(wait)  # read only: no lease, no write
            seen = row.token_version
        return await self._refresh(seen_version=seen, forced=fresh)

    async def _refresh(self, *, seen_version: int, forced: bool) -> str:
        """Refresh once per connection across processes: take a short lease in one transaction,
        call the identity provider outside any transaction, store the result in another.
        ``forced``: the token is refused before its expiry (a 401 from the provider)."""
        ctx = self._ctx
        oauth = ctx.calendars.oauth(self._provider)
        lease: _Lease | None = None
        for _ in range(LEASE_WAIT_ROUNDS):
            async with ctx.uow(write=True) as uow:
                row = await uow.integrations.get(self._user_id, self._provider, for_update=True)
                if row is None:
                    raise NeedsReauth("not connected", reason="revoked")
                now = ctx.clock.now()
                fresh = row.expires_at - REFRESH_MARGIN > now
                if row.token_version != seen_version and fresh:
                    return self._remember(row)  # another process refreshed meanwhile
                wait = _forced_refresh_wait(row, now) if forced and fresh else None
                if wait is not None:
                    raise _refused_again(wait)  # the refresh this one waited for failed moments ago
                if row.status != IntegrationStatus.ACTIVE:
                    raise NeedsReauth(f"connection is {row.status}", reason=row.problem or "revoked")
                if row.refresh_token_enc is None:
                    raise NeedsReauth("no refresh token", reason="expired")
                if row.refresh_lease_until is None or row.refresh_lease_until <= now:
                    row.refresh_lease_until = now + REFRESH_LEASE
                    lease = _Lease(
                        row.token_version, row.refresh_lease_until, open_token(ctx, row.refresh_token_enc)
                    )
                    await uow.commit()
                    break
            await asyncio.sleep(LEASE_WAIT_SECONDS)
        if lease is None:
            raise ProviderUnavailable("another process is still refreshing this connection")
        try:
            grant = await oauth.refresh(lease.refresh_token)
        except NeedsReauth as exc:
            await asyncio.shield(self._settle(lease, problem=problem_for(exc)))
            logger.info("connection %s needs reauth (%s)", self.connection_key, exc.reason)
            raise
        except BaseException:
            await asyncio.shield(self._settle(lease))
            raise
        # Shielded: a cancelled caller must not lose the rotated refresh token or keep the lease.
        return await asyncio.shield(self._settle(lease, grant=grant))

    async def _settle(
        self, lease: _Lease, *, grant: TokenGrant | None = None, problem: ConnectionProblem | None = None
    ) -> str:
        """End the lease: store the new grant or mark the connection dead, but only if the row is
        still the connection that was leased (the host may have reconnected meanwhile)."""
        ctx = self._ctx
        async with ctx.uow(write=True) as uow:
            row = await uow.integrations.get(self._user_id, self._provider, for_update=True)
            if row is None:
                raise NeedsReauth("disconnected during refresh", reason="revoked")
            now = ctx.clock.now()
            still_ours = row.refresh_lease_until == lease.until
            current = still_ours and row.token_version == lease.version
            if still_ours:
                # Ended now: free, and the time of the last refresh of these tokens. If the host
                # reconnected meanwhile, the new grant has never been refreshed: none is recorded.
                row.refresh_lease_until = now if current else None
            if current and grant is not None:
                store_grant(ctx, row, grant, now=now)
            elif current and problem is not None:
                row.status = IntegrationStatus.NEEDS_REAUTH
                row.problem, row.last_error, row.updated_at = problem, None, now
            await uow.commit()
            if grant is None:
                return ""
            return self._remember(row)

    def _remember(self, row: UserIntegration) -> str:
        self._choice = calendar_choice_of(row)
        token = open_token(self._ctx, row.access_token_enc)
        self._token = (token, row.expires_at)
        self.token_version = row.token_version
        return token


def _forced_refresh_wait(row: UserIntegration, now: datetime) -> timedelta | None:
    """How long until a refused token of this connection may be refreshed again: None unless a
    refresh ended (whatever its outcome) less than ``FORCED_REFRESH_INTERVAL`` ago. A lease still
    running is not counted here: its waiters wait for its result instead."""
    ended = row.refresh_lease_until
    if ended is None or not ended <= now < ended + FORCED_REFRESH_INTERVAL:
        return None
    return ended + FORCED_REFRESH_INTERVAL - now


def _refused_again(wait: timedelta) -> ProviderUnavailable:
    """The provider refused a token of a connection refreshed moments ago: an outage, not a reason to
    refresh again (the worker waits at least ``retry_after``)."""
    return ProviderUnavailable(
        "the provider refused a token although this connection was refreshed moments ago",
        retry_after=max(wait.total_seconds(), 1.0),
    )
