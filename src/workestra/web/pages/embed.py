"""The booking widget: ``/embed.js``, which frames ``/book/<slug>?embed=1`` in a host's own page,
and what the booking flow's pages do inside that frame (``?embed=1``): no site chrome, the host's
accent colour, framable only by the link's allowed origins (``frame-ancestors``), and every link
onwards (confirmation, reschedule, cancel) kept in the frame.

Nothing in the frame needs a cookie: browsers don't send ours to a page framed by another site.
"""

import functools
import hashlib
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response

from workestra.services.booking_links import embed_origins
from workestra.services.context import ServiceContext
from workestra.web.accent import Accent, accent
from workestra.web.security_headers import allow_framing

EMBED_SCRIPT = Path(__file__).resolve().parents[1] / "static" / "embed.js"
# The snippet names /embed.js by a fixed URL, so it can't be fingerprinted: a short max-age keeps
# hosts' pages fast, and the ETag makes a revalidation cheap once it expires.
SCRIPT_CACHE = "public, max-age=300"

router = APIRouter(tags=["pages"])


@dataclass(frozen=True, slots=True)
class Embed:
    """A page shown inside the widget's frame."""

    accent: Accent | None

    @property
    def query(self) -> str:
        """What keeps the next page in the frame: ``embed=1`` and the accent, as asked."""
        return urlencode({"embed": "1", **({"accent": self.accent.hex} if self.accent else {})})

    def link(self, url: str) -> str:
        """``url`` with this page's embed parameters (after its own query, if any)."""
        return f"{url}{'&' if '?' in url else '?'}{self.query}"


def embed_mode(request: Request) -> Embed | None:
    """The embed view when the address says ``embed=1`` (an invalid accent is left out)."""
    if request.query_params.get("embed") != "1":
        return None
    return Embed(accent=accent(request.query_params.get("accent")))


async def frame_booking_page(request: Request, ctx: ServiceContext, link_id: str) -> None:
    """A page of one booking (confirmation, cancel, reschedule): framable like its link's booking
    page; its link's origins are read only here, in the embed view (one small query)."""
    origins = await embed_origins(ctx, link_id)
    if origins is not None:
        allow_framing(request, origins)


@functools.cache
def _script() -> tuple[bytes, str]:
    body = EMBED_SCRIPT.read_bytes()
    return body, f'"{hashlib.sha256(body).hexdigest()[:16]}"'


def _matches(if_none_match: str | None, etag: str) -> bool:
    tags = {tag.strip().removeprefix("W/") for tag in (if_none_match or "").split(",")}
    return etag in tags or "*" in tags


@router.api_route("/embed.js", methods=["GET", "HEAD"])
async def embed_script(request: Request) -> Response:
    body, etag = _script()
    headers = {"Cache-Control": SCRIPT_CACHE, "ETag": etag}
    if _matches(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type="text/javascript; charset=utf-8", headers=headers)
