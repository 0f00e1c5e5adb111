"""Booking links: create, read, change and delete a host's links (never another host's)."""

import ipaddress
import itertools
import re
from dataclasses import dataclass, field, replace
from datetime import datetime
from urllib.parse import urlsplit

from workestra.db.models import BookingLink, LinkMember, WeeklyHours
from workestra.db.repositories.links import LinkRecord
from workestra.db.unit_of_work import UnitOfWork
from workestra.enums import CalendarProviderName
from workestra.errors import Conflict, InvalidInput, NotFound
from workestra.scheduling import (
    MAX_BUFFER_MINUTES,
    Candidate,
    WeeklyRule,
    calibrated_count,
    format_hhmm,
    parse_hhmm,
)
from workestra.scheduling.round_robin import HIGHEST_PRIORITY, LOWEST_PRIORITY, MAX_WEIGHT
from workestra.services.context import ServiceContext
from workestra.services.users import Host
from workestra.services.validation import check_timezone, check_unicode, clean_text, normalize_email

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_CONTROL_NOT_LINES = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,98}[a-z0-9])?$")
DEFAULT_HOURS: dict[str, list[tuple[str, str]]] = {day: [("09:00", "17:00")] for day in WEEKDAYS[:5]}

WeeklyHoursInput = dict[str, list[tuple[str, str]]]

MAX_EMBED_ORIGINS = 20
_DEFAULT_PORTS = {"http": 80, "https": 443}
# A DNS name (labels of letters, digits and dashes; punycode for others) or an IPv4 address (an
# IPv6 literal is checked apart): nothing else may reach the Content-Security-Policy header.
_HOST_NAME = re.compile(
    r"^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$"
)


@dataclass(frozen=True, slots=True)
class RotationInput:
    """A pool member's rotation settings, as a team admin sets them (``None``: keep / default)."""

    email: str
    priority: int | None = None
    weight: int | None = None
    daily_limit: int | None = None
    clear_daily_limit: bool = False


@dataclass(frozen=True, slots=True)
class RotationView:
    """A pool member as the link's hosts see it."""

    email: str
    priority: int
    weight: int
    daily_limit: int | None
    bookings: int  # given on this link so far (the rotation's count)
    in_pool: bool  # False only for a place listed before teams whose member hasn't accepted yet


@dataclass(frozen=True, slots=True)
class PoolMember:
    """A rep in a round-robin link's pool with their rotation state (public reads and bookings)."""

    user_id: str
    priority: int
    weight: int
    daily_limit: int | None
    assigned_count: int
    last_assigned_at: datetime | None

    def candidate(self) -> Candidate:
        return Candidate(self.user_id, self.last_assigned_at, self.priority, self.weight, self.assigned_count)


@dataclass(frozen=True, slots=True)
class LinkInput:
    """Fields a host sets; ``None`` means "not given" (keep on update, default on create)."""

    slug: str | None = None
    title: str | None = None
    description: str | None = None
    duration_minutes: int | None = None
    timezone: str | None = None
    weekly_hours: WeeklyHoursInput | None = None
    calendar_provider: str | None = None
    auto_meeting_link: bool | None = None
    slot_interval_minutes: int | None = None
    buffer_before_minutes: int | None = None
    buffer_after_minutes: int | None = None
    minimum_notice_minutes: int | None = None
    booking_horizon_days: int | None = None
    round_robin_members: list[str] | None = None
    embed_allowed_origins: list[str] | None = None
    team_id: str | None = None
    rotation: list[RotationInput] | None = None


@dataclass(frozen=True, slots=True)
class LinkView:
    id: str
    slug: str
    title: str
    description: str
    duration_minutes: int
    timezone: str
    weekly_hours: WeeklyHoursInput
    calendar_provider: CalendarProviderName
    auto_meeting_link: bool
    slot_interval_minutes: int
    buffer_before_minutes: int
    buffer_after_minutes: int
    minimum_notice_minutes: int
    booking_horizon_days: int
    round_robin_members: list[str] | None
    owner_id: str
    # A round-robin link's pool: the members who are in it (may be empty), in listed order.
    round_robin: bool = False
    pool: tuple[PoolMember, ...] = ()
    rules: tuple[WeeklyRule, ...] = field(default=(), repr=False)
    # Sites that may frame the embedded booking page; empty: any site may.
    embed_allowed_origins: tuple[str, ...] = ()
    team_id: str | None = None
    rotation: tuple[RotationView, ...] | None = None  # host views only

    @property
    def member_ids(self) -> tuple[str, ...]:
        return tuple(m.user_id for m in self.pool)


def parse_weekly_hours(hours: WeeklyHoursInput) -> list[WeeklyRule]:
    """Day names → rules; "24:00" ends a day; end before start is refused (split across midnight)."""
    rules: list[WeeklyRule] = []
    for day, ranges in hours.items():
        key = day.strip().lower()
        if key not in WEEKDAYS:
            raise InvalidInput(f"Unknown weekday {day!r}.", fields={"weekly_hours": f"unknown day {day!r}"})
        for start, end in ranges:
            try:
                start_minute = parse_hhmm(start)
                end_minute = parse_hhmm(end, allow_24=True)
            except ValueError as exc:
                raise InvalidInput(f"{day}: {exc}", fields={"weekly_hours": str(exc)}) from exc
            if end_minute <= start_minute:
                raise InvalidInput(
                    f"{day.capitalize()} hours end ({end}) before they start ({start}). For hours "
                    "past midnight, end the day at 24:00 and continue on the next day from 00:00.",
                    fields={"weekly_hours": "end must be after start"},
                )
            rules.append(WeeklyRule(WEEKDAYS.index(key), start_minute, end_minute))
    rules.sort(key=lambda r: (r.weekday, r.start_minute))
    for a, b in itertools.pairwise(rules):
        if a.weekday == b.weekday and b.start_minute < a.end_minute:
            raise InvalidInput(
                f"{WEEKDAYS[a.weekday].capitalize()} has overlapping hours.",
                fields={"weekly_hours": "overlapping ranges"},
            )
    return rules


def normalize_origin(value: str) -> str:
    """``scheme://host[:port]`` as browsers serialise an origin (lower case, punycode host, no
    default port); InvalidInput for anything else (a path, a query, credentials, another scheme)."""
    text = check_unicode(value, field="embed_allowed_origins").strip()
    invalid = InvalidInput(
        f"{text[:100]!r} is not a site's origin like https://www.example.com (no path).",
        fields={"embed_allowed_origins": "invalid origin"},
    )
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        raise invalid from None
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    if (
        scheme not in _DEFAULT_PORTS
        or not host
        or port == 0
        or parts.username is not None
        or parts.password is not None
        or parts.path not in ("", "/")
        or parts.query
        or parts.fragment
    ):
        raise invalid
    if ":" in host:  # an IPv6 literal: urlsplit took off its brackets
        try:
            host = f"[{ipaddress.IPv6Address(host).compressed}]"
        except ValueError:
            raise invalid from None
    else:
        try:
            host = host.encode("idna").decode("ascii").lower()
        except UnicodeError:
            raise invalid from None
        if not _HOST_NAME.match(host):
            raise invalid
    suffix = f":{port}" if port is not None and port != _DEFAULT_PORTS[scheme] else ""
    return f"{scheme}://{host}{suffix}"


def normalize_origins(values: list[str]) -> list[str]:
    """Each origin normalised (``normalize_origin``), duplicates dropped, at most MAX_EMBED_ORIGINS."""
    origins = list(dict.fromkeys(normalize_origin(v) for v in values if v.strip()))
    if len(origins) > MAX_EMBED_ORIGINS:
        raise InvalidInput(
            f"At most {MAX_EMBED_ORIGINS} sites may embed a booking page.",
            fields={"embed_allowed_origins": f"at most {MAX_EMBED_ORIGINS}"},
        )
    return origins


def _bounded(value: int, *, name: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not low <= value <= high:
        raise InvalidInput(f"{name} must be between {low} and {high}.", fields={name: f"{low}..{high}"})
    return value


def to_view(link: BookingLink | LinkRecord, members: list[str] | None) -> LinkView:
    """The link as services use it; ``members``: the listed emails, for the hosts' views only
    (public reads pass None, and get no emails nor rotation settings)."""
    pool = [m for m in link.members if m.user_id and m.accepted_at]
    hours: WeeklyHoursInput = {}
    rules = []
    for row in link.hours:
        hours.setdefault(WEEKDAYS[row.weekday], []).append(
            (format_hhmm(row.start_minute), format_hhmm(row.end_minute))
        )
        rules.append(WeeklyRule(row.weekday, row.start_minute, row.end_minute))
    return LinkView(
        id=link.id,
        slug=link.slug,
        title=link.title,
        description=link.description,
        duration_minutes=link.duration_minutes,
        timezone=link.timezone,
        weekly_hours=hours,
        calendar_provider=CalendarProviderName(link.calendar_provider),
        auto_meeting_link=link.auto_meeting_link,
        slot_interval_minutes=link.slot_interval_minutes,
        buffer_before_minutes=link.buffer_before_minutes,
        buffer_after_minutes=link.buffer_after_minutes,
        minimum_notice_minutes=link.minimum_notice_minutes,
        booking_horizon_days=link.booking_horizon_days,
        round_robin_members=members,
        owner_id=link.owner_id,
        round_robin=bool(link.members) or link.team_id is not None,
        pool=tuple(
            PoolMember(m.user_id, m.priority, m.weight, m.daily_limit, m.assigned_count, m.last_assigned_at)
            for m in pool
            if m.user_id
        ),
        rules=tuple(rules),
        embed_allowed_origins=tuple(link.embed_allowed_origins),
        team_id=link.team_id,
        rotation=None
        if members is None
        else tuple(
            RotationView(
                m.email,
                m.priority,
                m.weight,
                m.daily_limit,
                m.assigned_count,
                bool(m.user_id and m.accepted_at),
            )
            for m in link.members
        ),
    )


def _member_emails(link: BookingLink) -> list[str] | None:
    return [m.email for m in link.members] if link.members else None


async def _apply(uow: UnitOfWork, link: BookingLink, data: LinkInput, *, now: datetime) -> None:
    if data.slug is not None:
        slug = data.slug.strip().lower()
        if not SLUG.match(slug):
            raise InvalidInput(
                "The slug may use lower-case letters, digits and dashes (1–100 characters).",
                fields={"slug": "invalid slug"},
            )
        if await uow.links.slug_taken(slug, except_id=link.id):
            raise Conflict(f"The slug {slug!r} is already taken.")
        link.slug = slug
    if data.title is not None:
        link.title = clean_text(data.title, field="title", max_length=200)
    if data.description is not None:
        description = check_unicode(data.description, field="description").strip()
        if len(description) > 5000 or _CONTROL_NOT_LINES.search(description):
            raise InvalidInput(
                "The description must be at most 5,000 characters of text.",
                fields={"description": "too long or contains control characters"},
            )
        link.description = description
    if data.duration_minutes is not None:
        link.duration_minutes = _bounded(data.duration_minutes, name="duration_minutes", low=5, high=720)
    if data.timezone is not None:
        check_timezone(data.timezone)
        link.timezone = data.timezone
    if data.calendar_provider is not None:
        try:
            link.calendar_provider = CalendarProviderName(data.calendar_provider.strip().lower())
        except ValueError as exc:
            raise InvalidInput(
                "calendar_provider must be one of none, google, microsoft.",
                fields={"calendar_provider": "none|google|microsoft"},
            ) from exc
    if data.auto_meeting_link is not None:
        link.auto_meeting_link = data.auto_meeting_link
    for name, high in (
        ("slot_interval_minutes", 720),
        ("buffer_before_minutes", MAX_BUFFER_MINUTES),
        ("buffer_after_minutes", MAX_BUFFER_MINUTES),
        ("minimum_notice_minutes", 60 * 24 * 90),
        ("booking_horizon_days", 730),
    ):
        value = getattr(data, name)
        if value is not None:
            low = 1 if name in {"slot_interval_minutes", "booking_horizon_days"} else 0
            setattr(link, name, _bounded(value, name=name, low=low, high=high))
    if data.embed_allowed_origins is not None:
        link.embed_allowed_origins = normalize_origins(data.embed_allowed_origins)
    if data.weekly_hours is not None:
        rules = parse_weekly_hours(data.weekly_hours)
        link.hours = [
            WeeklyHours(weekday=r.weekday, start_minute=r.start_minute, end_minute=r.end_minute)
            for r in rules
        ]
    await _apply_pool(uow, link, data, now=now)
    link.updated_at = now


async def _team_of(uow: UnitOfWork, link: BookingLink, data: LinkInput) -> str | None:
    """The link's team, after checking a newly given ``team_id`` names a team the host administers
    (any other id, or one of a team they aren't an admin of, is the same 422)."""
    if data.team_id is None or data.team_id == link.team_id:
        return link.team_id
    if not await uow.teams.is_admin(data.team_id, link.owner_id):
        raise InvalidInput(
            "team_id must be a team you are an admin of.", fields={"team_id": "not a team you administer"}
        )
    return data.team_id


async def _apply_pool(uow: UnitOfWork, link: BookingLink, data: LinkInput, *, now: datetime) -> None:
    """Who is in a round-robin link's pool, and their rotation settings, changed in place: a member
    who stays keeps their row and with it their rotation state (count, last booking)."""
    team_id = await _team_of(uow, link, data)
    if team_id is None:
        if data.round_robin_members or data.rotation:
            raise InvalidInput(
                "A round-robin link belongs to a team: give team_id (a team you are an admin of, "
                "made at /settings/teams) and members who accepted its invitation.",
                fields={"team_id": "required for round_robin_members"},
            )
        if data.round_robin_members == []:
            link.members = []
        return
    team_changed = team_id != link.team_id
    link.team_id = team_id
    active = {m.email: m for m in await uow.teams.active_members(team_id)}
    if data.round_robin_members is not None:
        emails = [normalize_email(e, field="round_robin_members") for e in data.round_robin_members]
        if len(set(emails)) != len(emails):
            raise InvalidInput(
                "round_robin_members lists someone twice.", fields={"round_robin_members": "duplicate"}
            )
        if not emails:
            emails = list(active)  # omitted or empty: all active members
    elif team_changed or not link.members:
        emails = list(active)
    else:
        emails = [m.email for m in link.members]
    if data.round_robin_members is not None and (missing := [e for e in emails if e not in active]):
        raise InvalidInput(
            f"{missing[0]} is not an active member of the team (they must accept its invitation first).",
            fields={"round_robin_members": "not an active team member"},
        )
    kept = {m.email: m for m in link.members}
    pool = [
        Candidate(m.user_id, m.last_assigned_at, m.priority, m.weight, m.assigned_count)
        for m in link.members
        if m.user_id and m.accepted_at
    ]
    members = []
    for position, email in enumerate(emails):
        member = kept.get(email)
        if member is None:
            member = LinkMember(email=email, priority=2, weight=1, last_assigned_at=None)
            member.assigned_count = calibrated_count(1, pool)
        if email in active:
            member.user_id = active[email].user_id
            member.accepted_at = member.accepted_at or active[email].accepted_at or now
        member.position = position
        members.append(member)
    link.members = members
    _apply_rotation(link, data.rotation or [], pool)


def _apply_rotation(link: BookingLink, settings: list[RotationInput], pool: list[Candidate]) -> None:
    by_email = {m.email: m for m in link.members}
    for item in settings:
        email = normalize_email(item.email, field="rotation")
        member = by_email.get(email)
        if member is None:
            raise InvalidInput(
                f"rotation names {email}, who isn't in this link's pool.",
                fields={"rotation": "not a pool member"},
            )
        if item.priority is not None:
            member.priority = _bounded(
                item.priority, name="priority", low=LOWEST_PRIORITY, high=HIGHEST_PRIORITY
            )
        if item.weight is not None:
            weight = _bounded(item.weight, name="weight", low=1, high=MAX_WEIGHT)
            if weight != member.weight and member.last_assigned_at is None:
                member.assigned_count = calibrated_count(weight, pool)
            member.weight = weight
        if item.clear_daily_limit:
            member.daily_limit = None
        elif item.daily_limit is not None:
            member.daily_limit = _bounded(item.daily_limit, name="daily_limit", low=1, high=1000)


async def create_link(ctx: ServiceContext, host: Host, data: LinkInput) -> LinkView:
    if data.slug is None or data.title is None or data.duration_minutes is None:
        missing = [n for n in ("slug", "title", "duration_minutes") if getattr(data, n) is None]
        raise InvalidInput(f"Missing {', '.join(missing)}.", fields=dict.fromkeys(missing, "required"))
    now = ctx.clock.now()
    defaults = replace(
        data,
        timezone=data.timezone or host.timezone.key,
        weekly_hours=DEFAULT_HOURS if data.weekly_hours is None else data.weekly_hours,
        calendar_provider=data.calendar_provider or CalendarProviderName.NONE,
        auto_meeting_link=bool(data.auto_meeting_link),
        slot_interval_minutes=data.slot_interval_minutes or data.duration_minutes,
        buffer_before_minutes=data.buffer_before_minutes or 0,
        buffer_after_minutes=data.buffer_after_minutes or 0,
        minimum_notice_minutes=data.minimum_notice_minutes or 0,
        booking_horizon_days=data.booking_horizon_days or 60,
    )
    async with ctx.uow(write=True) as uow:
        link = BookingLink(
            owner_id=host.id, created_at=now, description="", hours=[], members=[], embed_allowed_origins=[]
        )
        await _apply(uow, link, defaults, now=now)
        uow.links.add(link)
        await uow.links.flush()
        view = to_view(link, _member_emails(link))
        await uow.commit()
    return view


async def _owned(uow: UnitOfWork, host: Host, link_id: str) -> BookingLink:
    link = await uow.links.get(link_id)
    if link is None or link.owner_id != host.id:
        raise NotFound("No booking link with that id.")  # another host's link looks absent
    return link


async def get_link(ctx: ServiceContext, host: Host, link_id: str) -> LinkView:
    async with ctx.uow() as uow:
        link = await _owned(uow, host, link_id)
        return to_view(link, _member_emails(link))


async def list_links(ctx: ServiceContext, host: Host) -> list[LinkView]:
    async with ctx.uow() as uow:
        return [to_view(link, _member_emails(link)) for link in await uow.links.for_owner(host.id)]


async def update_link(ctx: ServiceContext, host: Host, link_id: str, data: LinkInput) -> LinkView:
    now = ctx.clock.now()
    async with ctx.uow(write=True) as uow:
        link = await _owned(uow, host, link_id)
        await _apply(uow, link, data, now=now)
        await uow.links.flush()
        view = to_view(link, _member_emails(link))
        await uow.commit()
    return view


async def delete_link(ctx: ServiceContext, host: Host, link_id: str) -> None:
    """Unpublish the link (its slug is free again); its bookings stay, with their times and events."""
    async with ctx.uow(write=True) as uow:
        link = await _owned(uow, host, link_id)
        link.deleted_at = ctx.clock.now()
        await uow.commit()


async def public_page(ctx: ServiceContext, slug: str) -> tuple[LinkView, str]:
    """The link behind ``/book/<slug>`` and whom it books with (the host's name, or the team's), for
    the public page."""
    async with ctx.uow() as uow:
        link = await public_link(uow, slug)
        if link.team_id is not None:  # a team's round robin: the team, not one of its admins
            team = await uow.teams.get(link.team_id)
            return link, team.name if team else ""
        owner = await uow.users.get(link.owner_id)
    return link, owner.name if owner else ""


async def embed_origins(ctx: ServiceContext, link_id: str) -> tuple[str, ...] | None:
    """The sites that may frame pages of this link's bookings (its confirmation, cancel and
    reschedule pages), deleted links included; None when there is no such link."""
    async with ctx.uow() as uow:
        return await uow.links.embed_origins(link_id)


async def public_link(uow: UnitOfWork, slug: str) -> LinkView:
    slug = slug.strip().lower()
    link = await uow.links.public_record(slug) if SLUG.match(slug) else None
    if link is None:
        raise NotFound("No booking page with that address.")
    # Public pages and bookings use member_ids; the members' emails are for the host's views only.
    return to_view(link, None)
