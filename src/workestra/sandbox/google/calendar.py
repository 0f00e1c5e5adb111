"""The emulated Google Calendar API v3: routing, bearer-token and scope checks, faults, the log.

References: G5 (error bodies: 401 `authError`, 403 `insufficientPermissions`, rate limits, 500
`backendError`), DISC (paths, per-method scopes). Handlers live in calendar_list.py, freebusy.py
and events.py.
"""

import asyncio
import json
import re
from collections.abc import Callable, Sequence
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from . import calendar_list, events, freebusy
from . import scopes as scope_names
from .context import ApiRequest, ApiResponse, Context, reject
from .errors import ApiError, auth_error, injected, insufficient_permissions, login_required, not_found
from .requests_log import entry
from .state import Account, GoogleState

Handler = Callable[[Context, re.Match[str]], ApiResponse]
_EVENTS = r"/calendars/(?P<cid>[^/]+)/events"
_EVENT = _EVENTS + r"/(?P<eid>[^/]+)"
# (HTTP method, path, handler, method name as in ErrorInfo metadata, accepted scopes)
ROUTES: Sequence[tuple[str, str, Handler, str, tuple[str, ...]]] = (
    ("GET", r"/users/me/calendarList", calendar_list.list_calendars, "CalendarList.List",
     scope_names.CALENDAR_LIST_READ),
    ("GET", r"/users/me/calendarList/(?P<cid>[^/]+)", calendar_list.get_calendar_list_entry,
     "CalendarList.Get", scope_names.CALENDAR_LIST_READ),
    ("GET", r"/calendars/(?P<cid>[^/]+)", calendar_list.get_calendar, "Calendars.Get",
     scope_names.CALENDARS_READ),
    ("POST", r"/freeBusy", freebusy.query, "Freebusy.Query", scope_names.FREEBUSY_QUERY),
    ("POST", _EVENTS, events.insert_event, "Events.Insert", scope_names.EVENTS_WRITE),
    ("GET", _EVENTS, events.list_events, "Events.List", scope_names.EVENTS_READ),
    ("GET", _EVENT, events.get_event, "Events.Get", scope_names.EVENTS_READ),
    ("PATCH", _EVENT, events.patch_event, "Events.Patch", scope_names.EVENTS_WRITE),
    ("PUT", _EVENT, events.update_event, "Events.Update", scope_names.EVENTS_WRITE),
    ("DELETE", _EVENT, events.delete_event, "Events.Delete", scope_names.EVENTS_WRITE),
)  # fmt: skip
_COMPILED = [(m, re.compile(p), h, name, accepted) for m, p, h, name, accepted in ROUTES]


class CalendarService:
    """Serves one Calendar API request: log, authenticate, inject faults, route, check scopes."""

    def __init__(self, state: GoogleState) -> None:
        self.state = state

    def log(self, request: ApiRequest, base_path: str) -> None:
        try:
            body: Any = json.loads(request.body) if request.body.strip() else None
        except (ValueError, UnicodeDecodeError):
            body = request.body.decode("utf-8", "replace")
        self.state.log_request(
            entry(
                method=request.method,
                path=base_path + request.path,
                query=request.query,
                headers=request.headers,
                body=body,
            )
        )

    def authenticate(self, request: ApiRequest) -> tuple[Account, str, frozenset[str]]:
        """G5 401: `required` without credentials, `authError` for a bad, expired or revoked token."""
        header = request.headers.get("authorization", "")
        if not header:
            raise login_required()
        scheme, _, value = header.partition(" ")
        with self.state.lock:
            token = self.state.access_tokens.get(value.strip()) if scheme.lower() == "bearer" else None
            if token is None or token.revoked or token.force_expired or self.state.now() >= token.expires_at:
                raise auth_error()
            account = self.state.account(token.email)
            if account is None:
                raise auth_error()
            return account, token.client_id, frozenset(token.scopes)

    async def handle(self, request: ApiRequest, base_path: str) -> ApiResponse:
        self.log(request, base_path)
        try:
            caller, client_id, scopes = self.authenticate(request)
        except ApiError as err:
            return reject(err)
        if self.state.latency_seconds > 0:  # the latency switch (control API)
            await asyncio.sleep(self.state.latency_seconds)
        faulted = await self._injected_fault(request, base_path, caller.email)
        if faulted is not None:
            return faulted
        try:
            handler, match, method_name, accepted = self._route(request)
            if not scopes.intersection(accepted):
                raise insufficient_permissions(f"calendar.v3.{method_name}", accepted)
            with self.state.lock:
                return handler(Context(self.state, request, caller, client_id, scopes), match)
        except ApiError as err:
            return reject(err)

    async def _injected_fault(self, request: ApiRequest, base_path: str, email: str) -> ApiResponse | None:
        """The next armed control-API fault matching this request, after its delay."""
        fault = self.state.take_fault(email=email, method=request.method, path=base_path + request.path)
        if fault is None:
            return None
        if fault.delay_seconds > 0:
            await asyncio.sleep(fault.delay_seconds)
        if fault.status is None:
            return None
        headers = {"Retry-After": fault.retry_after} if fault.retry_after is not None else {}
        if fault.body is not None:
            return ApiResponse(fault.status, fault.body, headers)
        response = reject(injected(fault.status, fault.reason))
        response.headers.update(headers)
        return response

    def _route(self, request: ApiRequest) -> tuple[Handler, re.Match[str], str, tuple[str, ...]]:
        path = request.path.rstrip("/") or "/"
        for method, pattern, handler, name, accepted in _COMPILED:
            match = pattern.fullmatch(path)
            if match is not None and method == request.method:
                return handler, match, name, accepted
        raise not_found()


class CalendarEndpoints:
    def __init__(self, service: CalendarService) -> None:
        self.service = service

    def routes(self) -> list[BaseRoute]:
        methods = ["GET", "POST", "PATCH", "PUT", "DELETE"]
        return [Route("/calendar/v3/{path:path}", self.endpoint, methods=methods)]

    async def endpoint(self, request: Request) -> Response:
        """Every Calendar API v3 request enters here."""
        relative = "/" + request.path_params["path"]
        base_path = request.url.path[: len(request.url.path) - len(relative)]  # may be mounted
        api_request = ApiRequest(
            method=request.method,
            path=relative,
            query=dict(request.query_params),
            headers={k.lower(): v for k, v in request.headers.items()},
            body=await request.body(),
        )
        response = await self.service.handle(api_request, base_path)
        if response.body is None:
            return Response(status_code=response.status, headers=response.headers)
        content = json.dumps(response.body, ensure_ascii=False).encode()
        headers = {"Content-Type": "application/json; charset=UTF-8", **response.headers}
        return Response(content, status_code=response.status, headers=headers)
