"""What anonymous callers may spend: public page views, slot reads and bookings on public links,
and login (or password) attempts.

Each use case names its budgets and keys; the counting (in-process or Redis) is the context's
RateLimiter. ``client`` is the caller's address as the web layer trusts it (proxies included only
when configured).
"""

import ipaddress
import math
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from workestra.errors import RateLimited
from workestra.security.rate_limit import Budget, Spent
from workestra.services.context import ServiceContext
from workestra.services.validation import normalize_email

UNKNOWN_CLIENT = "unknown"
IPV6_PREFIX = 64  # one subscriber's IPv6 network: its addresses share one budget


def client_key(client: str | None) -> str:
    """Whose budget a caller spends: an IPv4 address, or the /64 network of an IPv6 one (a client
    with a /64 would otherwise have 2^64 fresh budgets)."""
    if not client:
        return UNKNOWN_CLIENT
    if client.startswith("["):  # "[2001:db8::1]" or "[2001:db8::1]:443", as some proxies write it
        client = client[1:].partition("]")[0]
    try:
        address = ipaddress.ip_address(client)
    except ValueError:
        return client
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, IPV6_PREFIX), strict=False))
    return str(address)


def _wait(spent: Spent) -> str:
    if spent.retry_after < 60:
        return f"{spent.retry_after} seconds"
    minutes = math.ceil(spent.retry_after / 60)
    return "a minute" if minutes == 1 else f"{minutes} minutes"


def _refused(spent: Spent, message: str) -> RateLimited:
    """The 429 for a spent budget; ``message`` says what, with ``{wait}`` for how long."""
    return RateLimited(message.format(wait=_wait(spent)), retry_after=spent.retry_after)


async def spend_page_view(ctx: ServiceContext, *, client: str | None) -> None:
    """Public pages (booking, confirmation, login) are cheap but open to anyone: at most so many per
    client."""
    spent = await ctx.rate_limiter.spend(Budget.PAGES_PER_CLIENT, client_key(client))
    if spent is not None:
        raise _refused(spent, "Too many page requests from your network. Please try again in {wait}.")


async def spend_slot_read(ctx: ServiceContext, *, client: str | None) -> None:
    """Every public slots request reads the host's calendar live: at most so many per client."""
    spent = await ctx.rate_limiter.spend(Budget.SLOTS_PER_CLIENT, client_key(client))
    if spent is not None:
        raise _refused(
            spent, "Too many requests for available times from your network. Please try again in {wait}."
        )


async def spend_booking_change(ctx: ServiceContext, *, client: str | None) -> None:
    """An invitee's reschedule or cancel (token-guarded; counted before the token is checked)."""
    spent = await ctx.rate_limiter.spend(Budget.CHANGES_PER_CLIENT, client_key(client))
    if spent is not None:
        raise _refused(spent, "Too many changes to bookings from your network. Please try again in {wait}.")


@asynccontextmanager
async def booking_budget(ctx: ServiceContext, *, client: str | None, email: str) -> AsyncIterator[None]:
    """Around a booking attempt: spends the client's budget and the invitee address's (counted
    first, so concurrent attempts can't all slip under it), and gives the address's back when the
    attempt books nothing, so nobody can use it up for somebody else with refused requests."""
    address = normalize_email(email)  # one mailbox, one budget, however the address is spelled
    spent = await ctx.rate_limiter.spend(Budget.BOOKINGS_PER_CLIENT, client_key(client))
    if spent is None:
        spent = await ctx.rate_limiter.spend(Budget.BOOKINGS_PER_EMAIL, address)
    if spent is not None:
        who = "your network" if spent.budget is Budget.BOOKINGS_PER_CLIENT else "this email address"
        raise _refused(spent, f"Too many bookings from {who} in a short time. Please try again in {{wait}}.")
    try:
        yield
    except BaseException:
        await ctx.rate_limiter.refund(Budget.BOOKINGS_PER_EMAIL, address)
        raise


def _login_keys(email: str, client: str | None) -> tuple[str, str]:
    who = client_key(client)
    return f"{email.strip().lower()}|{who}", who


async def spend_login_attempt(ctx: ServiceContext, *, email: str, client: str | None) -> None:
    """Counted before the password is checked, so concurrent guesses count too. Keyed on the client
    (never on the email alone, which would let anyone lock a host out)."""
    pair, who = _login_keys(email, client)
    spent = await ctx.rate_limiter.spend_all(
        {Budget.LOGINS_PER_EMAIL_AND_CLIENT: pair, Budget.LOGINS_PER_CLIENT: who}
    )
    if spent is not None:
        raise _refused(spent, "Too many failed logins. Wait {wait}, then try again.")


async def forgive_login(ctx: ServiceContext, *, email: str, client: str | None) -> None:
    """A right password forgives this email-and-client pair."""
    pair, _ = _login_keys(email, client)
    await ctx.rate_limiter.forgive(Budget.LOGINS_PER_EMAIL_AND_CLIENT, pair)
