"""Contract: MicrosoftCalendar.busy_events against the Graph sandbox (the troubleshooter's read).

The same busy time as busy_intervals, each with its event's subject; the subject is selected for
this read only, so booking pages never ask Graph for it.
"""

from datetime import UTC, datetime

import pytest

from tests.integration.calendars.conftest import Connect
from tests.support.sandbox import SandboxControl
from workestra.calendars.base import BusyEvent
from workestra.calendars.errors import NeedsReauth
from workestra.calendars.microsoft import MicrosoftCalendar
from workestra.scheduling import Interval

pytestmark = pytest.mark.real_provider

WEEK = Interval(datetime(2030, 6, 3, tzinfo=UTC), datetime(2030, 6, 10, tzinfo=UTC))


def _at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2030, 6, day, hour, minute, tzinfo=UTC)


async def test_busy_events_are_busy_intervals_with_their_subjects(
    connect: Connect, microsoft_sandbox: SandboxControl, calendar: MicrosoftCalendar
) -> None:
    connection = await connect()
    email = connection.email
    await microsoft_sandbox.seed_microsoft_event(
        email, subject="Roadmap review", start=_at(4, 10), end=_at(4, 11)
    )
    await microsoft_sandbox.seed_microsoft_event(
        email, subject="Dentist", start=_at(4, 13), end=_at(4, 14), show_as="oof"
    )
    await microsoft_sandbox.seed_microsoft_event(
        email, subject="Focus (free)", start=_at(4, 15), end=_at(4, 16), show_as="free"
    )
    await microsoft_sandbox.seed_microsoft_event(
        email, subject="Long", start=_at(2, 20), end=_at(3, 8)
    )  # across the window's start: clipped like busy_intervals

    events = await calendar.busy_events(connection.credentials, WEEK)
    intervals = await calendar.busy_intervals(connection.credentials, WEEK)

    assert sorted(events, key=lambda e: e.interval.start) == [
        BusyEvent(Interval(WEEK.start, _at(3, 8)), "Long"),
        BusyEvent(Interval(_at(4, 10), _at(4, 11)), "Roadmap review"),
        BusyEvent(Interval(_at(4, 13), _at(4, 14)), "Dentist"),
    ]
    assert sorted((e.interval for e in events), key=lambda i: i.start) == sorted(
        intervals, key=lambda i: i.start
    )
    views = [r for r in await microsoft_sandbox.microsoft_requests() if "/calendarview" in r["path"].lower()]
    selects = [set(v["query"]["$select"].split(",")) for v in views]
    assert "subject" in selects[0]  # busy_events asks for it
    assert "subject" not in selects[1]  # busy_intervals (booking pages) does not


async def test_busy_events_fail_like_busy_intervals(
    connect: Connect, microsoft_sandbox: SandboxControl, calendar: MicrosoftCalendar
) -> None:
    connection = await connect()
    await microsoft_sandbox.set_refresh_fault(connection.email, "revoked")
    await microsoft_sandbox.expire_access_tokens(connection.email)
    with pytest.raises(NeedsReauth):
        await calendar.busy_events(connection.credentials, WEEK)
