"""Graph JSON batching: `POST /$batch` with up to 20 requests, dependsOn, unordered responses.

Reference: Graph `concepts/json-batching.md` (BATCH) and `concepts/throttling.md` (THR, E3).
"""

import base64
import binascii
import json
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from .errors import GraphError, bad_request
from .state import new_guid
from .wire import GraphRequest, GraphResponse

MAX_REQUESTS = 20  # BATCH
METHODS = frozenset({"GET", "POST", "PATCH", "PUT", "DELETE"})
Handle = Callable[[Sequence[GraphRequest]], Awaitable[list[GraphResponse]]]
ErrorResponse = Callable[[GraphRequest, GraphError], GraphResponse]


@dataclass(slots=True)
class _Item:
    id: str
    method: str
    url: str
    headers: dict[str, str]
    body: Any
    depends_on: list[str]

    @property
    def key(self) -> str:
        return self.id.lower()  # ids are not case-sensitive [BATCH]


def _invalid(message: str = "Invalid batch payload format.") -> GraphError:
    return bad_request(message)


def _parse_item(raw: object) -> _Item:
    if not isinstance(raw, dict):
        raise _invalid()
    item_id, method, url = raw.get("id"), raw.get("method"), raw.get("url")
    if not isinstance(item_id, str) or not item_id or not isinstance(url, str) or not url:
        raise _invalid()
    if not isinstance(method, str) or method.upper() not in METHODS:
        raise _invalid(f"Invalid method '{method}' in request id {item_id}.")
    if urlsplit(url).scheme:
        raise _invalid(f"Request id {item_id}: the url must be relative, e.g. '/me/events'.")
    headers = raw.get("headers") or {}
    depends_on = raw.get("dependsOn") or []
    if not isinstance(headers, dict) or not isinstance(depends_on, list):
        raise _invalid()
    headers = {str(k).lower(): str(v) for k, v in headers.items()}
    body = raw.get("body")
    if body is not None and "content-type" not in headers:
        raise _invalid(f"Write request id : {item_id} does not contain Content-Type header or body.")
    return _Item(item_id, method.upper(), url, headers, body, [str(d) for d in depends_on])


def _parse(outer: GraphRequest) -> list[_Item]:
    try:
        data = json.loads(outer.body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise _invalid() from exc
    requests = data.get("requests") if isinstance(data, dict) else None
    if not isinstance(requests, list) or not requests:
        raise _invalid()
    if len(requests) > MAX_REQUESTS:
        raise _invalid(f"The number of requests in the batch exceeds the limit of {MAX_REQUESTS}.")
    items = [_parse_item(raw) for raw in requests]
    keys = [item.key for item in items]
    if len(set(keys)) != len(keys):
        raise _invalid("Batch request ids must be unique.")
    for item in items:
        for dependency in item.depends_on:
            if dependency.lower() not in keys or dependency.lower() == item.key:
                raise _invalid(f"Request id {item.id} depends on an unknown id '{dependency}'.")
    return items


def _waves(items: list[_Item]) -> list[list[_Item]]:
    """Groups that run together; a group starts when all it depends on has finished."""
    done: set[str] = set()
    pending = list(items)
    waves: list[list[_Item]] = []
    while pending:
        ready = [i for i in pending if all(d.lower() in done for d in i.depends_on)]
        if not ready:
            raise _invalid("The dependsOn graph of the batch has a cycle.")
        waves.append(ready)
        done.update(i.key for i in ready)
        pending = [i for i in pending if i not in ready]
    return waves


def _body_bytes(body: object) -> bytes:
    if body is None:
        return b""
    if isinstance(body, str):  # BATCH: a non-JSON body travels base64-encoded
        try:
            return base64.b64decode(body, validate=True)
        except binascii.Error:
            return body.encode()
    return json.dumps(body).encode()


def _sub_request(outer: GraphRequest, item: _Item) -> GraphRequest:
    split = urlsplit(item.url if item.url.startswith("/") else "/" + item.url)
    headers = dict(item.headers)
    if "authorization" in outer.headers:
        headers.setdefault("authorization", outer.headers["authorization"])
    return GraphRequest(
        method=item.method,
        path=split.path,
        query=dict(parse_qsl(split.query, keep_blank_values=True)),
        headers=headers,
        body=_body_bytes(item.body),
        base_path=outer.base_path,
        base_url=outer.base_url,
        request_id=new_guid(),
        client_request_id=outer.client_request_id,
    )


def _failed_dependency() -> GraphResponse:
    # Item body for 424 is our convention (E3.2 [R]); BATCH documents only the status.
    body = {"error": {"code": "FailedDependency", "message": "Dependent request failed."}}
    return GraphResponse(424, body, {"Content-Type": "application/json"})


async def run_batch(outer: GraphRequest, *, handle: Handle, error: ErrorResponse) -> GraphResponse:
    """POST /$batch [BATCH]: 400 if malformed, else 200 with one response per request."""
    try:
        items = _parse(outer)
        waves = _waves(items)
    except GraphError as err:
        return error(outer, err)
    results: dict[str, GraphResponse] = {}
    for wave in waves:
        runnable = []
        for item in wave:
            if any(results[d.lower()].status >= 400 for d in item.depends_on):
                results[item.key] = _failed_dependency()
            else:
                runnable.append(item)
        responses = await handle([_sub_request(outer, item) for item in runnable])
        results.update((item.key, response) for item, response in zip(runnable, responses, strict=True))
    answers = []
    for item in reversed(items):  # BATCH: order not guaranteed; reversed so no client relies on it
        response = results[item.key]
        answer: dict[str, Any] = {"id": item.id, "status": response.status, "headers": response.headers}
        if response.body is not None:
            answer["body"] = response.body
        answers.append(answer)
    return GraphResponse(200, {"responses": answers}, {"Content-Type": "application/json"})
