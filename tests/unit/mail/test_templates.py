import pytest
from jinja2 import TemplateNotFound, UndefinedError

from workestra.mail import render_email

WHEN = "Tuesday 3 June 2025, 14:00–14:30 (Europe/Berlin)"
NOTE = "The meeting details will follow from the host."


def confirmation_context(**overrides: object) -> dict[str, object]:
    context: dict[str, object] = {
        "invitee_name": "Ann Invitee",
        "host_name": "Bob Host",
        "host_email": "bob@example.com",
        "title": "Intro call",
        "when": WHEN,
        "duration_minutes": 30,
        "meeting_url": "https://teams.example/l/meetup-join/abc?x=1&y=2",
        "meeting_note": None,
        "reschedule_url": "https://workestra.example/bookings/xyz/reschedule?token=r",
        "cancel_url": "https://workestra.example/bookings/xyz/cancel?token=c",
    }
    context.update(overrides)
    return context


def test_confirmation_shows_the_booking_and_the_join_link() -> None:
    subject, text, html = render_email("booking_confirmation", confirmation_context())

    assert subject == f"Confirmed: Intro call with Bob Host, {WHEN}"
    assert "Hi Ann Invitee," in text
    assert WHEN in text
    assert "30 minutes" in text
    assert "Join: https://teams.example/l/meetup-join/abc?x=1&y=2" in text
    assert "Reschedule: https://workestra.example/bookings/xyz/reschedule?token=r" in text
    assert "Cancel:     https://workestra.example/bookings/xyz/cancel?token=c" in text
    assert '<a href="https://workestra.example/bookings/xyz/cancel?token=c"' in html
    assert html.startswith("<!DOCTYPE html>")
    assert '<a href="https://teams.example/l/meetup-join/abc?x=1&amp;y=2"' in html
    assert "Join meeting</a>" in html
    assert WHEN in html


def test_confirmation_without_a_meeting_link_shows_the_note_instead() -> None:
    _, text, html = render_email(
        "booking_confirmation",
        confirmation_context(meeting_url=None, meeting_note=NOTE, reschedule_url=None, cancel_url=None),
    )

    assert "Join" not in text
    assert "Join meeting" not in html
    assert NOTE in text
    assert NOTE in html
    assert "reschedule" not in text
    assert "reschedule" not in html


def test_html_escapes_names_and_text_keeps_them() -> None:
    context = confirmation_context(
        invitee_name="<script>alert(1)</script>", title='Intro "&" <b>', host_name="Bob <Host>"
    )

    subject, text, html = render_email("booking_confirmation", context)

    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "Intro &#34;&amp;&#34; &lt;b&gt;" in html
    assert "Hi <script>alert(1)</script>," in text
    assert 'Confirmed: Intro "&" <b> with Bob <Host>' in subject


def test_subject_is_one_line_even_when_a_name_has_a_line_break() -> None:
    subject, _, _ = render_email(
        "booking_confirmation", confirmation_context(host_name="Bob\r\nBcc: x@example.com")
    )

    assert "\r" not in subject
    assert "\n" not in subject


def test_host_notification_names_the_invitee() -> None:
    context = confirmation_context(invitee_email="ann@example.com", manage_url="https://w.example/calendar")

    subject, text, html = render_email("host_notification", context)
    assert "Booking details: https://w.example/calendar" in text

    assert subject == f"New booking: Intro call with Ann Invitee, {WHEN}"
    assert "Ann Invitee <ann@example.com>" in text
    assert "Join: https://teams.example/l/meetup-join/abc?x=1&y=2" in text
    assert "mailto:ann@example.com" in html


def test_missing_context_key_is_an_error() -> None:
    context = confirmation_context()
    del context["when"]

    with pytest.raises(UndefinedError):
        render_email("booking_confirmation", context)


def test_host_notification_needs_the_invitee_email() -> None:
    with pytest.raises(UndefinedError):
        render_email("host_notification", confirmation_context(manage_url=None))


@pytest.mark.parametrize("name", ["../booking_confirmation", "Booking", "", "a/b"])
def test_template_name_must_be_a_plain_name(name: str) -> None:
    with pytest.raises(ValueError, match="template name"):
        render_email(name, confirmation_context())


def test_unknown_template_is_an_error() -> None:
    with pytest.raises(TemplateNotFound):
        render_email("no_such_mail", confirmation_context())


def change_context(**overrides: object) -> dict[str, object]:
    context: dict[str, object] = {
        "change": "rescheduled",
        "recipient_name": "Ann Invitee",
        "other_name": "Bob Host",
        "other_email": "bob@example.com",
        "title": "Intro call",
        "when": WHEN,
        "previous_when": "Monday 2 June 2025, 09:00–09:30 (Europe/Berlin)",
        "cancelled_by": None,
        "reason": None,
        "meeting_url": "https://meet.example/abc-defg-hij",
        "reschedule_url": "https://w.example/bookings/1/reschedule?token=r",
        "cancel_url": "https://w.example/bookings/1/cancel?token=c",
        "manage_url": None,
    }
    context.update(overrides)
    return context


def test_a_moved_booking_says_when_it_was_and_is_and_keeps_the_join_link() -> None:
    subject, text, html = render_email("booking_changed", change_context())
    assert subject == f"Moved: Intro call with Bob Host, now {WHEN}"
    assert f"When:      {WHEN}" in text
    assert "Was:       Monday 2 June 2025, 09:00–09:30 (Europe/Berlin)" in text
    assert "Join: https://meet.example/abc-defg-hij" in text
    assert "Reschedule: https://w.example/bookings/1/reschedule?token=r" in text
    assert "<s>Monday 2 June 2025" in html


def test_a_cancelled_booking_says_who_cancelled_and_why() -> None:
    context = change_context(
        change="cancelled",
        previous_when=None,
        cancelled_by="Bob Host",
        reason="Travelling <that week>",
        meeting_url=None,
        reschedule_url=None,
        cancel_url=None,
    )
    subject, text, html = render_email("booking_changed", context)
    assert subject == f"Cancelled: Intro call with Bob Host, {WHEN}"
    assert "was cancelled by Bob Host." in text
    assert "Reason: Travelling <that week>" in text
    assert "Reason: Travelling &lt;that week&gt;" in html
    assert "Join" not in text
    assert "Reschedule" not in text
