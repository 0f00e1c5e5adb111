"""The retry policy: backoff, Retry-After honoured, and no retrying what only the host can fix."""

from datetime import UTC, datetime, timedelta

import pytest

from workestra.calendars.errors import (
    CalendarError,
    CalendarNotFound,
    MissingScope,
    NeedsReauth,
    ProviderRejected,
    ProviderUnavailable,
    Throttled,
)
from workestra.worker.retry import RetryPolicy, next_attempt, out_of_attempts

NOW = datetime(2025, 6, 2, 10, 0, tzinfo=UTC)


def test_backoff_grows_exponentially_up_to_the_cap() -> None:
    policy = RetryPolicy(base=timedelta(seconds=2), factor=2, cap=timedelta(seconds=30), max_attempts=50)
    waits = [
        next_attempt(attempts=n, error=ProviderUnavailable(), now=NOW, policy=policy) for n in range(1, 7)
    ]
    assert [(w - NOW).total_seconds() for w in waits if w] == [2, 4, 8, 16, 30, 30]


def test_fractional_retry_after_from_a_429_is_honoured() -> None:
    when = next_attempt(
        attempts=1,
        error=Throttled(retry_after=1.5),
        now=NOW,
        policy=RetryPolicy(base=timedelta(milliseconds=100)),
    )
    assert when == NOW + timedelta(seconds=1.5)


def test_a_503_with_retry_after_waits_at_least_that_long() -> None:
    when = next_attempt(attempts=1, error=ProviderUnavailable(retry_after=7), now=NOW)
    assert when == NOW + timedelta(seconds=7)


@pytest.mark.parametrize(
    "error",
    [
        NeedsReauth(reason="expired"),
        MissingScope(missing_scopes=frozenset({"Calendars.ReadWrite"})),
        CalendarNotFound(),
        ProviderRejected(),
    ],
)
def test_errors_only_the_host_can_fix_are_not_retried(error: CalendarError) -> None:
    assert next_attempt(attempts=1, error=error, now=NOW) is None


def test_gives_up_after_the_last_attempt() -> None:
    assert (
        next_attempt(attempts=3, error=ProviderUnavailable(), now=NOW, policy=RetryPolicy(max_attempts=3))
        is None
    )


class PermanentMailError(Exception):
    temporary = False


def test_a_permanent_mail_rejection_is_not_retried() -> None:
    assert next_attempt(attempts=1, error=PermanentMailError(), now=NOW) is None


def test_a_job_claimed_again_after_its_last_attempt_is_out_of_attempts() -> None:
    policy = RetryPolicy(max_attempts=3)
    assert [out_of_attempts(attempts=n, policy=policy) for n in (1, 3, 4)] == [False, False, True]
