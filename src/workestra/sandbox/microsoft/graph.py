"""The emulated Microsoft Graph v1.0: routing, bearer-token checks, throttling and faults.

References: Graph `concepts/errors.md` (E1), `concepts/throttling.md` + `throttling-limits.md`
(E2). Handlers live in profile.py, calendars.py and events.py; `$batch` in batch.py.
"""

import asyncio
import json
import re
from collections.abc import Callable, Sequence
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from . import calendars, events, profile
from . import scopes as scope_names
from .batch import run_batch
from .errors import FAULT_DEFAULTS, WWW_AUTHENTICATE, GraphError, graph_error_body, invalid_token, throttled
from .requests_log import entry
from .state import Fault, MicrosoftState, new_guid
from .wire import JSON_TYPE, Caller, Context, GraphRequest, GraphResponse, Preferences

Handler = Callable[[Context, re.Match[str]], GraphResponse]
_CAL = r"/me(?:/calendar|/calendars/(?P<cid>[^/]+))?"
_EVENT = _CAL + r"/events/(?P<eid>[^/]+)"
ROUTES: Sequence[tuple[str, str, Handler]] = (
    ("GET", r"/me", profile.me),
    ("GET", r"/me/calendar", calendars.get_calendar),
    ("GET", r"/me/calendars", calendars.list_calendars),
    ("GET", r"/me/calendars/(?P<cid>[^/]+)", calendars.get_calendar),
    ("GET", _CAL + r"/calendarview", calendars.calendar_view),
    ("POST", r"/me/calendar/getschedule", calendars.get_schedule),
    ("POST", _CAL + r"/events", events.create_event),
    ("GET", _CAL + r"/events", events.list_events),
    ("GET", _EVENT, events.get_event),
    ("PATCH", _EVENT, events.update_event),
    ("DELETE", _EVENT, events.delete_event),
    ("POST", _EVENT + r"/cancel", events.cancel_event),
)
_COMPILED = [(method, re.compile(pattern, re.IGNORECASE), handler) for method, pattern, handler in ROUTES]


def _json_response(status: int, body: object, headers: dict[str, str]) -> GraphResponse:
    return GraphResponse(status, body, {"Content-Type": "application/json", **headers})


class GraphService:
    """Serves Graph requests, one at a time or as a group that runs concurrently ($batch)."""

    def __init__(self, state: MicrosoftState) -> None:
        self.state = state

    def error(self, request: GraphRequest, err: GraphError) -> GraphResponse:
        body = graph_error_body(
            err.code,
            err.message,
            now=self.state.now(),
            request_id=request.request_id,
            client_request_id=request.client_request_id,
        )
        return _json_response(err.status, body, err.headers)

    def log(self, request: GraphRequest) -> None:
        try:
            body: Any = json.loads(request.body) if request.body.strip() else None
        except (ValueError, UnicodeDecodeError):
            body = request.body.decode("utf-8", "replace")
        self.state.log_request(
            entry(
                method=request.method,
                path=request.base_path + request.path,
                query=request.query,
                headers=request.headers,
                body=body,
            )
        )

    def authenticate(self, request: GraphRequest) -> Caller:
        """E1: 401 InvalidAuthenticationToken (+ WWW-Authenticate) for missing/bad/expired tokens."""
        header = request.headers.get("authorization", "")
        scheme, _, value = header.partition(" ")
        if not header:
            raise invalid_token("Access token is empty.")
        if scheme.lower() != "bearer" or not value.strip():
            raise invalid_token("Access token validation failure.")
        with self.state.lock:
            token = self.state.access_tokens.get(value.strip())
            if token is None:
                raise invalid_token("CompactToken parsing failed with error code: 80049217")
            if token.force_expired or self.state.now() >= token.expires_at:
                raise invalid_token("Access token has expired or is not yet valid.")
            user = self.state.users.get(token.user_id)
            if user is None:
                raise invalid_token("Access token validation failure.")
            granted = frozenset(
                scope_names.short_name(s).lower() for s in token.scopes if scope_names.is_graph(s)
            )
            return Caller(user=user, client_id=token.client_id, scopes=granted)

    async def handle(self, request: GraphRequest) -> GraphResponse:
        return (await self.handle_concurrently([request]))[0]

    async def handle_concurrently(self, requests: Sequence[GraphRequest]) -> list[GraphResponse]:
        """Serve requests that are in flight together: each holds one of its app + mailbox's
        four concurrency slots (THR-L) until all are done; a fifth gets 429 ApplicationThrottled."""
        results: list[GraphResponse | None] = [None] * len(requests)
        admitted: list[tuple[int, Caller]] = []
        for index, request in enumerate(requests):
            self.log(request)
            try:
                caller = self.authenticate(request)
            except GraphError as err:
                results[index] = self.error(request, err)
                continue
            if not self.state.acquire_slot((caller.client_id, caller.user.id)):
                results[index] = self.error(request, throttled("1"))
                continue
            admitted.append((index, caller))
        try:
            served = await asyncio.gather(
                *(self._serve(requests[index], caller) for index, caller in admitted)
            )
        finally:
            for _, caller in admitted:
                self.state.release_slot((caller.client_id, caller.user.id))
        for (index, _), response in zip(admitted, served, strict=True):
            results[index] = response
        return [r for r in results if r is not None]

    async def injected_fault(self, request: GraphRequest, email: str | None) -> GraphResponse | None:
        """The next armed control-API fault matching this request, after its delay."""
        fault = self.state.take_fault(
            email=email, method=request.method, path=request.base_path + request.path
        )
        if fault is None:
            return None
        if fault.delay_seconds > 0:
            await asyncio.sleep(fault.delay_seconds)
        if fault.status is None:
            return None
        return self._fault_response(request, fault, fault.status)

    async def _serve(self, request: GraphRequest, caller: Caller) -> GraphResponse:
        if self.state.latency_seconds > 0:  # the latency switch (control API)
            await asyncio.sleep(self.state.latency_seconds)
        faulted = await self.injected_fault(request, caller.user.email)
        if faulted is not None:
            return faulted
        try:
            handler, match = self._route(request)
            prefer = Preferences.parse(request.headers.get("prefer"))
            with self.state.lock:
                response = handler(Context(self.state, request, caller, prefer), match)
        except GraphError as err:
            return self.error(request, err)
        if response.body is not None:
            response.headers.setdefault("Content-Type", JSON_TYPE)
        return response

    def _route(self, request: GraphRequest) -> tuple[Handler, re.Match[str]]:
        path = request.path.rstrip("/") or "/"
        allowed = False
        for method, pattern, handler in _COMPILED:
            match = pattern.fullmatch(path)
            if match is None:
                continue
            if method == request.method:
                return handler, match
            allowed = True
        if allowed:
            raise GraphError(
                405, "Request_BadRequest", "Specified HTTP method is not allowed for the request target."
            )
        segment = path.rsplit("/", 1)[-1] or path
        raise GraphError(400, "BadRequest", f"Resource not found for the segment '{segment}'.")

    def _fault_response(self, request: GraphRequest, fault: Fault, status: int) -> GraphResponse:
        headers = {"Retry-After": fault.retry_after} if fault.retry_after is not None else {}
        if status == 401:  # Graph's 401s always carry the challenge (E1)
            headers["WWW-Authenticate"] = WWW_AUTHENTICATE
        if fault.body is not None:
            return _json_response(status, fault.body, headers)
        code, message = FAULT_DEFAULTS.get(status, ("generalException", "Injected fault."))
        return self.error(request, GraphError(status, code, message, headers=headers))


def to_graph_request(request: Request, body: bytes) -> GraphRequest:
    request_id = new_guid()
    origin = f"{request.url.scheme}://{request.url.netloc}"
    relative = "/" + request.path_params["path"]
    base_path = request.url.path[: len(request.url.path) - len(relative)]  # may be mounted
    return GraphRequest(
        method=request.method,
        path=relative,
        query=dict(request.query_params),
        headers={k.lower(): v for k, v in request.headers.items()},
        body=body,
        base_path=base_path,
        base_url=origin + base_path,
        request_id=request_id,
        client_request_id=request.headers.get("client-request-id") or request_id,
    )


def to_response(request: GraphRequest, response: GraphResponse) -> Response:
    headers = {
        "request-id": request.request_id,
        "client-request-id": request.client_request_id,
        **response.headers,
    }
    if response.body is None:
        headers.pop("Content-Type", None)
        return Response(status_code=response.status, headers=headers)
    content = json.dumps(response.body, ensure_ascii=False).encode()
    return Response(content, status_code=response.status, headers=headers)


class GraphEndpoints:
    def __init__(self, service: GraphService) -> None:
        self.service = service

    def routes(self) -> list[BaseRoute]:
        methods = ["GET", "POST", "PATCH", "PUT", "DELETE"]
        return [Route("/graph/v1.0/{path:path}", self.endpoint, methods=methods)]

    async def endpoint(self, request: Request) -> Response:
        """Every Graph v1.0 request (`$batch` included) enters here."""
        graph_request = to_graph_request(request, await request.body())
        if graph_request.path.lower() == "/$batch" and graph_request.method == "POST":
            response = await self._batch(graph_request)
        else:
            response = await self.service.handle(graph_request)
        return to_response(graph_request, response)

    async def _batch(self, outer: GraphRequest) -> GraphResponse:
        service = self.service
        service.log(outer)
        try:
            email: str | None = service.authenticate(outer).user.email
        except GraphError:
            email = None
        faulted = await service.injected_fault(outer, email)
        if faulted is not None:
            return faulted
        return await run_batch(outer, handle=service.handle_concurrently, error=service.error)
