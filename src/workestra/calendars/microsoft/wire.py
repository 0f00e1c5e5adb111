"""Pydantic models of the identity-platform and Graph JSON we send and read, in provider names.

Unknown fields are ignored (providers add fields freely); nothing here performs I/O.
"""

from pydantic import BaseModel, ConfigDict, Field


class _Wire(BaseModel):
    model_config = ConfigDict(
        extra="ignore",
        frozen=True,
        validate_by_name=True,
        validate_by_alias=True,
        serialize_by_alias=True,
        # Validation errors must never echo provider input: it can hold tokens or personal data.
        hide_input_in_errors=True,
    )


# --- identity platform (PROVIDER-APIS A5, A6) ---------------------------------------------------


class TokenResponse(_Wire):
    token_type: str = "Bearer"  # noqa: S105 - the scheme name, not a secret
    scope: str = ""
    expires_in: int
    ext_expires_in: int | None = None
    access_token: str = Field(repr=False)
    refresh_token: str | None = Field(default=None, repr=False)
    id_token: str | None = Field(default=None, repr=False)


class TokenErrorResponse(_Wire):
    error: str
    error_description: str = ""
    error_codes: list[int] = Field(default_factory=list)
    timestamp: str | None = None
    trace_id: str | None = None
    correlation_id: str | None = None
    error_uri: str | None = None
    suberror: str | None = None  # observed, undocumented (A6): consent_required, basic_action
    claims: str | None = None  # a JSON string for MFA / Conditional Access challenges (A8.4)


class IdTokenClaims(_Wire):
    tid: str | None = None
    oid: str | None = None


# --- Graph common shapes (PROVIDER-APIS C3, E1) -------------------------------------------------


class DateTimeTimeZone(_Wire):
    """``dateTime`` carries no offset; ``timeZone`` says how to read it (C3)."""

    date_time: str = Field(alias="dateTime")
    time_zone: str = Field(alias="timeZone")


class GraphInnerError(_Wire):
    date: str | None = None
    request_id: str | None = Field(default=None, alias="request-id")
    client_request_id: str | None = Field(default=None, alias="client-request-id")


class GraphErrorDetail(_Wire):
    code: str = ""
    message: str = ""
    inner_error: GraphInnerError | None = Field(default=None, alias="innerError")


class GraphErrorResponse(_Wire):
    error: GraphErrorDetail


# --- GET /me (B) --------------------------------------------------------------------------------


class GraphUser(_Wire):
    id: str
    display_name: str | None = Field(default=None, alias="displayName")
    mail: str | None = None
    user_principal_name: str | None = Field(default=None, alias="userPrincipalName")


# --- GET /me/calendar (D2.1) --------------------------------------------------------------------


class EmailAddress(_Wire):
    address: str
    name: str | None = None


class GraphCalendar(_Wire):
    id: str
    name: str | None = None
    is_default_calendar: bool | None = Field(default=None, alias="isDefaultCalendar")
    can_edit: bool | None = Field(default=None, alias="canEdit")
    allowed_online_meeting_providers: list[str] = Field(
        default_factory=list, alias="allowedOnlineMeetingProviders"
    )
    default_online_meeting_provider: str | None = Field(default=None, alias="defaultOnlineMeetingProvider")
    owner: EmailAddress | None = None


class CalendarPage(_Wire):
    """One page of ``GET /me/calendars`` (C4); follow ``@odata.nextLink`` until it is absent."""

    value: list[GraphCalendar]
    next_link: str | None = Field(default=None, alias="@odata.nextLink")


# --- events (C2, D1, D2) ------------------------------------------------------------------------


class ItemBody(_Wire):
    content_type: str = Field(alias="contentType")
    content: str


class Attendee(_Wire):
    email_address: EmailAddress = Field(alias="emailAddress")
    type: str = "required"


class ResponseStatus(_Wire):
    """The mailbox owner's answer to the event (D1: ``none|organizer|tentativelyAccepted|accepted|
    declined|notResponded``)."""

    response: str | None = None


class OnlineMeetingInfo(_Wire):
    join_url: str | None = Field(default=None, alias="joinUrl")
    conference_id: str | None = Field(default=None, alias="conferenceId")


class NewEvent(_Wire):
    """Request body of ``POST /me/events`` (D1, D2.2)."""

    subject: str
    body: ItemBody
    start: DateTimeTimeZone
    end: DateTimeTimeZone
    attendees: list[Attendee]
    transaction_id: str = Field(alias="transactionId")
    allow_new_time_proposals: bool = Field(alias="allowNewTimeProposals")
    is_online_meeting: bool | None = Field(default=None, alias="isOnlineMeeting")
    online_meeting_provider: str | None = Field(default=None, alias="onlineMeetingProvider")


class EventChange(_Wire):
    """Request body of ``PATCH /me/events/{id}`` (D3): only what a move changes. ``body`` is left
    out of an online meeting's change: a body without its Teams blob disables the meeting
    [D EV-PATCH]."""

    subject: str
    start: DateTimeTimeZone
    end: DateTimeTimeZone
    body: ItemBody | None = None


class Event(_Wire):
    """An event as Graph returns it from create (D2.3) or calendarView (C2.1)."""

    id: str
    i_cal_uid: str | None = Field(default=None, alias="iCalUId")
    web_link: str | None = Field(default=None, alias="webLink")
    transaction_id: str | None = Field(default=None, alias="transactionId")
    subject: str | None = None
    show_as: str | None = Field(default=None, alias="showAs")
    is_cancelled: bool = Field(default=False, alias="isCancelled")
    is_all_day: bool = Field(default=False, alias="isAllDay")
    start: DateTimeTimeZone | None = None
    end: DateTimeTimeZone | None = None
    original_start_time_zone: str | None = Field(default=None, alias="originalStartTimeZone")
    response_status: ResponseStatus | None = Field(default=None, alias="responseStatus")
    is_online_meeting: bool | None = Field(default=None, alias="isOnlineMeeting")
    online_meeting_provider: str | None = Field(default=None, alias="onlineMeetingProvider")
    online_meeting: OnlineMeetingInfo | None = Field(default=None, alias="onlineMeeting")


class EventPage(_Wire):
    """One page of ``GET /me/calendarView``; follow ``@odata.nextLink`` until it is absent (C2)."""

    value: list[Event]
    next_link: str | None = Field(default=None, alias="@odata.nextLink")
