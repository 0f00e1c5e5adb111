"""MicrosoftCalendar: busy time, event create/update/cancel and health over Microsoft Graph.

Never reports "free" on failure; no retry loops beyond one token refresh after a 401.
"""

import asyncio
import logging
import weakref
from datetime import date, datetime, time, timedelta
from typing import Any, TypeVar
from urllib.parse import quote
from zoneinfo import ZoneInfo

import httpx2
from pydantic import BaseModel, ValidationError

from workestra.calendars.base import (
    BusyEvent,
    CalendarChoice,
    CalendarHealth,
    CalendarInfo,
    CalendarTerms,
    ChoiceSupport,
    CreatedEvent,
    CredentialSource,
    EventDraft,
    MeetingCapability,
    choice_of,
)
from workestra.calendars.busy_rules import DEFAULT_RULES, BusyRules, Response, ShowAs, blocks
from workestra.calendars.errors import (
    CalendarError,
    CalendarNotFound,
    ProviderRejected,
    ProviderUnavailable,
)
from workestra.calendars.microsoft.config import MicrosoftConfig
from workestra.calendars.microsoft.errors import graph_error, graph_error_code, transport_error
from workestra.calendars.microsoft.oauth import account_kind_of_tenant
from workestra.calendars.microsoft.timezones import event_times, zone_for_graph_name
from workestra.calendars.microsoft.wire import (
    Attendee,
    CalendarPage,
    DateTimeTimeZone,
    EmailAddress,
    Event,
    EventChange,
    EventPage,
    GraphCalendar,
    ItemBody,
    NewEvent,
)
from workestra.enums import CalendarProviderName
from workestra.scheduling import Interval

logger = logging.getLogger(__name__)

_Model = TypeVar("_Model", bound=BaseModel)

# Outlook allows 4 concurrent requests per app per mailbox (PROVIDER-APIS E2, I15).
MAILBOX_CONCURRENCY = 4
# What blocks is busy_rules.blocks under the connection's rules (C2, DESIGN "Lessons"): by default
# every showAs but free and workingElsewhere, unknown and values Graph may add later included.
_CALENDAR_SCOPES = frozenset({"Calendars.ReadWrite"})
_TEAMS = "teamsForBusiness"
_CALENDAR_VIEW_SELECT = "start,end,showAs,isCancelled,isAllDay,originalStartTimeZone,responseStatus"
_CALENDAR_LIST_SELECT = "id,name,isDefaultCalendar,canEdit"
_ITEM_NOT_FOUND = "erroritemnotfound"
TERMS = CalendarTerms(
    meeting_link="Microsoft Teams",
    personal_account_limit=(
        "This is a personal Microsoft account (such as @outlook.com or @hotmail.com). Personal "
        "Microsoft accounts don't have Teams for Business; only Microsoft 365 work accounts do."
    ),
    calendar_not_found_hint="or its mailbox isn't enabled for Microsoft 365",
)
# All-day events are floating dates, and Graph may filter the window with them placed in another
# zone than the one used here; so the query reaches one day further each way and the result is
# clipped to the window.
_FLOATING_MARGIN = timedelta(days=1)


def _created(event: Event) -> CreatedEvent:
    join_url = event.online_meeting.join_url if event.online_meeting else None
    return CreatedEvent(
        event_id=event.id, ical_uid=event.i_cal_uid, join_url=join_url, web_link=event.web_link
    )


def transaction_id(idempotency_key: str) -> str:
    """Graph's create-retry guard (D1): a pure function of the booking's idempotency key."""
    return f"workestra-{idempotency_key}"


def _graph_instant(value: datetime) -> str:
    # calendarView reads an offset-less value as UTC (C2); "Z" keeps it explicit.
    return value.isoformat().replace("+00:00", "Z")


def _parse(model: type[_Model], response: httpx2.Response) -> _Model:
    try:
        return model.model_validate_json(response.content)
    except ValidationError as exc:
        raise ProviderUnavailable(
            f"unreadable Graph answer for {response.request.method} {response.request.url.path}"
        ) from exc


def _instant(value: DateTimeTimeZone) -> datetime:
    zone = zone_for_graph_name(value.time_zone)
    if zone is None:
        raise ProviderUnavailable(f"Graph returned an unknown time zone {value.time_zone!r}")
    try:
        wall = datetime.fromisoformat(value.date_time)
    except ValueError as exc:
        raise ProviderUnavailable("Graph returned an unreadable dateTime") from exc
    return wall.replace(tzinfo=zone) if wall.tzinfo is None else wall


def _all_day_bounds(
    event: Event, start: DateTimeTimeZone, end: DateTimeTimeZone
) -> tuple[datetime, datetime]:
    # All-day events are floating dates: Graph returns them midnight-to-midnight in the zone they
    # were created in whatever Prefer: outlook.timezone says [O: learn.microsoft.com/en-us/answers/
    # questions/1382503], so the dates are read in originalStartTimeZone (else the value's zone).
    zone = zone_for_graph_name(event.original_start_time_zone) or zone_for_graph_name(start.time_zone)
    if zone is None:
        raise ProviderUnavailable(f"all-day event in unknown zone {start.time_zone!r}")
    first = datetime.combine(_all_day_date(start, zone), time(), tzinfo=zone)
    last = datetime.combine(_all_day_date(end, zone), time(), tzinfo=zone)
    return first, last


def _all_day_date(value: DateTimeTimeZone, zone: ZoneInfo) -> date:
    # Midnight in the zone it is labelled with: a floating date, read as is. Otherwise Graph did
    # convert a real midnight, so the date is the one in the event's own zone.
    instant = _instant(value)
    if instant.time() == time():
        return instant.date()
    return instant.astimezone(zone).date()


def busy_interval(event: Event, rules: BusyRules = DEFAULT_RULES) -> Interval | None:
    """The time ``event`` blocks under ``rules``, or None when it leaves the host free (C2,
    DESIGN "Lessons", busy_rules)."""
    response = Response.parse(event.response_status.response if event.response_status else None)
    if not blocks(
        ShowAs.parse(event.show_as),
        rules=rules,
        is_all_day=event.is_all_day,
        response=response,
        cancelled=event.is_cancelled,
    ):
        return None
    if event.start is None or event.end is None:
        raise ProviderUnavailable(f"calendarView item {event.id} has no start or end")
    if event.is_all_day:
        start, end = _all_day_bounds(event, event.start, event.end)
    else:
        start, end = _instant(event.start), _instant(event.end)
    return Interval(start, end) if start < end else None


def _already_moved(event: Event, draft: EventDraft) -> bool:
    """The event already has the draft's subject and times (all that a Teams move sends)."""
    if event.subject != draft.subject or event.start is None or event.end is None:
        return False
    return (_instant(event.start), _instant(event.end)) == (draft.starts_at, draft.ends_at)


class MicrosoftCalendar:
    """The CalendarProvider port over Microsoft Graph (PROVIDER-APIS C2, D, E)."""

    name = CalendarProviderName.MICROSOFT
    terms = TERMS
    choices = ChoiceSupport(conflict_calendars=True, destination=True, busy_rules=True)

    def __init__(self, config: MicrosoftConfig, client: httpx2.AsyncClient, *, page_size: int = 100) -> None:
        self._config = config
        self._client = client
        self._page_size = page_size
        # Held only while requests are in flight: an idle mailbox's semaphore is dropped, so one
        # left over from a finished event loop is never reused.
        self._mailboxes: weakref.WeakValueDictionary[str, asyncio.Semaphore] = weakref.WeakValueDictionary()

    async def busy_intervals(self, credentials: CredentialSource, window: Interval) -> list[Interval]:
        """Busy time from ``GET /me/calendarView`` (C2), every page, clipped to ``window``; with
        chosen calendars, from each one's ``/me/calendars/{id}/calendarView`` (C4) together.

        calendarView, not getSchedule: getSchedule is refused for personal accounts (C1, I1),
        answers per-address errors with HTTP 200 (I3), which would read as "free", and covers
        only the default calendar (C4).
        """
        return [
            busy.interval for busy in await self._calendar_view(credentials, window, _CALENDAR_VIEW_SELECT)
        ]

    async def busy_events(self, credentials: CredentialSource, window: Interval) -> list[BusyEvent]:
        """The same calendarView read with each event's ``subject`` (selected for this read only)."""
        return await self._calendar_view(credentials, window, f"{_CALENDAR_VIEW_SELECT},subject")

    async def _calendar_view(
        self, credentials: CredentialSource, window: Interval, select: str
    ) -> list[BusyEvent]:
        """Every chosen calendar's view at once (the primary's when none is chosen), joined.

        Each calendar is one task; ``_send``'s per-mailbox semaphore keeps the requests in flight
        within Outlook's four, however many calendars are chosen. A calendar that can't be read
        fails the whole read (never "free"); a chosen one that is gone raises CalendarNotFound.
        """
        choice = await choice_of(credentials)
        if not choice.conflict_calendars:
            return await self._one_view(credentials, None, window, select, choice)
        async with asyncio.TaskGroup() as group:
            tasks = [
                group.create_task(self._view_or_error(credentials, calendar_id, window, select, choice))
                for calendar_id in dict.fromkeys(choice.conflict_calendars)
            ]
        outcomes = [task.result() for task in tasks]
        for outcome in outcomes:
            if isinstance(outcome, CalendarError):
                raise outcome
        return [busy for outcome in outcomes if not isinstance(outcome, CalendarError) for busy in outcome]

    async def _view_or_error(
        self,
        credentials: CredentialSource,
        calendar_id: str,
        window: Interval,
        select: str,
        choice: CalendarChoice,
    ) -> list[BusyEvent] | CalendarError:
        # A 404 here (CalendarNotFound) is a chosen calendar deleted, or no longer shared.
        try:
            return await self._one_view(credentials, calendar_id, window, select, choice)
        except CalendarError as exc:
            return exc

    async def _one_view(
        self,
        credentials: CredentialSource,
        calendar_id: str | None,
        window: Interval,
        select: str,
        choice: CalendarChoice,
    ) -> list[BusyEvent]:
        path = (
            "/me/calendarView"
            if calendar_id is None
            else f"/me/calendars/{quote(calendar_id, safe='')}/calendarView"
        )
        url: str | None = self._config.graph(path)
        params: dict[str, str] | None = {
            "startDateTime": _graph_instant(window.start - _FLOATING_MARGIN),
            "endDateTime": _graph_instant(window.end + _FLOATING_MARGIN),
            "$select": select,
            "$top": str(self._page_size),
        }
        busy: list[BusyEvent] = []
        while url is not None:
            response = await self._call(
                credentials,
                "GET",
                url,
                params=params,
                headers={"Prefer": 'outlook.timezone="UTC"'},
                scopes=_CALENDAR_SCOPES,
            )
            page = _parse(EventPage, response)
            for event in page.value:
                interval = busy_interval(event, choice.busy_rules)
                if interval is not None and interval.overlaps(window):
                    clipped = Interval(max(interval.start, window.start), min(interval.end, window.end))
                    busy.append(BusyEvent(clipped, event.subject))
            # The nextLink is followed unchanged (C2); it already carries the query.
            url, params = self._checked_next_link(page.next_link), None
        return busy

    async def create_event(self, credentials: CredentialSource, draft: EventDraft) -> CreatedEvent:
        """``POST /me/events`` (D1, D2) with a transactionId, so a retry returns the same event;
        ``POST /me/calendars/{id}/events`` (C4) when the host chose another destination calendar.
        Later reads, moves and cancels go through ``/me/events/{id}``, which finds an event in any
        calendar of the mailbox, so they need no calendar id.

        ``join_url`` is None when Graph made no Teams meeting (personal account, tenant without
        Teams: 201 without ``onlineMeeting``, I9); that is not an error.
        """
        start, end = event_times(draft.starts_at, draft.ends_at, draft.timezone)
        payload = NewEvent(
            subject=draft.subject,
            body=ItemBody(content_type="text", content=draft.body_text),
            start=start,
            end=end,
            attendees=[
                Attendee(
                    email_address=EmailAddress(address=draft.attendee.email, name=draft.attendee.name),
                    type="required",
                )
            ],
            transaction_id=transaction_id(draft.idempotency_key),
            # The booking page owns the time; Outlook's "propose new time" would bypass it.
            allow_new_time_proposals=False,
            is_online_meeting=True if draft.online_meeting else None,
            online_meeting_provider=_TEAMS if draft.online_meeting else None,
        )
        destination = (await choice_of(credentials)).destination
        path = "/me/events" if destination is None else f"/me/calendars/{quote(destination, safe='')}/events"
        response = await self._call(
            credentials,
            "POST",
            self._config.graph(path),
            json=payload.model_dump(mode="json", exclude_none=True),
            scopes=_CALENDAR_SCOPES,
        )
        event = _parse(Event, response)
        join_url = event.online_meeting.join_url if event.online_meeting else None
        if draft.online_meeting and join_url is None:
            logger.info(
                "Graph created event %s without a Teams meeting (connection %s)",
                event.id,
                credentials.connection_key,
            )
        return _created(event)

    async def update_event(
        self, credentials: CredentialSource, event_id: str, draft: EventDraft
    ) -> CreatedEvent:
        """``PATCH /me/events/{id}`` (D3) with the draft's subject and times in its zone: the same
        event moves, and Graph tells the attendees (the host is the organizer). A 404 raises
        CalendarNotFound.

        The body is replaced only when the event has no Teams meeting. Graph's rule for the body of
        an online meeting is to read it, change it and keep the meeting blob, since a body without
        the blob disables the meeting [D EV-PATCH]; the blob is Teams' own HTML with no documented
        markers, so the event is read first and an online meeting keeps its whole body (the join
        link stays; the attendee's update shows the new time, the body's text stays as it was).
        A Teams meeting that already has the draft's subject and times (a retry after a move that
        landed) is returned without a second PATCH, so the attendee isn't told twice.
        """
        url = self._config.graph(f"/me/events/{quote(event_id, safe='')}")
        start, end = event_times(draft.starts_at, draft.ends_at, draft.timezone)
        # Read first even when no meeting was asked for: Outlook can add Teams to every meeting.
        response = await self._call(
            credentials,
            "GET",
            url,
            params={"$select": "id,iCalUId,webLink,onlineMeeting,subject,start,end"},
            headers={"Prefer": 'outlook.timezone="UTC"'},
            scopes=_CALENDAR_SCOPES,
        )
        before = _parse(Event, response)
        current = _created(before)
        keep_body = current.join_url is not None
        if keep_body and _already_moved(before, draft):
            return current  # a retry after a move that landed: no second update to the attendee
        change = EventChange(
            subject=draft.subject,
            start=start,
            end=end,
            body=None if keep_body else ItemBody(content_type="text", content=draft.body_text),
        )
        response = await self._call(
            credentials,
            "PATCH",
            url,
            json=change.model_dump(mode="json", exclude_none=True),
            scopes=_CALENDAR_SCOPES,
        )
        updated = _created(_parse(Event, response))
        if keep_body and updated.join_url != current.join_url:
            logger.warning(
                "Graph changed the Teams link of event %s when it moved (connection %s)",
                event_id,
                credentials.connection_key,
            )
        return updated

    async def read_event(self, credentials: CredentialSource, event_id: str) -> CreatedEvent:
        """``GET /me/events/{id}``: Graph makes the Teams meeting with the event, so this is only
        a re-read (a 404 raises CalendarNotFound)."""
        response = await self._call(
            credentials,
            "GET",
            self._config.graph(f"/me/events/{quote(event_id, safe='')}"),
            params={"$select": "id,iCalUId,webLink,onlineMeeting"},
            scopes=_CALENDAR_SCOPES,
        )
        return _created(_parse(Event, response))

    async def cancel_event(self, credentials: CredentialSource, event_id: str) -> None:
        """``POST /me/events/{id}/cancel`` (D3): attendees get a cancellation. An event already
        gone (404 ErrorItemNotFound) counts as cancelled, so a retried job succeeds."""
        try:
            await self._call(
                credentials,
                "POST",
                self._config.graph(f"/me/events/{quote(event_id, safe='')}/cancel"),
                json={},
                scopes=_CALENDAR_SCOPES,
            )
        except CalendarNotFound as exc:
            # Only the event is gone; a mailbox that is not enabled (also 404) still fails.
            cause = exc.__cause__
            if not (
                isinstance(cause, httpx2.HTTPStatusError)
                and graph_error_code(cause.response).lower() == _ITEM_NOT_FOUND
            ):
                raise
            logger.info("event %s was already gone when cancelled", event_id)

    async def list_calendars(self, credentials: CredentialSource) -> list[CalendarInfo]:
        """``GET /me/calendars`` (C4), every page: the mailbox's calendars, shared ones included."""
        url: str | None = self._config.graph("/me/calendars")
        params: dict[str, str] | None = {"$select": _CALENDAR_LIST_SELECT, "$top": str(self._page_size)}
        found: list[CalendarInfo] = []
        while url is not None:
            response = await self._call(credentials, "GET", url, params=params, scopes=_CALENDAR_SCOPES)
            page = _parse(CalendarPage, response)
            found.extend(
                CalendarInfo(
                    id=calendar.id,
                    name=calendar.name or "Calendar",
                    is_primary=bool(calendar.is_default_calendar),
                    can_edit=calendar.can_edit is not False,
                )
                for calendar in page.value
            )
            url, params = self._checked_next_link(page.next_link), None
        return found

    async def check_health(
        self, credentials: CredentialSource, *, tenant_id: str | None = None
    ) -> CalendarHealth:
        """``GET /me/calendar`` (D2.1). The account kind is only known from ``tenant_id`` (the
        grant's ``tid``); without it, it stays unknown and the meeting capability is the signal."""
        response = await self._call(
            credentials,
            "GET",
            self._config.graph("/me/calendar"),
            params={"$select": "id,allowedOnlineMeetingProviders,defaultOnlineMeetingProvider"},
            scopes=_CALENDAR_SCOPES,
        )
        calendar = _parse(GraphCalendar, response)
        providers = tuple(calendar.allowed_online_meeting_providers)
        return CalendarHealth(
            calendar_found=True,
            meeting=MeetingCapability(
                available=any(p.lower() == _TEAMS.lower() for p in providers), offered=providers
            ),
            account_kind=account_kind_of_tenant(tenant_id),
        )

    def _checked_next_link(self, link: str | None) -> str | None:
        # The bearer token follows the link: refuse one that leaves the configured Graph origin.
        if link is None:
            return None
        base, target = httpx2.URL(self._config.graph_url), httpx2.URL(link)
        if (target.scheme, target.host, target.port) != (base.scheme, base.host, base.port):
            raise ProviderRejected("a nextLink points outside the Graph endpoint")
        return link

    async def _call(
        self,
        credentials: CredentialSource,
        method: str,
        url: str,
        *,
        scopes: frozenset[str],
        params: dict[str, str] | None = None,
        json: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx2.Response:
        """One Graph call; a 401 gets exactly one forced token refresh and one retry (E1). A second
        401 is ProviderUnavailable: the read failed, the grant (the token endpoint's say) is fine."""
        token = await credentials.access_token()
        response = await self._send(
            credentials.connection_key,
            method,
            url,
            token,
            params=params,
            json=json,
            headers=headers,
        )
        if response.status_code == httpx2.codes.UNAUTHORIZED:
            token = await credentials.access_token(rejected=token)
            response = await self._send(
                credentials.connection_key,
                method,
                url,
                token,
                params=params,
                json=json,
                headers=headers,
            )
        if response.is_error:
            try:
                response.raise_for_status()
            except httpx2.HTTPStatusError as exc:
                raise graph_error(response, scopes=scopes) from exc
        return response

    async def _send(
        self,
        connection_key: str,
        method: str,
        url: str,
        token: str,
        *,
        params: dict[str, str] | None,
        json: dict[str, Any] | None,
        headers: dict[str, str] | None,
    ) -> httpx2.Response:
        mailbox = self._mailboxes.get(connection_key)
        if mailbox is None:
            mailbox = asyncio.Semaphore(MAILBOX_CONCURRENCY)
            self._mailboxes[connection_key] = mailbox
        async with mailbox:
            try:
                return await self._client.request(
                    method,
                    url,
                    params=params,
                    json=json,
                    headers={**(headers or {}), "Authorization": f"Bearer {token}"},
                )
            except (httpx2.TransportError, httpx2.DecodingError) as exc:
                raise transport_error(exc) from exc
