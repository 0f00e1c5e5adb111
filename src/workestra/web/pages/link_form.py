"""The booking-link form: what it shows (``LinkFormValues``) and how a submission becomes a ``LinkInput``.

Kept out of the routes: the routes only call ``values_from_form`` / ``to_input`` and a service.
Weekly hours post as repeated ``<day>_start`` / ``<day>_end`` pairs, one pair per range.
"""

from dataclasses import dataclass, field
from itertools import zip_longest

from starlette.datastructures import FormData

from workestra.enums import CalendarProviderName
from workestra.errors import InvalidInput
from workestra.services.booking_links import DEFAULT_HOURS, WEEKDAYS, LinkInput, LinkView
from workestra.services.users import Host

NUMBER_FIELDS: dict[str, str] = {
    "duration_minutes": "Duration",
    "slot_interval_minutes": "Slot interval",
    "buffer_before_minutes": "Buffer before",
    "buffer_after_minutes": "Buffer after",
    "minimum_notice_minutes": "Minimum notice",
    "booking_horizon_days": "Booking horizon",
}
PROVIDER_CHOICES: tuple[tuple[str, str], ...] = (
    (CalendarProviderName.NONE.value, "None"),
    (CalendarProviderName.GOOGLE.value, "Google"),
    (CalendarProviderName.MICROSOFT.value, "Microsoft"),
)
MAX_RANGES_PER_DAY = 12


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
    minimum_notice_minutes: str = "0"
    booking_horizon_days: str = "60"
    round_robin_members: str = ""
    had_members: bool = False
    embed_allowed_origins: str = ""  # one origin per line

    def rows(self, day: str) -> list[tuple[str, str]]:
        """The day's ranges plus one empty row, so another range can be added."""
        return [*self.hours.get(day, []), ("", "")]

    def number(self, name: str) -> str:
        value: str = getattr(self, name)
        return value


def blank_values(host: Host) -> LinkFormValues:
    return LinkFormValues(timezone=host.timezone.key, hours={d: list(r) for d, r in DEFAULT_HOURS.items()})


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
        minimum_notice_minutes=str(view.minimum_notice_minutes),
        booking_horizon_days=str(view.booking_horizon_days),
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


def values_from_form(form: FormData) -> LinkFormValues:
    hours: dict[str, list[tuple[str, str]]] = {}
    for day in WEEKDAYS:
        pairs = zip_longest(_times(form, f"{day}_start"), _times(form, f"{day}_end"), fillvalue="")
        ranges = [(start, end) for start, end in pairs if start or end]
        if ranges:
            hours[day] = ranges[:MAX_RANGES_PER_DAY]
    values = LinkFormValues(
        slug=_text(form, "slug", 200),
        title=_text(form, "title", 400),
        description=_text(form, "description"),
        timezone=_text(form, "timezone", 200),
        hours=hours,
        calendar_provider=_text(form, "calendar_provider", 40),
        auto_meeting_link=_text(form, "auto_meeting_link", 10) in {"on", "true", "1"},
        round_robin_members=_text(form, "round_robin_members", 20_000),
        had_members=_text(form, "had_members", 10) == "1",
        embed_allowed_origins=_text(form, "embed_allowed_origins", 20_000),
    )
    for name in NUMBER_FIELDS:
        setattr(values, name, _text(form, name, 20).strip())
    return values


def _number(values: LinkFormValues, name: str) -> int | None:
    raw = values.number(name)
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError:
        label = NUMBER_FIELDS[name]
        raise InvalidInput(f"{label} must be a whole number.", fields={name: "whole number"}) from None


def _members(values: LinkFormValues) -> list[str] | None:
    emails = [e.strip() for e in values.round_robin_members.replace(",", "\n").splitlines() if e.strip()]
    if emails:
        return emails
    return [] if values.had_members else None  # emptied: back to a single-host link


def to_input(values: LinkFormValues) -> LinkInput:
    """The services' input; InvalidInput (naming the field) for what the form itself can tell is wrong."""
    for day, ranges in values.hours.items():
        if any(not start or not end for start, end in ranges):
            raise InvalidInput(
                f"{day.capitalize()}: give both a start and an end time for each range.",
                fields={"weekly_hours": "start and end required"},
            )
    return LinkInput(
        slug=values.slug.strip(),
        title=values.title,
        description=values.description,
        duration_minutes=_number(values, "duration_minutes"),
        timezone=values.timezone or None,
        weekly_hours={day: list(ranges) for day, ranges in values.hours.items()},
        calendar_provider=values.calendar_provider or None,
        auto_meeting_link=values.auto_meeting_link,
        slot_interval_minutes=_number(values, "slot_interval_minutes"),
        buffer_before_minutes=_number(values, "buffer_before_minutes"),
        buffer_after_minutes=_number(values, "buffer_after_minutes"),
        minimum_notice_minutes=_number(values, "minimum_notice_minutes"),
        booking_horizon_days=_number(values, "booking_horizon_days"),
        round_robin_members=_members(values),
        # Every line is an origin (the service says which one isn't); none: any site may embed.
        embed_allowed_origins=[o.strip() for o in values.embed_allowed_origins.splitlines() if o.strip()],
    )
