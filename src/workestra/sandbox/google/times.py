"""RFC 3339 instants and the Calendar API's EventDateTime, read and written as Google does.

Reference: DISC (`EventDateTime`: `date`, `dateTime` with an offset unless `timeZone` is given,
`timeZone` an IANA name), G2 (free/busy `timeMin`/`timeMax` need an offset). No state here.
"""

import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_RFC3339 = re.compile(
    r"\d{4}-\d\d-\d\d[Tt]\d\d:\d\d:\d\d(\.\d+)?([Zz]|[+-]\d\d:\d\d)?",
)


def zone(name: str) -> ZoneInfo | None:
    """An IANA zone, or None for a name Google would not accept."""
    if not name or name.startswith(("/", ".")) or ".." in name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def parse_instant(value: object, *, fallback_zone: ZoneInfo | None = None) -> datetime | None:
    """An RFC 3339 date-time; without an offset only when a fallback zone is given. UTC out."""
    if not isinstance(value, str):
        return None
    match = _RFC3339.fullmatch(value.strip())
    if match is None:
        return None
    text = value.strip().replace("z", "Z").replace("t", "T")
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        if fallback_zone is None:
            return None
        parsed = parsed.replace(tzinfo=fallback_zone)
    return parsed.astimezone(UTC)


def parse_date(value: object) -> date | None:
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d\d-\d\d", value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def midnight(day: date, tz: ZoneInfo) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=tz).astimezone(UTC)


def format_offset(moment: datetime, tz: ZoneInfo) -> str:
    """`2025-06-04T14:00:00+02:00`, or `...Z` in UTC (G2.2 busy periods, G3.2 start/end)."""
    local = moment.astimezone(tz)
    offset = local.utcoffset() or timedelta()
    text = local.replace(tzinfo=None, microsecond=0).isoformat()
    if offset == timedelta():
        return text + "Z"
    sign = "+" if offset >= timedelta() else "-"
    minutes = abs(int(offset.total_seconds())) // 60
    return f"{text}{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def format_millis(moment: datetime, tz: ZoneInfo | None = None) -> str:
    """`2025-05-30T10:11:12.000Z`: `created`, `updated`, free/busy `timeMin`/`timeMax` (G2.2, G3.2)."""
    local = moment.astimezone(tz or UTC)
    base = local.replace(tzinfo=None).isoformat(timespec="milliseconds")
    if tz is None:
        return base + "Z"
    return base + format_offset(moment, tz)[19:]
