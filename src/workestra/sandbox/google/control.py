"""Control API of the Google emulator (/_sandbox/google/...): seed and break things.

Private to tests and the demo; JSON in and out, 422 for a body that does not validate.
"""

import hashlib
from collections.abc import Awaitable, Callable
from dataclasses import asdict
from datetime import timedelta
from typing import Any, Literal, TypeVar

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError, field_validator
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from . import grants, times
from . import scopes as scope_names
from .event_json import event_json
from .events import new_event_id
from .state import Account, App, Event, Fault, GoogleState, MeetSettings

Body = TypeVar("Body", bound=BaseModel)
_CONSUMER_DOMAINS = ("gmail.com", "googlemail.com", "gmail.test")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class NewApp(_Strict):
    client_id: str = Field(min_length=1)
    client_secret: str = Field(min_length=1)
    redirect_uris: list[str] = Field(min_length=1)
    name: str = "Workestra"
    testing: bool = False


def _known_zone(value: str) -> str:
    if times.zone(value) is None:
        raise ValueError("not an IANA time zone name")
    return value


class NewAccount(_Strict):
    email: str = Field(pattern=r"^[^@\s]+@[^@\s]+$")
    name: str
    password: str = "sandbox-password"  # noqa: S105 - a sandbox account, not a secret
    kind: Literal["workspace", "consumer"] | None = None  # None: @gmail addresses are consumer
    time_zone: str = "UTC"
    meet_allowed: bool = True

    @field_validator("time_zone")
    @classmethod
    def _zone(cls, value: str) -> str:
        return _known_zone(value)


class AccountSettings(_Strict):
    name: str | None = None
    time_zone: str | None = None
    meet_allowed: bool | None = None

    @field_validator("time_zone")
    @classmethod
    def _zone(cls, value: str | None) -> str | None:
        return None if value is None else _known_zone(value)


class SeedEvent(_Strict):
    summary: str = "Busy"
    start: AwareDatetime
    end: AwareDatetime
    transparency: Literal["opaque", "transparent"] = "opaque"
    status: Literal["confirmed", "tentative", "cancelled"] = "confirmed"
    attendees: list[str] = Field(default_factory=list)


class Share(_Strict):
    with_email: str
    role: Literal["freeBusyReader", "reader", "writer"]


class DropScope(_Strict):
    scope: str

    @field_validator("scope")
    @classmethod
    def _google_scope(cls, value: str) -> str:
        name = scope_names.canonical(value)
        if name is None or name in scope_names.SIGN_IN:
            raise ValueError("not a Google API scope the sandbox offers on its consent page")
        return name


class RevokeGrants(_Strict):
    client_id: str | None = None  # None: every app


class AutoConsent(_Strict):
    email: str | None


class Meet(_Strict):
    outcome: Literal["success", "failure"] = "success"
    after_reads: int = Field(default=1, ge=0)
    after_seconds: float = Field(default=0.0, ge=0)


class NewFault(_Strict):
    status: int | None = Field(default=None, ge=100, le=599)
    reason: str | None = None
    count: int = Field(default=1, ge=1)
    email: str | None = None
    method: str | None = None
    path_contains: str | None = None
    retry_after: str | None = None
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


def _not_found(what: str) -> Response:
    return JSONResponse({"detail": f"no such {what}"}, status_code=404)


class GoogleControl:
    def __init__(self, state: GoogleState) -> None:
        self.state = state

    def routes(self) -> list[BaseRoute]:
        account = "/accounts/{email}"
        return [
            Route("/apps", self._json(NewApp, self.create_app), methods=["POST"]),
            Route("/accounts", self._json(NewAccount, self.create_account), methods=["POST"]),
            Route(f"{account}/set", self._account(AccountSettings, self.update_account), methods=["POST"]),
            Route(f"{account}/events", self._account(SeedEvent, self.seed_event), methods=["POST"]),
            Route(f"{account}/events", self._account(None, self.list_events), methods=["GET"]),
            Route(f"{account}/notifications", self._account(None, self.notifications), methods=["GET"]),
            Route(f"{account}/share", self._account(Share, self.share), methods=["POST"]),
            Route(f"{account}/drop-scope", self._account(DropScope, self.drop_scope), methods=["POST"]),
            Route(
                f"{account}/revoke-grants", self._account(RevokeGrants, self.revoke_grants), methods=["POST"]
            ),
            Route(
                f"{account}/expire-access-tokens",
                self._account(None, self.expire_access_tokens),
                methods=["POST"],
            ),
            Route("/auto-consent", self._json(AutoConsent, self.auto_consent), methods=["POST"]),
            Route("/meet", self._json(Meet, self.set_meet), methods=["POST"]),
            Route("/faults", self._json(NewFault, self.add_fault), methods=["POST"]),
            Route("/requests", self.requests, methods=["GET"]),
            Route("/clock", self._json(AdvanceClock, self.advance_clock), methods=["POST"]),
            Route("/latency", self._json(Latency, self.set_latency), methods=["POST"]),
        ]

    # --- plumbing: parse the body, find the account, hold the lock -------------------------

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

    def _account(
        self, model: type[Body] | None, action: Callable[[Account, Any], Response]
    ) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            parsed: Any = None
            if model is not None:
                parsed = await _parse(request, model)
                if isinstance(parsed, Response):
                    return parsed
            with self.state.lock:
                account = self.state.account(request.path_params["email"])
                if account is None:
                    return _not_found("account")
                return action(account, parsed)

        return endpoint

    # --- actions ---------------------------------------------------------------------------

    def create_app(self, body: NewApp) -> Response:
        self.state.apps[body.client_id] = App(
            client_id=body.client_id,
            client_secret=body.client_secret,
            redirect_uris=list(body.redirect_uris),
            name=body.name,
            testing=body.testing,
        )
        return JSONResponse({"client_id": body.client_id}, status_code=201)

    def create_account(self, body: NewAccount) -> Response:
        if self.state.account(body.email) is not None:
            return JSONResponse({"detail": "account exists"}, status_code=409)
        domain = body.email.rpartition("@")[2].lower()
        kind = body.kind or ("consumer" if domain in _CONSUMER_DOMAINS else "workspace")
        subject = str(int(hashlib.sha256(body.email.lower().encode()).hexdigest()[:16], 16))[:21]
        account = Account(
            email=body.email,
            name=body.name,
            password=body.password,
            kind=kind,
            time_zone=body.time_zone,
            subject=subject,
            meet_allowed=body.meet_allowed,
        )
        self.state.accounts[body.email.lower()] = account
        return JSONResponse({"email": account.email, "kind": kind, "sub": subject}, status_code=201)

    def update_account(self, account: Account, body: AccountSettings) -> Response:
        for name, value in body.model_dump(exclude_none=True).items():
            setattr(account, name, value)
        return _no_content()

    def seed_event(self, account: Account, body: SeedEvent) -> Response:
        if body.end < body.start:
            return JSONResponse({"detail": "end is before start"}, status_code=422)
        now = self.state.now()
        event_id = new_event_id()
        event = Event(
            id=event_id,
            calendar_email=account.email,
            starts_at=times.parse_instant(body.start.isoformat()) or now,
            ends_at=times.parse_instant(body.end.isoformat()) or now,
            created_at=now,
            updated_at=now,
            resource={
                "summary": body.summary,
                "start": {"dateTime": body.start.isoformat()},
                "end": {"dateTime": body.end.isoformat()},
                "transparency": body.transparency,
            },
            organizer_email=account.email,
            creator_email=account.email,
            ical_uid=f"{event_id}@google.com",
            status=body.status,
        )
        if body.attendees:
            event.resource["attendees"] = [
                {"email": e, "responseStatus": "needsAction"} for e in body.attendees
            ]
        event.etag_serial = event.change_serial = self.state.next_serial()
        account.events[event.id] = event
        return JSONResponse({"id": event.id}, status_code=201)

    def list_events(self, account: Account, _: None) -> Response:
        """Every event in the account's calendar (cancelled too) as its owner reads it; reading
        here does not move a pending Meet creation along."""
        items = [event_json(e, account, account) for e in account.events.values()]
        return JSONResponse({"items": items})

    def notifications(self, account: Account, _: None) -> Response:
        return JSONResponse({"items": [asdict(n) for n in account.notifications]})

    def share(self, account: Account, body: Share) -> Response:
        if self.state.account(body.with_email) is None:
            return _not_found("account to share with")
        account.shared_with[body.with_email.lower()] = body.role
        return _no_content()

    def drop_scope(self, account: Account, body: DropScope) -> Response:
        account.dropped_scopes.add(body.scope)
        return _no_content()

    def revoke_grants(self, account: Account, body: RevokeGrants) -> Response:
        grants.revoke_grant(self.state, account.email, body.client_id)
        return _no_content()

    def expire_access_tokens(self, account: Account, _: None) -> Response:
        for token in self.state.access_tokens.values():
            if token.email.lower() == account.email.lower():
                token.force_expired = True
        return _no_content()

    def auto_consent(self, body: AutoConsent) -> Response:
        if body.email is not None and self.state.account(body.email) is None:
            return _not_found("account")
        self.state.auto_consent_email = body.email
        return _no_content()

    def set_meet(self, body: Meet) -> Response:
        self.state.meet = MeetSettings(
            outcome=body.outcome, after_reads=body.after_reads, after_seconds=body.after_seconds
        )
        return _no_content()

    def add_fault(self, body: NewFault) -> Response:
        self.state.faults.append(
            Fault(
                status=body.status,
                remaining=body.count,
                reason=body.reason,
                email=body.email,
                method=body.method,
                path_contains=body.path_contains,
                retry_after=body.retry_after,
                delay_seconds=body.delay_seconds,
                body=body.body,
            )
        )
        return JSONResponse({"count": body.count}, status_code=201)

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
