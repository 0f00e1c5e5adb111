"""An in-process debounce: one caller per key per interval gets through, the rest are told to skip.

Used so anonymous page views don't write to the database on every view. It never awaits, so on one
event loop the check-and-claim is atomic: of a flood of concurrent views, exactly one gets through.
"""

from collections.abc import Hashable
from datetime import datetime, timedelta

MAX_KEYS = 10_000  # past this, keys whose interval has passed are forgotten


class Debounce:
    def __init__(self, interval: timedelta) -> None:
        self.interval = interval
        self._claimed: dict[Hashable, datetime] = {}

    def claim(self, key: Hashable, now: datetime) -> bool:
        """True for the first caller for ``key`` in each interval (it should do the work)."""
        last = self._claimed.get(key)
        if last is not None and last <= now < last + self.interval:
            return False
        if len(self._claimed) >= MAX_KEYS:
            self._claimed = {k: t for k, t in self._claimed.items() if t <= now < t + self.interval}
        self._claimed[key] = now
        return True
