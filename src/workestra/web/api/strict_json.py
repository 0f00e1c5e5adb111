"""JSON request bodies hold Unicode text only: a lone surrogate anywhere is a 422 naming its field.

JSON lets a string spell half of a UTF-16 pair (``"\\udc00"``); Python decodes it into a ``str`` that
no UTF-8 encoder (SQLite's, email's, the log's) can write. Every API route is an ``ApiRoute``, which
refuses such text before FastAPI validates the body (Starlette keeps the body bytes, so they are
received once).
"""

import json
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute

from workestra.services.validation import check_unicode


def check_strings(value: object, path: tuple[str, ...] = ()) -> None:
    """``check_unicode`` on every key and string in a parsed JSON value, named by its dotted path."""
    if isinstance(value, str):
        check_unicode(value, field=".".join(path) or "body")
    elif isinstance(value, dict):
        for key, item in value.items():
            check_unicode(key, field=".".join((*path, "(key)")))
            check_strings(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            check_strings(item, (*path, str(index)))


def _is_json(request: Request) -> bool:
    media = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    return media == "application/json" or media.endswith("+json")


async def refuse_lone_surrogates(request: Request) -> None:
    """InvalidInput when the JSON body holds a lone surrogate (malformed JSON is left to FastAPI)."""
    if not _is_json(request):
        return
    body = await request.body()
    try:
        parsed = json.loads(body) if body else None
    except ValueError:  # malformed JSON (or bytes that aren't UTF-8): FastAPI's own 422 says so
        return
    check_strings(parsed)


class ApiRoute(APIRoute):
    """An API route whose JSON body has passed ``refuse_lone_surrogates``."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()

        async def checked(request: Request) -> Response:
            await refuse_lone_surrogates(request)
            return await handle(request)

        return checked
