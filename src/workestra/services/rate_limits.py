"""What anonymous callers may spend: public page views, slot reads and bookings on public links,
and login (or password) attempts.

Each use case names its budgets and keys; the counting (in-process or Redis) is the context's
RateLimiter. ``client`` is the caller's address as the web layer trusts it (proxies included only
when configured).
"""

import math

from workestra.errors import RateLimited
from workestra.security.rate_limit import Budget, Spent
from workestra.services.context import ServiceContext

UNKNOWN_CLIENT = "unknown"


def _wait(spent: Spent) -> str:
    if spent.retry_after < 60:
        return f"{spent.retry_after} seconds"
    minutes = math.ceil(spent.retry_after / 60)
    return "a minute" if minutes == 1 else f"{minutes} minutes"


async def spend_page_view(ctx: ServiceContext, *, client: str | None) -> None:
    """Public pages (booking, confirmation, login) are cheap but open to anyone: at most so many per
    client."""
    spent = await ctx.rate_limiter.spend(Budget.PAGES_PER_CLIENT, client or UNKNOWN_CLIENT)
    if spent is not None:
        raise RateLimited(
            f"Too many page requests from your network. Please try again in {_wait(spent)}.",
            retry_after=spent.retry_after,
        )


async def spend_slot_read(ctx: ServiceContext, *, client: str | None) -> None:
    """Every public slots request reads the host's calendar live: at most so many per client."""
    spent = await ctx.rate_limiter.spend(Budget.SLOTS_PER_CLIENT, client or UNKNOWN_CLIENT)
    if spent is not None:
        raise RateLimited(
            f"Too many requests for available times from your network. Please try again in {_wait(spent)}.",
            retry_after=spent.retry_after,
        )


async def spend_booking(ctx: ServiceContext, *, client: str | None, email: str) -> None:
    """A booking sends email to an address the caller chose: limited per client and per address."""
    spent = await ctx.rate_limiter.spend_all(
        {
            Budget.BOOKINGS_PER_CLIENT: client or UNKNOWN_CLIENT,
            Budget.BOOKINGS_PER_EMAIL: email.strip().lower(),
        }
    )
    if spent is None:
        return
    who = "your network" if spent.budget is Budget.BOOKINGS_PER_CLIENT else "this email address"
    raise RateLimited(
        f"Too many bookings from {who} in a short time. Please try again in {_wait(spent)}.",
        retry_after=spent.retry_after,
    )


def _login_keys(email: str, client: str | None) -> tuple[str, str]:
    who = client or UNKNOWN_CLIENT
    return f"{email.strip().lower()}|{who}", who


async def spend_login_attempt(ctx: ServiceContext, *, email: str, client: str | None) -> None:
    """Counted before the password is checked, so concurrent guesses count too. Keyed on the client
    (never on the email alone, which would let anyone lock a host out)."""
    pair, who = _login_keys(email, client)
    spent = await ctx.rate_limiter.spend_all(
        {Budget.LOGINS_PER_EMAIL_AND_CLIENT: pair, Budget.LOGINS_PER_CLIENT: who}
    )
    if spent is not None:
        raise RateLimited(
            f"Too many failed logins. Wait {_wait(spent)}, then try again.", retry_after=spent.retry_after
        )


async def forgive_login(ctx: ServiceContext, *, email: str, client: str | None) -> None:
    """A right password forgives this email-and-client pair."""
    pair, _ = _login_keys(email, client)
    await ctx.rate_limiter.forgive(Budget.LOGINS_PER_EMAIL_AND_CLIENT, pair)
