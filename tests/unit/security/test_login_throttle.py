"""Repeated failed logins for one email or one client are slowed down, then forgiven."""

from datetime import UTC, datetime, timedelta

from workestra.security import LoginThrottle

NOW = datetime(2031, 6, 2, 9, 0, tzinfo=UTC)


def test_ten_failures_block_the_email_until_the_window_passes() -> None:
    throttle = LoginThrottle(max_failures=10, window=timedelta(minutes=15))
    keys = ["email:a@example.test", "client:10.0.0.1"]
    for i in range(9):
        throttle.failed(keys, NOW + timedelta(seconds=i))
    assert not throttle.blocked(keys, NOW + timedelta(seconds=10))
    throttle.failed(keys, NOW + timedelta(seconds=10))
    assert throttle.blocked(["email:a@example.test"], NOW + timedelta(seconds=11))
    assert throttle.blocked(["email:other@example.test", "client:10.0.0.1"], NOW + timedelta(seconds=11))
    assert not throttle.blocked(["email:other@example.test", "client:10.0.0.2"], NOW + timedelta(seconds=11))
    assert not throttle.blocked(keys, NOW + timedelta(minutes=16))


def test_a_success_forgives_the_email() -> None:
    throttle = LoginThrottle(max_failures=2)
    keys = ["email:a@example.test"]
    throttle.failed(keys, NOW)
    throttle.succeeded(keys)
    throttle.failed(keys, NOW)
    assert not throttle.blocked(keys, NOW)
