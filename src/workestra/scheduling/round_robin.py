"""Round-robin: in which order the free reps of a pool are offered the next booking.

The policy (README, "Round robin"), compared with Calendly's and Cal.com's there:

1. **Priority** first: a rep of higher priority (0 lowest .. 4 highest) who is free always comes
   before a free rep of lower priority.
2. Among equal priority, the **fewest bookings per unit of weight**: a rep at weight 2 is due
   when their count is under twice the others', so over time they get about twice the bookings.
   A rep who was busy when their turn came is therefore due again first once free.
3. Then the **least recently booked** (never booked first); then the smallest member id, so the
   order is always fully determined.

Pure: standard library only, no I/O, no clock.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from fractions import Fraction

from workestra.scheduling.intervals import as_utc

_NEVER = datetime.min.replace(tzinfo=UTC)
LOWEST_PRIORITY, DEFAULT_PRIORITY, HIGHEST_PRIORITY = 0, 2, 4
MAX_WEIGHT = 100


@dataclass(frozen=True, slots=True)
class Candidate:
    """A rep of the pool with their rotation state.

    ``last_assigned_at`` is aware (stored in UTC), or None when never assigned; naive raises
    ValueError. ``assigned_count`` is how many bookings the rep was given on this link.
    """

    member_id: str
    last_assigned_at: datetime | None
    priority: int = DEFAULT_PRIORITY
    weight: int = 1
    assigned_count: int = 0

    def __post_init__(self) -> None:
        if self.last_assigned_at is not None:
            utc = as_utc(self.last_assigned_at, name="last_assigned_at")
            object.__setattr__(self, "last_assigned_at", utc)
        if not LOWEST_PRIORITY <= self.priority <= HIGHEST_PRIORITY:
            raise ValueError(f"priority must be {LOWEST_PRIORITY}..{HIGHEST_PRIORITY}")
        if not 1 <= self.weight <= MAX_WEIGHT:
            raise ValueError(f"weight must be 1..{MAX_WEIGHT}")
        if self.assigned_count < 0:
            raise ValueError("assigned_count must not be negative")

    @property
    def share(self) -> Fraction:
        """Bookings per unit of weight: the lower, the sooner this rep is due."""
        return Fraction(self.assigned_count, self.weight)


def rank(candidates: Iterable[Candidate]) -> list[Candidate]:
    """The candidates in the order they should be offered a booking (the policy above)."""
    return sorted(candidates, key=_rotation_key)


def why_first(chosen: Candidate, others: Sequence[Candidate]) -> str:
    """Which rule of the policy put ``chosen`` before the other free reps, in plain words."""
    rivals = [c for c in others if c.member_id != chosen.member_id]
    if not rivals:
        return "the only rep who could take it"
    if all(c.priority < chosen.priority for c in rivals):
        return "the highest priority among the reps who could take it"
    peers = [c for c in rivals if c.priority == chosen.priority]
    if all(c.share > chosen.share for c in peers):
        return "the fewest bookings for their weight among the reps who could take it"
    if all(_recency(c) > _recency(chosen) for c in peers if c.share == chosen.share):
        if chosen.last_assigned_at is None:
            return "never booked on this link yet, with as few bookings for their weight as anyone"
        return "the least recently booked, with as few bookings for their weight as anyone"
    return "first by the rotation's fixed order (tied on priority, bookings and last booking)"


def calibrated_count(weight: int, pool: Sequence[Candidate]) -> int:
    """The count a rep joining ``pool`` starts from: the pool's lowest share times the newcomer's
    weight, so a newcomer is due soon but doesn't take every booking until they have caught up."""
    if not pool:
        return 0
    lowest = min(c.share for c in pool)
    return int(lowest * weight)


def _recency(candidate: Candidate) -> datetime:
    return _NEVER if candidate.last_assigned_at is None else candidate.last_assigned_at


def _rotation_key(candidate: Candidate) -> tuple[int, Fraction, datetime, str]:
    return (-candidate.priority, candidate.share, _recency(candidate), candidate.member_id)
