"""Pydantic models of the Google OAuth and Calendar API v3 JSON we send and read, in Google's names.

Unknown fields are ignored (Google adds fields freely); nothing here performs I/O.
"""

from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field


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


# --- OAuth 2.0 (PROVIDER-APIS G1) ---------------------------------------------------------------


class TokenResponse(_Wire):
    """G1.1; ``refresh_token`` only with ``access_type=offline`` and normally not on a refresh."""

    access_token: str = Field(repr=False)
    expires_in: int
    refresh_token: str | None = Field(default=None, repr=False)
    refresh_token_expires_in: int | None = None  # time-limited grants only (apps in Testing)
    scope: str = ""
    token_type: str = "Bearer"  # noqa: S105 - the scheme name, not a secret
    id_token: str | None = Field(default=None, repr=False)


class TokenErrorResponse(_Wire):
    """RFC 6749 5.2: ``{"error": "invalid_grant", "error_description": "..."}`` (G1)."""

    error: str
    error_description: str = ""


class IdTokenClaims(_Wire):
    """The OpenID Connect claims read from the token endpoint's ``id_token``.

    ``hd`` (hosted domain) is present only for Google Workspace accounts.
    """

    sub: str | None = None
    email: str | None = None
    email_verified: bool | None = None
    hd: str | None = None
    name: str | None = None


# --- Calendar API errors (G5) -------------------------------------------------------------------


class ErrorItem(_Wire):
    domain: str = ""
    reason: str = ""
    message: str = ""
    location_type: str | None = Field(default=None, alias="locationType")
    location: str | None = None


class ErrorDetail(_Wire):
    """``details[]`` of newer bodies (``google.rpc.ErrorInfo``): ACCESS_TOKEN_SCOPE_INSUFFICIENT."""

    type: str | None = Field(default=None, alias="@type")
    reason: str | None = None
    domain: str | None = None
    metadata: dict[str, str] = Field(default_factory=dict)


class ApiErrorBody(_Wire):
    errors: list[ErrorItem] = Field(default_factory=list)
    code: int | None = None
    message: str = ""
    status: str | None = None
    details: list[ErrorDetail] = Field(default_factory=list)


class ApiErrorResponse(_Wire):
    error: ApiErrorBody


# --- freeBusy.query (G2) ------------------------------------------------------------------------


class FreeBusyItem(_Wire):
    id: str


class FreeBusyRequest(_Wire):
    time_min: str = Field(alias="timeMin")  # RFC 3339 with an offset
    time_max: str = Field(alias="timeMax")
    time_zone: str = Field(default="UTC", alias="timeZone")
    items: list[FreeBusyItem]


class TimePeriod(_Wire):
    """A busy period: ``start`` inclusive, ``end`` exclusive (G2)."""

    start: AwareDatetime
    end: AwareDatetime


class FreeBusyError(_Wire):
    domain: str = ""
    reason: str = ""


class FreeBusyCalendar(_Wire):
    busy: list[TimePeriod] = Field(default_factory=list)
    errors: list[FreeBusyError] = Field(default_factory=list)


class FreeBusyResponse(_Wire):
    kind: str | None = None
    time_min: str | None = Field(default=None, alias="timeMin")
    time_max: str | None = Field(default=None, alias="timeMax")
    calendars: dict[str, FreeBusyCalendar] = Field(default_factory=dict)


# --- events (G3, G4) ----------------------------------------------------------------------------


class EventDateTime(_Wire):
    date_time: str | None = Field(default=None, alias="dateTime")
    date: str | None = None
    time_zone: str | None = Field(default=None, alias="timeZone")


class EventAttendee(_Wire):
    email: str
    display_name: str | None = Field(default=None, alias="displayName")
    response_status: str | None = Field(default=None, alias="responseStatus")
    optional: bool | None = None


class ConferenceSolutionKey(_Wire):
    type: str


class ConferenceRequestStatus(_Wire):
    status_code: str = Field(alias="statusCode")  # pending | success | failure


class CreateConferenceRequest(_Wire):
    request_id: str = Field(alias="requestId")
    conference_solution_key: ConferenceSolutionKey = Field(alias="conferenceSolutionKey")
    status: ConferenceRequestStatus | None = None


class EntryPoint(_Wire):
    entry_point_type: str = Field(alias="entryPointType")  # video | phone | sip | more
    uri: str | None = None
    label: str | None = None


class ConferenceSolution(_Wire):
    key: ConferenceSolutionKey | None = None
    name: str | None = None
    icon_uri: str | None = Field(default=None, alias="iconUri")


class ConferenceData(_Wire):
    create_request: CreateConferenceRequest | None = Field(default=None, alias="createRequest")
    entry_points: list[EntryPoint] = Field(default_factory=list, alias="entryPoints")
    conference_solution: ConferenceSolution | None = Field(default=None, alias="conferenceSolution")
    conference_id: str | None = Field(default=None, alias="conferenceId")


class NewEvent(_Wire):
    """Request body of ``events.insert`` (G3.1); ``payload()`` leaves out every unset field."""

    id: str
    summary: str
    description: str
    start: EventDateTime
    end: EventDateTime
    attendees: list[EventAttendee]
    conference_data: ConferenceData | None = Field(default=None, alias="conferenceData")
    guests_can_modify: bool | None = Field(default=None, alias="guestsCanModify")

    def payload(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_none=True, exclude_defaults=True)


class EventChange(_Wire):
    """Request body of ``events.patch`` (G4) moving a booking: no ``conferenceData``, so the Meet
    conference stays as it is."""

    summary: str
    description: str
    start: EventDateTime
    end: EventDateTime

    def payload(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_none=True)


class Event(_Wire):
    """An event as ``events.insert`` / ``events.get`` return it (G3.2)."""

    id: str
    status: str | None = None  # confirmed | tentative | cancelled
    html_link: str | None = Field(default=None, alias="htmlLink")
    i_cal_uid: str | None = Field(default=None, alias="iCalUID")
    summary: str | None = None
    description: str | None = None
    start: EventDateTime | None = None
    end: EventDateTime | None = None
    attendees: list[EventAttendee] = Field(default_factory=list)
    hangout_link: str | None = Field(default=None, alias="hangoutLink")
    conference_data: ConferenceData | None = Field(default=None, alias="conferenceData")


# --- calendarList.get (DISC CalendarListEntry) --------------------------------------------------


class ConferenceProperties(_Wire):
    allowed_conference_solution_types: list[str] = Field(
        default_factory=list, alias="allowedConferenceSolutionTypes"
    )


class CalendarListEntry(_Wire):
    id: str
    summary: str | None = None
    primary: bool = False
    access_role: str | None = Field(default=None, alias="accessRole")
    time_zone: str | None = Field(default=None, alias="timeZone")
    conference_properties: ConferenceProperties | None = Field(default=None, alias="conferenceProperties")
    summary_override: str | None = Field(default=None, alias="summaryOverride")


class CalendarList(_Wire):
    """One page of ``calendarList.list``; ask again with ``pageToken`` while ``nextPageToken``."""

    items: list[CalendarListEntry] = Field(default_factory=list)
    next_page_token: str | None = Field(default=None, alias="nextPageToken")
