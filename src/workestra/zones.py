"""The IANA time zones Workestra offers (settings page, booking page) and accepts.

One list for every layer: the settings page offers exactly what the Graph adapter is tested to map.
"""

import zoneinfo
from functools import cache

UTC_ZONE_NAME = "UTC"

# Backward-compatibility names are not offered: tzdata's "backward" links without an Area/ prefix
# (``Cuba``, ``EST5EDT``, ``GMT+0`` ...), the old country directories, and the fixed-offset ``Etc/``
# aliases. ``UTC`` itself is kept.
LEGACY_PREFIXES = ("posix/", "right/", "Etc/", "US/", "Canada/", "Mexico/", "Brazil/", "Chile/", "SystemV/")


@cache
def offered_zones() -> tuple[str, ...]:
    """Sorted IANA names a host or invitee can pick: region names plus UTC."""
    return tuple(
        sorted(
            name
            for name in zoneinfo.available_timezones()
            if not name.startswith(LEGACY_PREFIXES) and ("/" in name or name == UTC_ZONE_NAME)
        )
    )
