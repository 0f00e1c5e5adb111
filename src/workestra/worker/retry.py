"""When to try a failed job again. Pure: (attempts, error, now) in, next attempt time or None out."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from workestra.calendars.errors import (
    AdminConsentRequired,
    CalendarNotFound,
    ConsentDeclined,
    MissingScope,
    NeedsReauth,
    OnlineMeetingUnavailable,
    ProviderNotConfigured,
    ProviderRejected,
    ProviderUnavailable,
    Throttled,
)

# These need the host (reconnect, grant a scope, fix the account), not time.
NEEDS_A_PERSON = (
    NeedsReauth,
    MissingScope,
    CalendarNotFound,
    ProviderRejected,
    OnlineMeetingUnavailable,
    ConsentDeclined,
    AdminConsentRequired,
    ProviderNotConfigured,
)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    base: timedelta = timedelta(seconds=2)
    factor: float = 2.0
    cap: timedelta = timedelta(minutes=30)
    max_attempts: int = 10


DEFAULT_POLICY = RetryPolicy()


class AttemptAbandoned(Exception):
    """A claimed attempt never reported back: its process died or it outlived its lease."""

    def __init__(self, attempts: int) -> None:
        super().__init__(
            f"attempt {attempts} never finished (the worker stopped or its lease ran out); "
            f"gave up after {attempts} attempts"
        )


def out_of_attempts(*, attempts: int, policy: RetryPolicy = DEFAULT_POLICY) -> bool:
    """True when a job just claimed for attempt ``attempts`` has already had all it may have.

    Attempts are counted when a job is claimed, so an attempt that killed its process still counts.
    """
    return attempts > policy.max_attempts


def next_attempt(
    *, attempts: int, error: BaseException, now: datetime, policy: RetryPolicy = DEFAULT_POLICY
) -> datetime | None:
    """The instant to run again after ``attempts`` failed attempts, or None to give up.

    Honours a provider's Retry-After (fractional seconds included) when it asks for longer than the
    backoff; gives up at once on errors only a person can fix, and on permanent mail rejections
    (an error whose ``temporary`` attribute is False).
    """
    if isinstance(error, NEEDS_A_PERSON) or getattr(error, "temporary", True) is False:
        return None
    if attempts >= policy.max_attempts:
        return None
    backoff = min(policy.base * policy.factor ** max(attempts - 1, 0), policy.cap)
    if isinstance(error, Throttled | ProviderUnavailable) and error.retry_after is not None:
        backoff = max(backoff, timedelta(seconds=min(error.retry_after, policy.cap.total_seconds())))
    return now + backoff
