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
