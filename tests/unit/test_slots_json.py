"""The slots answer formats each boundary once when slots are back to back: the same text as
formatting every start and end on its own, across gaps and a change of UTC offset."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from workestra.scheduling import Interval
from workestra.web.api.public import _slots_json

BERLIN = ZoneInfo("Europe/Berlin")


def test_back_to_back_gaps_and_a_clock_change_read_as_each_slot_formatted_alone() -> None:
    change = datetime(2031, 3, 30, 1, tzinfo=UTC)  # 02:00 -> 03:00 in Berlin
    starts = [change + timedelta(minutes=30 * i) for i in range(-4, 4)]
    starts += [change + timedelta(hours=5), change + timedelta(hours=5, minutes=45)]  # gaps
    slots = [Interval(start, start + timedelta(minutes=30)) for start in starts]
    expected = [
        {"start": s.start.astimezone(BERLIN).isoformat(), "end": s.end.astimezone(BERLIN).isoformat()}
        for s in slots
    ]
    assert _slots_json(slots, BERLIN) == expected
    assert expected[3]["end"] == "2031-03-30T03:00:00+02:00"  # the change is inside the list
    assert _slots_json([], BERLIN) == []
