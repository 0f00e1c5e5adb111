"""IANA → Windows time-zone names for Graph's dateTimeTimeZone, from CLDR's windowsZones table.

The table is the one shipped by ``tzlocal.windows_tz``; a zone (or instant) that cannot be expressed
safely in a Windows zone is sent as UTC wall time with ``timeZone: "UTC"`` (PROVIDER-APIS C3, I7).
"""

import zoneinfo
from datetime import UTC, datetime
from functools import cache
from importlib import resources

from tzlocal.windows_tz import tz_win, win_tz

from workestra.calendars.microsoft.wire import DateTimeTimeZone
from workestra.zones import UTC_ZONE_NAME, offered_zones

# tzdata's own alias table, for zones CLDR has no row for yet (e.g. Europe/Uzhgorod → Europe/Kyiv).
_TZDATA_LINK_PREFIX = "L "


def supported_iana_zones() -> tuple[str, ...]:
    """The IANA zones the settings page offers (``workestra.zones``): each must map to Windows."""
    return offered_zones()


@cache
def _tzdata_links() -> dict[str, str]:
    """alias → target from tzdata's compiled ``tzdata.zi`` (``L target alias`` lines)."""
    try:
        text = resources.files("tzdata.zoneinfo").joinpath("tzdata.zi").read_text("utf-8")
    except (ModuleNotFoundError, FileNotFoundError):  # tzdata is a dependency; stay correct without
        return {}
    links: dict[str, str] = {}
    for line in text.splitlines():
        if line.startswith(_TZDATA_LINK_PREFIX):
            _, target, alias = line.split()
            links[alias] = target
    return links


@cache
def windows_zone(iana: str) -> str | None:
    """The CLDR Windows name for an IANA zone (``Europe/Berlin`` → ``W. Europe Standard Time``).

    Falls back to the zone's tzdata link target when CLDR lacks the alias; ``None`` when neither
    knows it (e.g. ``Antarctica/Troll``), in which case callers send UTC.
    """
    if not iana:
        return None
    if iana in (UTC_ZONE_NAME, "Etc/UTC"):
        return UTC_ZONE_NAME
    name = tz_win.get(iana)
    if name is None and (target := _tzdata_links().get(iana)) is not None:
        name = tz_win.get(target)
    # CLDR's table has an empty-key row; an empty name is never a zone.
    return name or None


def _reference_zone(windows: str) -> zoneinfo.ZoneInfo | None:
    """CLDR's representative ("001") IANA zone for a Windows zone: how Exchange will read it."""
    iana = win_tz.get(windows)
    if iana is None:
        return None
    try:
        return zoneinfo.ZoneInfo(iana)
    except zoneinfo.ZoneInfoNotFoundError:
        return None


def _wall_time_is_exact(instant: datetime, zone: zoneinfo.ZoneInfo, windows: str) -> bool:
    """True when ``instant``'s wall time in ``zone`` names exactly that instant in ``windows``.

    Guards two ways a wall time can land elsewhere: CLDR mapping a zone to a Windows zone whose
    current rules differ (Scoresbysund, Casey, Vostok in CLDR 2024), and wall times that occur
    twice or never around a DST change.
    """
    reference = _reference_zone(windows)
    if reference is None:
        return False
    wall = instant.astimezone(zone).replace(tzinfo=None)
    offsets = {wall.replace(tzinfo=tz, fold=fold).utcoffset() for tz in (zone, reference) for fold in (0, 1)}
    return offsets == {instant.astimezone(zone).utcoffset()}


def _format(wall: datetime) -> str:
    # Graph's dateTime has no offset (C3); seconds precision is enough for bookings.
    return wall.strftime("%Y-%m-%dT%H:%M:%S")


def event_times(
    starts_at: datetime, ends_at: datetime, iana: str
) -> tuple[DateTimeTimeZone, DateTimeTimeZone]:
    """Start and end of an event created in ``iana``: Windows-zone wall times when exact, else UTC.

    Both ends always use the same zone so the event shows one zone in Outlook.
    """
    windows = windows_zone(iana)
    if windows is not None and windows != UTC_ZONE_NAME:
        try:
            zone = zoneinfo.ZoneInfo(iana)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            zone = None
        if zone is not None and all(_wall_time_is_exact(t, zone, windows) for t in (starts_at, ends_at)):
            return (
                DateTimeTimeZone(date_time=_format(starts_at.astimezone(zone)), time_zone=windows),
                DateTimeTimeZone(date_time=_format(ends_at.astimezone(zone)), time_zone=windows),
            )
    return (
        DateTimeTimeZone(date_time=_format(starts_at.astimezone(UTC)), time_zone=UTC_ZONE_NAME),
        DateTimeTimeZone(date_time=_format(ends_at.astimezone(UTC)), time_zone=UTC_ZONE_NAME),
    )


def zone_for_graph_name(name: str | None) -> zoneinfo.ZoneInfo | None:
    """Read a zone name Graph sent back (Windows, ``UTC``, or IANA); ``None`` when unknown."""
    if not name:
        return None
    if name in (UTC_ZONE_NAME, "tzone://Microsoft/Utc"):
        return zoneinfo.ZoneInfo("UTC")
    candidate = win_tz.get(name, name)
    try:
        return zoneinfo.ZoneInfo(candidate)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None
