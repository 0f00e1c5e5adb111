"""Typed async client of the sandbox control API (/_sandbox), for tests at every level.

Each call opens its own short-lived connection, so one instance works across event loops.
"""

import functools
import ssl
from datetime import datetime
from typing import Any, Literal, NotRequired, TypedDict

import httpx2

RefreshFaultKind = Literal["revoked", "inactive", "consent_missing", "mfa"]
ShowAs = Literal["free", "tentative", "busy", "oof", "workingElsewhere", "unknown"]
InvitationResponse = Literal["none", "accepted", "tentativelyAccepted", "declined", "notResponded"]
GoogleAccountKind = Literal["workspace", "consumer"]
GoogleRole = Literal["freeBusyReader", "reader", "writer"]


class CreatedUser(TypedDict):
    id: str
    email: str
    tenant_id: str


class LoggedRequest(TypedDict):
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # Authorization (and a posted client_secret) redacted
    body: Any  # parsed JSON, the form fields of a token request, or None


class CreatedGoogleAccount(TypedDict):
    email: str
    kind: GoogleAccountKind
    sub: str


class GoogleNotification(TypedDict):
    """What one write made Google email (its `sendUpdates`), and to whom."""

    event_id: str
    action: Literal["insert", "patch", "update", "delete"]
    send_updates: str
    recipients: list[str]


class RemovedEvent(TypedDict):
    reason: Literal["deleted", "cancelled"]
    comment: str | None
    event: dict[str, Any]


class MailboxEvents(TypedDict):
    value: list[dict[str, Any]]  # Graph event JSON as a client reads it, times in UTC
    removed: NotRequired[list[RemovedEvent]]


@functools.cache
def shared_tls_context() -> ssl.SSLContext:
    """One default TLS context for the short-lived loopback clients tests create."""
    # The control API is plain HTTP, but every client builds a TLS context; sharing one keeps
    # a call from costing ~25 ms of CA-store loading.
    return ssl.create_default_context()


class SandboxControl:
    """Mirrors the control endpoints one method each; raises httpx2.HTTPStatusError on errors."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url.rstrip("/")

    async def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:  # noqa: ANN401 - JSON
        async with httpx2.AsyncClient(
            base_url=self.base_url, timeout=10, verify=shared_tls_context()
        ) as client:
            response = await client.request(method, "/_sandbox" + path, json=body)
        response.raise_for_status()
        return response.json() if response.content else None

    async def reset(self) -> None:
        await self._call("POST", "/reset")

    async def create_microsoft_app(
        self,
        *,
        client_id: str,
        client_secret: str,
        redirect_uris: list[str],
        name: str = "Workestra",
    ) -> None:
        body = {
            "client_id": client_id,
            "client_secret": client_secret,
            "redirect_uris": redirect_uris,
            "name": name,
        }
        await self._call("POST", "/microsoft/apps", body)

    async def create_microsoft_user(
        self,
        *,
        email: str,
        display_name: str,
        password: str = "sandbox-password",  # noqa: S107 - a sandbox account, not a secret
        kind: Literal["work", "personal"] = "work",
        tenant_id: str | None = None,
        time_zone: str = "UTC",
        teams: bool = True,
        has_calendar: bool = True,
        mailbox_enabled: bool = True,
        mail_null: bool = False,
        admin_consent_required: bool = False,
    ) -> CreatedUser:
        body: dict[str, Any] = {
            "email": email,
            "display_name": display_name,
            "password": password,
            "kind": kind,
            "time_zone": time_zone,
            "teams": teams,
            "has_calendar": has_calendar,
            "mailbox_enabled": mailbox_enabled,
            "mail_null": mail_null,
            "admin_consent_required": admin_consent_required,
        }
        if tenant_id is not None:
            body["tenant_id"] = tenant_id
        created: CreatedUser = await self._call("POST", "/microsoft/users", body)
        return created

    async def set_auto_consent(self, email: str | None) -> None:
        """With an email, /authorize redirects at once with a code (login_hint wins); None: off."""
        await self._call("POST", "/microsoft/auto-consent", {"email": email})

    async def drop_scope(self, email: str, scope: str) -> None:
        await self._call("POST", f"/microsoft/users/{email}/drop-scope", {"scope": scope})

    async def set_refresh_fault(self, email: str, kind: RefreshFaultKind | None) -> None:
        """Refresh tokens issued so far fail that way; a new sign-in issues working ones."""
        await self._call("POST", f"/microsoft/users/{email}/refresh-fault", {"kind": kind})

    async def expire_access_tokens(self, email: str) -> None:
        await self._call("POST", f"/microsoft/users/{email}/expire-access-tokens")

    async def require_admin_consent(self, email: str, *, required: bool = True) -> None:
        body = {"required": required}
        await self._call("POST", f"/microsoft/users/{email}/require-admin-consent", body)

    async def make_microsoft_admin(self, email: str, *, admin: bool = True) -> None:
        """The user may approve apps for the whole tenant at /adminconsent."""
        await self._call("POST", f"/microsoft/users/{email}/set", {"is_admin": admin})

    async def microsoft_admin_consents(self) -> list[dict[str, Any]]:
        """Tenant-wide grants made at /adminconsent: ``{"tenant_id", "client_id", "scopes"}``."""
        found = await self._call("GET", "/microsoft/admin-consents")
        value: list[dict[str, Any]] = found["value"]
        return value

    async def set_microsoft_user(
        self,
        email: str,
        *,
        teams: bool | None = None,
        has_calendar: bool | None = None,
        mailbox_enabled: bool | None = None,
        mail_null: bool | None = None,
    ) -> None:
        settings = {
            "teams": teams,
            "has_calendar": has_calendar,
            "mailbox_enabled": mailbox_enabled,
            "mail_null": mail_null,
        }
        body = {k: v for k, v in settings.items() if v is not None}
        await self._call("POST", f"/microsoft/users/{email}/set", body)

    async def seed_microsoft_event(
        self,
        email: str,
        *,
        subject: str,
        start: datetime,
        end: datetime,
        show_as: ShowAs = "busy",
        is_cancelled: bool = False,
        is_all_day: bool = False,
        organizer: str | None = None,
    ) -> str:
        """Seed an event (aware datetimes); returns its Graph id."""
        body = {
            "subject": subject,
            "start": start.isoformat(),
            "end": end.isoformat(),
            "show_as": show_as,
            "is_cancelled": is_cancelled,
            "is_all_day": is_all_day,
            "organizer": organizer,
        }
        created = await self._call("POST", f"/microsoft/users/{email}/events", body)
        return str(created["id"])

    async def microsoft_events(self, email: str) -> MailboxEvents:
        events: MailboxEvents = await self._call("GET", f"/microsoft/users/{email}/events")
        return events

    async def add_microsoft_calendar(self, email: str, name: str, *, can_edit: bool = True) -> str:
        """Another calendar in the user's mailbox (``can_edit=False``: shared for reading only);
        returns its Graph id."""
        body = {"name": name, "can_edit": can_edit}
        created = await self._call("POST", f"/microsoft/users/{email}/calendars", body)
        return str(created["id"])

    async def delete_microsoft_calendar(self, email: str, calendar_id: str) -> None:
        """The calendar and its events are gone: Graph answers 404 for its id from now on."""
        await self._call("DELETE", f"/microsoft/users/{email}/calendars/{calendar_id}")

    async def microsoft_calendar_events(self, email: str, calendar_id: str) -> list[dict[str, Any]]:
        """The events of one calendar of the user's (the default one by its id too)."""
        found = await self._call("GET", f"/microsoft/users/{email}/calendars/{calendar_id}/events")
        value: list[dict[str, Any]] = found["value"]
        return value

    async def seed_microsoft_event_in(
        self,
        email: str,
        *,
        calendar_id: str | None,
        subject: str,
        start: datetime,
        end: datetime,
        show_as: ShowAs = "busy",
        is_all_day: bool = False,
        organizer: str | None = None,
        response: InvitationResponse | None = None,
    ) -> str:
        """Seed an event into one calendar (None: the default one); ``response`` is the user's
        answer to another ``organizer``'s invitation. Returns its Graph id."""
        body = {
            "subject": subject,
            "start": start.isoformat(),
            "end": end.isoformat(),
            "show_as": show_as,
            "is_all_day": is_all_day,
            "organizer": organizer,
            "calendar_id": calendar_id,
            "response": response,
        }
        created = await self._call("POST", f"/microsoft/users/{email}/events", body)
        return str(created["id"])

    async def add_microsoft_fault(
        self,
        *,
        status: int | None,
        count: int = 1,
        email: str | None = None,
        method: str | None = None,
        path_contains: str | None = None,
        retry_after: str | None = None,
        delay_seconds: float = 0.0,
        body: dict[str, Any] | None = None,
    ) -> None:
        """The next `count` matching Graph requests fail with `status` (None: only delayed)."""
        fault = {
            "status": status,
            "count": count,
            "email": email,
            "method": method,
            "path_contains": path_contains,
            "retry_after": retry_after,
            "delay_seconds": delay_seconds,
            "body": body,
        }
        await self._call("POST", "/microsoft/faults", fault)

    async def microsoft_requests(self) -> list[LoggedRequest]:
        logged = await self._call("GET", "/microsoft/requests")
        value: list[LoggedRequest] = logged["value"]
        return value

    async def advance_clock(self, seconds: float) -> None:
        await self._call("POST", "/microsoft/clock", {"advance_seconds": seconds})

    # --- Google ------------------------------------------------------------------------------

    async def create_google_app(
        self,
        *,
        client_id: str,
        client_secret: str,
        redirect_uris: list[str],
        name: str = "Workestra",
        testing: bool = False,
    ) -> None:
        """`testing`: the app is in Testing status, so its refresh tokens last 7 days."""
        body = {
            "client_id": client_id,
            "client_secret": client_secret,
            "redirect_uris": redirect_uris,
            "name": name,
            "testing": testing,
        }
        await self._call("POST", "/google/apps", body)

    async def create_google_account(
        self,
        *,
        email: str,
        name: str,
        password: str = "sandbox-password",  # noqa: S107 - a sandbox account, not a secret
        kind: GoogleAccountKind | None = None,
        time_zone: str = "UTC",
        meet_allowed: bool = True,
    ) -> CreatedGoogleAccount:
        """`kind` None: @gmail addresses are consumer accounts, others Workspace."""
        body: dict[str, Any] = {
            "email": email,
            "name": name,
            "password": password,
            "kind": kind,
            "time_zone": time_zone,
            "meet_allowed": meet_allowed,
        }
        created: CreatedGoogleAccount = await self._call("POST", "/google/accounts", body)
        return created

    async def set_google_account(
        self,
        email: str,
        *,
        name: str | None = None,
        time_zone: str | None = None,
        meet_allowed: bool | None = None,
    ) -> None:
        settings = {"name": name, "time_zone": time_zone, "meet_allowed": meet_allowed}
        body = {k: v for k, v in settings.items() if v is not None}
        await self._call("POST", f"/google/accounts/{email}/set", body)

    async def seed_google_event(
        self,
        email: str,
        *,
        start: datetime,
        end: datetime,
        summary: str = "Busy",
        transparency: Literal["opaque", "transparent"] = "opaque",
        status: Literal["confirmed", "tentative", "cancelled"] = "confirmed",
        attendees: list[str] | None = None,
    ) -> str:
        """Seed an event (a busy block unless transparent; aware datetimes); returns its id."""
        body = {
            "summary": summary,
            "start": start.isoformat(),
            "end": end.isoformat(),
            "transparency": transparency,
            "status": status,
            "attendees": attendees or [],
        }
        created = await self._call("POST", f"/google/accounts/{email}/events", body)
        return str(created["id"])

    async def google_events(self, email: str) -> list[dict[str, Any]]:
        """Every event of the account's calendar, cancelled too, as its owner reads it."""
        events = await self._call("GET", f"/google/accounts/{email}/events")
        items: list[dict[str, Any]] = events["items"]
        return items

    async def google_notifications(self, email: str) -> list[GoogleNotification]:
        notifications = await self._call("GET", f"/google/accounts/{email}/notifications")
        items: list[GoogleNotification] = notifications["items"]
        return items

    async def share_google_calendar(self, email: str, *, with_email: str, role: GoogleRole) -> None:
        body = {"with_email": with_email, "role": role}
        await self._call("POST", f"/google/accounts/{email}/share", body)

    async def set_google_auto_consent(self, email: str | None) -> None:
        """With an email, the authorization endpoint redirects at once with a code (login_hint
        wins), granting what the user has not dropped; None: the pages are shown."""
        await self._call("POST", "/google/auto-consent", {"email": email})

    async def drop_google_scope(self, email: str, scope: str) -> None:
        """The user unticks this scope on every later consent (granular consent)."""
        await self._call("POST", f"/google/accounts/{email}/drop-scope", {"scope": scope})

    async def revoke_google_grants(self, email: str, *, client_id: str | None = None) -> None:
        """The user removes the app's access (every app's with None): tokens stop working."""
        await self._call("POST", f"/google/accounts/{email}/revoke-grants", {"client_id": client_id})

    async def expire_google_access_tokens(self, email: str) -> None:
        await self._call("POST", f"/google/accounts/{email}/expire-access-tokens")

    async def set_google_meet(
        self,
        *,
        outcome: Literal["success", "failure"] = "success",
        after_reads: int = 1,
        after_seconds: float = 0.0,
    ) -> None:
        """How Meet creation resolves for conferences requested from now on: `pending` until
        `after_reads` reads of the event and `after_seconds` have passed, then `outcome`."""
        body = {"outcome": outcome, "after_reads": after_reads, "after_seconds": after_seconds}
        await self._call("POST", "/google/meet", body)

    async def add_google_fault(
        self,
        *,
        status: int | None,
        reason: str | None = None,
        count: int = 1,
        email: str | None = None,
        method: str | None = None,
        path_contains: str | None = None,
        retry_after: str | None = None,
        delay_seconds: float = 0.0,
        body: dict[str, Any] | None = None,
    ) -> None:
        """The next `count` matching Calendar API requests fail with `status` and a G5 body for
        `reason` (default by status: 403/429 rateLimitExceeded, 500 backendError); None: delay only."""
        fault = {
            "status": status,
            "reason": reason,
            "count": count,
            "email": email,
            "method": method,
            "path_contains": path_contains,
            "retry_after": retry_after,
            "delay_seconds": delay_seconds,
            "body": body,
        }
        await self._call("POST", "/google/faults", fault)

    async def google_requests(self) -> list[LoggedRequest]:
        logged = await self._call("GET", "/google/requests")
        value: list[LoggedRequest] = logged["value"]
        return value

    async def advance_google_clock(self, seconds: float) -> None:
        await self._call("POST", "/google/clock", {"advance_seconds": seconds})
