"""Static files under fingerprinted URLs: `/static/app.css?v=<sha256 prefix>` is cached for a year
(the URL changes whenever the file does); the same file asked for without its current fingerprint
is revalidated with its ETag or Last-Modified (Starlette's `StaticFiles` answers 304).

Besides the files on disk, a few assets are generated once at startup from server data that changes
only with the installation (the time-zone list in `zones.json`), so pages fetch them apart, cached,
instead of inlining them.
"""

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs

from starlette.datastructures import Headers
from starlette.responses import Response
from starlette.staticfiles import NotModifiedResponse, StaticFiles
from starlette.types import Scope

PREFIX = "/static"
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"  # an unversioned URL: keep a copy, but ask (ETag / Last-Modified) before using it


@dataclass(frozen=True, slots=True)
class Generated:
    body: bytes
    media_type: str


def json_asset(value: Sequence[str] | Mapping[str, object]) -> Generated:
    return Generated(json.dumps(value, separators=(",", ":")).encode(), "application/json")


def _fingerprint(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()[:16]


class StaticAssets(StaticFiles):
    """`StaticFiles` over ``directory`` plus ``generated`` assets, with versioned URLs (``url``)."""

    def __init__(self, directory: Path, generated: Mapping[str, Generated] | None = None) -> None:
        super().__init__(directory=str(directory))
        self._generated = dict(generated or {})
        self.versions = {
            path.relative_to(directory).as_posix(): _fingerprint(path.read_bytes())
            for path in sorted(directory.rglob("*"))
            if path.is_file()
        }
        self.versions.update({name: _fingerprint(asset.body) for name, asset in self._generated.items()})

    def url(self, name: str) -> str:
        """The URL to put in a page; an unknown name raises KeyError, so a typo fails the render."""
        return f"{PREFIX}/{name}?v={self.versions[name]}"

    async def get_response(self, path: str, scope: Scope) -> Response:
        generated = self._generated.get(path)
        if generated is not None and scope["method"] in ("GET", "HEAD"):
            response = self._generated_response(path, generated, scope)
        else:
            response = await super().get_response(path, scope)
        versions = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("v", [])
        current = versions == [self.versions.get(path)]
        response.headers["Cache-Control"] = IMMUTABLE if current else REVALIDATE
        return response

    def _generated_response(self, path: str, asset: Generated, scope: Scope) -> Response:
        response = Response(asset.body, media_type=asset.media_type)
        response.headers["ETag"] = f'"{self.versions[path]}"'
        if self.is_not_modified(response.headers, Headers(scope=scope)):
            return NotModifiedResponse(response.headers)
        return response
