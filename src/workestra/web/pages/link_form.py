"""The booking-link form: what it shows (``LinkFormValues``), how a submission becomes a ``LinkInput``,
and which field each problem belongs beside (``field_errors``, ``error_summary``).

Kept out of the routes: the routes only call ``values_from_form`` / ``to_input`` / ``field_errors``
and a service. Weekly hours post as repeated ``<day>_start`` / ``<day>_end`` pairs, one pair per range.
Durations the API keeps in one unit (minimum notice in minutes, the horizon in days) are shown as a
number and a unit (``Measure``). Error keys are the form's field names (the inputs' ids), plus
``<day>_hours`` for a day's weekly hours.
"""

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from itertools import pairwise, zip_longest

from starlette.datastructures import FormData

from workestra.enums import CalendarProviderName
from workestra.errors import Conflict, InvalidInput
from workestra.scheduling import parse_hhmm
from workestra.services.booking_links import DEFAULT_HOURS, SLUG, WEEKDAYS, LinkInput, LinkView
from workestra.services.context import ServiceContext
from workestra.services.slugs import free_slug, slug_from_title
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
    "round_robin_members",
    "embed_allowed_origins",
)
FORM_NAMES: dict[str, str] = {m.api_name: m.name for m in MEASURES.values()}
LABELS: dict[str, str] = {
    "title": "Title",
    "slug": "Slug",
    "description": "Description",
    "timezone": "Time zone",
    "calendar_provider": "Calendar provider",
    "round_robin_members": "Round-robin members",
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
    round_robin_members: str = ""
    had_members: bool = False
    embed_allowed_origins: str = ""  # one origin per line
    new_link: bool = False
    slug_made: bool = False  # the slug was left empty and made from the title

    def rows(self, day: str) -> list[tuple[str, str]]:
        """The day's ranges plus one empty row, so another range can be added."""
        return [*self.hours.get(day, []), ("", "")]

    def number(self, name: str) -> str:
        value: str = getattr(self, name)
        return value

    def amount(self, name: str) -> Amount:
        return self.amounts.get(name) or Amount("", MEASURES[name].zero_unit)


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
    members = view.round_robin_members or []
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
        round_robin_members="\n".join(members),
        had_members=bool(members),
        embed_allowed_origins="\n".join(view.embed_allowed_origins),
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


def values_from_form(form: FormData, *, new: bool = False) -> LinkFormValues:
    """What was posted; on a ``new`` link an empty slug is made from the title."""
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
        round_robin_members=_text(form, "round_robin_members", 20_000),
        had_members=_text(form, "had_members", 10) == "1",
        embed_allowed_origins=_text(form, "embed_allowed_origins", 20_000),
        new_link=new,
    )
    for name in NUMBER_FIELDS:
        setattr(values, name, _text(form, name, 20).strip())
    if new and not values.slug:
        values.slug = slug_from_title(values.title)
        values.slug_made = bool(values.slug)
    return values


def _members(values: LinkFormValues) -> list[str] | None:
    emails = [e.strip() for e in values.round_robin_members.replace(",", "\n").splitlines() if e.strip()]
    if emails:
        return emails
    return [] if values.had_members else None  # emptied: back to a single-host link


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
        round_robin_members=_members(values),
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


def error_anchor(key: str) -> str | None:
    """The id of the input a problem sends the host to (a day's first start time for its hours)."""
    if key == "weekly_hours":
        return f"{WEEKDAYS[0]}_start_1"
    day = key.removesuffix("_hours")
    if day != key and day in WEEKDAYS:
        return f"{day}_start_1"
    return key or None


def error_summary(errors: dict[str, str]) -> list[SummaryItem]:
    """The problems in the order of the fields on the page, each linking to its input."""
    order = {name: i for i, name in enumerate(FIELD_ORDER)}
    keys = sorted(errors, key=lambda k: order.get(k, len(order)))
    return [SummaryItem(error_anchor(k), errors[k]) for k in keys]
