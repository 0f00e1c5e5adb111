"""GoogleCalendar: busy time, events with Google Meet links, and health over Calendar API v3.

Never reports "free" on failure; no retry loops beyond one token refresh after a 401, and one
insert without the Meet request when the calendar refuses Meet.
"""

import hashlib
import logging
import re
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any, NoReturn, TypeVar
from urllib.parse import quote
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import httpx2
from pydantic import BaseModel, ValidationError

from workestra.calendars.base import (
    NO_CHOICES,
    BusyEvent,
    CalendarHealth,
    CalendarInfo,
    CalendarTerms,
    CreatedEvent,
    CredentialSource,
    EventDraft,
    MeetingCapability,
)
from workestra.calendars.errors import CalendarNotFound, ProviderRejected, ProviderUnavailable
from workestra.calendars.google.config import GoogleConfig
from workestra.calendars.google.errors import api_error, api_error_reason, transport_error
from workestra.calendars.google.oauth import CALENDARLIST_SCOPE, EVENTS_SCOPE, FREEBUSY_SCOPE
from workestra.calendars.google.wire import (
    CalendarList,
    CalendarListEntry,
    ConferenceData,
    ConferenceSolutionKey,
    CreateConferenceRequest,
    Event,
    EventAttendee,
    EventChange,
    EventDateTime,
    FreeBusyItem,
    FreeBusyRequest,
    FreeBusyResponse,
    NewEvent,
)
from workestra.enums import CalendarProviderName
from workestra.scheduling import Interval

logger = logging.getLogger(__name__)

_Model = TypeVar("_Model", bound=BaseModel)

PRIMARY = "primary"  # the connected account's own calendar, in every call (G3: calendarId)
MEET = "hangoutsMeet"  # conferenceSolutionKey.type of Google Meet (G3)
# freeBusy refuses windows longer than about 90 days (G2 [O]): longer reads are split.
MAX_FREEBUSY_WINDOW = timedelta(days=90)
EVENT_ID = re.compile(r"[0-9a-v]{5,1024}")  # client event ids: base32hex, 5-1024 characters (G3)
TERMS = CalendarTerms(
    meeting_link="Google Meet",
    personal_account_limit="",  # personal Google accounts (gmail) make Meet links too
    calendar_not_found_hint="or Google Calendar is turned off for it by a Google Workspace administrator",
)

_EVENT_SCOPES = frozenset({EVENTS_SCOPE})
_FREEBUSY_SCOPES = frozenset({FREEBUSY_SCOPE})
_CALENDARLIST_SCOPES = frozenset({CALENDARLIST_SCOPE})
_EVENTS_PATH = f"/calendars/{PRIMARY}/events"
_PENDING = "pending"
_WRITABLE_ROLES = frozenset({"owner", "writer"})


def event_id_for(idempotency_key: str) -> str:
    """The client-chosen event id of a booking (G3, I12): a pure function of its idempotency key,
    so a retried insert names the same event and gets 409 ``duplicate`` instead of a second one.

    A UUID key gives its 32 lowercase hex digits (G3.1); any other key the 64 hex digits of its
    SHA-256. Hex digits are a subset of base32hex (0-9, a-v).
    """
    try:
        return uuid.UUID(idempotency_key).hex
    except ValueError:
        return hashlib.sha256(idempotency_key.encode()).hexdigest()


def conference_request_id(idempotency_key: str) -> str:
    """``createRequest.requestId``, stable per booking: Google ignores a repeated one (G3)."""
    return f"workestra-{event_id_for(idempotency_key)}-meet"


def freebusy_windows(window: Interval) -> list[Interval]:
    """``window`` cut into consecutive pieces of at most ``MAX_FREEBUSY_WINDOW``."""
    pieces: list[Interval] = []
    start = window.start
    while start < window.end:
        end = min(start + MAX_FREEBUSY_WINDOW, window.end)
        pieces.append(Interval(start, end))
        start = end
    return pieces


def _rfc3339(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ProviderRejected(f"unknown time zone {name!r}") from exc


def _event_time(instant: datetime, zone: ZoneInfo, zone_name: str) -> EventDateTime:
    # The wall time in the link's zone with its offset, and the zone itself (G3.1).
    return EventDateTime(date_time=instant.astimezone(zone).isoformat(), time_zone=zone_name)


def new_event(draft: EventDraft, *, with_meeting: bool) -> NewEvent:
    """The ``events.insert`` body of a booking (G3.1)."""
    zone = _zone(draft.timezone)
    conference = None
    if with_meeting:
        conference = ConferenceData(
            create_request=CreateConferenceRequest(
                request_id=conference_request_id(draft.idempotency_key),
                conference_solution_key=ConferenceSolutionKey(type=MEET),
            )
        )
    return NewEvent(
        id=event_id_for(draft.idempotency_key),
        summary=draft.subject,
        description=draft.body_text,
        start=_event_time(draft.starts_at, zone, draft.timezone),
        end=_event_time(draft.ends_at, zone, draft.timezone),
        attendees=[
            EventAttendee(
                email=draft.attendee.email,
                display_name=draft.attendee.name,
                response_status="needsAction",
            )
        ],
        conference_data=conference,
        # The booking page owns the time; a guest moving the event would bypass it.
        guests_can_modify=False,
    )


def join_url(event: Event) -> str | None:
    """``hangoutLink``, else the conference's video entry point (G3.2)."""
    if event.hangout_link:
        return event.hangout_link
    if event.conference_data is not None:
        for entry in event.conference_data.entry_points:
            if entry.entry_point_type == "video" and entry.uri:
                return entry.uri
    return None


def meeting_pending(event: Event) -> bool:
    """Google is still making the Meet conference (``createRequest.status.statusCode`` pending)."""
    data = event.conference_data
    request = data.create_request if data is not None else None
    return request is not None and request.status is not None and request.status.status_code == _PENDING


def created_event(event: Event) -> CreatedEvent:
    url = join_url(event)
    return CreatedEvent(
        event_id=event.id,
        ical_uid=event.i_cal_uid,
        join_url=url,
        web_link=event.html_link,
        meeting_pending=url is None and meeting_pending(event),
    )


def _same_time(value: EventDateTime | None, wanted: EventDateTime) -> bool:
    if value is None or value.date_time is None or wanted.date_time is None:
        return False
    try:
        instant = datetime.fromisoformat(value.date_time)
    except ValueError:
        return False
    same_instant = instant.tzinfo is not None and instant == datetime.fromisoformat(wanted.date_time)
    return same_instant and value.time_zone == wanted.time_zone


def _already_moved(event: Event, change: EventChange) -> bool:
    """The event already says what ``change`` would write."""
    return (
        event.summary == change.summary
        and event.description == change.description
        and _same_time(event.start, change.start)
        and _same_time(event.end, change.end)
    )


def _parse(model: type[_Model], response: httpx2.Response) -> _Model:
    try:
        return model.model_validate_json(response.content)
    except ValidationError as exc:
        raise ProviderUnavailable(
            f"unreadable Google answer for {response.request.method} {response.request.url.path}"
        ) from exc


def _raise_error(response: httpx2.Response, scopes: frozenset[str]) -> NoReturn:
    """Raise the CalendarError of a failed answer, chained to its HTTPStatusError."""
    try:
        response.raise_for_status()
    except httpx2.HTTPStatusError as exc:
        raise api_error(response, scopes=scopes) from exc
    raise ProviderUnavailable(f"google {response.status_code} taken for an error")


class GoogleCalendar:
    """The CalendarProvider port over Google Calendar API v3 (PROVIDER-APIS G2-G5)."""

    name = CalendarProviderName.GOOGLE
    terms = TERMS
    # freeBusy gives busy time without the entries (no busy rules), and events live on the primary
    # calendar (moves and cancels name it): the host isn't offered a choice here yet.
    choices = NO_CHOICES

    def __init__(self, config: GoogleConfig, client: httpx2.AsyncClient) -> None:
        self._config = config
        self._client = client

    async def busy_intervals(self, credentials: CredentialSource, window: Interval) -> list[Interval]:
        """Busy time of the primary calendar from ``POST /freeBusy`` (G2), in windows of at most
        90 days. A per-calendar ``errors`` entry is a failure, never "free" (DESIGN "Lessons")."""
        busy: list[Interval] = []
        for piece in freebusy_windows(window):
            busy.extend(await self._busy_in(credentials, piece))
        return busy

    async def busy_events(self, credentials: CredentialSource, window: Interval) -> list[BusyEvent]:
        """The same freeBusy read: it names no events, so every subject is None (events.list
        could, but it reads the events' contents, and busy time here must be freeBusy's)."""
        return [BusyEvent(interval) for interval in await self.busy_intervals(credentials, window)]

    async def _busy_in(self, credentials: CredentialSource, window: Interval) -> list[Interval]:
        request = FreeBusyRequest(
            time_min=_rfc3339(window.start),
            time_max=_rfc3339(window.end),
            time_zone="UTC",
            items=[FreeBusyItem(id=PRIMARY)],
        )
        response = await self._call(
            credentials,
            "POST",
            self._config.calendar("/freeBusy"),
            json=request.model_dump(mode="json"),
            scopes=_FREEBUSY_SCOPES,
        )
        calendar = _parse(FreeBusyResponse, response).calendars.get(PRIMARY)
        if calendar is None:
            raise ProviderUnavailable("freeBusy answered without the primary calendar")
        if calendar.errors:
            reasons = ",".join(sorted({e.reason or "-" for e in calendar.errors}))
            detail = f"freeBusy calendar error reasons={reasons}"
            if any(e.reason == "notFound" for e in calendar.errors):
                raise CalendarNotFound(detail)
            raise ProviderUnavailable(detail)
        busy: list[Interval] = []
        for period in calendar.busy:
            start, end = max(period.start, window.start), min(period.end, window.end)
            if start < end:
                busy.append(Interval(start, end))
        return busy

    async def create_event(self, credentials: CredentialSource, draft: EventDraft) -> CreatedEvent:
        """``events.insert`` on the primary calendar (G3) under the booking's client event id.

        ``sendUpdates=all``: Google sends the invitee the one calendar invitation. A 409
        ``duplicate`` (an earlier attempt landed) reads the event back as the result. When the
        calendar refuses Meet (400 ``invalid``), the event is made without a meeting link.
        """
        if draft.online_meeting:
            response = await self._insert(credentials, new_event(draft, with_meeting=True), meeting=True)
            if response.status_code == httpx2.codes.BAD_REQUEST and api_error_reason(response) == "invalid":
                logger.info(
                    "Google refused a Meet conference; creating the event without one (connection %s)",
                    credentials.connection_key,
                )
                response = await self._insert(
                    credentials, new_event(draft, with_meeting=False), meeting=False
                )
        else:
            response = await self._insert(credentials, new_event(draft, with_meeting=False), meeting=False)
        if response.status_code == httpx2.codes.CONFLICT and api_error_reason(response) == "duplicate":
            return created_event(await self._get_event(credentials, event_id_for(draft.idempotency_key)))
        if response.is_error:
            _raise_error(response, _EVENT_SCOPES)
        return created_event(_parse(Event, response))

    async def _insert(
        self, credentials: CredentialSource, event: NewEvent, *, meeting: bool
    ) -> httpx2.Response:
        params = {"sendUpdates": "all"}
        if meeting:
            params["conferenceDataVersion"] = "1"  # else conferenceData is silently ignored (G3)
        return await self._call(
            credentials,
            "POST",
            self._config.calendar(_EVENTS_PATH),
            params=params,
            json=event.payload(),
            scopes=_EVENT_SCOPES,
            tolerate=frozenset({httpx2.codes.BAD_REQUEST, httpx2.codes.CONFLICT}),
        )

    async def update_event(
        self, credentials: CredentialSource, event_id: str, draft: EventDraft
    ) -> CreatedEvent:
        """``events.patch`` (G4) with the draft's summary, description and times in its zone;
        ``sendUpdates=all`` so Google tells the attendee, ``conferenceDataVersion=1`` with no
        ``conferenceData`` so the Meet link stays.

        A missing (404), deleted (410) or cancelled event raises CalendarNotFound. Google keeps a
        deleted event as ``cancelled`` (G4) and nothing documents that a patch of it fails, so the
        event is read first: an event the host deleted is not "moved" with an update to the
        attendee (one more request per move; the answer's status is checked as well). An event
        that already says what the patch would write (a retry after a patch that landed) is
        returned as is, so the attendee isn't told twice.
        """
        zone = _zone(draft.timezone)
        change = EventChange(
            summary=draft.subject,
            description=draft.body_text,
            start=_event_time(draft.starts_at, zone, draft.timezone),
            end=_event_time(draft.ends_at, zone, draft.timezone),
        )
        current = await self._get_event(credentials, event_id)
        if current.status == "cancelled":
            raise CalendarNotFound(f"event {event_id} was cancelled")
        if _already_moved(current, change):
            return created_event(current)  # a retry after a patch that landed: no second update
        response = await self._call(
            credentials,
            "PATCH",
            self._config.calendar(f"{_EVENTS_PATH}/{quote(event_id, safe='')}"),
            params={"sendUpdates": "all", "conferenceDataVersion": "1"},
            json=change.payload(),
            scopes=_EVENT_SCOPES,
        )
        event = _parse(Event, response)
        if event.status == "cancelled":
            raise CalendarNotFound(f"event {event_id} was cancelled")
        return created_event(event)

    async def read_event(self, credentials: CredentialSource, event_id: str) -> CreatedEvent:
        """``events.get`` (G3): the Meet link once Google made it. A missing, deleted or cancelled
        event raises CalendarNotFound."""
        event = await self._get_event(credentials, event_id)
        if event.status == "cancelled":
            raise CalendarNotFound(f"event {event_id} was cancelled")
        return created_event(event)

    async def _get_event(self, credentials: CredentialSource, event_id: str) -> Event:
        response = await self._call(
            credentials,
            "GET",
            self._config.calendar(f"{_EVENTS_PATH}/{quote(event_id, safe='')}"),
            scopes=_EVENT_SCOPES,
        )
        return _parse(Event, response)

    async def cancel_event(self, credentials: CredentialSource, event_id: str) -> None:
        """``events.delete`` with ``sendUpdates=all`` (G4): the invitee is told by Google. An event
        already deleted (410 ``deleted``) or unknown (404) counts as cancelled."""
        response = await self._call(
            credentials,
            "DELETE",
            self._config.calendar(f"{_EVENTS_PATH}/{quote(event_id, safe='')}"),
            params={"sendUpdates": "all"},
            scopes=_EVENT_SCOPES,
            tolerate=frozenset({httpx2.codes.NOT_FOUND, httpx2.codes.GONE}),
        )
        if response.status_code == httpx2.codes.NOT_FOUND or (
            response.status_code == httpx2.codes.GONE and api_error_reason(response) == "deleted"
        ):
            logger.info("event %s was already gone when cancelled", event_id)
            return
        if response.is_error:
            _raise_error(response, _EVENT_SCOPES)

    async def list_calendars(self, credentials: CredentialSource) -> list[CalendarInfo]:
        """``calendarList.list`` (the calendarlist.readonly scope), every page: the account's own
        calendar and those shared with it. Busy time and events stay on the primary calendar:
        freeBusy gives busy time without the entries, so the busy rules can't apply here."""
        found: list[CalendarInfo] = []
        token: str | None = None
        while True:
            params = {"pageToken": token} if token else None
            response = await self._call(
                credentials,
                "GET",
                self._config.calendar("/users/me/calendarList"),
                params=params,
                scopes=_CALENDARLIST_SCOPES,
            )
            page = _parse(CalendarList, response)
            found.extend(
                CalendarInfo(
                    id=entry.id,
                    name=entry.summary_override or entry.summary or entry.id,
                    is_primary=entry.primary,
                    can_edit=entry.access_role in _WRITABLE_ROLES,
                )
                for entry in page.items
            )
            token = page.next_page_token
            if not token:
                return found

    async def check_health(self, credentials: CredentialSource) -> CalendarHealth:
        """``calendarList.get("primary")``: the calendar exists, and whether it may attach Meet
        (``conferenceProperties.allowedConferenceSolutionTypes``). A 404 raises CalendarNotFound.
        The account kind comes from the grant's id_token (``hd``), not from here."""
        response = await self._call(
            credentials,
            "GET",
            self._config.calendar(f"/users/me/calendarList/{PRIMARY}"),
            scopes=_CALENDARLIST_SCOPES,
        )
        entry = _parse(CalendarListEntry, response)
        properties = entry.conference_properties
        offered = tuple(properties.allowed_conference_solution_types) if properties is not None else ()
        return CalendarHealth(
            calendar_found=True, meeting=MeetingCapability(available=MEET in offered, offered=offered)
        )

    async def _call(
        self,
        credentials: CredentialSource,
        method: str,
        url: str,
        *,
        scopes: frozenset[str],
        params: dict[str, str] | None = None,
        json: dict[str, Any] | None = None,
        tolerate: frozenset[int] = frozenset(),
    ) -> httpx2.Response:
        """One Calendar API call; a 401 gets exactly one forced token refresh and one retry (G5).
        A second 401 is ProviderUnavailable. Statuses in ``tolerate`` are returned, not raised."""
        token = await credentials.access_token()
        response = await self._send(method, url, token, params=params, json=json)
        if response.status_code == httpx2.codes.UNAUTHORIZED:
            token = await credentials.access_token(rejected=token)
            response = await self._send(method, url, token, params=params, json=json)
        if response.is_error and response.status_code not in tolerate:
            _raise_error(response, scopes)
        return response

    async def _send(
        self,
        method: str,
        url: str,
        token: str,
        *,
        params: dict[str, str] | None,
        json: dict[str, Any] | None,
    ) -> httpx2.Response:
        try:
            return await self._client.request(
                method, url, params=params, json=json, headers={"Authorization": f"Bearer {token}"}
            )
        except (httpx2.TransportError, httpx2.DecodingError) as exc:
            raise transport_error(exc) from exc
