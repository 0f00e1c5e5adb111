"""What a Calendar API handler receives and returns, and the calendar access rules it applies.

Reference: DISC (`calendarId` may be `primary`; `accessRole` freeBusyReader < reader < writer <
owner), G5 (404 `notFound`). No Starlette here. Callers hold the lock.
"""

import json
from dataclasses import dataclass, field
from typing import Any

from .errors import ApiError, forbidden, not_found, parse_error
from .state import AccessRole, Account, GoogleState

_RANK: dict[str, int] = {"freeBusyReader": 0, "reader": 1, "writer": 2, "owner": 3}


@dataclass(slots=True)
class ApiRequest:
    method: str
    path: str  # relative to /calendar/v3, starting with "/"
    query: dict[str, str]
    headers: dict[str, str]  # lower-case names
    body: bytes


@dataclass(slots=True)
class ApiResponse:
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class Context:
    state: GoogleState
    request: ApiRequest
    caller: Account
    client_id: str
    scopes: frozenset[str]

    def json_object(self) -> dict[str, Any]:
        """The request body as a JSON object; 400 `parseError` otherwise."""
        try:
            data = json.loads(self.request.body) if self.request.body.strip() else {}
        except (ValueError, UnicodeDecodeError) as exc:
            raise parse_error() from exc
        if not isinstance(data, dict):
            raise parse_error()
        return data

    def flag(self, name: str) -> bool:
        return self.request.query.get(name, "").lower() == "true"


def role_of(caller: Account, owner: Account) -> AccessRole | None:
    """The caller's access to `owner`'s primary calendar: shared role, or the Workspace default
    (colleagues in one domain see free/busy), or None."""
    if owner is caller:
        return "owner"
    shared = owner.shared_with.get(caller.email.lower())
    if shared is not None:
        return shared
    if owner.kind == caller.kind == "workspace" and owner.domain == caller.domain:
        return "freeBusyReader"
    return None


def calendar_for(ctx: Context, calendar_id: str, *, need: AccessRole) -> tuple[Account, AccessRole]:
    """The calendar `calendarId` names: 404 if the caller can't see it, 403 `forbidden` if the
    caller sees it but may not do this (e.g. write with reader access)."""
    owner = ctx.caller if calendar_id == "primary" else ctx.state.account(calendar_id)
    role = role_of(ctx.caller, owner) if owner is not None else None
    if owner is None or role is None or (role == "freeBusyReader" and need != "freeBusyReader"):
        raise not_found()
    if _RANK[role] < _RANK[need]:
        raise forbidden()
    return owner, role


def reject(error: ApiError) -> ApiResponse:
    return ApiResponse(error.status, error.body(), dict(error.headers))
