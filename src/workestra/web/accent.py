"""The accent colour a host gives the booking widget (``data-workestra-accent="#0a7"``), turned into
the page's primary colours so every text and button on them still reads at WCAG AA (4.5:1).

Only hex colours are taken (``#rgb`` or ``#rrggbb``): they are the one form that can be checked
here and passed on in a URL and a data attribute without any escaping question.
"""

import re
from dataclasses import dataclass

_HEX = re.compile(r"^#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")
# The page background (app.css --bg) is the lightest colour primary text sits on besides white.
_PAGE_BACKGROUND = (0xF5, 0xF6, 0xF8)
_WHITE = (0xFF, 0xFF, 0xFF)
AA_CONTRAST = 4.5

Rgb = tuple[int, int, int]


@dataclass(frozen=True, slots=True)
class Accent:
    """``--primary`` (buttons, links, selections), ``--primary-dark`` (hover), ``--primary-soft``
    (selected backgrounds) as ``#rrggbb``; ``hex`` is the colour as asked for, normalised."""

    hex: str
    primary: str
    primary_dark: str
    primary_soft: str


def parse_hex(value: str | None) -> Rgb | None:
    """``#rgb`` / ``#rrggbb`` (the ``#`` optional) as a triple, or None for anything else."""
    match = _HEX.match((value or "").strip())
    if match is None:
        return None
    digits = match.group(1)
    if len(digits) == 3:
        digits = "".join(ch * 2 for ch in digits)
    return (int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16))


def _hex(rgb: Rgb) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def _luminance(rgb: Rgb) -> float:
    """Relative luminance (WCAG 2.1)."""

    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else float(((c + 0.055) / 1.055) ** 2.4)

    r, g, b = (channel(v) for v in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: Rgb, b: Rgb) -> float:
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def _mix(rgb: Rgb, other: Rgb, share: float) -> Rgb:
    """``share`` of ``other`` mixed into ``rgb``."""
    r, g, b = (round(c + (o - c) * share) for c, o in zip(rgb, other, strict=True))
    return (r, g, b)


def accent(value: str | None) -> Accent | None:
    """The palette for a host's colour, darkened as little as needed for 4.5:1 against white, the
    page background and its own soft tint; None when ``value`` isn't a hex colour."""
    rgb = parse_hex(value)
    if rgb is None:
        return None
    soft = _mix(rgb, _WHITE, 0.9)
    primary = rgb
    for step in range(21):
        primary = _mix(rgb, (0, 0, 0), step / 20)
        if min(contrast(primary, bg) for bg in (_WHITE, _PAGE_BACKGROUND, soft)) >= AA_CONTRAST:
            break
    return Accent(
        hex=_hex(rgb),
        primary=_hex(primary),
        primary_dark=_hex(_mix(primary, (0, 0, 0), 0.2)),
        primary_soft=_hex(soft),
    )
