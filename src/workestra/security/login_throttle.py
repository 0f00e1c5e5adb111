"""Slows down password guessing: too many failed logins from one client, for one email or at all.

Keyed on the client (never on the email alone, which would let anyone lock a host out). Kept in
the process's memory (each server process counts on its own); ``now`` is passed in.
"""

from collections import deque
from collections.abc import Mapping
from datetime import datetime, timedelta

MAX_KEYS = 10_000
DEFAULT_LIMITS: Mapping[str, int] = {"pair": 10, "client": 100}  # per 15 minutes


class LoginThrottle:
    def __init__(
        self, *, limits: Mapping[str, int] = DEFAULT_LIMITS, window: timedelta = timedelta(minutes=15)
    ) -> None:
        self._limits = dict(limits)
        self._window = window
        self._attempts: dict[str, deque[datetime]] = {}

    @staticmethod
    def keys(email: str, client: str | None) -> list[str]:
        who = client or "unknown"
        return [f"pair:{email.strip().lower()}|{who}", f"client:{who}"]

    def _recent(self, key: str, now: datetime) -> deque[datetime]:
        attempts = self._attempts.get(key, deque())
        while attempts and now - attempts[0] > self._window:
            attempts.popleft()
        return attempts

    def _limit(self, key: str) -> int:
        return self._limits[key.split(":", 1)[0]]

    def blocked(self, keys: list[str], now: datetime) -> bool:
        """True while any key has used up its attempts within the window."""
        return any(len(self._recent(k, now)) >= self._limit(k) for k in keys)

    def attempt(self, keys: list[str], now: datetime) -> None:
        """Count an attempt before checking the password, so concurrent guesses count too."""
        if len(self._attempts) >= MAX_KEYS:  # bounded memory: forget the oldest keys first
            for stale in list(self._attempts)[: MAX_KEYS // 10]:
                del self._attempts[stale]
        for key in keys:
            recent = self._recent(key, now)
            recent.append(now)
            self._attempts[key] = recent

    def succeeded(self, keys: list[str]) -> None:
        """A right password forgives this email-and-client pair."""
        for key in keys:
            if key.startswith("pair:"):
                self._attempts.pop(key, None)
