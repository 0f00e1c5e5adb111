"""Control API of the Microsoft emulator (/_sandbox/microsoft/...): seed and break things.

Private to tests and the demo; JSON in and out, 422 for a body that does not validate.
"""

import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any, Literal, TypeVar

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError, field_validator
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from . import scopes as scope_names
from . import timezones
from .event_json import event_json
from .mailbox import new_event
from .state import (
    PERSONAL_TENANT_ID,
    App,
    Calendar,
    Fault,
    MicrosoftState,
    RefreshFault,
    User,
    new_guid,
    opaque,
)

Body = TypeVar("Body", bound=BaseModel)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class NewApp(_Strict):
    client_id: str = Field(min_length=1)
    client_secret: str = Field(min_length=1)
    redirect_uris: list[str] = Field(min_length=1)
    name: str = "Workestra"


class NewUser(_Strict):
    email: str = Field(pattern=r"^[^@\s]+@[^@\s]+$")
    display_name: str
    password: str
    kind: Literal["work", "personal"] = "work"
    tenant_id: str | None = None
    time_zone: str = "UTC"
    teams: bool = True
    has_calendar: bool = True
    mailbox_enabled: bool = True
    mail_null: bool = False
    admin_consent_required: bool = False
    is_admin: bool = False

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        if not timezones.is_supported(value):
            raise ValueError("not a Windows zone name or a documented IANA name")
        return value


class AutoConsent(_Strict):
    email: str | None


class DropScope(_Strict):
    scope: str

    @field_validator("scope")
    @classmethod
    def _graph_scope(cls, value: str) -> str:
        name = scope_names.canonical(value)
        if name is None or not scope_names.is_graph(name):
            raise ValueError("not a Graph permission the sandbox knows")
        return scope_names.short_name(name)


class SetRefreshFault(_Strict):
    kind: Literal["revoked", "inactive", "consent_missing", "mfa"] | None


class RequireAdminConsent(_Strict):
    required: bool


class UserSettings(_Strict):
    teams: bool | None = None
    has_calendar: bool | None = None
    mailbox_enabled: bool | None = None
    mail_null: bool | None = None
    admin_consent_required: bool | None = None
    is_admin: bool | None = None


class SeedEvent(_Strict):
    subject: str
    start: AwareDatetime
    end: AwareDatetime
    show_as: Literal["free", "tentative", "busy", "oof", "workingElsewhere", "unknown"] = "busy"
    is_cancelled: bool = False
    is_all_day: bool = False
    organizer: str | None = None  # another address makes the user an attendee
    sensitivity: Literal["normal", "personal", "private", "confidential"] = "normal"
    calendar_id: str | None = None  # another calendar of the user's (add-calendar); None: the default
    # The attendee's answer (only with another organizer): notResponded is an unanswered invitation.
    response: Literal["none", "accepted", "tentativelyAccepted", "declined", "notResponded"] | None = None


class NewCalendar(_Strict):
    name: str = Field(min_length=1)
    can_edit: bool = True  # False: a calendar shared with the user for reading only


class NewFault(_Strict):
    email: str | None = None
    method: str | None = None
    path_contains: str | None = None
    status: int | None = Field(default=None, ge=100, le=599)
    retry_after: str | None = None
    count: int = Field(default=1, ge=1)
    delay_seconds: float = Field(default=0.0, ge=0)
    body: Any = None

    @field_validator("retry_after", mode="before")
    @classmethod
    def _as_text(cls, value: object) -> object:
        return str(value) if isinstance(value, int | float) else value


class AdvanceClock(_Strict):
    advance_seconds: float


class Latency(_Strict):
    seconds: float = Field(ge=0, le=30)


def _no_content() -> Response:
    return Response(status_code=204)


def _not_found(what: str) -> JSONResponse:
    return JSONResponse({"detail": f"{what} not found"}, status_code=404)


class MicrosoftControl:
    def __init__(self, state: MicrosoftState) -> None:
        self.state = state

    def routes(self) -> list[BaseRoute]:
        user = "/users/{email}"
        return [
            Route("/apps", self._json(NewApp, self.create_app), methods=["POST"]),
            Route("/users", self._json(NewUser, self.create_user), methods=["POST"]),
            Route("/auto-consent", self._json(AutoConsent, self.auto_consent), methods=["POST"]),
            Route(f"{user}/drop-scope", self._user(DropScope, self.drop_scope), methods=["POST"]),
            Route(f"{user}/refresh-fault", self._user(SetRefreshFault, self.refresh_fault), methods=["POST"]),
            Route(
                f"{user}/expire-access-tokens", self._user(None, self.expire_access_tokens), methods=["POST"]
            ),
            Route(
                f"{user}/require-admin-consent",
                self._user(RequireAdminConsent, self.require_admin_consent),
                methods=["POST"],
            ),
            Route(f"{user}/set", self._user(UserSettings, self.update_user), methods=["POST"]),
            Route(f"{user}/events", self._user(SeedEvent, self.seed_event), methods=["POST"]),
            Route(f"{user}/events", self._user(None, self.list_events), methods=["GET"]),
            Route(f"{user}/calendars", self._user(NewCalendar, self.add_calendar), methods=["POST"]),
            Route(f"{user}/calendars/{{calendar_id}}", self.delete_calendar, methods=["DELETE"]),
            Route(f"{user}/calendars/{{calendar_id}}/events", self.calendar_events, methods=["GET"]),
            Route("/admin-consents", self.admin_consents, methods=["GET"]),
            Route("/faults", self._json(NewFault, self.add_fault), methods=["POST"]),
            Route("/requests", self.requests, methods=["GET"]),
            Route("/clock", self._json(AdvanceClock, self.advance_clock), methods=["POST"]),
            Route("/latency", self._json(Latency, self.set_latency), methods=["POST"]),
        ]

    # --- plumbing: parse the body, find the user, hold the lock ----------------------------

    def _json(
        self, model: type[Body], action: Callable[[Body], Response]
    ) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            parsed = await _parse(request, model)
            if isinstance(parsed, Response):
                return parsed
            with self.state.lock:
                return action(parsed)

        return endpoint

    def _user(
        self, model: type[Body] | None, action: Callable[[User, Any], Response]
    ) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            parsed: Any = None
            if model is not None:
                parsed = await _parse(request, model)
                if isinstance(parsed, Response):
                    return parsed
            with self.state.lock:
                user = self.state.user_by_email(request.path_params["email"])
                if user is None:
                    return _not_found("user")
                return action(user, parsed)

        return endpoint

    # --- actions ---------------------------------------------------------------------------

    def create_app(self, body: NewApp) -> Response:
        self.state.apps[body.client_id] = App(
            client_id=body.client_id,
            client_secret=body.client_secret,
            redirect_uris=list(body.redirect_uris),
            name=body.name,
        )
        return JSONResponse({"client_id": body.client_id}, status_code=201)

    def create_user(self, body: NewUser) -> Response:
        if self.state.user_by_email(body.email) is not None:
            return JSONResponse({"detail": "user exists"}, status_code=409)
        domain = body.email.rpartition("@")[2].lower()
        if body.kind == "personal":
            user_id, tenant_id = uuid.uuid4().hex[:16], PERSONAL_TENANT_ID
        else:
            user_id = new_guid()
            tenant_id = body.tenant_id or str(uuid.uuid5(uuid.NAMESPACE_DNS, domain))
        user = User(
            id=user_id,
            email=body.email,
            display_name=body.display_name,
            password=body.password,
            kind=body.kind,
            tenant_id=tenant_id,
            time_zone=body.time_zone,
            teams=body.teams,
            has_calendar=body.has_calendar,
            mailbox_enabled=body.mailbox_enabled,
            mail_null=body.mail_null,
            admin_consent_required=body.admin_consent_required,
            is_admin=body.is_admin,
        )
        self.state.add_user(user)
        return JSONResponse({"id": user.id, "email": user.email, "tenant_id": tenant_id}, status_code=201)

    def auto_consent(self, body: AutoConsent) -> Response:
        if body.email is not None and self.state.user_by_email(body.email) is None:
            return _not_found("user")
        self.state.auto_consent_email = body.email
        return _no_content()

    def drop_scope(self, user: User, body: DropScope) -> Response:
        user.dropped_scopes.add(body.scope.lower())
        return _no_content()

    def refresh_fault(self, user: User, body: SetRefreshFault) -> Response:
        if body.kind is None:
            user.refresh_fault = None
        else:
            user.refresh_fault = RefreshFault(
                kind=body.kind, set_at=self.state.now(), up_to_serial=self.state.next_serial()
            )
        return _no_content()

    def expire_access_tokens(self, user: User, _: None) -> Response:
        for token in self.state.access_tokens.values():
            if token.user_id == user.id:
                token.force_expired = True
        return _no_content()

    def require_admin_consent(self, user: User, body: RequireAdminConsent) -> Response:
        user.admin_consent_required = body.required
        return _no_content()

    def update_user(self, user: User, body: UserSettings) -> Response:
        for name, value in body.model_dump(exclude_none=True).items():
            setattr(user, name, value)
        return _no_content()

    def seed_event(self, user: User, body: SeedEvent) -> Response:
        if body.end < body.start:
            return JSONResponse({"detail": "end is before start"}, status_code=422)
        now = self.state.now()
        event = new_event(user, now=now, starts_at=body.start, ends_at=body.end)
        if body.is_all_day:  # a floating date: the wall-clock dates as given
            event.starts_at = body.start.replace(
                hour=0, minute=0, second=0, microsecond=0, tzinfo=timezones.zone_for("UTC")
            )
            event.ends_at = body.end.replace(
                hour=0, minute=0, second=0, microsecond=0, tzinfo=timezones.zone_for("UTC")
            )
            if event.ends_at <= event.starts_at:
                event.ends_at = event.starts_at + timedelta(days=1)
        else:
            event.starts_at = body.start.astimezone(timezones.zone_for("UTC"))
            event.ends_at = body.end.astimezone(timezones.zone_for("UTC"))
        event.subject = body.subject
        event.show_as = body.show_as
        event.is_cancelled = body.is_cancelled
        event.is_all_day = body.is_all_day
        event.sensitivity = body.sensitivity
        if body.organizer is not None and body.organizer.lower() != user.email.lower():
            event.organizer_name = event.organizer_address = body.organizer
            event.is_organizer = False
            event.response = body.response
        if body.calendar_id is not None and body.calendar_id != user.calendar_id:
            if body.calendar_id not in user.calendars:
                return _not_found("calendar")
            event.calendar_id = body.calendar_id
        user.events[event.id] = event
        return JSONResponse({"id": event.id}, status_code=201)

    def list_events(self, user: User, _: None) -> Response:
        value = [event_json(e, user, zone="UTC") for e in user.events.values()]
        removed = [
            {"reason": r.reason, "comment": r.comment, "event": event_json(r.event, user, zone="UTC")}
            for r in user.removed
        ]
        return JSONResponse({"value": value, "removed": removed})

    def add_calendar(self, user: User, body: NewCalendar) -> Response:
        """Another calendar in the user's mailbox (made by them, or shared with ``can_edit``)."""
        calendar = Calendar(id=opaque("AAMkAGsbxOther", 12) + "=", name=body.name, can_edit=body.can_edit)
        user.calendars[calendar.id] = calendar
        return JSONResponse({"id": calendar.id, "name": calendar.name}, status_code=201)

    async def delete_calendar(self, request: Request) -> Response:
        """The calendar and its events are gone (deleted, or no longer shared): its id answers 404."""
        with self.state.lock:
            user = self.state.user_by_email(request.path_params["email"])
            calendar_id = request.path_params["calendar_id"]
            if user is None or calendar_id not in user.calendars:
                return _not_found("calendar")
            del user.calendars[calendar_id]
            for event_id in [e.id for e in user.events.values() if e.calendar_id == calendar_id]:
                del user.events[event_id]
        return _no_content()

    async def calendar_events(self, request: Request) -> Response:
        """The events of one calendar of the user (the default one by its id too)."""
        with self.state.lock:
            user = self.state.user_by_email(request.path_params["email"])
            calendar_id = request.path_params["calendar_id"]
            if user is None or (calendar_id != user.calendar_id and calendar_id not in user.calendars):
                return _not_found("calendar")
            key = None if calendar_id == user.calendar_id else calendar_id
            value = [event_json(e, user, zone="UTC") for e in user.events.values() if e.calendar_id == key]
        return JSONResponse({"value": value})

    def add_fault(self, body: NewFault) -> Response:
        self.state.faults.append(
            Fault(
                status=body.status,
                remaining=body.count,
                email=body.email,
                method=body.method,
                path_contains=body.path_contains,
                retry_after=body.retry_after,
                delay_seconds=body.delay_seconds,
                body=body.body,
            )
        )
        return JSONResponse({"count": body.count}, status_code=201)

    async def admin_consents(self, request: Request) -> Response:
        """The tenant-wide grants admins made through /adminconsent (Graph scopes, short names)."""
        with self.state.lock:
            value = [
                {
                    "tenant_id": tenant_id,
                    "client_id": client_id,
                    "scopes": sorted(scope_names.short_name(s) for s in scopes),
                }
                for (tenant_id, client_id), scopes in self.state.admin_consents.items()
            ]
        return JSONResponse({"value": value})

    async def requests(self, request: Request) -> Response:
        with self.state.lock:
            return JSONResponse({"value": list(self.state.requests)})

    def set_latency(self, body: Latency) -> Response:
        """Every API request from now on takes ``seconds`` longer (0 switches it off)."""
        self.state.latency_seconds = body.seconds
        return JSONResponse({"seconds": body.seconds})

    def advance_clock(self, body: AdvanceClock) -> Response:
        self.state.clock_offset += timedelta(seconds=body.advance_seconds)
        return JSONResponse({"now": self.state.now().isoformat()})


async def _parse(request: Request, model: type[Body]) -> Body | Response:
    try:
        data = await request.json()
    except ValueError:
        return JSONResponse({"detail": "body must be JSON"}, status_code=400)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors(include_url=False, include_context=False, include_input=False)
        return JSONResponse({"detail": errors}, status_code=422)
