"""Renders an email's subject, text and HTML bodies from ``mail/templates/<name>/``.

HTML is autoescaped, text is not; a missing context key is an error (StrictUndefined).
"""

import re
from collections.abc import Mapping
from functools import cache

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

_NAME = re.compile(r"[a-z][a-z0-9_]*")


@cache
def _environment() -> Environment:
    # Built on first use, not at import (STYLE 4.2).
    return Environment(
        loader=PackageLoader("workestra.mail", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render_email(name: str, context: Mapping[str, object]) -> tuple[str, str, str]:
    """Return ``(subject, text, html)``; the subject is folded onto one line."""
    if not _NAME.fullmatch(name):
        raise ValueError(f"not a template name: {name!r}")
    environment = _environment()
    values = dict(context)
    subject = environment.get_template(f"{name}/subject.txt").render(values)
    text = environment.get_template(f"{name}/body.txt").render(values)
    html = environment.get_template(f"{name}/body.html").render(values)
    # Names come from invitees; collapsing whitespace keeps a CR/LF in one out of the header.
    return " ".join(subject.split()), text, html
