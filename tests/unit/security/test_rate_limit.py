"""Budgets counted per key, in this process: spent, separate per key, forgiven, and never a crash
when the shared store is down."""

import pytest

from tests.support.server import free_port
from workestra.security.rate_limit import Budget, RateLimiter


async def test_a_budget_is_spent_for_one_key_and_says_how_long_to_wait() -> None:
    limiter = RateLimiter(overrides={"logins_per_email_and_client": "3/15 minutes"})
    pair = "host@example.test|203.0.113.9"
    for _ in range(3):
        assert await limiter.spend(Budget.LOGINS_PER_EMAIL_AND_CLIENT, pair) is None
    spent = await limiter.spend(Budget.LOGINS_PER_EMAIL_AND_CLIENT, pair)
    assert spent is not None
    assert spent.budget is Budget.LOGINS_PER_EMAIL_AND_CLIENT
    assert 0 < spent.retry_after <= 15 * 60
    assert await limiter.spend(Budget.LOGINS_PER_EMAIL_AND_CLIENT, "host@example.test|198.51.100.7") is None
    assert await limiter.spend(Budget.LOGINS_PER_CLIENT, "203.0.113.9") is None  # other budgets untouched


async def test_every_window_of_a_budget_counts() -> None:
    limiter = RateLimiter(overrides={"bookings_per_client": "5/minute;2/hour"})
    assert [await limiter.spend(Budget.BOOKINGS_PER_CLIENT, "c") is None for _ in range(3)] == [
        True,
        True,
        False,
    ]


async def test_spend_all_names_the_budget_that_ran_out() -> None:
    limiter = RateLimiter(overrides={"bookings_per_email": "1/day"})
    charges = {Budget.BOOKINGS_PER_CLIENT: "203.0.113.1", Budget.BOOKINGS_PER_EMAIL: "ivy@example.test"}
    assert await limiter.spend_all(charges) is None
    spent = await limiter.spend_all({**charges, Budget.BOOKINGS_PER_CLIENT: "203.0.113.2"})
    assert spent is not None
    assert spent.budget is Budget.BOOKINGS_PER_EMAIL
    assert spent.retry_after > 3600


async def test_forgiving_a_key_gives_its_budget_back() -> None:
    limiter = RateLimiter(overrides={"logins_per_email_and_client": "2/15 minutes"})
    for _ in range(2):
        await limiter.spend(Budget.LOGINS_PER_EMAIL_AND_CLIENT, "pair")
    await limiter.forgive(Budget.LOGINS_PER_EMAIL_AND_CLIENT, "pair")
    assert await limiter.spend(Budget.LOGINS_PER_EMAIL_AND_CLIENT, "pair") is None


def test_an_unknown_budget_name_is_refused_at_startup() -> None:
    with pytest.raises(ValueError, match="unknown rate-limit budgets"):
        RateLimiter(overrides={"booking_per_client": "1/minute"})


async def test_an_unreachable_redis_lets_requests_through() -> None:
    limiter = RateLimiter(redis_url=f"redis://127.0.0.1:{free_port()}/0")
    try:
        assert await limiter.spend(Budget.SLOTS_PER_CLIENT, "203.0.113.1") is None
    finally:
        await limiter.aclose()
