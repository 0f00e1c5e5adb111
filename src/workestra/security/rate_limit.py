"""Rate limits: named budgets, each counted per key (a client address, an email) in fixed windows.

Counts live in this process, or in Redis when a URL is given, so that every server process spends
one shared budget. The counting is the maintained `limits` library's; this module only names the
budgets, holds their default sizes (the one place for them) and says how long to wait when one is
spent.
"""

import hashlib
import logging
import math
import time
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from enum import StrEnum

from limits import RateLimitItem, parse_many
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import FixedWindowRateLimiter
from limits.errors import StorageError
from redis.asyncio import ConnectionPool

logger = logging.getLogger(__name__)


class Budget(StrEnum):
    PAGES_PER_CLIENT = "pages_per_client"
    SLOTS_PER_CLIENT = "slots_per_client"
    BOOKINGS_PER_CLIENT = "bookings_per_client"
    BOOKINGS_PER_EMAIL = "bookings_per_email"
    CHANGES_PER_CLIENT = "changes_per_client"
    LOGINS_PER_CLIENT = "logins_per_client"
    LOGINS_PER_EMAIL_AND_CLIENT = "logins_per_email_and_client"


# In the `limits` notation; several windows are separated by ";". Sized so that people are never
# refused: a booking page asks for one week of slots per navigation or time-zone change, and an
# invitee may rebook a few times in a minute. A client making sixty bookings in five seconds, or
# mailing one address over and over, is stopped early.
DEFAULT_LIMITS: Mapping[Budget, str] = {
    # Public pages read only our database (the confirmation page polls every few seconds).
    Budget.PAGES_PER_CLIENT: "120/minute;2000/hour",
    Budget.SLOTS_PER_CLIENT: "60/minute;600/hour",
    Budget.BOOKINGS_PER_CLIENT: "10/minute;30/hour",
    Budget.BOOKINGS_PER_EMAIL: "5/10 minutes;20/day",
    # An invitee's reschedules and cancellations (each reads the calendar live and mails both sides).
    Budget.CHANGES_PER_CLIENT: "10/minute;60/hour",
    Budget.LOGINS_PER_CLIENT: "100/15 minutes",
    Budget.LOGINS_PER_EMAIL_AND_CLIENT: "10/15 minutes",
}


@dataclass(frozen=True, slots=True)
class Spent:
    """A budget was used up for a key: ``retry_after`` whole seconds until it allows again."""

    budget: Budget
    retry_after: int


def _storage(redis: ConnectionPool | None, key_prefix: str) -> Storage:
    if redis is None:
        return MemoryStorage()
    return RedisStorage(
        "async+redis://",
        implementation="redispy",
        connection_pool=redis,  # type: ignore[arg-type]  # taken by limits' redis-py bridge; typed as scalars
        key_prefix=f"{key_prefix}:limits",
        wrap_exceptions=True,
    )


def _limits(overrides: Mapping[str, str]) -> dict[Budget, list[RateLimitItem]]:
    unknown = set(overrides) - set(Budget)
    if unknown:
        raise ValueError(f"unknown rate-limit budgets: {sorted(unknown)}; known: {[b.value for b in Budget]}")
    return {budget: parse_many(overrides.get(budget, DEFAULT_LIMITS[budget])) for budget in Budget}


def _identity(key: str) -> str:
    """Keys may be email addresses: counters are kept under a digest, never the address itself."""
    return hashlib.sha256(key.encode()).hexdigest()[:32]


@asynccontextmanager
async def _failing_open(action: str, budget: Budget) -> AsyncIterator[None]:
    """A storage outage is logged and let through: a rate limit must not take a page down with it."""
    try:
        yield
    except StorageError as exc:
        logger.error("rate-limit storage unavailable, not %s %s: %s", action, budget, exc.storage_error)


class RateLimiter:
    """Spends and checks budgets. A storage outage lets requests through (logged): a rate limit must
    not take the booking page down with it."""

    def __init__(
        self,
        *,
        redis_url: str | None = None,
        key_prefix: str = "workestra",
        overrides: Mapping[str, str] | None = None,
    ) -> None:
        self._limits = _limits(overrides or {})
        # Our own connection pool (connections open on first use), so that aclose() can close it.
        self._redis = (
            ConnectionPool.from_url(redis_url, socket_connect_timeout=2.0, socket_timeout=2.0)
            if redis_url
            else None
        )
        self._limiter = FixedWindowRateLimiter(_storage(self._redis, key_prefix))

    async def aclose(self) -> None:
        if self._redis is not None:
            await self._redis.aclose()

    async def spend(self, budget: Budget, key: str) -> Spent | None:
        """Count one request against ``budget`` for ``key``; a ``Spent`` when the budget is used up
        (that request is refused and counts nowhere else)."""
        identity = _identity(key)
        async with _failing_open("counting", budget):
            for item in self._limits[budget]:
                if not await self._limiter.hit(item, budget, identity):
                    return Spent(budget, await self._retry_after(item, budget, identity))
        return None

    async def refund(self, budget: Budget, key: str) -> None:
        """Give back one request of ``budget`` that ``key`` spent (in every window it counts in)."""
        identity = _identity(key)
        async with _failing_open("refunding", budget):
            for item in self._limits[budget]:
                await self._limiter.hit(item, budget, identity, cost=-1)

    async def spend_all(self, charges: Mapping[Budget, str]) -> Spent | None:
        """Spend each budget for its key; the first one used up, if any."""
        for budget, key in charges.items():
            spent = await self.spend(budget, key)
            if spent is not None:
                return spent
        return None

    async def forgive(self, budget: Budget, key: str) -> None:
        """Forget what ``key`` has spent of ``budget``."""
        identity = _identity(key)
        async with _failing_open("forgiving", budget):
            for item in self._limits[budget]:
                await self._limiter.clear(item, budget, identity)

    async def _retry_after(self, item: RateLimitItem, *identifiers: str) -> int:
        stats = await self._limiter.get_window_stats(item, *identifiers)
        # `limits` keeps its windows on the wall clock, so the wait is measured on the same clock.
        wait = stats.reset_time - time.time()  # noqa: TID251
        return max(1, math.ceil(wait))
