"""Repeated failed logins from one client are slowed down; nobody can lock a host out from elsewhere."""

from datetime import UTC, datetime, timedelta

from workestra.security import LoginThrottle

NOW = datetime(2031, 6, 2, 9, 0, tzinfo=UTC)


def test_ten_failures_from_one_client_block_that_email_there_until_the_window_passes() -> None:
    throttle = LoginThrottle(limits={"pair": 10, "client": 100}, window=timedelta(minutes=15))
    mallory = throttle.keys("host@example.test", "203.0.113.9")
    for i in range(10):
        throttle.attempt(mallory, NOW + timedelta(seconds=i))
    assert throttle.blocked(mallory, NOW + timedelta(seconds=11))
    assert not throttle.blocked(
        throttle.keys("host@example.test", "198.51.100.7"), NOW + timedelta(seconds=11)
    )
    assert not throttle.blocked(mallory, NOW + timedelta(minutes=16))


def test_one_client_guessing_many_emails_is_blocked_everywhere() -> None:
    throttle = LoginThrottle(limits={"pair": 10, "client": 5})
    for i in range(5):
        throttle.attempt(throttle.keys(f"user{i}@example.test", "203.0.113.9"), NOW)
    assert throttle.blocked(throttle.keys("someone@example.test", "203.0.113.9"), NOW)


def test_a_right_password_forgives_the_pair() -> None:
    throttle = LoginThrottle(limits={"pair": 2, "client": 100})
    keys = throttle.keys("a@example.test", "10.0.0.1")
    throttle.attempt(keys, NOW)
    throttle.succeeded(keys)
    throttle.attempt(keys, NOW)
    assert not throttle.blocked(keys, NOW)
