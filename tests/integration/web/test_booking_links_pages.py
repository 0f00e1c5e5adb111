"""Booking links through the settings pages: list, create, edit, validation, another host's link."""

import re

import httpx2

from tests.integration.web.conftest import PageHost, csrf_of
from tests.support.builders import unique

WEEK = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def shown_amount(html: str, name: str) -> tuple[str, str]:
    """The number and the selected unit the form shows for a duration such as minimum_notice."""
    number = re.search(rf'id="{name}" name="{name}" value="([^"]*)"', html)
    select = re.search(rf'<select id="{name}_unit".*?</select>', html, re.S)
    assert number, name
    assert select, name
    unit = re.search(r'<option value="([^"]+)" selected>', select.group(0))
    assert unit, name
    return number.group(1), unit.group(1)


def link_form(token: str, **overrides: str | list[str]) -> dict[str, str | list[str]]:
    data: dict[str, str | list[str]] = {
        "csrf_token": token,
        "slug": unique("demo"),
        "title": "Discovery call",
        "description": "Let's talk.",
        "duration_minutes": "45",
        "timezone": "Europe/Paris",
        "calendar_provider": "none",
        "slot_interval_minutes": "15",
        "buffer_before_minutes": "5",
        "buffer_after_minutes": "10",
        "minimum_notice": "2",
        "minimum_notice_unit": "hours",
        "booking_horizon": "30",
        "booking_horizon_unit": "days",
        "round_robin_members": "",
    }
    for day in WEEK:
        data[f"{day}_start"] = ["09:00", ""] if day != "sunday" else [""]
        data[f"{day}_end"] = ["17:00", ""] if day != "sunday" else [""]
    data["friday_start"] = ["09:00", "20:00", ""]
    data["friday_end"] = ["12:00", "24:00", ""]
    data.update(overrides)
    return data


async def test_the_list_shows_the_hosts_links(browser: httpx2.AsyncClient, page_host: PageHost) -> None:
    response = await browser.get("/settings/booking-links")
    assert response.status_code == 200
    assert page_host.link.title.replace("'", "&#39;") in response.text
    assert f'href="/book/{page_host.link.slug}"' in response.text
    assert "30 min" in response.text
    assert "New booking link" in response.text


async def test_the_form_has_every_field_and_the_documented_provider_options(
    browser: httpx2.AsyncClient,
) -> None:
    response = await browser.get("/settings/booking-links/new")
    assert response.status_code == 200
    html = response.text
    for name in (
        "slug",
        "title",
        "description",
        "duration_minutes",
        "timezone",
        "monday_start",
        "monday_end",
        "calendar_provider",
        "auto_meeting_link",
        "slot_interval_minutes",
        "buffer_before_minutes",
        "buffer_after_minutes",
        "minimum_notice",
        "minimum_notice_unit",
        "booking_horizon",
        "booking_horizon_unit",
        "csrf_token",
    ):
        assert f'name="{name}"' in html, name
    assert "Calendar integration" in html
    assert "Calendar provider" in html
    assert "Auto-generate meeting link" in html
    select = re.search(r'<select id="calendar_provider".*?</select>', html, re.S)
    assert select
    options = re.findall(r'<option value="([^"]+)"[^>]*>([^<]+)</option>', select.group(0))
    assert options == [("none", "None"), ("google", "Google"), ("microsoft", "Microsoft")]
    assert '<option value="Europe/Berlin" selected>' in html  # the host's zone by default


async def test_a_link_created_through_the_form_is_listed_and_editable(browser: httpx2.AsyncClient) -> None:
    token = await csrf_of(browser, "/settings/booking-links/new")
    form = link_form(token, calendar_provider="microsoft", auto_meeting_link="on")
    response = await browser.post("/settings/booking-links", data=form)
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/settings/booking-links"
    listing = await browser.get("/settings/booking-links")
    assert "Discovery call" in listing.text
    assert f"/book/{form['slug']}" in listing.text
    assert "Created" in listing.text  # the one-shot flash
    assert "Created" not in (await browser.get("/settings/booking-links")).text

    link_id = re.search(r'href="/settings/booking-links/([0-9a-f-]{36})">Discovery call<', listing.text)
    assert link_id
    edit = await browser.get(f"/settings/booking-links/{link_id.group(1)}")
    assert edit.status_code == 200
    html = edit.text
    assert f'value="{form["slug"]}"' in html
    assert '<option value="microsoft" selected>' in html
    assert re.search(r'name="auto_meeting_link" value="on" checked', html)
    assert '<option value="Europe/Paris" selected>' in html
    for value in ('value="45"', 'value="15"', 'value="24:00"', 'value="20:00"'):
        assert value in html, value
    assert shown_amount(html, "minimum_notice") == ("2", "hours")
    assert shown_amount(html, "booking_horizon") == ("30", "days")


async def test_end_before_start_is_refused_with_the_message_and_the_typed_values(
    browser: httpx2.AsyncClient, page_host: PageHost
) -> None:
    path = f"/settings/booking-links/{page_host.link.id}"
    token = await csrf_of(browser, path)
    form = link_form(token, title="Renamed call", monday_start=["17:00"], monday_end=["09:00"])
    response = await browser.post(path, data=form)
    assert response.status_code == 422
    assert "Monday hours end (09:00) before they start (17:00)" in response.text
    assert 'value="Renamed call"' in response.text
    assert 'name="monday_start" value="17:00"' in response.text
    unchanged = await browser.get(path)
    assert "Renamed call" not in unchanged.text


async def test_bad_numbers_and_missing_fields_re_render_the_form(browser: httpx2.AsyncClient) -> None:
    token = await csrf_of(browser, "/settings/booking-links/new")
    response = await browser.post("/settings/booking-links", data=link_form(token, duration_minutes="soon"))
    assert response.status_code == 422
    assert "Duration must be a whole number of minutes." in response.text
    response = await browser.post("/settings/booking-links", data=link_form(token, title=""))
    assert response.status_code == 422
    assert "The title is required." in response.text


async def test_a_taken_slug_is_a_conflict_shown_on_the_form(
    browser: httpx2.AsyncClient, other_host: PageHost
) -> None:
    token = await csrf_of(browser, "/settings/booking-links/new")
    response = await browser.post("/settings/booking-links", data=link_form(token, slug=other_host.link.slug))
    assert response.status_code == 409
    assert "already taken" in response.text


async def test_another_hosts_link_is_not_found(browser: httpx2.AsyncClient, other_host: PageHost) -> None:
    path = f"/settings/booking-links/{other_host.link.id}"
    response = await browser.get(path)
    assert response.status_code == 404
    assert "No booking link with that id." in response.text
    token = await csrf_of(browser, "/settings/booking-links/new")
    assert (await browser.post(path, data=link_form(token))).status_code == 404
    assert (await browser.post(f"{path}/delete", data={"csrf_token": token})).status_code == 404


async def test_a_link_can_be_deleted(browser: httpx2.AsyncClient, page_host: PageHost) -> None:
    path = f"/settings/booking-links/{page_host.link.id}"
    token = await csrf_of(browser, path)
    response = await browser.post(f"{path}/delete", data={"csrf_token": token})
    assert response.status_code == 303
    assert (await browser.get(path)).status_code == 404
