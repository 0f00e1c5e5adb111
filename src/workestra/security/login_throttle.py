"""Slows down password guessing: too many failed logins for one email or one client → wait.

Kept in the process's memory (each server process counts on its own); ``now`` is passed in.
"""

from collections import deque
from datetime import datetime, timedelta

MAX_KEYS = 10_000


class LoginThrottle:
    def __init__(self, *, max_failures: int = 10, window: timedelta = timedelta(minutes=15)) -> None:
        self._max = max_failures
        self._window = window
        self._failures: dict[str, deque[datetime]] = {}

    def _recent(self, key: str, now: datetime) -> deque[datetime]:
        failures = self._failures.get(key, deque())
        while failures and now - failures[0] > self._window:
            failures.popleft()
        return failures

    def blocked(self, keys: list[str], now: datetime) -> bool:
        """True while any key has had ``max_failures`` failures within the window."""
        return any(len(self._recent(k, now)) >= self._max for k in keys)

    def failed(self, keys: list[str], now: datetime) -> None:
        if len(self._failures) >= MAX_KEYS:  # bounded memory: forget the oldest keys first
            for stale in list(self._failures)[: MAX_KEYS // 10]:
                del self._failures[stale]
        for key in keys:
            recent = self._recent(key, now)
            recent.append(now)
            self._failures[key] = recent

    def succeeded(self, keys: list[str]) -> None:
        for key in keys:
            self._failures.pop(key, None)
