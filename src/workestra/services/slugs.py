"""A booking page's address (its slug) made from a title, and a free one when the wanted one is taken.

``slug_from_title`` is mirrored by ``web/static/link_form.js`` (the suggestion shown as the host
types); keep the two alike.
"""

import re
import secrets
import unicodedata

from workestra.services.context import ServiceContext

MAX_SLUG = 100
# Letters that have no accent to drop: written out the way people spell them in ASCII.
_SPELLED = str.maketrans({"ß": "ss", "æ": "ae", "ø": "o", "œ": "oe", "ł": "l", "đ": "d", "ð": "d", "þ": "th"})
_MARKS = re.compile("[\u0300-\u036f]")
_OTHER = re.compile(r"[^a-z0-9]+")
_TRIES = 20


def slug_from_title(title: str) -> str:
    """ "Café Crème" -> "cafe-creme": lower case, accents dropped, anything else a dash; "" when
    nothing of the title is ASCII letters or digits."""
    text = unicodedata.normalize("NFKD", title.lower().translate(_SPELLED))
    slug = _OTHER.sub("-", _MARKS.sub("", text)).strip("-")
    return slug[:MAX_SLUG].rstrip("-")


async def free_slug(ctx: ServiceContext, wanted: str) -> str:
    """``wanted`` when no live link uses it, else the first free of ``wanted-2``, ``wanted-3``, …
    (a short random ending after that). A suggestion only: it may be taken before it is saved."""
    base = slug_from_title(wanted) or "link"
    async with ctx.uow() as uow:
        for n in range(1, _TRIES + 1):
            ending = "" if n == 1 else f"-{n}"
            candidate = base[: MAX_SLUG - len(ending)].rstrip("-") + ending
            if not await uow.links.slug_taken(candidate):
                return candidate
    ending = f"-{secrets.token_hex(3)}"
    return base[: MAX_SLUG - len(ending)].rstrip("-") + ending
