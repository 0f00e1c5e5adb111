from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar, Event

from workestra.mail import cancellation_ics, invitation_ics

STARTS_AT = datetime(2025, 6, 3, 12, 0, tzinfo=UTC)
DTSTAMP = datetime(2025, 5, 20, 9, 30, tzinfo=UTC)


def invitation(**overrides: object) -> bytes:
    fields: dict[str, object] = {
        "uid": "booking-42@workestra.example",
        "sequence": 0,
        "organizer_name": "Bob Host",
        "organizer_email": "bob@example.com",
        "attendee_name": "Ann Invitee",
        "attendee_email": "ann@example.com",
        "starts_at": STARTS_AT,
        "ends_at": STARTS_AT + timedelta(minutes=30),
        "summary": "Intro call",
        "description": "Booked via Workestra.\nJoin: https://meet.example/abc",
        "location": "https://meet.example/abc",
        "url": "https://meet.example/abc",
        "dtstamp": DTSTAMP,
    }
    fields.update(overrides)
    return invitation_ics(**fields)  # type: ignore[arg-type]  # overrides keep the field types


def only_event(ics: bytes) -> tuple[Calendar, Event]:
    calendar = Calendar.from_ical(ics)
    [event] = calendar.events
    return calendar, event


def test_invitation_parses_back_with_method_uid_and_people() -> None:
    calendar, event = only_event(invitation())

    assert str(calendar["PRODID"]) == "-//Workestra//Workestra//EN"
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["METHOD"]) == "REQUEST"
    assert str(event["UID"]) == "booking-42@workestra.example"
    assert event.sequence == 0
    assert str(event["STATUS"]) == "CONFIRMED"
    assert str(event["SUMMARY"]) == "Intro call"
    assert str(event["DESCRIPTION"]) == "Booked via Workestra.\nJoin: https://meet.example/abc"
    assert str(event["LOCATION"]) == "https://meet.example/abc"
    assert str(event["URL"]) == "https://meet.example/abc"
    organizer = event["ORGANIZER"]
    assert str(organizer) == "mailto:bob@example.com"
    assert organizer.params["CN"] == "Bob Host"
    attendee = event["ATTENDEE"]
    assert str(attendee) == "mailto:ann@example.com"
    assert attendee.params["CN"] == "Ann Invitee"
    assert attendee.params["ROLE"] == "REQ-PARTICIPANT"
    assert attendee.params["PARTSTAT"] == "NEEDS-ACTION"
    assert attendee.params["RSVP"] == "TRUE"


def test_times_are_written_in_utc() -> None:
    ics = invitation(
        starts_at=datetime(2025, 6, 3, 14, 0, tzinfo=ZoneInfo("Europe/Berlin")),
        ends_at=datetime(2025, 6, 3, 14, 30, tzinfo=ZoneInfo("Europe/Berlin")),
    )

    _, event = only_event(ics)
    assert b"DTSTART:20250603T120000Z" in ics
    assert b"DTEND:20250603T123000Z" in ics
    assert b"DTSTAMP:20250520T093000Z" in ics
    assert b"TZID" not in ics
    assert event.start == STARTS_AT
    assert event.end == STARTS_AT + timedelta(minutes=30)


def test_output_is_deterministic_and_uses_crlf() -> None:
    ics = invitation()

    assert ics == invitation()
    assert ics.startswith(b"BEGIN:VCALENDAR\r\n")
    assert ics.endswith(b"END:VCALENDAR\r\n")


def test_location_and_url_are_left_out_when_not_given() -> None:
    _, event = only_event(invitation(location=None, url=None))

    assert "LOCATION" not in event
    assert "URL" not in event


def test_hostile_names_cannot_add_properties() -> None:
    ics = invitation(
        attendee_name='Ann "x"; ROLE=CHAIR:\r\nATTENDEE:mailto:evil@example.com',
        summary="Intro\r\nATTENDEE:mailto:evil@example.com",
    )

    _, event = only_event(ics)
    assert str(event["ATTENDEE"]) == "mailto:ann@example.com"
    assert event["ATTENDEE"].params["ROLE"] == "REQ-PARTICIPANT"
    assert b"\r\nATTENDEE:mailto:evil" not in ics


@pytest.mark.parametrize(
    "overrides",
    [
        {"starts_at": datetime(2025, 6, 3, 12, 0)},  # noqa: DTZ001 (the naive value under test)
        {"dtstamp": datetime(2025, 6, 3, 12, 0)},  # noqa: DTZ001 (the naive value under test)
        {"ends_at": STARTS_AT},
        {"sequence": -1},
        {"method": "CANCEL"},
    ],
)
def test_invalid_input_is_rejected(overrides: dict[str, object]) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 (each case has its own message)
        invitation(**overrides)


def test_cancellation_bumps_the_sequence_and_cancels() -> None:
    ics = cancellation_ics(
        uid="booking-42@workestra.example",
        sequence=2,
        organizer_name="Bob Host",
        organizer_email="bob@example.com",
        attendee_name="Ann Invitee",
        attendee_email="ann@example.com",
        starts_at=STARTS_AT,
        ends_at=STARTS_AT + timedelta(minutes=30),
        summary="Intro call",
        description="Cancelled.",
        location=None,
        url=None,
        dtstamp=DTSTAMP,
    )

    calendar, event = only_event(ics)
    assert str(calendar["METHOD"]) == "CANCEL"
    assert str(event["STATUS"]) == "CANCELLED"
    assert event.sequence == 3
    assert str(event["UID"]) == "booking-42@workestra.example"
    assert "RSVP" not in event["ATTENDEE"].params
