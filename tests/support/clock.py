"""A Clock that tests set by hand (a real implementation of the port, not a patch of the wall clock)."""

from datetime import datetime, timedelta


class FixedClock:
    def __init__(self, now: datetime) -> None:
        self._now = now

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> None:
        self._now += delta
