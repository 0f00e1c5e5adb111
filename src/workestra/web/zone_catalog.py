"""The time zones an invitee picks from on the booking page: one canonical name per place.

``workestra.zones.offered_zones`` accepts every regional IANA name, old spellings included
(``Asia/Calcutta``, ``Europe/Kiev``), because browsers still report them. A picker listing both
``Asia/Calcutta`` and ``Asia/Kolkata`` offers the same place twice, so the picker lists the names
of tzdata's ``zone.tab`` (one per place and country, current spellings) plus UTC, and maps every
other name to the canonical one it links to (``aliases``), so a browser that reports a legacy
name still finds its zone preselected.

Read once (tzdata ships with the package); served as ``zones.json``, a cached static asset.
"""

from functools import cache
from importlib import resources

from workestra.zones import UTC_ZONE_NAME, offered_zones

_TZDATA = "tzdata.zoneinfo"


def _read(name: str) -> str:
    try:
        return resources.files(_TZDATA).joinpath(name).read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError):  # no tzdata package: every offered name stands
        return ""


def _zone_tab() -> set[str]:
    return {
        line.split("\t")[2]
        for line in _read("zone.tab").splitlines()
        if line and not line.startswith("#") and line.count("\t") >= 2
    }


def _links() -> dict[str, str]:
    """Link name → target, from tzdata.zi's ``L target link`` lines."""
    links: dict[str, str] = {}
    for line in _read("tzdata.zi").splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[0] == "L":
            links[parts[2]] = parts[1]
    return links


@cache
def picker_zones() -> tuple[tuple[str, ...], dict[str, str]]:
    """(canonical zone names, sorted; {other name: its canonical name})."""
    offered = set(offered_zones())
    canonical = (_zone_tab() & offered) | {UTC_ZONE_NAME}
    if len(canonical) < 2:
        canonical = offered
    links = _links()
    aliases: dict[str, str] = {}
    for name, target in links.items():
        seen = {name}
        while target in links and target not in canonical and target not in seen:
            seen.add(target)
            target = links[target]
        if target in canonical and name not in canonical:
            aliases[name] = target
    for name in ("Etc/UTC", "Etc/UCT", "Etc/Universal", "Etc/Zulu", "UCT", "Universal", "Zulu"):
        aliases.setdefault(name, UTC_ZONE_NAME)
    return tuple(sorted(canonical)), dict(sorted(aliases.items()))


def canonical_zone(name: str) -> str:
    """``name``'s canonical spelling (itself when it is one, or unknown)."""
    return picker_zones()[1].get(name, name)


def zones_document() -> dict[str, object]:
    """What ``zones.json`` holds: ``{"zones": [...], "aliases": {legacy: canonical}}``."""
    zones, aliases = picker_zones()
    return {"zones": list(zones), "aliases": aliases}
