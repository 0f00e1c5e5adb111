"""Booking links with their weekly hours and round-robin members."""

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Row, ScalarSelect, Select, bindparam, func, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from workestra.db.models import Booking, BookingLink, LinkMember, WeeklyHours
from workestra.db.repositories.bookings import BusyRecord
from workestra.enums import BookingStatus


@dataclass(frozen=True, slots=True)
class HoursRecord:
    weekday: int
    start_minute: int
    end_minute: int


@dataclass(frozen=True, slots=True)
class MemberRecord:
    email: str
    user_id: str | None
    accepted_at: datetime | None
    last_assigned_at: datetime | None
    priority: int = 2
    weight: int = 1
    daily_limit: int | None = None
    assigned_count: int = 0


@dataclass(frozen=True, slots=True)
class LinkRecord:
    """A live link as public pages read it: plain rows, no ORM objects (the hot path of every
    booking page), with the attribute names of ``BookingLink``.

    ``bookings`` are read only when asked for (``bookings_between``): the live bookings of the
    owner and of every listed member that overlap that span, unwidened (see ``bookings.busy_in``).
    """

    id: str
    owner_id: str
    slug: str
    title: str
    description: str
    duration_minutes: int
    timezone: str
    calendar_provider: str
    auto_meeting_link: bool
    slot_interval_minutes: int
    buffer_before_minutes: int
    buffer_after_minutes: int
    minimum_notice_minutes: int
    booking_horizon_days: int
    embed_allowed_origins: tuple[str, ...]
    team_id: str | None
    hours: tuple[HoursRecord, ...]
    members: tuple[MemberRecord, ...]
    bookings_between: tuple[datetime, datetime] | None = None
    bookings: tuple[BusyRecord, ...] = ()


_LINK = BookingLink.__table__.c
_HOURS = WeeklyHours.__table__.c
_MEMBERS = LinkMember.__table__.c
_BOOKINGS = Booking.__table__.c
_BOOKING_LINK_TABLE = BookingLink.__table__.alias("booking_link")  # each booking's own link
_BOOKING_LINK = _BOOKING_LINK_TABLE.c
_LINK_FIELDS = [
    name
    for name in LinkRecord.__dataclass_fields__
    if name not in {"hours", "members", "bookings_between", "bookings"}
]


def _rows_as_json(dialect: str, *columns: ColumnElement[Any]) -> ColumnElement[Any]:
    """The rows of a subquery as one JSON array of arrays (NULL or [] when there are none)."""
    if dialect == "postgresql":
        return func.json_agg(func.json_build_array(*columns), type_=JSON)
    return func.json_group_array(func.json_array(*columns), type_=JSON)


def _bookings_json(dialect: str, hosts: ColumnElement[bool], *, joined: bool) -> ScalarSelect[Any]:
    """Live bookings overlapping [:after, :before) of the hosts ``hosts`` picks (through the link's
    members when ``joined``), with the buffers of each booking's own link, as a JSON array."""
    source = Booking.__table__.join(_BOOKING_LINK_TABLE, _BOOKING_LINK.id == _BOOKINGS.link_id)
    if joined:
        source = source.join(LinkMember.__table__, _MEMBERS.user_id == _BOOKINGS.host_id)
    rows = _rows_as_json(
        dialect,
        _BOOKINGS.host_id,
        _BOOKINGS.starts_at,
        _BOOKINGS.ends_at,
        _BOOKING_LINK.buffer_before_minutes,
        _BOOKING_LINK.buffer_after_minutes,
        _BOOKINGS.link_id,
    )
    return (
        select(rows)
        .select_from(source)
        .where(
            hosts,
            _BOOKINGS.status == BookingStatus.CONFIRMED.value,
            _BOOKINGS.starts_at < bindparam("before", type_=_BOOKINGS.starts_at.type),
            _BOOKINGS.ends_at > bindparam("after", type_=_BOOKINGS.ends_at.type),
        )
        .correlate(BookingLink.__table__)
        .scalar_subquery()
    )


def _public_statement(dialect: str, *, bookings: bool) -> Select[Any]:
    """The link by slug with its hours and members (and, if asked, bookings) in one statement:
    each child table comes as a JSON array in a correlated subquery, so a page is one round trip
    to the database whatever the link holds (no row multiplication, no second query)."""
    hours = (
        select(_rows_as_json(dialect, _HOURS.weekday, _HOURS.start_minute, _HOURS.end_minute))
        .where(_HOURS.link_id == _LINK.id)
        .scalar_subquery()
    )
    members = (
        select(
            _rows_as_json(
                dialect,
                _MEMBERS.position,
                _MEMBERS.email,
                _MEMBERS.user_id,
                _MEMBERS.accepted_at,
                _MEMBERS.last_assigned_at,
                _MEMBERS.priority,
                _MEMBERS.weight,
                _MEMBERS.daily_limit,
                _MEMBERS.assigned_count,
            )
        )
        .where(_MEMBERS.link_id == _LINK.id)
        .scalar_subquery()
    )
    columns: list[Any] = [_LINK[name] for name in _LINK_FIELDS]
    columns += [hours.label("hours"), members.label("members")]
    if bookings:
        # The owner's bookings, then the other members' (two index-led lookups, not one OR).
        owner = _BOOKINGS.host_id == _LINK.owner_id
        member = (_MEMBERS.link_id == _LINK.id) & (_MEMBERS.user_id != _LINK.owner_id)
        columns.append(_bookings_json(dialect, owner, joined=False).label("owner_bookings"))
        columns.append(_bookings_json(dialect, member, joined=True).label("member_bookings"))
    return select(*columns).where(_LINK.slug == bindparam("slug"), _LINK.deleted_at.is_(None))


# Built once per dialect and shape: every booking page runs one, so no statement is built (or its
# cache key made) per request.
_PUBLIC = {
    (dialect, bookings): _public_statement(dialect, bookings=bookings)
    for dialect in ("sqlite", "postgresql")
    for bookings in (False, True)
}


def _json_rows(value: object) -> list[list[Any]]:
    """A JSON array column as lists (SQLite's JSON functions may hand back text, PostgreSQL NULL)."""
    if value is None:
        return []
    rows = json.loads(value) if isinstance(value, str) else value
    return rows if isinstance(rows, list) else []


def _json_list(value: object) -> list[str]:
    """A JSON array of strings read as a plain column (a list, or its text where not decoded)."""
    items = json.loads(value) if isinstance(value, str) else value
    return [item for item in items if isinstance(item, str)] if isinstance(items, list) else []


def _utc(value: str | None) -> datetime | None:
    """A datetime inside JSON: SQLite's stored text (UTC, naive) or PostgreSQL's ISO 8601 with offset."""
    if value is None:
        return None
    moment = datetime.fromisoformat(value)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _record(row: Row[Any], bookings_between: tuple[datetime, datetime] | None) -> LinkRecord:
    fields = {name: getattr(row, name) for name in _LINK_FIELDS}
    fields["embed_allowed_origins"] = tuple(_json_list(fields["embed_allowed_origins"]))
    hours = sorted(_json_rows(row.hours))
    members = sorted(_json_rows(row.members), key=lambda member: member[0])
    taken = (
        tuple(
            BusyRecord(host, start, end, before, after, link)
            for host, start, end, before, after, link in (
                (h, _utc(s), _utc(e), b, a, k)
                for h, s, e, b, a, k in _json_rows(row.owner_bookings) + _json_rows(row.member_bookings)
            )
            if start is not None and end is not None
        )
        if bookings_between is not None
        else ()
    )
    return LinkRecord(
        **fields,
        hours=tuple(HoursRecord(*hour) for hour in hours),
        members=tuple(
            MemberRecord(email, user_id, _utc(accepted), _utc(assigned), *rotation)
            for _position, email, user_id, accepted, assigned, *rotation in members
        ),
        bookings_between=bookings_between,
        bookings=taken,
    )


class LinkRepository:
    def __init__(self, session: AsyncSession, *, dialect: str) -> None:
        self._session = session
        self._dialect = dialect

    def add(self, link: BookingLink) -> None:
        self._session.add(link)

    async def flush(self) -> None:
        await self._session.flush()

    async def get(self, link_id: str, *, include_deleted: bool = False) -> BookingLink | None:
        link = await self._session.get(BookingLink, link_id)
        return link if link is not None and (include_deleted or link.deleted_at is None) else None

    async def public_record(
        self, slug: str, *, bookings_between: tuple[datetime, datetime] | None = None
    ) -> LinkRecord | None:
        """The live link with this slug, its weekly hours and members, in one statement; with
        ``bookings_between``, also the live bookings of its owner and members overlapping that span."""
        statement = _PUBLIC[(self._dialect, bookings_between is not None)]
        parameters: dict[str, object] = {"slug": slug}
        if bookings_between is not None:
            parameters.update(after=bookings_between[0], before=bookings_between[1])
        found = (await self._session.execute(statement, parameters)).first()
        return None if found is None else _record(found, bookings_between)

    async def lock(self, link_id: str) -> None:
        """Serialise round-robin assignment on one link until the transaction ends (PostgreSQL; the
        SQLite write transaction already holds the database's write lock). Take it before any
        host lock, never after, so two bookings can't wait on each other."""
        if self._dialect == "postgresql":
            await self._session.execute(
                text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"),
                {"key": f"booking-link:{link_id}"},
            )

    async def embed_origins(self, link_id: str) -> tuple[str, ...] | None:
        """The origins allowed to frame this link's pages (deleted links too: their bookings'
        pages still open), or None when there is no such link."""
        found = await self._session.execute(select(_LINK.embed_allowed_origins).where(_LINK.id == link_id))
        row = found.first()
        return None if row is None else tuple(_json_list(row[0]))

    async def for_owner(self, owner_id: str) -> list[BookingLink]:
        result = await self._session.scalars(
            select(BookingLink)
            .where(BookingLink.owner_id == owner_id, BookingLink.deleted_at.is_(None))
            .order_by(BookingLink.created_at)
        )
        return list(result)

    async def slug_taken(self, slug: str, *, except_id: str | None = None) -> bool:
        query = select(BookingLink.id).where(BookingLink.slug == slug, BookingLink.deleted_at.is_(None))
        if except_id is not None:
            query = query.where(BookingLink.id != except_id)
        return (await self._session.scalars(query)).first() is not None

    async def attach_member(self, email: str, user_id: str) -> None:
        """A new account takes up the round-robin places listed under its email."""
        await self._session.execute(
            update(LinkMember)
            .where(LinkMember.email == email, LinkMember.user_id.is_(None))
            .values(user_id=user_id)
        )

    async def pool_rows(self, link_id: str) -> list[LinkMember]:
        """The link's pool as it is now (members with an account who are in it), rotation state
        included: read under ``lock`` when a booking is being assigned."""
        result = await self._session.scalars(
            select(LinkMember)
            .where(
                LinkMember.link_id == link_id,
                LinkMember.user_id.is_not(None),
                LinkMember.accepted_at.is_not(None),
            )
            .order_by(LinkMember.position)
        )
        return list(result)

    async def unassign(self, link_id: str, user_id: str) -> None:
        """A booking this rep was given went to another rep: it no longer counts for them."""
        await self._session.execute(
            update(LinkMember)
            .where(
                LinkMember.link_id == link_id, LinkMember.user_id == user_id, LinkMember.assigned_count > 0
            )
            .values(assigned_count=LinkMember.assigned_count - 1)
        )
