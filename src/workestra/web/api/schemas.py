"""The JSON contract of /api/v1 (checked from outside). Never ORM models; never a token field."""

from datetime import datetime
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StrictBool, StringConstraints


class SlotOut(BaseModel):
    start: str
    end: str


class SlotsOut(BaseModel):
    timezone: str
    slots: list[SlotOut]


class BookingIn(BaseModel):
    start: AwareDatetime = Field(description="An offered slot start, ISO-8601 with offset")
    name: Annotated[str, Field(min_length=1, max_length=20_000)]
    email: Annotated[str, Field(min_length=1, max_length=20_000)]
    timezone: Annotated[str, Field(min_length=1, max_length=200)]


class CancelIn(BaseModel):
    token: Annotated[str, Field(min_length=1, max_length=200)]
    reason: Annotated[str | None, Field(max_length=20_000)] = None


class RescheduleIn(BaseModel):
    token: Annotated[str, Field(min_length=1, max_length=200)]
    start: AwareDatetime = Field(description="An offered slot start, ISO-8601 with offset")
    timezone: Annotated[str, Field(min_length=1, max_length=200)]


class HostCancelIn(BaseModel):
    reason: Annotated[str | None, Field(max_length=20_000)] = None


class HostOut(BaseModel):
    name: str
    email: str


class BookingBase(BaseModel):
    id: str
    status: str  # confirmed | cancelled
    start: str
    end: str
    host: HostOut
    meeting_url: str | None


class PublicBookingOut(BookingBase):
    """What the invitee gets back: with their private pages (the token in each is their secret;
    null once cancelled). Never part of what the host's API answers."""

    cancel_url: str | None
    reschedule_url: str | None


class InviteeOut(BaseModel):
    name: str
    email: str
    timezone: str


class BookingOut(BookingBase):
    title: str
    link_id: str
    invitee: InviteeOut
    calendar_provider: str
    calendar_status: str
    calendar_event_id: str | None
    calendar_problem: str | None
    cancelled_at: datetime | None
    cancelled_by: str | None  # invitee | host
    cancel_reason: str | None
    # A round-robin booking: who was free, busy or unreadable at confirmation and why its rep.
    assignment: "AssignmentOut | None" = None


class BusySpanOut(BaseModel):
    start: str
    end: str


class AssignedRepOut(BaseModel):
    email: str
    name: str
    # chosen | free | busy | unreadable | booked | daily_limit | not_asked
    status: str
    priority: int
    weight: int
    bookings: int  # their count on this link when the decision was made
    busy: list[BusySpanOut] = []  # busy: what their calendar had then
    why: str | None = None  # unreadable: why, in the host's words


class AssignmentOut(BaseModel):
    decided_at: str
    policy: str
    reason: str  # why the chosen rep was chosen
    reps: list[AssignedRepOut]


class HoursRange(BaseModel):
    model_config = ConfigDict(extra="forbid")
    start: Annotated[str, Field(examples=["09:00"])]
    end: Annotated[str, Field(examples=["17:00"])]


class LinkIn(BaseModel):
    """Create: slug, title and duration_minutes are required. Update (PATCH): every field optional."""

    model_config = ConfigDict(extra="forbid")
    slug: str | None = None
    title: str | None = None
    description: str | None = None
    duration_minutes: int | None = None
    timezone: str | None = None
    weekly_hours: dict[str, list[HoursRange]] | None = None
    calendar_provider: str | None = None
    auto_meeting_link: bool | None = None
    slot_interval_minutes: int | None = None
    buffer_before_minutes: int | None = None
    buffer_after_minutes: int | None = None
    minimum_notice_minutes: int | None = None
    booking_horizon_days: int | None = None
    round_robin_members: list[str] | None = None
    # Origins (https://example.com[:port]) whose pages may embed the booking page; [] lets any site.
    embed_allowed_origins: list[str] | None = None
    # A round-robin link's team (its admins make such links); members come from its active members.
    team_id: str | None = None
    rotation: list["RotationIn"] | None = None


class RotationIn(BaseModel):
    """One pool member's rotation settings; a field left out keeps its value (daily_limit null
    removes the cap)."""

    model_config = ConfigDict(extra="forbid")
    email: str
    priority: int | None = None  # 0 (lowest) .. 4 (highest); default 2
    weight: int | None = None  # 1..100; default 1
    daily_limit: int | None = None  # bookings of this link a day; null: no cap


class RotationOut(BaseModel):
    email: str
    priority: int
    weight: int
    daily_limit: int | None
    bookings: int
    in_pool: bool


class LinkOut(BaseModel):
    id: str
    slug: str
    title: str
    description: str
    duration_minutes: int
    timezone: str
    weekly_hours: dict[str, list[HoursRange]]
    calendar_provider: str
    auto_meeting_link: bool
    slot_interval_minutes: int
    buffer_before_minutes: int
    buffer_after_minutes: int
    minimum_notice_minutes: int
    booking_horizon_days: int
    round_robin_members: list[str] | None
    booking_page_url: str
    # What stops the link from working, in the host's words (its calendar isn't connected, needs a
    # reconnect, can't make the meeting link); empty when it works.
    warnings: list[str] = []
    embed_allowed_origins: list[str] = []
    team_id: str | None = None
    rotation: list[RotationOut] | None = None


class ProblemOut(BaseModel):
    code: str
    message: str


class AccountOut(BaseModel):
    email: str | None
    name: str | None


class MeetingLinkOut(BaseModel):
    name: str  # what this provider's meeting link is: "Microsoft Teams", "Google Meet"
    available: bool | None  # null until a health check has looked


class IntegrationOut(BaseModel):
    provider: str
    connected: bool
    account: AccountOut | None
    scopes: list[str]
    status: str | None
    problem: ProblemOut | None
    needs_reconnect: bool
    meeting_link: MeetingLinkOut
    account_kind: str | None  # "work" | "personal" | null when unknown
    calendar_found: bool | None
    checked_at: datetime | None
    # The account's calendars and the host's choice (listed live with ?check=true, else as last
    # listed); null when never listed, or when listing just failed (``problem`` says why).
    calendars: list["CalendarOut"] | None = None
    # What blocks the host's slots; null where the provider can't apply it (Google's freeBusy).
    busy_rules: "BusyRulesOut | None" = None
    # Which choices this connection offers (Google: the primary calendar only, for now).
    choosable: "ChoosableOut | None" = None


class SlotReasonOut(BaseModel):
    """Why one rep can't take a slot. ``start``/``end``: the booking's or busy event's own time."""

    rep_id: str
    # outside_hours | minimum_notice | beyond_horizon | booked | buffer | busy | calendar_unreadable |
    # daily_limit
    code: str
    start: str | None = None
    end: str | None = None
    source: str | None = None  # what a buffer reaches: "booking" | "calendar"
    subject: str | None = None  # the busy event's subject: the host's own calendar only
    detail: str | None = None  # calendar_unreadable: why, in the host's words


class ExplainedSlotOut(BaseModel):
    start: str
    end: str
    available: bool  # the booking page offers it: at least one rep has no reason
    reasons: list[SlotReasonOut]  # per rep (``rep_id``); a team slot may be available with some


class AvailabilityRepOut(BaseModel):
    id: str
    name: str
    email: str
    you: bool
    calendar_provider: str
    calendar_readable: bool
    calendar_problem: str | None


class AvailabilityOut(BaseModel):
    link_id: str
    date: str
    timezone: str  # the zone ``date`` is a day in; every time is given in it
    link_timezone: str
    reps: list[AvailabilityRepOut]
    slots: list[ExplainedSlotOut]


class CalendarOut(BaseModel):
    id: str
    name: str
    primary: bool
    can_edit: bool  # may receive new bookings
    check_conflicts: bool  # its busy time hides slots
    destination: bool  # new bookings are added to it


class BusyRulesOut(BaseModel):
    tentative_blocks: bool  # tentative events and invitations not answered yet
    working_elsewhere_blocks: bool
    all_day_free_blocks: bool  # all-day events marked free


class ChoosableOut(BaseModel):
    conflict_calendars: bool
    destination_calendar: bool
    busy_rules: bool


class BusyRulesIn(BaseModel):
    """Partial: a rule left out stays as it is."""

    model_config = ConfigDict(extra="forbid")

    tentative_blocks: StrictBool | None = None
    working_elsewhere_blocks: StrictBool | None = None
    all_day_free_blocks: StrictBool | None = None


class IntegrationPatchIn(BaseModel):
    """``PATCH /api/v1/integrations/{provider}``: what is left out stays as it is;
    ``conflict_calendars: null`` and ``destination_calendar: null`` are the primary calendar."""

    model_config = ConfigDict(extra="forbid")

    conflict_calendars: list[Annotated[str, StringConstraints(min_length=1, max_length=1024)]] | None = Field(
        default=None, max_length=100
    )
    destination_calendar: Annotated[str, StringConstraints(min_length=1, max_length=1024)] | None = None
    busy_rules: BusyRulesIn | None = None
