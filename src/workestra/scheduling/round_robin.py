"""Round-robin: pick which free team member gets the next booking.

Pure: standard library only, no I/O, no clock.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from workestra.scheduling.intervals import as_utc

_NEVER = datetime.min.replace(tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Candidate:
    """A team member who is free for the slot, with when they were last given a booking.

    last_assigned_at is aware (stored in UTC), or None when never assigned; naive raises
    ValueError.
    """

    member_id: str
    last_assigned_at: datetime | None

    def __post_init__(self) -> None:
        if self.last_assigned_at is not None:
            utc = as_utc(self.last_assigned_at, name="last_assigned_at")
            object.__setattr__(self, "last_assigned_at", utc)


def choose(free: Sequence[Candidate]) -> Candidate | None:
    """Return the least recently assigned free candidate, or None when nobody is free.

    Never-assigned candidates come first; ties (same instant, or both never) go to the
    smallest member_id, so the choice is deterministic.
    """
    if not free:
        return None
    return min(free, key=_rotation_key)


def _rotation_key(candidate: Candidate) -> tuple[bool, datetime, str]:
    last = candidate.last_assigned_at
    return (last is not None, _NEVER if last is None else last, candidate.member_id)
