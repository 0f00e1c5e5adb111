"""The booking-link form: what it shows (``LinkFormValues``), how a submission becomes a ``LinkInput``,
and which field each problem belongs beside (``field_errors``, ``error_summary``).

Kept out of the routes: the routes only call ``values_from_form`` / ``to_input`` / ``field_errors``
and a service. Weekly hours post as repeated ``<day>_start`` / ``<day>_end`` pairs, one pair per range.
Durations the API keeps in one unit (minimum notice in minutes, the horizon in days) are shown as a
number and a unit (``Measure``). Error keys are the form's field names (the inputs' ids), plus
``<day>_hours`` for a day's weekly hours and ``round_robin_members`` for the chosen team's pool.

A round-robin link belongs to a team the host is an admin of (``team_id``; empty: a personal link).
Every such team's active members are listed (``TeamChoice``), one row each, posted as
``pool-<team id>-<n>-email`` (hidden), ``pool-<team id>-<n>`` (the checkbox: in the pool) and
``pool-<team id>-<n>-priority`` / ``-weight`` / ``-daily_limit``; only the chosen team's rows are
sent to the service, the others are kept as typed for showing the form again.
"""

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from itertools import pairwise, zip_longest

from starlette.datastructures import FormData

from workestra.enums import CalendarProviderName, MemberStatus
from workestra.errors import Conflict, InvalidInput, NotFound
from workestra.scheduling import parse_hhmm
from workestra.scheduling.round_robin import DEFAULT_PRIORITY, HIGHEST_PRIORITY, LOWEST_PRIORITY, MAX_WEIGHT
from workestra.services.booking_links import (
    DEFAULT_HOURS,
    SLUG,
    WEEKDAYS,
    LinkInput,
    LinkView,
    RotationInput,
    RotationView,
)
from workestra.services.context import ServiceContext
from workestra.services.slugs import free_slug, slug_from_title
from workestra.services.teams import TeamView, get_team, my_teams
from workestra.services.users import Host

# Whole numbers of minutes, typed as they are kept.
NUMBER_FIELDS: dict[str, str] = {
    "duration_minutes": "Duration",
    "slot_interval_minutes": "Slot interval",
    "buffer_before_minutes": "Buffer before",
    "buffer_after_minutes": "Buffer after",
}
PROVIDER_CHOICES: tuple[tuple[str, str], ...] = (
    (CalendarProviderName.NONE.value, "None"),
    (CalendarProviderName.GOOGLE.value, "Google"),
    (CalendarProviderName.MICROSOFT.value, "Microsoft"),
)
MAX_RANGES_PER_DAY = 12
# A pool member's priority in words, lowest first (the service keeps 0..4).
PRIORITY_WORDS = ("Lowest", "Low", "Medium", "High", "Highest")
PRIORITY_CHOICES: tuple[tuple[str, str], ...] = tuple(
    (str(p), word)
    for p, word in zip(range(LOWEST_PRIORITY, HIGHEST_PRIORITY + 1), PRIORITY_WORDS, strict=True)
)
MAX_DAILY_LIMIT = 1000
MAX_POOL_ROWS = 500
_POOL_EMAIL = re.compile(r"pool-([0-9A-Za-z-]{1,64})-(\d{1,4})-email")


@dataclass(frozen=True, slots=True)
class Unit:
    name: str  # the option's value and words: "hours"
    one: str  # "hour"
    size: int  # how many of the API's units it holds

    def words(self, count: int) -> str:
        return f"{count} {self.one if count == 1 else self.name}"


@dataclass(slots=True)
class Amount:
    """A number and a unit as the host typed them ("1.5", "hours")."""

    number: str
    unit: str


@dataclass(frozen=True, slots=True)
class Measure:
    """A duration the API keeps in one unit that the form shows in the units people use."""

    name: str  # the form's field: "minimum_notice" (and "minimum_notice_unit")
    api_name: str  # the LinkInput field: "minimum_notice_minutes"
    label: str
    units: tuple[Unit, ...]  # smallest first; the first is the API's own unit (size 1)
    zero_unit: str  # how 0 is shown
    default: int

    def unit(self, name: str) -> Unit | None:
        return next((u for u in self.units if u.name == name), None)

    def amount(self, value: int) -> Amount:
        """In the largest unit that divides ``value`` exactly: 1440 minutes -> 1 day, 90 -> 90 minutes."""
        if value == 0:
            return Amount("0", self.zero_unit)
        unit = self._largest(value)
        return Amount(str(value // unit.size), unit.name)

    def _largest(self, value: int) -> Unit:
        return next(u for u in reversed(self.units) if value % u.size == 0)

    def words(self, value: int) -> str:
        """1440 -> "1 day", 0 -> "0"."""
        if value == 0:
            return "0"
        unit = self._largest(value)
        return unit.words(value // unit.size)

    def value(self, amount: Amount) -> int | None:
        """The amount in the API's unit; None when left empty; ValueError (in words) otherwise."""
        unit = self.unit(amount.unit)
        if not amount.number:
            return None
        if unit is None:
            raise ValueError(f"Choose a unit for the {self.label.lower()}.")
        try:
            number = Decimal(amount.number.replace(",", "."))
        except InvalidOperation:
            raise ValueError(f"{self.label} must be a number, such as 2.") from None
        total = number * unit.size
        if not total.is_finite() or total != total.to_integral_value():
            raise ValueError(f"{self.label} must come to whole {self.units[0].name}.")
        return int(total)


MINIMUM_NOTICE = Measure(
    "minimum_notice",
    "minimum_notice_minutes",
    "Minimum notice",
    (Unit("minutes", "minute", 1), Unit("hours", "hour", 60), Unit("days", "day", 60 * 24)),
    zero_unit="hours",
    default=0,
)
BOOKING_HORIZON = Measure(
    "booking_horizon",
    "booking_horizon_days",
    "Booking horizon",
    (Unit("days", "day", 1), Unit("weeks", "week", 7)),
    zero_unit="days",
    default=60,
)
MEASURES: dict[str, Measure] = {m.name: m for m in (MINIMUM_NOTICE, BOOKING_HORIZON)}

# The form's fields in the order the page shows them (the error summary follows it); the service's
# name for a field, where it differs from the form's.
FIELD_ORDER: tuple[str, ...] = (
    "title",
    "slug",
    "description",
    "duration_minutes",
    "timezone",
    "weekly_hours",
    *(f"{day}_hours" for day in WEEKDAYS),
    "calendar_provider",
    "slot_interval_minutes",
    "buffer_before_minutes",
    "buffer_after_minutes",
    "minimum_notice",
    "booking_horizon",
    "team_id",
    "round_robin_members",
    "embed_allowed_origins",
)
# The service's problems with the pool's rotation settings name no member: shown with the pool.
POOL_PROBLEMS = ("rotation", "priority", "weight", "daily_limit")
FORM_NAMES: dict[str, str] = {
    **{m.api_name: m.name for m in MEASURES.values()},
    **dict.fromkeys(POOL_PROBLEMS, "round_robin_members"),
}
LABELS: dict[str, str] = {
    "title": "Title",
    "slug": "Slug",
    "description": "Description",
    "timezone": "Time zone",
    "calendar_provider": "Calendar provider",
    "team_id": "Team",
    "round_robin_members": "Pool",
    "embed_allowed_origins": "Sites allowed to embed this page",
    **NUMBER_FIELDS,
    **{m.name: m.label for m in MEASURES.values()},
}


@dataclass(slots=True)
class LinkFormValues:
    """The form's fields as the host typed them (strings), for showing the form again."""

    slug: str = ""
    title: str = ""
    description: str = ""
    duration_minutes: str = "30"
    timezone: str = "UTC"
    hours: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    calendar_provider: str = CalendarProviderName.NONE.value
    auto_meeting_link: bool = False
    slot_interval_minutes: str = ""
    buffer_before_minutes: str = "0"
    buffer_after_minutes: str = "0"
    amounts: dict[str, Amount] = field(
        default_factory=lambda: {m.name: m.amount(m.default) for m in MEASURES.values()}
    )
    team_id: str = ""  # empty: a personal link
    pools: dict[str, list["PoolRow"]] = field(default_factory=dict)  # as posted, by team id
    embed_allowed_origins: str = ""  # one origin per line
    new_link: bool = False
    slug_made: bool = False  # the slug was left empty and made from the title
    # The link as saved (an edit): its team and its pool's rotation settings and counts.
    current_team_id: str = ""
    current_rotation: tuple[RotationView, ...] = ()

    def rows(self, day: str) -> list[tuple[str, str]]:
        """The day's ranges plus one empty row, so another range can be added."""
        return [*self.hours.get(day, []), ("", "")]

    def number(self, name: str) -> str:
        value: str = getattr(self, name)
        return value

    def amount(self, name: str) -> Amount:
        return self.amounts.get(name) or Amount("", MEASURES[name].zero_unit)


@dataclass(slots=True)
class PoolRow:
    """One active member of a team in the form: as saved (or the defaults for a member not in the
    pool), or as posted."""

    email: str
    name: str = ""  # the account's name; the email when unknown
    in_pool: bool = True
    priority: str = str(DEFAULT_PRIORITY)
    weight: str = "1"
    daily_limit: str = ""  # empty: no limit
    bookings: int = 0  # given on this link so far (the rotation's count)

    @property
    def label(self) -> str:
        return self.name or self.email


@dataclass(slots=True)
class TeamChoice:
    """A team the link may belong to, with its active members as the form lists them."""

    id: str
    name: str
    rows: list[PoolRow]
    waiting: tuple[str, ...] = ()  # listed in the pool, not yet accepted (kept while it's unchanged)

    def field(self, number: int, part: str = "") -> str:
        """The id and name of row ``number``'s input (1-based): ``pool-<team>-<n>[-part]``."""
        return f"pool-{self.id}-{number}" + (f"-{part}" if part else "")


class FormProblems(InvalidInput):
    """What the form itself can tell is wrong, all at once; ``fields`` holds the words to show."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__("The booking link wasn't saved.", fields=problems)


@dataclass(frozen=True, slots=True)
class SummaryItem:
    anchor: str | None  # the id of the input to go to
    message: str


def blank_values(host: Host) -> LinkFormValues:
    return LinkFormValues(
        timezone=host.timezone.key, hours={d: list(r) for d, r in DEFAULT_HOURS.items()}, new_link=True
    )


def values_from_view(view: LinkView) -> LinkFormValues:
    return LinkFormValues(
        slug=view.slug,
        title=view.title,
        description=view.description,
        duration_minutes=str(view.duration_minutes),
        timezone=view.timezone,
        hours={d: list(r) for d, r in view.weekly_hours.items()},
        calendar_provider=view.calendar_provider.value,
        auto_meeting_link=view.auto_meeting_link,
        slot_interval_minutes=str(view.slot_interval_minutes),
        buffer_before_minutes=str(view.buffer_before_minutes),
        buffer_after_minutes=str(view.buffer_after_minutes),
        amounts={m.name: m.amount(getattr(view, m.api_name)) for m in MEASURES.values()},
        team_id=view.team_id or "",
        embed_allowed_origins="\n".join(view.embed_allowed_origins),
        current_team_id=view.team_id or "",
        current_rotation=view.rotation or (),
    )


def _text(form: FormData, name: str, limit: int = 5000) -> str:
    value = form.get(name)
    return value[:limit] if isinstance(value, str) else ""


def _times(form: FormData, name: str) -> list[str]:
    """Repeated time inputs, "9:00" padded to "09:00" (the services want HH:MM)."""
    values = [v.strip()[:10] if isinstance(v, str) else "" for v in form.getlist(name)]
    return [f"0{v}" if len(v) == 4 and v[1] == ":" else v for v in values]


def _amount(form: FormData, measure: Measure) -> Amount:
    if measure.name not in form and measure.api_name in form:  # a client posting the API's unit
        return Amount(_text(form, measure.api_name, 20).strip(), measure.units[0].name)
    return Amount(_text(form, measure.name, 20).strip(), _text(form, f"{measure.name}_unit", 20))


def _pools(form: FormData) -> dict[str, list[PoolRow]]:
    """Every team's rows as posted (``pool-<team>-<n>-email`` and the row's other inputs), by team."""
    numbered: dict[str, list[tuple[int, str]]] = {}
    for key in list(form.keys())[: MAX_POOL_ROWS * 8]:
        if found := _POOL_EMAIL.fullmatch(key):
            numbered.setdefault(found[1], []).append((int(found[2]), found[0].removesuffix("-email")))
    pools: dict[str, list[PoolRow]] = {}
    for team_id, rows in numbered.items():
        pools[team_id] = [
            PoolRow(
                email=_text(form, f"{prefix}-email", 320).strip(),
                in_pool=_text(form, prefix, 10) in {"on", "true", "1"},
                priority=_text(form, f"{prefix}-priority", 10).strip(),
                weight=_text(form, f"{prefix}-weight", 20).strip(),
                daily_limit=_text(form, f"{prefix}-daily_limit", 20).strip(),
            )
            for _, prefix in sorted(rows)[:MAX_POOL_ROWS]
        ]
    return pools


def values_from_form(form: FormData, *, new: bool = False, current: LinkView | None = None) -> LinkFormValues:
    """What was posted; on a ``new`` link an empty slug is made from the title. ``current``: the
    link as saved, for an edit."""
    hours: dict[str, list[tuple[str, str]]] = {}
    for day in WEEKDAYS:
        pairs = zip_longest(_times(form, f"{day}_start"), _times(form, f"{day}_end"), fillvalue="")
        ranges = [(start, end) for start, end in pairs if start or end]
        if ranges:
            hours[day] = ranges[:MAX_RANGES_PER_DAY]
    values = LinkFormValues(
        slug=_text(form, "slug", 200).strip(),
        title=_text(form, "title", 400),
        description=_text(form, "description"),
        timezone=_text(form, "timezone", 200),
        hours=hours,
        calendar_provider=_text(form, "calendar_provider", 40),
        auto_meeting_link=_text(form, "auto_meeting_link", 10) in {"on", "true", "1"},
        amounts={m.name: _amount(form, m) for m in MEASURES.values()},
        team_id=_text(form, "team_id", 64).strip(),
        pools=_pools(form),
        embed_allowed_origins=_text(form, "embed_allowed_origins", 20_000),
        new_link=new,
        current_team_id=(current.team_id or "") if current else "",
        current_rotation=(current.rotation or ()) if current else (),
    )
    for name in NUMBER_FIELDS:
        setattr(values, name, _text(form, name, 20).strip())
    if new and not values.slug:
        values.slug = slug_from_title(values.title)
        values.slug_made = bool(values.slug)
    return values


def _whole(text: str, low: int, high: int) -> int | None:
    try:
        number = int(text)
    except ValueError:
        return None
    return number if low <= number <= high else None


def _pool_input(
    values: LinkFormValues, problems: dict[str, str]
) -> tuple[str | None, list[str] | None, list[RotationInput] | None]:
    """The team, the pool's emails and their rotation settings for the service (each None: keep)."""
    if not values.team_id:
        if values.current_team_id:
            problems["team_id"] = (
                "A team link stays with a team. To make a link that books only you, create a new link."
            )
        return None, None, None
    rows = values.pools.get(values.team_id)
    if rows is None:  # the team's members weren't posted: all its active members, or the pool as it is
        return values.team_id, None, None
    team = TeamChoice(values.team_id, "", rows)
    rotation: list[RotationInput] = []
    for number, row in enumerate(rows, start=1):
        if not row.in_pool:
            continue
        priority = _whole(row.priority, LOWEST_PRIORITY, HIGHEST_PRIORITY)
        weight = _whole(row.weight, 1, MAX_WEIGHT)
        limit = _whole(row.daily_limit, 1, MAX_DAILY_LIMIT) if row.daily_limit else None
        if priority is None:
            problems[team.field(number, "priority")] = f"Choose a priority for {row.email}."
        if weight is None:
            problems[team.field(number, "weight")] = (
                f"The weight for {row.email} must be a whole number from 1 to {MAX_WEIGHT}."
            )
        if row.daily_limit and limit is None:
            problems[team.field(number, "daily_limit")] = (
                f"The daily limit for {row.email} must be a whole number from 1 to {MAX_DAILY_LIMIT}, "
                "or empty for no limit."
            )
        rotation.append(RotationInput(row.email, priority, weight, limit, clear_daily_limit=limit is None))
    emails = [item.email for item in rotation]
    if not emails:
        problems["round_robin_members"] = "Check at least one member for the pool."
    pool_now = {r.email for r in values.current_rotation if r.in_pool}
    if values.team_id == values.current_team_id and set(emails) == pool_now:
        # Unchanged: the places of members who haven't accepted yet stay listed.
        return values.team_id, None, rotation
    return values.team_id, emails, rotation


def _slug_problem(values: LinkFormValues) -> str | None:
    slug = values.slug.lower()
    if not slug and values.new_link:
        if not values.title.strip():
            return None  # made from the title, once there is one (the title's own problem says so)
        return "Give the booking page an address: lower-case letters, digits and dashes."
    if not slug:
        return "The slug is required."
    if not SLUG.match(slug):
        suggestion = slug_from_title(values.slug)
        such_as = f", such as {suggestion}" if suggestion else ""
        return f"Use only lower-case letters, digits and dashes in the slug{such_as}."
    return None


def _day_problem(day: str, ranges: list[tuple[str, str]]) -> str | None:
    name = day.capitalize()
    if any(not start or not end for start, end in ranges):
        return f"{name}: give both a start and an end time for each range."
    spans = []
    for start, end in ranges:
        try:
            spans.append((parse_hhmm(start), parse_hhmm(end, allow_24=True)))
        except ValueError:
            return f"{name}: use 24-hour times such as 09:30 (24:00 ends the day), not {start}–{end}."
        if spans[-1][1] <= spans[-1][0]:
            return (
                f"{name} hours end ({end}) before they start ({start}). For hours past midnight, "
                "end the day at 24:00 and continue on the next day from 00:00."
            )
    spans.sort()
    if any(b[0] < a[1] for a, b in pairwise(spans)):
        return f"{name} has overlapping hours."
    return None


def to_input(values: LinkFormValues) -> LinkInput:
    """The services' input; FormProblems (every field the form itself can tell is wrong)."""
    problems: dict[str, str] = {}
    if not values.title.strip():
        problems["title"] = "The title is required."
    if slug_problem := _slug_problem(values):
        problems["slug"] = slug_problem
    numbers: dict[str, int | None] = {}
    for name, label in NUMBER_FIELDS.items():
        raw = values.number(name)
        try:
            numbers[name] = int(raw) if raw else None
        except ValueError:
            problems[name] = f"{label} must be a whole number of minutes."
    for measure in MEASURES.values():
        try:
            numbers[measure.api_name] = measure.value(values.amount(measure.name))
        except ValueError as exc:
            problems[measure.name] = str(exc)
    for day, ranges in values.hours.items():
        if day_problem := _day_problem(day, ranges):
            problems[f"{day}_hours"] = day_problem
    team_id, members, rotation = _pool_input(values, problems)
    if problems:
        raise FormProblems(problems)
    return LinkInput(
        slug=values.slug.lower(),
        title=values.title,
        description=values.description,
        duration_minutes=numbers["duration_minutes"],
        timezone=values.timezone or None,
        weekly_hours={day: list(ranges) for day, ranges in values.hours.items()},
        calendar_provider=values.calendar_provider or None,
        auto_meeting_link=values.auto_meeting_link,
        slot_interval_minutes=numbers["slot_interval_minutes"],
        buffer_before_minutes=numbers["buffer_before_minutes"],
        buffer_after_minutes=numbers["buffer_after_minutes"],
        minimum_notice_minutes=numbers[MINIMUM_NOTICE.api_name],
        booking_horizon_days=numbers[BOOKING_HORIZON.api_name],
        team_id=team_id,
        round_robin_members=members,
        rotation=rotation,
        # Every line is an origin (the service says which one isn't); none: any site may embed.
        embed_allowed_origins=[o.strip() for o in values.embed_allowed_origins.splitlines() if o.strip()],
    )


_RANGE = re.compile(r"(-?\d+)\.\.(-?\d+)")


def _service_message(name: str, short: str, message: str) -> str:
    """The service's word on one field, said the way the form shows that field."""
    bounds = _RANGE.fullmatch(short)
    measure = MEASURES.get(FORM_NAMES.get(name, ""))
    if bounds and measure:
        low, high = (measure.words(int(b)) for b in bounds.groups())
        return f"{measure.label} must be between {low} and {high}."
    if bounds and name in NUMBER_FIELDS:
        return f"{NUMBER_FIELDS[name]} must be between {bounds[1]} and {bounds[2]} minutes."
    if name == "slug":
        return "Use only lower-case letters, digits and dashes in the slug (at most 100)."
    if name == "calendar_provider":
        return "Choose None, Google or Microsoft."
    if name == "round_robin_members" and short == "duplicate":
        return "Someone is listed twice."
    if name == "team_id":
        return "Choose one of the teams you are an admin of."
    if bounds and name == "priority":
        return "Choose each member's priority from Lowest to Highest."
    if bounds and name == "weight":
        return f"Each member's weight must be a whole number from {bounds[1]} to {bounds[2]}."
    if bounds and name == "daily_limit":
        return f"A daily limit must be from {bounds[1]} to {bounds[2]} bookings, or empty for no limit."
    if short == "required":
        return f"{LABELS.get(name, name.replace('_', ' ').capitalize())} is required."
    return message


async def field_errors(
    ctx: ServiceContext, values: LinkFormValues, exc: InvalidInput | Conflict
) -> dict[str, str]:
    """The words to show beside each field (key "" for a problem of no field). A taken slug comes
    with a free one to try; a slug the form made from the title is replaced by it."""
    if isinstance(exc, FormProblems):
        return dict(exc.fields)
    if isinstance(exc, Conflict) and not exc.fields:
        wanted = values.slug.lower()
        suggestion = await free_slug(ctx, wanted)
        if values.slug_made:
            values.slug = suggestion
            return {
                "slug": f"/book/{wanted} is already taken, so the slug is now {suggestion}. "
                "Save again to use it, or change it."
            }
        return {"slug": f"/book/{wanted} is already taken. Try {suggestion}."}
    errors = {
        FORM_NAMES.get(n, n): _service_message(n, short, exc.message) for n, short in exc.fields.items()
    }
    return errors or {"": exc.message}


def error_anchor(key: str, pool_anchor: str | None = None) -> str | None:
    """The id of the input a problem sends the host to (a day's first start time for its hours, the
    chosen team's first member for its pool)."""
    if key == "round_robin_members":
        return pool_anchor or "team_id"
    if key == "weekly_hours":
        return f"{WEEKDAYS[0]}_start_1"
    day = key.removesuffix("_hours")
    if day != key and day in WEEKDAYS:
        return f"{day}_start_1"
    return key or None


def error_summary(errors: dict[str, str], pool_anchor: str | None = None) -> list[SummaryItem]:
    """The problems in the order of the fields on the page, each linking to its input (a pool
    member's problems with the pool, in the order of its rows)."""
    order = {name: i for i, name in enumerate(FIELD_ORDER)}

    def position(key: str) -> float:
        if key.startswith("pool-"):
            return order["round_robin_members"] + 0.5
        return order.get(key, len(order))

    keys = sorted(errors, key=position)
    return [SummaryItem(error_anchor(k, pool_anchor), errors[k]) for k in keys]


def _rows(team: TeamView, values: LinkFormValues) -> tuple[list[PoolRow], tuple[str, ...]]:
    """The team's active members as the form lists them: as posted (in the posted order), else as
    saved for the link's own team (its pool first, in its order), else all in the pool by default."""
    active = [m for m in team.members if m.status is MemberStatus.ACTIVE]
    names = {m.email: m.name or "" for m in active}
    saved = {r.email: r for r in values.current_rotation} if team.id == values.current_team_id else {}
    pool = [r.email for r in values.current_rotation if r.in_pool and r.email in names] if saved else []
    rows: dict[str, PoolRow] = {}
    for email in pool:
        stored = saved[email]
        rows[email] = PoolRow(
            email,
            names[email],
            priority=str(stored.priority),
            weight=str(stored.weight),
            daily_limit="" if stored.daily_limit is None else str(stored.daily_limit),
            bookings=stored.bookings,
        )
    for email in names:
        rows.setdefault(email, PoolRow(email, names[email], in_pool=not saved))
    posted = values.pools.get(team.id)
    if posted is not None:
        typed = {r.email: r for r in posted}
        for row in posted:
            known = rows.get(row.email)
            row.name, row.bookings = (known.name, known.bookings) if known else ("", 0)
        rows = {**typed, **{e: r for e, r in rows.items() if e not in typed}}
    waiting = tuple(r.email for r in values.current_rotation if not r.in_pool) if saved else ()
    return list(rows.values()), waiting


async def team_choices(ctx: ServiceContext, host: Host, values: LinkFormValues) -> list[TeamChoice]:
    """The teams the host is an admin of (and the link's own team), each with its active members."""
    teams = [t for t in (await my_teams(ctx, host)).teams if t.is_admin]
    current = values.current_team_id
    own: list[TeamChoice] = []
    if current and all(t.id != current for t in teams):
        try:
            teams.append(await get_team(ctx, host, current))
        except NotFound:  # the host is no longer in the link's team: its pool as saved
            rows = [
                PoolRow(r.email, priority=str(r.priority), weight=str(r.weight), bookings=r.bookings)
                for r in values.current_rotation
                if r.in_pool
            ]
            own.append(TeamChoice(current, "This link's team", rows))
    return [*(TeamChoice(t.id, t.name, *_rows(t, values)) for t in teams), *own]


def pool_anchor(values: LinkFormValues, teams: list[TeamChoice]) -> str | None:
    """The id of the chosen team's first member (where the pool's problems send the host)."""
    team = next((t for t in teams if t.id == values.team_id and t.rows), None)
    return team.field(1) if team else None
