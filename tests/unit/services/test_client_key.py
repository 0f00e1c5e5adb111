"""Whose rate-limit budget a caller spends: one per IPv4 address, one per IPv6 /64."""

import pytest

from workestra.services.rate_limits import client_key


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("2001:db8:1:2::1", "2001:db8:1:2:ffff:ffff:ffff:ffff"),
        ("2001:DB8:1:2::1", "2001:db8:1:2::1"),
        ("[2001:db8:1:2::1]", "2001:db8:1:2::9"),
        ("[2001:db8:1:2::1]:443", "2001:db8:1:2::9"),
        ("::ffff:203.0.113.7", "203.0.113.7"),
        (None, ""),
    ],
)
def test_addresses_of_one_subscriber_share_a_key(first: str | None, second: str | None) -> None:
    assert client_key(first) == client_key(second)


@pytest.mark.parametrize(
    ("first", "second"),
    [("2001:db8:1:2::1", "2001:db8:1:3::1"), ("203.0.113.7", "203.0.113.8"), ("203.0.113.7", None)],
)
def test_other_subscribers_have_their_own_key(first: str | None, second: str | None) -> None:
    assert client_key(first) != client_key(second)
