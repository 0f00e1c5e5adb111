"""iCalendar (RFC 5545/5546) invitations and cancellations for booking emails.

Pure: no I/O, no clock; every instant (including DTSTAMP) comes from the caller, aware.
"""

from datetime import UTC, datetime

from icalendar import Calendar, Event, vCalAddress

PRODID = "-//Workestra//Workestra//EN"
_INVITATION_METHODS = frozenset({"REQUEST", "PUBLISH"})


def _utc(name: str, value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware")
    return value.astimezone(UTC)


def _calendar(
    *,
    method: str,
    status: str,
    uid: str,
    sequence: int,
    organizer_name: str,
    organizer_email: str,
    attendee_name: str,
    attendee_email: str,
    starts_at: datetime,
    ends_at: datetime,
    summary: str,
    description: str,
    location: str | None,
    url: str | None,
    dtstamp: datetime,
) -> bytes:
    start, end = _utc("starts_at", starts_at), _utc("ends_at", ends_at)
    if end <= start:
        raise ValueError("ends_at must be after starts_at")
    if sequence < 0:
        raise ValueError("sequence must not be negative")
    event = Event()
    event.add("uid", uid)
    event.add("sequence", sequence)
    event.add("dtstamp", _utc("dtstamp", dtstamp))
    event.add("dtstart", start)
    event.add("dtend", end)
    event.add("summary", summary)
    event.add("description", description)
    if location:
        event.add("location", location)
    if url:
        event.add("url", url)
    event.add("organizer", vCalAddress.new(organizer_email, cn=organizer_name))
    event.add(
        "attendee",
        vCalAddress.new(
            attendee_email,
            cn=attendee_name,
            role="REQ-PARTICIPANT",
            partstat="NEEDS-ACTION",
            rsvp=True if method == "REQUEST" else None,
        ),
    )
    event.add("status", status)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", method)
    calendar.add_component(event)
    ical: bytes = calendar.to_ical()  # icalendar leaves to_ical unannotated
    return ical


def invitation_ics(
    *,
    uid: str,
    sequence: int,
    method: str = "REQUEST",
    organizer_name: str,
    organizer_email: str,
    attendee_name: str,
    attendee_email: str,
    starts_at: datetime,
    ends_at: datetime,
    summary: str,
    description: str,
    location: str | None,
    url: str | None,
    dtstamp: datetime,
) -> bytes:
    """A VCALENDAR with one CONFIRMED VEVENT; instants are written in UTC (``…Z``).

    ``method`` is REQUEST (an invitation the attendee can accept) or PUBLISH. Raises ValueError
    for naive datetimes, an empty or inverted interval, or another method.
    """
    if method not in _INVITATION_METHODS:
        raise ValueError(f"method must be one of {sorted(_INVITATION_METHODS)}")
    return _calendar(
        method=method,
        status="CONFIRMED",
        uid=uid,
        sequence=sequence,
        organizer_name=organizer_name,
        organizer_email=organizer_email,
        attendee_name=attendee_name,
        attendee_email=attendee_email,
        starts_at=starts_at,
        ends_at=ends_at,
        summary=summary,
        description=description,
        location=location,
        url=url,
        dtstamp=dtstamp,
    )


def cancellation_ics(
    *,
    uid: str,
    sequence: int,
    organizer_name: str,
    organizer_email: str,
    attendee_name: str,
    attendee_email: str,
    starts_at: datetime,
    ends_at: datetime,
    summary: str,
    description: str,
    location: str | None,
    url: str | None,
    dtstamp: datetime,
) -> bytes:
    """METHOD:CANCEL for the event last sent with ``sequence``; it carries ``sequence + 1``.

    Calendars ignore a CANCEL whose SEQUENCE is not above the invitation's (RFC 5546 §2.1.4),
    so pass the sequence of the latest invitation, not a new one.
    """
    return _calendar(
        method="CANCEL",
        status="CANCELLED",
        uid=uid,
        sequence=sequence + 1,
        organizer_name=organizer_name,
        organizer_email=organizer_email,
        attendee_name=attendee_name,
        attendee_email=attendee_email,
        starts_at=starts_at,
        ends_at=ends_at,
        summary=summary,
        description=description,
        location=location,
        url=url,
        dtstamp=dtstamp,
    )
