"""Graph request/response values shared by the handlers, plus OData helpers ($select, paging).

References: Graph `concepts/query-parameters.md`, `concepts/paging.md`, `user-list-calendarview.md`
(Prefer headers). No Starlette here, so `$batch` can run the same handlers.
"""

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from . import timezones
from .errors import (
    GraphError,
    bad_request,
    invalid_parameter,
    not_emulated,
    unable_to_deserialize,
)
from .state import MicrosoftState, User

GRAPH_PUBLIC = "https://graph.microsoft.com/v1.0"  # for @odata.context, as Graph writes it
JSON_TYPE = (
    "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8"
)
DEFAULT_PAGE_SIZE = 10  # events: observed server default page size (C2)
MAX_PAGE_SIZE = 1000
_PREFERENCE = re.compile(r'([A-Za-z][\w.\-]*)\s*=\s*(?:"([^"]*)"|([^,;\s]+))')


@dataclass(slots=True)
class GraphRequest:
    method: str
    path: str  # relative to /v1.0, starting with "/"
    query: dict[str, str]
    headers: dict[str, str]  # lower-case names
    body: bytes
    base_path: str  # URL path of /v1.0 on this sandbox, e.g. /microsoft/graph/v1.0
    base_url: str  # absolute URL of /v1.0 on this sandbox
    request_id: str
    client_request_id: str

    def param(self, name: str) -> str | None:
        """A query parameter, matched case-insensitively as Graph does."""
        wanted = name.lower()
        for key, value in self.query.items():
            if key.lower() == wanted:
                return value
        return None

    def json(self) -> object:
        if not self.body.strip():
            raise unable_to_deserialize("Empty Payload, JSON content expected.")
        try:
            return json.loads(self.body)
        except (ValueError, UnicodeDecodeError) as exc:
            raise unable_to_deserialize("Cannot read the request body as JSON.") from exc

    def json_object(self) -> dict[str, Any]:
        data = self.json()
        if not isinstance(data, dict):
            raise unable_to_deserialize("A JSON object was expected.")
        return data


@dataclass(slots=True)
class GraphResponse:
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class Preferences:
    """The `Prefer` header values Outlook honours, and what was applied."""

    time_zone: str = "UTC"
    max_page_size: int | None = None
    body_content_type: str | None = None
    applied: list[str] = field(default_factory=list)

    @classmethod
    def parse(cls, header: str | None) -> "Preferences":
        prefs = cls()
        for name, quoted, bare in _PREFERENCE.findall(header or ""):
            value, key = quoted or bare, name.lower()
            if key == "outlook.timezone" and timezones.is_supported(value):
                prefs.time_zone = value
                prefs.applied.append(f'outlook.timezone="{value}"')
            elif key == "odata.maxpagesize" and value.isdigit() and int(value) > 0:
                prefs.max_page_size = min(int(value), MAX_PAGE_SIZE)
            elif key == "outlook.body-content-type" and value.lower() in {"text", "html"}:
                prefs.body_content_type = value.lower()
                prefs.applied.append(f'outlook.body-content-type="{value.lower()}"')
        return prefs

    def header(self, *, paged: bool = False) -> dict[str, str]:
        applied = list(self.applied)
        if paged and self.max_page_size is not None:
            applied.append(f"odata.maxpagesize={self.max_page_size}")
        return {"Preference-Applied": ", ".join(applied)} if applied else {}


@dataclass(slots=True)
class Caller:
    """Who is calling, as the access token says."""

    user: User
    client_id: str
    scopes: frozenset[str]  # lower-case short Graph permission names


@dataclass(slots=True)
class Context:
    state: MicrosoftState
    request: GraphRequest
    caller: Caller
    prefer: Preferences

    @property
    def user(self) -> User:
        return self.caller.user

    def require(self, allowed: Iterable[str], error: Callable[[], GraphError]) -> None:
        if not self.caller.scopes.intersection(s.lower() for s in allowed):
            raise error()


def ok(body: dict[str, Any], *, status: int = 200, headers: dict[str, str] | None = None) -> GraphResponse:
    return GraphResponse(status, body, headers or {})


def graph_instant(moment: datetime) -> str:
    """`createdDateTime` style: UTC with 7 fractional digits and Z."""
    return timezones.format_wall_time(moment.astimezone(UTC).replace(tzinfo=None)) + "Z"


def select_fields(ctx: Context, known: Iterable[str], type_name: str) -> list[str] | None:
    """The `$select` list in canonical casing; 400 for a property the type lacks."""
    raw = ctx.request.param("$select")
    if raw is None:
        return None
    by_lower = {name.lower(): name for name in known}
    chosen: list[str] = []
    for part in (p.strip() for p in raw.split(",")):
        if not part:
            continue
        name = by_lower.get(part.lower())
        if name is None:
            raise GraphError(
                400,
                "RequestBroker--ParseUri",
                f"Could not find a property named '{part}' on type '{type_name}'.",
            )
        if name not in chosen:
            chosen.append(name)
    return chosen


def project(item: dict[str, Any], chosen: list[str] | None, always: Iterable[str]) -> dict[str, Any]:
    if chosen is None:
        return item
    keep = set(chosen) | set(always)
    return {k: v for k, v in item.items() if k in keep}


def _non_negative_int(ctx: Context, name: str) -> int | None:
    raw = ctx.request.param(name)
    if raw is None:
        return None
    if not raw.isdigit():
        raise bad_request(f"Invalid value '{raw}' for query option '{name}'.")
    return int(raw)


def page(ctx: Context, items: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], str | None]:
    """One page of `items` and the absolute @odata.nextLink (on this sandbox) if more remain."""
    top = _non_negative_int(ctx, "$top")
    if top is not None and not 1 <= top <= MAX_PAGE_SIZE:
        raise invalid_parameter(f"The value of $top must be between 1 and {MAX_PAGE_SIZE}.")
    skip = _non_negative_int(ctx, "$skip") or 0
    size = top or ctx.prefer.max_page_size or DEFAULT_PAGE_SIZE
    chunk = items[skip : skip + size]
    if skip + size >= len(items):
        return chunk, None
    query = {k: v for k, v in ctx.request.query.items() if k.lower() != "$skip"}
    query["$skip"] = str(skip + size)
    return chunk, f"{ctx.request.base_url}{ctx.request.path}?{urlencode(query)}"


def reject_unsupported_options(ctx: Context, supported: Iterable[str]) -> None:
    """OData options the sandbox does not evaluate answer 501, never silently wrong data."""
    allowed = {s.lower() for s in supported}
    for key in ctx.request.query:
        if key.startswith("$") and key.lower() not in allowed:
            raise not_emulated(f"the {key} query option here")


def context_url(fragment: str) -> str:
    return f"{GRAPH_PUBLIC}/$metadata#{fragment}"


def user_context(user: User, rest: str) -> str:
    return context_url(f"users('{user.id}')/{rest}")
