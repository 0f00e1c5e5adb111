"""Round-robin assignment at confirmation, and the decision on record.

The rep is picked by the rotation (``scheduling.round_robin``) from state read under the link's
lock, inside the transaction that writes the booking; only that rep's calendar is read live (never
inside a transaction), and the next rep's only when that one turns out busy or unreadable:

1. From the link as read with the page: the rotation's first rep. Read their calendar live.
2. Write transaction, link lock: the pool's rotation state, Workestra's own bookings and the daily
   limits, fresh. The reps who can take the slot, ranked. If the first of them is one already
   read live and free: hold their host lock, write the booking, move the rotation, commit. If
   someone else is first now (a booking just moved the rotation, or took this rep's time): read
   that rep live, outside the transaction, and try again.
3. Nobody left who can take it: 409 (or 503 when no calendar could be read at all).

Each round-robin booking stores the record (``Booking.assignment``): every rep with what was known
of them when the booking was confirmed — free, busy (when), unreadable (why), booked in Workestra,
at their daily limit, or not asked (ranked after the chosen rep) — and why the chosen rep was chosen.
"""

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Annotated, Literal, TypeVar
from zoneinfo import ZoneInfo

from pydantic import BaseModel, PlainSerializer, ValidationError

from workestra.calendars.errors import CalendarError, MissingScope
from workestra.db.models import LinkMember
from workestra.db.unit_of_work import UnitOfWork
from workestra.enums import PROVIDER_SLOT
from workestra.errors import CalendarUnavailable, SlotUnavailable
from workestra.scheduling import Candidate, Interval, is_available, rank, subtract, why_first
from workestra.services.availability import HostCalendar, busy_or_error, policy_for, unreadable
from workestra.services.booking_links import LinkView
from workestra.services.context import ServiceContext
from workestra.services.problems import describe, problem_for, wording

logger = logging.getLogger(__name__)

T = TypeVar("T")

POLICY = (
    "Highest priority first; among equal priority, the fewest bookings for their weight; then the "
    "least recently booked."
)


class RepStatus(StrEnum):
    CHOSEN = "chosen"
    FREE = "free"  # read live and free, not chosen (a reschedule kept its own rep)
    BUSY = "busy"  # their calendar has something then
    UNREADABLE = "unreadable"  # their calendar couldn't be read: never counted free
    BOOKED = "booked"  # a Workestra booking (with its buffers) takes that time
    DAILY_LIMIT = "daily_limit"  # they have had their bookings of this link that day
    NOT_ASKED = "not_asked"  # ranked after the chosen rep: their calendar wasn't needed


# Stored as ``datetime.isoformat()`` gives it (offset ``+00:00``), read back as aware datetimes.
IsoTime = Annotated[datetime, PlainSerializer(lambda moment: moment.isoformat(), return_type=str)]


class BusySpan(BaseModel):
    start: IsoTime
    end: IsoTime


class RepRecord(BaseModel):
    """One rep of the pool as the decision saw them."""

    email: str
    name: str
    status: RepStatus
    priority: int
    weight: int
    bookings: int  # their rotation count when the decision was made
    busy: list[BusySpan] = []  # BUSY: what overlapped the slot in their calendar
    why: str | None = None  # UNREADABLE: why, in the host's words


class AssignmentRecord(BaseModel):
    """A round-robin booking's decision on record (``Booking.assignment``, as JSON)."""

    decided_at: IsoTime
    policy: str
    reason: str  # why the chosen rep was chosen
    reps: list[RepRecord]  # the chosen rep first

    def stored(self) -> dict[str, object]:
        return self.model_dump(mode="json")

    @classmethod
    def read(cls, stored: dict[str, object] | None) -> "AssignmentRecord | None":
        """The stored record, or None (none stored, or one this version can't read)."""
        if stored is None:
            return None
        try:
            return cls.model_validate(stored)
        except ValidationError:
            logger.warning("a booking's assignment record doesn't fit AssignmentRecord; not shown")
            return None


@dataclass(slots=True)
class _Known:
    """What this confirmation learnt of one rep's calendar, live."""

    free: list[Interval] | None = None  # their busy time around the slot, when free then
    status: RepStatus | None = None  # BUSY, UNREADABLE, or BOOKED (the database refused)
    busy: list[Interval] = field(default_factory=list)
    error: CalendarError | None = None
    why: str | None = None


@dataclass(frozen=True, slots=True)
class Pick:
    """The rep a booking goes to, the live busy time read for them, and the decision on record."""

    host: HostCalendar
    live: list[Interval]
    record: AssignmentRecord | None  # None for a single-host link


@dataclass(frozen=True, slots=True)
class _Decision:
    ranked: list[Candidate]  # who can take it, in the order they'd get it
    excluded: dict[str, RepStatus]  # who can't, and why
    members: dict[str, LinkMember]


Write = Callable[[UnitOfWork, Pick], Awaitable[T | None]]
Doing = Literal["made", "moved"]
_TAKEN: dict[Doing, str] = {
    "made": "Sorry, that time was just taken. Please pick another time.",
    "moved": "Sorry, that time isn't free. Please pick another time.",
}


async def confirm(
    ctx: ServiceContext,
    link: LinkView,
    hosts: list[HostCalendar],
    slot: Interval,
    write: Write[T],
    *,
    now: datetime,
    doing: Doing,
    keep: str | None = None,
    moving: str | None = None,
    old_span: Interval | None = None,
) -> T:
    """Give ``slot`` to the link's host, or to a rep of its pool (``assign``), and have ``write``
    store it inside the write transaction, under the host's lock, once the host is known free in
    Workestra (``write`` checks) and live (read here, outside any transaction: no cache decides).
    ``old_span``: where the booking being moved sits on its host's calendar (it moves with it).

    Raises SlotUnavailable (409) and CalendarUnavailable (the calendar couldn't be read)."""
    if link.round_robin:
        return await assign(
            ctx, link, hosts, slot, write, now=now, doing=doing, keep=keep, moving=moving, old_span=old_span
        )
    [host] = hosts
    policy = policy_for(link)
    reads = Interval(slot.start - policy.buffer_before, slot.end + policy.buffer_after)
    live = await busy_or_error(ctx, host, reads)
    if isinstance(live, CalendarError):
        raise CalendarUnavailable(
            f"The host's calendar can't be checked right now, so the booking wasn't {doing}. Please "
            "try again in a few minutes."
        )
    if old_span is not None:
        live = subtract(live, [old_span])  # the booking's own event is on this calendar: it moves
    if not any(b.overlaps(reads) for b in live):
        async with ctx.uow(write=True) as uow:
            await uow.bookings.lock_host(host.host_id)
            done = await write(uow, Pick(host, live, None))
            if done is not None:
                await uow.commit()
                return done
    raise SlotUnavailable(_TAKEN[doing])


async def assign(
    ctx: ServiceContext,
    link: LinkView,
    hosts: list[HostCalendar],
    slot: Interval,
    write: Write[T],
    *,
    now: datetime,
    doing: Doing = "made",
    keep: str | None = None,
    moving: str | None = None,
    old_span: Interval | None = None,
) -> T:
    """Give ``slot`` to a rep of the round-robin link and have ``write`` store it.

    ``write`` runs inside the write transaction once the link and the rep's host are locked and the
    rep is known free (in Workestra and live); it returns None when it could not store after all
    (the database's overlap guard), and the next rep is tried. ``keep``: a rep who keeps the
    booking while free (a reschedule); ``moving``: the id of the booking being moved (its own
    time and daily count don't count), whose event sits at ``old_span`` on ``keep``'s calendar.

    Raises SlotUnavailable when no rep can take the slot, CalendarUnavailable when that is only
    because no calendar could be read.
    """
    policy = policy_for(link)
    reads = Interval(slot.start - policy.buffer_before, slot.end + policy.buffer_after)
    by_id = {h.host_id: h for h in hosts}
    known: dict[str, _Known] = {}
    order = [c.member_id for c in rank(m.candidate() for m in link.pool if m.user_id in by_id)]
    pick = keep if keep in by_id else next(iter(order), None)
    excluded: dict[str, RepStatus] = {}
    for _ in range(2 * len(hosts) + 2):  # each turn reads one more rep live, or writes
        if pick is not None and pick not in known:
            known[pick] = await _read(ctx, by_id[pick], reads, old_span if pick == keep else None)
        async with ctx.uow(write=True) as uow:
            await uow.links.lock(link.id)
            decision = await _decide(uow, link, by_id, known, slot, now=now, moving=moving)
            excluded = decision.excluded
            ranked = _kept_first(decision.ranked, keep)
            if not ranked:
                break
            first = ranked[0].member_id
            free = known[first].free if first in known else None
            if free is None:
                pick = first  # due now, not read yet: read them, outside the transaction
                continue
            await uow.bookings.lock_host(first)
            record = await _record(uow, ranked, decision, known, keep=keep, now=now)
            done = await write(uow, Pick(by_id[first], free, record))
            if done is None:  # the database's guard refused it: somebody got there first
                known[first] = _Known(status=RepStatus.BOOKED)
                pick = None
                continue
            if first != keep:  # the rotation moves in the booking's transaction
                member = decision.members[first]
                member.assigned_count += 1
                member.last_assigned_at = now
            await uow.commit()
            return done
    failures = [k.error for k in known.values() if k.error is not None]
    if failures and all(status is RepStatus.UNREADABLE for status in excluded.values()):
        raise unreadable(failures)
    raise SlotUnavailable(_TAKEN[doing])


def _kept_first(ranked: list[Candidate], keep: str | None) -> list[Candidate]:
    kept = [c for c in ranked if c.member_id == keep]
    return kept + [c for c in ranked if c.member_id != keep]


async def _read(ctx: ServiceContext, host: HostCalendar, reads: Interval, own: Interval | None) -> _Known:
    """The rep's calendar around the slot, live (a rep without one is bound by hours only)."""
    outcome = await busy_or_error(ctx, host, reads)
    if isinstance(outcome, CalendarError):
        logger.info("round robin: %s's calendar unreadable: %s", host.host_id, type(outcome).__name__)
        return _Known(status=RepStatus.UNREADABLE, error=outcome, why=_why(ctx, host, outcome))
    if own is not None:
        outcome = subtract(outcome, [own])  # the booking's own event moves with it
    clashes = [b for b in outcome if b.overlaps(reads)]
    if clashes:
        return _Known(status=RepStatus.BUSY, busy=clashes)
    return _Known(free=outcome)


def _why(ctx: ServiceContext, host: HostCalendar, error: CalendarError) -> str:
    missing = " ".join(sorted(error.missing_scopes)) if isinstance(error, MissingScope) else ""
    words = wording(ctx, PROVIDER_SLOT[host.provider])
    return describe(problem_for(error), wording=words, missing_scopes=missing)


async def _decide(
    uow: UnitOfWork,
    link: LinkView,
    by_id: dict[str, HostCalendar],
    known: dict[str, _Known],
    slot: Interval,
    *,
    now: datetime,
    moving: str | None,
) -> _Decision:
    """Under the link's lock: who of the pool can take the slot, from fresh rotation state, fresh
    Workestra bookings and daily counts, and what was read live."""
    rows = await uow.links.pool_rows(link.id)
    members = {m.user_id: m for m in rows if m.user_id is not None and m.user_id in by_id}
    ids = list(members)
    policy = policy_for(link)
    reads = Interval(slot.start - policy.buffer_before, slot.end + policy.buffer_after)
    taken = await uow.bookings.busy(ids, reads.start, reads.end, excluding=moving)
    tz = ZoneInfo(link.timezone)
    counts = await _daily_counts(uow, link, members, slot.start.astimezone(tz).date(), moving=moving)
    excluded: dict[str, RepStatus] = {}
    candidates = []
    for user_id, member in members.items():
        seen = known.get(user_id)
        if seen is not None and seen.status is not None:
            excluded[user_id] = seen.status
            continue
        booked = [Interval(s, e) for h, s, e in taken if h == user_id]
        live = seen.free if seen is not None and seen.free is not None else []
        if not is_available(slot.start, rules=link.rules, tz=tz, policy=policy, busy=booked + live, now=now):
            excluded[user_id] = RepStatus.BOOKED
        elif member.daily_limit is not None and counts.get(user_id, 0) >= member.daily_limit:
            excluded[user_id] = RepStatus.DAILY_LIMIT
        else:
            candidates.append(
                Candidate(
                    user_id, member.last_assigned_at, member.priority, member.weight, member.assigned_count
                )
            )
    return _Decision(rank(candidates), excluded, members)


async def _daily_counts(
    uow: UnitOfWork, link: LinkView, members: dict[str, LinkMember], day: date, *, moving: str | None
) -> dict[str, int]:
    """Bookings of this link each capped rep has on ``day`` (the link's time zone)."""
    capped = [i for i, m in members.items() if m.daily_limit is not None]
    if not capped:
        return {}
    tz = ZoneInfo(link.timezone)
    start = datetime.combine(day, datetime.min.time(), tz)
    end = datetime.combine(day + timedelta(days=1), datetime.min.time(), tz)
    counts: dict[str, int] = {}
    for host_id, _start in await uow.bookings.starts_on_link(link.id, capped, start, end, excluding=moving):
        counts[host_id] = counts.get(host_id, 0) + 1
    return counts


async def _record(
    uow: UnitOfWork,
    ranked: list[Candidate],
    decision: _Decision,
    known: dict[str, _Known],
    *,
    keep: str | None,
    now: datetime,
) -> AssignmentRecord:
    """The decision on record: every rep of the pool with what was known of them, chosen first."""
    chosen = ranked[0]
    ids = [c.member_id for c in ranked] + [
        i for i in decision.members if i not in {c.member_id for c in ranked}
    ]
    users = {u.id: u for u in await uow.users.by_ids(ids)}
    reps: list[RepRecord] = []
    for user_id in ids:
        member, user = decision.members[user_id], users.get(user_id)
        seen = known.get(user_id)
        status = decision.excluded.get(user_id)
        if user_id == chosen.member_id:
            status = RepStatus.CHOSEN
        elif status is None:
            status = RepStatus.FREE if seen is not None and seen.free is not None else RepStatus.NOT_ASKED
        reps.append(
            RepRecord(
                email=user.email if user else member.email,
                name=user.name if user else "",
                status=status,
                priority=member.priority,
                weight=member.weight,
                bookings=member.assigned_count,
                busy=[BusySpan(start=b.start, end=b.end) for b in (seen.busy if seen else [])[:5]],
                why=seen.why if seen is not None else None,
            )
        )
    if chosen.member_id == keep:
        reason = "kept the booking: its own rep, free at the new time"
    else:
        reason = why_first(chosen, ranked)
    return AssignmentRecord(decided_at=now, policy=POLICY, reason=reason, reps=reps)
