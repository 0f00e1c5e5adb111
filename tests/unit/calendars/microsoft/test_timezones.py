"""Every zone the settings page offers reaches Graph as a Windows zone, or deliberately as UTC."""

import zoneinfo
from datetime import UTC, datetime, timedelta

import pytest
from tzlocal.windows_tz import win_tz

from workestra.calendars.microsoft import supported_iana_zones, windows_zone
from workestra.calendars.microsoft.timezones import event_times, zone_for_graph_name

# Zones CLDR's windowsZones has no row for, even through their tzdata link target: these are sent
# as UTC wall times on purpose. Adding a zone here is a decision, not a fix for a failing test.
DELIBERATELY_UTC = frozenset({"Antarctica/Troll"})  # +00/+02 DST; no Windows zone has those rules

# Instants spread over two years, to catch mappings whose Windows rules differ from the zone's.
SAMPLE_INSTANTS = [datetime(2025, 1, 15, 12, tzinfo=UTC) + timedelta(days=30 * i) for i in range(24)]


def test_offered_zones_exclude_posix_right_and_legacy_names() -> None:
    zones = supported_iana_zones()
    assert list(zones) == sorted(zones)
    assert "Europe/Berlin" in zones
    assert "UTC" in zones
    assert "America/Argentina/Buenos_Aires" in zones
    for legacy in (
        "posix/Europe/Berlin",
        "right/UTC",
        "US/Eastern",
        "Etc/GMT+5",
        "EST5EDT",
        "Cuba",
        "GMT",
        "localtime",
        "Factory",
        "Canada/Pacific",
    ):
        assert legacy not in zones


def test_every_offered_zone_maps_to_a_windows_name_or_deliberately_to_utc() -> None:
    unmapped = {zone for zone in supported_iana_zones() if windows_zone(zone) is None}
    assert unmapped == DELIBERATELY_UTC
    for zone in supported_iana_zones():
        name = windows_zone(zone)
        assert name is None or name in win_tz, (zone, name)


@pytest.mark.parametrize("zone", supported_iana_zones())
def test_event_wall_time_names_the_booked_instant(zone: str) -> None:
    # Whatever zone Graph is told, reading the wall time back in it gives the booked instants.
    for starts_at in SAMPLE_INSTANTS:
        ends_at = starts_at + timedelta(minutes=30)
        start, end = event_times(starts_at, ends_at, zone)
        assert start.time_zone == end.time_zone
        read_zone = zoneinfo.ZoneInfo(win_tz.get(start.time_zone, "UTC"))
        for sent, instant in ((start, starts_at), (end, ends_at)):
            wall = datetime.fromisoformat(sent.date_time).replace(tzinfo=read_zone)
            assert wall == instant, (zone, start.time_zone, sent.date_time)


def test_berlin_booking_is_sent_as_w_europe_wall_time() -> None:
    start, end = event_times(
        datetime(2025, 6, 4, 12, 0, tzinfo=UTC),
        datetime(2025, 6, 4, 12, 30, tzinfo=UTC),
        "Europe/Berlin",
    )
    assert (start.date_time, start.time_zone) == ("2025-06-04T14:00:00", "W. Europe Standard Time")
    assert (end.date_time, end.time_zone) == ("2025-06-04T14:30:00", "W. Europe Standard Time")


def test_half_hour_zone_keeps_its_wall_time() -> None:
    start, _ = event_times(
        datetime(2025, 6, 4, 4, 0, tzinfo=UTC),
        datetime(2025, 6, 4, 4, 45, tzinfo=UTC),
        "Asia/Kolkata",
    )
    assert (start.date_time, start.time_zone) == ("2025-06-04T09:30:00", "India Standard Time")


def test_zone_missing_from_cldr_uses_its_tzdata_link_target() -> None:
    assert windows_zone("Europe/Uzhgorod") == windows_zone("Europe/Kyiv") == "FLE Standard Time"


def test_zone_without_windows_equivalent_is_sent_in_utc() -> None:
    start, end = event_times(
        datetime(2025, 6, 4, 12, tzinfo=UTC),
        datetime(2025, 6, 4, 13, tzinfo=UTC),
        "Antarctica/Troll",
    )
    assert (start.date_time, start.time_zone) == ("2025-06-04T12:00:00", "UTC")
    assert (end.date_time, end.time_zone) == ("2025-06-04T13:00:00", "UTC")


def test_ambiguous_wall_time_in_the_repeated_hour_is_sent_in_utc() -> None:
    # 2025-10-26 02:30 happens twice in Berlin; this is the second one (CET, 01:30Z).
    starts_at = datetime(2025, 10, 26, 1, 30, tzinfo=UTC)
    start, end = event_times(starts_at, starts_at + timedelta(minutes=30), "Europe/Berlin")
    assert (start.date_time, start.time_zone) == ("2025-10-26T01:30:00", "UTC")
    assert end.time_zone == "UTC"


def test_unknown_zone_name_is_sent_in_utc() -> None:
    start, _ = event_times(
        datetime(2025, 6, 4, 12, tzinfo=UTC), datetime(2025, 6, 4, 13, tzinfo=UTC), "Mars/Olympus"
    )
    assert start.time_zone == "UTC"


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("UTC", "UTC"),
        ("W. Europe Standard Time", "Europe/Berlin"),
        ("Pacific Standard Time", "America/Los_Angeles"),
        ("Europe/Paris", "Europe/Paris"),
        ("tzone://Microsoft/Utc", "UTC"),
    ],
)
def test_zone_names_graph_sends_back_are_read(name: str, key: str) -> None:
    zone = zone_for_graph_name(name)
    assert zone is not None
    assert zone.key == key


def test_unknown_graph_zone_name_reads_as_none() -> None:
    assert zone_for_graph_name("tzone://Microsoft/Custom") is None
    assert zone_for_graph_name(None) is None
